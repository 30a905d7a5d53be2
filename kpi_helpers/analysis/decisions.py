"""Keep / optimise / drop per tactic (seed S2's annual review), with its evidence and a reason.

The rules are documented thresholds (``client.yaml`` ``thresholds``) applied the
same way to every tactic, in this order:

1. **insufficient_data**: fewer than ``min_customers`` new customers, unless
   the tactic's leads are so many that the portfolio's lead → customer rate
   would have brought ``min_customers`` and the shortfall is significant (exact
   binomial test): a clear failure is evidence (without a customers column,
   ``10 × min_customers`` leads are needed; with neither, nothing can be
   judged); or half or more of
   the tactic's leads of the year still open (:data:`OPEN_SHARE_MAX`: a late
   launch or a long sales cycle; its customers have not arrived yet).
2. **No return to judge**: without a cost (none recorded, or 0) or without
   revenue, ROI is not computed and never made up. The verdict is then a
   funnel-only comparison: **optimise** when a stage is clearly weak (rule 4),
   else **insufficient_data**; the reason starts "Cannot judge return: no cost
   recorded" (or no revenue).
3. The **decision ROI** is margin-based when the client's gross margin is
   known (revenue ROI can keep a tactic that loses money), else revenue-based;
   the reason says which. At or over ``roi_hurdle`` the tactic is **keep**,
   unless its LTV : CAC is under ``ltv_cac_min`` or its CAC payback is over
   ``payback_max_months`` (then **optimise**: it pays this year but its
   customers are not worth what they cost).
4. Under the hurdle, a funnel stage is **weak** when its rate is under
   ``weak_stage_ratio`` × a **fair benchmark** *and*, when comparisons are
   given, the difference is significant (Holm-adjusted within its family,
   p < ``alpha``). The benchmark of a stage is, in this order: the client's
   benchmark for the channel (``benchmarks:`` in client.yaml, capped at the
   best rate a comparable tactic actually reached: another tactic of its
   channel, or its own last year); the **rest of its own channel** (the
   channel's other tactics pooled) when they have volume enough (10 units
   passed and 10 not); the tactic's **own rate last year** with volume enough
   (a weak stage is then one that fell); otherwise none, and the stage is not
   judged: the rest of the portfolio is shown as context, never as a
   benchmark (a content tactic converting like its channel is not weak for
   converting less than paid search). Each family of tests (against the rest
   of the channel; against last year; against client benchmarks) is
   Holm-corrected over every stage and tactic it holds. Every stage the data
   hold is scanned (visit → lead, lead → MQL, MQL → SQL, SQL → customer,
   lead → customer; the last only when no stage inside it is tested); a stage
   at 100 % or 0 % for the whole portfolio is so by construction and is
   skipped. **ROI if fixed** lifts every weak stage to its benchmark at once
   (the funnel multiplies: customers, and the value the ROI counts, scale
   with the product of benchmark / rate; cost unchanged). If that clears the
   hurdle, the tactic is **optimise**, every weak stage named with a
   suggested action and an A/B test sized for the gap to its benchmark;
   otherwise **drop**: even a fixed funnel would not pay.

Confidence: ``high`` when the ROI's (1 − ``alpha``) interval lies wholly on the
decided side of the hurdle and there are at least 30 new customers; ``low``
when the interval contains the hurdle or there are fewer than 30 customers;
``medium`` otherwise (including no interval available). An ``optimise`` whose
fix needs the weak stage at more than :data:`MAX_PLAUSIBLE_LIFT` times its
rate (for any of its weak stages) has ``low`` confidence whatever the
interval: the fix is not shown to be reachable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from ..core import i18n
from ..metrics import stats
from ..metrics.catalog import format_value, label
from ..core.i18n import _
from ..loaders.config import Override, Thresholds
from .comparisons import STAGES, by_construction, enough_volume
from ..core.vocab import DECISIONS

__all__ = ["decide", "benchmark_tests", "DECISIONS", "ACTIONS", "COLUMNS"]

COLUMNS = [
    "channel",
    "tactic",
    "decision",
    "reason",
    "confidence",
    "confidence_rule",
    "roi",
    "roi_ci_low",
    "roi_ci_high",
    "roi_variant",
    "roi_basis",
    "retained_value",
    "payback_months",
    "customers",
    "weakest_stage",
    "stage_rate",
    "benchmark_rate",
    "benchmark",
    "stage_p",
    "weak_stages",
    "roi_if_fixed",
    "action",
    "override",
    "override_comment",
]

_STAGE_NAMES = {
    (trials, succ): name for name, succ, trials in STAGES
}  # (from, to) column -> stage id

#: Suggested action per weak stage, in the spirit of S2's examples.
ACTIONS = {
    "traffic_to_lead": "Traffic arrives but does not convert: test landing pages, calls to action "
    "and shorter forms (A/B test).",
    "lead_to_mql": "Leads are poorly qualified: tighten targeting and the offer so the right "
    "audience responds.",
    "mql_to_sql": "Marketing-qualified leads stall: review lead scoring and nurture content with "
    "sales.",
    "sql_to_customer": "Sales-ready leads do not close: check pricing, proposal and follow-up "
    "speed with sales.",
    "lead_to_customer": "Leads do not become customers: speed up the response and follow up every "
    "enquiry.",
    "value": "It pays this year but its customers are worth less than they cost: raise order value "
    "and retention, "
    "or lower the cost per customer.",
}


#: An optimise verdict whose fix needs the weak stage at more than this multiple of its rate has low
#: confidence: the fix is not shown to be reachable.
MAX_PLAUSIBLE_LIFT = 2.0

#: A tactic with at least this share of its leads of the year still open is too early to judge (a
#: late launch, a long sales cycle): its spend's customers have not arrived yet.
OPEN_SHARE_MAX = 0.5

#: Stages strictly between leads and customers: when any of them is tested, lead -> customer (their
#: product) is reported but not used as a separate weak stage.
_INSIDE_LEAD_TO_CUSTOMER = ("lead_to_mql", "mql_to_sql", "sql_to_customer")


def _observed_best(
    row: pd.Series, tactics: pd.DataFrame, previous: pd.DataFrame | None, succ: str, trials: str
) -> float:
    """The best rate a comparable tactic actually reached at a stage, with volume enough to count
    (:func:`kpi_helpers.analysis.comparisons.enough_volume`): another tactic of the same channel
    this year or the
    tactic itself last year; without either, the best other tactic of the year (any channel); NaN
    when no
    tactic qualifies."""
    others = tactics[(tactics["tactic"] != row["tactic"]) | (tactics["channel"] != row["channel"])]
    others = (
        others[[enough_volume(a, b) for a, b in zip(others[succ], others[trials])]]
        if len(others)
        else others
    )
    same = others[others["channel"] == row["channel"]]
    rates = list(same[succ] / same[trials]) if len(same) else []
    key = (row["channel"], row["tactic"])
    if previous is not None and key in previous.index and succ in previous and trials in previous:
        last = previous.loc[key]
        if enough_volume(last[succ], last[trials]):
            rates.append(last[succ] / last[trials])
    if rates:
        return max(rates)
    return (others[succ] / others[trials]).max() if len(others) else np.nan


def benchmark_tests(
    tactics: pd.DataFrame,
    benchmarks: dict,
    alpha: float = 0.05,
    previous: pd.DataFrame | None = None,
) -> dict:
    """Each stage of a tactic whose channel has a benchmark in client.yaml: ``(channel, tactic,
    stage) -> (ref, p)``.

    ``ref`` is the benchmark capped at the best rate a comparable tactic actually reached
    (:func:`_observed_best`:
    another tactic of the same channel this year, or the tactic itself last year, from ``previous``,
    last year's
    tactic rows; without either, the best other tactic of the year); ``p`` the one-sided exact
    binomial test
    (scipy ``binomtest``) that the tactic's rate is below ``ref``, Holm-corrected over every
    benchmark test of
    the call.
    """
    keys, refs, ps = [], [], []
    t = tactics.reset_index(drop=True)
    prev = (
        previous.set_index(["channel", "tactic"])
        if previous is not None and len(previous)
        else None
    )
    prev = prev[~prev.index.duplicated()] if prev is not None else None
    for _i, r in t.iterrows():
        for name, succ, trials in STAGES:
            bench = (benchmarks or {}).get(r["channel"], {}).get(name)
            if (
                bench is None
                or succ not in t
                or trials not in t
                or not r[trials] > 0
                or pd.isna(r[succ])
            ):
                continue
            best = _observed_best(r, t, prev, succ, trials)
            ref = min(bench, best) if pd.notna(best) and best > 0 else bench
            p = (
                binomtest(int(r[succ]), int(r[trials]), ref, alternative="less").pvalue
                if 0 < ref < 1
                else np.nan
            )
            keys.append((r["channel"], r["tactic"], name))
            refs.append(ref)
            ps.append(p)
    adjusted = stats.adjust_p_values(ps, correction="holm", alpha=alpha) if ps else []
    return {k: (ref, p) for k, ref, p in zip(keys, refs, adjusted)}


def _comp(comp: pd.Series | None, column: str) -> float:
    return comp.get(column, np.nan) if comp is not None else np.nan


def _fair_benchmark(
    row: pd.Series,
    name: str,
    succ: str,
    trials: str,
    peers: pd.DataFrame,
    previous: pd.DataFrame | None,
    comp: pd.Series | None,
    bench: dict | None,
) -> dict:
    """The benchmark chain of one stage of a tactic: ``ref, p, kind, ref_label``.

    1. ``benchmark``: the client's benchmark for the tactic's channel (client.yaml), capped at the
       best
       comparable rate observed (:func:`benchmark_tests`);
    2. ``channel``: the rest of the tactic's own channel (its other tactics pooled) when they have
       volume
       enough (:func:`kpi_helpers.analysis.comparisons.enough_volume`); a pooled rate never exceeds
       the best
       of the tactics pooled, so it is a level the channel actually reaches;
    3. ``last_year``: the tactic's own rate last year, with volume enough (a weak stage is then one
       that fell);
    4. ``none``: no fair benchmark. The stage is not judged; the rest of the portfolio is context
       only.

    The chain picks a benchmark by what exists, never by the result of its test. ``p`` is the
    Holm-adjusted
    p-value of that family from the comparisons (``<stage>_channel_p``, ``<stage>_last_p``), NaN
    without them.
    """
    key = (row["channel"], row["tactic"], name)
    if bench and key in bench:
        ref, p = bench[key]
        return {
            "ref": ref,
            "p": p,
            "kind": "benchmark",
            "ref_label": _(
                "the channel's benchmark in client.yaml (capped at the best tactic observed)"
            ),
        }
    same = peers[
        (peers["channel"] == row["channel"])
        & (peers["tactic"] != row["tactic"])
        & (peers[trials] > 0)
        & peers[succ].notna()
    ]
    if enough_volume(same[succ].sum(), same[trials].sum()):
        return {
            "ref": same[succ].sum() / same[trials].sum(),
            "p": _comp(comp, f"{name}_channel_p"),
            "kind": "channel",
            "ref_label": _("the rest of its channel"),
        }
    k = (row["channel"], row["tactic"])
    if previous is not None and k in previous.index and succ in previous and trials in previous:
        last = previous.loc[k]
        if enough_volume(last[succ], last[trials]):
            return {
                "ref": last[succ] / last[trials],
                "p": _comp(comp, f"{name}_last_p"),
                "kind": "last_year",
                "ref_label": _("its own rate last year"),
            }
    return {"ref": np.nan, "p": np.nan, "kind": "none", "ref_label": ""}


def _stages(
    row: pd.Series,
    portfolio: pd.Series,
    comp: pd.Series | None,
    bench: dict | None = None,
    peers: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> list[dict]:
    """Every funnel stage the data hold (:data:`kpi_helpers.analysis.comparisons.STAGES`): the
    tactic's rate, its
    fair benchmark (:func:`_fair_benchmark`, from ``peers``: the year's tactic rows, and
    ``previous``: last
    year's, indexed by channel and tactic) and the Holm-adjusted p, with the rest of the portfolio
    as context
    (``context``: from ``comp`` when given, else the whole portfolio).

    A stage the portfolio passes at 100 % or 0 % (by construction, see
    :func:`kpi_helpers.analysis.comparisons.by_construction`) is left out: it is no evidence.
    """
    peers = peers if peers is not None else pd.DataFrame([row])
    out = []
    for name, succ, trials in STAGES:
        if pd.isna(row.get(succ)) or pd.isna(row.get(trials)) or not row[trials] > 0:
            continue
        if (
            pd.isna(portfolio.get(succ))
            or pd.isna(portfolio.get(trials))
            or not portfolio[trials] > 0
            or by_construction(portfolio[succ], portfolio[trials])
        ):
            continue
        rest = _comp(comp, f"{name}_rest")
        fair = _fair_benchmark(row, name, succ, trials, peers, previous, comp, bench)
        if fair["kind"] != "none" and not fair["ref"] > 0:
            continue
        out.append(
            {"name": name, "rate": row[succ] / row[trials]}
            | fair
            | {
                "context": rest if pd.notna(rest) else portfolio[succ] / portfolio[trials],
                "context_label": _("the rest of the portfolio")
                if pd.notna(rest)
                else _("the portfolio"),
            }
        )
    return out


def _weak_stages(stages: list[dict], th: Thresholds) -> list[dict]:
    """Stages with a fair benchmark, under ``weak_stage_ratio`` x it and not shown equal to it (Holm
    p < alpha
    when a p-value is given), weakest first (lowest rate / benchmark); lead -> customer only when no
    stage
    inside it is tested. A stage without a fair benchmark is never weak: the portfolio mix is no
    benchmark."""
    names = {s["name"] for s in stages}
    weak = [
        s
        for s in stages
        if s["kind"] != "none"
        and s["rate"] < th.weak_stage_ratio * s["ref"]
        and not (pd.notna(s["p"]) and s["p"] >= th.alpha)
        and not (s["name"] == "lead_to_customer" and names & set(_INSIDE_LEAD_TO_CUSTOMER))
    ]
    return sorted(weak, key=lambda x: x["rate"] / x["ref"])


def _unjudged_text(stages: list[dict]) -> str:
    """The stages left unjudged for want of a fair benchmark, with the portfolio figure as context;
    "" if none."""
    none = [s for s in stages if s["kind"] == "none"]
    if not none:
        return ""
    context = "; ".join(
        _("{stage} {rate} against {ref} for {ref_label}").format(
            stage=label(s["name"]),
            rate=format_value(s["rate"], "rate"),
            ref=format_value(s["context"], "rate"),
            ref_label=s["context_label"],
        )
        for s in none
    )
    return " " + _(
        "No fair benchmark for {stages} (no other tactic of its channel and no last year with "
        "volume "
        "enough): not judged against the portfolio mix, shown as context only: {context}."
    ).format(stages=", ".join(label(s["name"]).lower() for s in none), context=context)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _no_bottleneck(stages: list[dict]) -> str:
    """Why no stage is weak: each judged stage against its benchmark, then the stages without
    one."""
    judged = [s for s in stages if s["kind"] != "none"]
    if not judged:
        return _("no funnel stage has a fair benchmark to be judged by.") + _unjudged_text(stages)
    return _(
        "no funnel stage is clearly weaker than its benchmark ({stages}): there is no bottleneck "
        "to fix."
    ).format(
        stages="; ".join(_lower_first(_stage_text(s, context=False)) for s in judged)
    ) + _unjudged_text(stages)


def _fixed_roi(roi: float, weak: list[dict]) -> float:
    """The decision ROI with every weak stage at its reachable level at once.

    The funnel multiplies: the customers (and the value the ROI counts, (ROI + 1) x cost) scale with
    the product
    of benchmark / rate over the weak stages, the cost unchanged. A weak stage nobody passed (rate
    0) cannot be
    priced: the value of its customers is unknown (NaN).
    """
    if not weak or any(not s["rate"] > 0 for s in weak):
        return np.nan
    return (roi + 1) * float(np.prod([s["ref"] / s["rate"] for s in weak])) - 1


def _confidence(cust, roi, lo, hi, hurdle) -> tuple[str, str]:
    if pd.isna(lo) or pd.isna(hi):
        return (
            ("low", _("fewer than 30 new customers"))
            if cust < 30
            else ("medium", _("no ROI interval available"))
        )
    inside = lo <= hurdle <= hi
    if inside or cust < 30:
        return "low", (
            _("the ROI interval contains the hurdle")
            if inside
            else _("fewer than 30 new customers")
        )
    return "high", _("the ROI interval lies on one side of the hurdle, with 30 or more customers")


def _roi_text(roi, lo, hi, variant, alpha: float = 0.05, basis: str = "") -> str:
    ci = (
        ", "
        + _("{level} CI {low} to {high}").format(
            level=stats.confidence_level(alpha),
            low=format_value(lo, "rate"),
            high=format_value(hi, "rate"),
        )
        if pd.notna(lo)
        else ""
    )
    return f"ROI {format_value(roi, 'rate')} ({variant}{ci}" + (f"; {basis})" if basis else ")")


def _stage_text(s: dict, with_p: bool = True, context: bool = True) -> str:
    """ "Visit → lead 0.50 % against 7.5 % for the rest of its channel (p < 0.001); 4.0 % for the
    rest of the
    portfolio (context)"."""
    txt = _("{stage} {rate} against {ref} for {ref_label}").format(
        stage=label(s["name"]),
        rate=format_value(s["rate"], "rate"),
        ref=format_value(s["ref"], "rate"),
        ref_label=s["ref_label"],
    )
    if with_p and pd.notna(s["p"]):
        txt += f" ({stats.format_p(s['p'])})"
    if context and pd.notna(s["context"]) and s["kind"] != "benchmark":
        txt += "; " + _("{rate} for {label} (context)").format(
            rate=format_value(s["context"], "rate"), label=s["context_label"]
        )
    return txt


def _value(row: pd.Series, name: str) -> float:
    v = row.get(name, np.nan)
    return np.nan if v is None else float(v)


def _clear_shortfall(
    cust: float, leads: float, portfolio: pd.Series, th: Thresholds
) -> tuple[float, float]:
    """Customers the portfolio's lead -> customer rate would have given these leads, and the
    one-sided exact
    binomial p-value of seeing as few as the tactic got (scipy ``binomtest``)."""
    pl, pc = _value(portfolio, "leads"), _value(portfolio, "customers")
    if not (pl > 0 and 0 < pc < pl and leads > 0):
        return np.nan, np.nan
    rate = pc / pl
    return leads * rate, binomtest(int(cust), int(leads), rate, alternative="less").pvalue


def _sample(row: pd.Series, th: Thresholds, portfolio: pd.Series) -> dict | None:
    """The insufficient-data verdict when the tactic's numbers are too few to judge, else None.

    Judged: ``min_customers`` new customers or more (they carry the return); or fewer, when its
    leads are
    many enough that the portfolio's lead -> customer rate would have brought at least
    ``min_customers``
    and the shortfall is significant (one-sided exact binomial test, p < ``alpha``): a clear failure
    is
    evidence. Without a customers column, ``10 × min_customers`` leads; without leads, the customers
    alone.
    """
    cust, leads = _value(row, "customers"), _value(row, "leads")
    if pd.isna(cust) and pd.isna(leads):
        return {
            "decision": "insufficient_data",
            "confidence": "low",
            "confidence_rule": _("minimum sample"),
            "reason": _(
                "No leads and no customers are recorded for this tactic, so nothing it brought can "
                "be judged."
            ),
        }
    if pd.isna(cust):
        enough = leads >= 10 * th.min_customers
    else:
        expected, p = _clear_shortfall(cust, np.nan_to_num(leads), portfolio, th)
        enough = cust >= th.min_customers or (expected >= th.min_customers and p < th.alpha)
    if enough:
        return None
    cust, leads = np.nan_to_num(cust), np.nan_to_num(leads)
    return {
        "decision": "insufficient_data",
        "confidence": "low",
        "confidence_rule": _("minimum sample"),
        "reason": _(
            "Only {customers} new customers and {leads} leads in the year: fewer than "
            "{min_customers} "
            "customers, and not enough leads to show that it converts worse than the portfolio; "
            "too few "
            "to judge."
        ).format(
            customers=i18n.number(cust),
            leads=i18n.number(leads),
            min_customers=i18n.number(th.min_customers),
        ),
    }


def _missing_money(row: pd.Series) -> str | None:
    """Why the return cannot be judged (no cost / no revenue recorded), or None when both are
    there."""
    cost, revenue = _value(row, "cost"), _value(row, "revenue")
    if pd.isna(cost) or cost < 0:
        return _("no cost recorded") if pd.notna(revenue) else _("no cost and no revenue recorded")
    if pd.isna(revenue):
        return _("no revenue recorded")
    return None


def _funnel_only(row: pd.Series, stages: list[dict], th: Thresholds, missing: str) -> dict:
    """The verdict without a return: optimise when a stage is clearly weak, else
    insufficient_data."""
    weak = _weak_stages(stages, th)
    head = _("Cannot judge return: {missing}.").format(missing=missing)
    if not weak:
        return {
            "decision": "insufficient_data",
            "confidence": "low",
            "confidence_rule": _("no return"),
            "reason": head
            + (
                " " + _("No funnel stage is clearly weaker than its benchmark.")
                if any(s["kind"] != "none" for s in stages)
                else ""
            )
            + (_unjudged_text(stages) if stages else " " + _("No funnel stage can be compared.")),
        }
    s = weak[0]
    return {
        "decision": "optimise",
        "confidence": "medium" if pd.notna(s["p"]) else "low",
        "confidence_rule": _("funnel comparison only"),
        **_weak_columns(weak),
        "action": _actions(weak, row, th),
        "reason": head
        + " "
        + _("Judged on the funnel alone: {stage}.").format(
            stage="; ".join(_stage_text(w) for w in weak)
        ),
    }


def _basis(comp: pd.Series | None, margin, currency: str) -> tuple[str, str]:
    """The basis of the decision ROI (``acquisition``, ``retention`` or ``year``) and the clause
    that states it."""
    kind = comp.get("roi_basis") if comp is not None else None
    if kind == "acquisition":
        money = lambda v: i18n.money(v, currency)  # noqa: E731
        projection = comp.get(
            "projection_basis"
        )  # NaN for a tactic without new customers: nothing projected
        projection = projection if isinstance(projection, str) else "none"
        text = _(
            "on the {n} customers acquired this year: {value_year} {what} in the year + "
            "{projected} projected "
            "({basis}); {retained} from customers acquired earlier is not credited to this year's "
            "spend"
        ).format(
            n=i18n.number(comp.get("new_customers", 0)),
            value_year=money(comp.get("value_year", 0)),
            what=_("margin") if margin is not None else _("revenue"),
            projected=money(comp.get("value_projected", 0)),
            basis=_(_PROJECTION[projection]),
            retained=money(comp.get("retained_value", 0)),
        )
        return "acquisition", text
    if kind == "retention":
        return "retention", _(
            "retention tactic, credited with the revenue of the customers it reached: not shown to "
            "be incremental without a holdout"
        )
    return "year", _("on the revenue of the year")


#: How the projected value of the year's new customers was made
#: (:func:`kpi_helpers.analysis.customers.acquisition_value`).
_PROJECTION = {
    "tactic": "the tactic's own retention and value per customer",
    "portfolio": "the portfolio's retention and value per customer: too few earlier customers of "
    "its own",
    "none": "nothing projected: no churn dates or no earlier customers",
}


def _zero_cost(row, comp, stages, th, cost_rule, currency, margin) -> dict:
    """A tactic that carries no cost (none direct, and no share of the overhead under the client's
    allocation
    rule): keep when it brings value, on what it brings against the nothing it costs; else
    funnel-only."""
    value = comp.get("value_acquired", np.nan) if comp is not None else np.nan
    if pd.isna(value):
        value = _value(row, "revenue") * (1 if margin is None else margin)
    if not value > 0:
        return _funnel_only(row, stages, th, _("no cost recorded"))
    rule = _(cost_rule) if cost_rule else _("the client's rule")
    return {
        "decision": "keep",
        "confidence": "medium",
        "confidence_rule": _("no cost to weigh against"),
        "reason": _(
            "It carries no cost: nothing is recorded for it directly, and under the cost "
            "allocation rule "
            "'{rule}' no share of the overhead falls on it. It brought {customers} new customers "
            "worth "
            "{value}, so it pays for what it costs; to weigh it against a share of the overhead, "
            "set "
            "cost_allocation: leads."
        ).format(
            rule=rule,
            customers=i18n.number(_value(row, "customers") or 0),
            value=i18n.money(value, currency),
        ),
    }


def _base(row: pd.Series, comp: pd.Series | None, margin, currency: str) -> tuple[dict, str]:
    """The columns every verdict carries (ROI, its interval, variant and basis, payback, customers),
    and the
    sentence naming the ROI's basis."""
    roi = (
        float(comp["roi"])
        if comp is not None and pd.notna(comp.get("roi_basis", np.nan))
        else _value(row, "roi")
    )
    kind, basis_text = _basis(comp, margin, currency)
    get = (lambda k: comp.get(k, np.nan)) if comp is not None else (lambda k: np.nan)
    return {
        "roi": roi,
        "roi_ci_low": get("roi_ci_low"),
        "roi_ci_high": get("roi_ci_high"),
        "roi_variant": _("margin-based") if margin is not None else _("revenue-based"),
        "roi_basis": kind,
        "retained_value": get("retained_value"),
        "payback_months": get("payback_months"),
        "customers": np.nan_to_num(_value(row, "customers")),
    }, basis_text


def _too_early(comp: pd.Series | None) -> dict | None:
    """Insufficient data while most of the year's leads are still open (their customers have not
    arrived)."""
    open_share = comp.get("open_share", np.nan) if comp is not None else np.nan
    if not (pd.notna(open_share) and open_share >= OPEN_SHARE_MAX):
        return None
    return {
        "decision": "insufficient_data",
        "confidence": "low",
        "confidence_rule": _("leads still open"),
        "reason": _(
            "Too early to judge: {share} of its leads of the year are still open, so most of "
            "the customers its spend bought have not arrived yet."
        ).format(share=format_value(open_share, "rate")),
    }


def _judge(
    row: pd.Series,
    portfolio: pd.Series,
    comp: pd.Series | None,
    th: Thresholds,
    margin,
    currency: str = "EUR",
    cost_rule: str | None = None,
    bench: dict | None = None,
    peers: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> dict:
    base, basis_text = _base(row, comp, margin, currency)
    roi, lo, hi = base["roi"], base["roi_ci_low"], base["roi_ci_high"]
    early = _sample(row, th, portfolio) or _too_early(comp)
    if early:
        return base | early
    stages = _stages(row, portfolio, comp, bench, peers, previous)
    missing = _missing_money(row)
    if not missing and _value(row, "cost") == 0:
        return (
            base | {"roi": np.nan} | _zero_cost(row, comp, stages, th, cost_rule, currency, margin)
        )
    if missing or pd.isna(roi):
        return base | {"roi": np.nan} | _funnel_only(row, stages, th, missing or _("ROI n/a"))
    conf, rule = _confidence(base["customers"], roi, lo, hi, th.roi_hurdle)
    base |= {"confidence": conf, "confidence_rule": rule}
    roi_txt = _roi_text(roi, lo, hi, base["roi_variant"], th.alpha, basis_text)
    hurdle = format_value(th.roi_hurdle, "rate")
    if roi >= th.roi_hurdle:
        return base | _keep_or_value(
            row,
            stages,
            th,
            _("{roi} clears the {hurdle} hurdle").format(roi=roi_txt, hurdle=hurdle),
        )
    return base | _below_hurdle(row, stages, th, roi, roi_txt, hurdle)


# long: the optimise-or-drop verdict and its three sentences (one or several weak stages, a fix that
# clears the hurdle or not) read best side by side
def _below_hurdle(
    row: pd.Series, stages: list[dict], th: Thresholds, roi: float, roi_txt: str, hurdle: str
) -> dict:
    """Optimise when lifting every weak stage to its reachable level would clear the hurdle, else
    drop."""
    weak = _weak_stages(stages, th)
    if not weak:
        return {
            "decision": "drop",
            "reason": _("{roi} is below the {hurdle} hurdle, and {why}").format(
                roi=roi_txt, hurdle=hurdle, why=_no_bottleneck(stages)
            ),
        }
    fixed = _fixed_roi(
        roi, weak
    )  # every weak stage at its reachable level at once: the funnel multiplies
    out = _weak_columns(weak) | {"roi_if_fixed": fixed}
    stage_list = "; ".join(_stage_text(w) for w in weak)
    if pd.notna(fixed) and fixed >= th.roi_hurdle:
        s = max(weak, key=lambda x: x["ref"] / x["rate"])
        if (
            s["ref"] > MAX_PLAUSIBLE_LIFT * s["rate"]
        ):  # the fix asks for more than a plausible lift: say so
            out |= {
                "confidence": "low",
                "confidence_rule": _("the fix needs the stage at {lift} times its rate").format(
                    lift=i18n.number(s["ref"] / s["rate"], 1)
                ),
            }
        text = (
            _(
                "{roi} is below the {hurdle} hurdle, but the funnel is the problem: {stage}; at "
                "that rate ROI would "
                "be {fixed}."
            )
            if len(weak) == 1
            else _(
                "{roi} is below the {hurdle} hurdle, but the funnel is the problem, at {n} stages: "
                "{stage}; with "
                "all of them at those rates ROI would be {fixed}."
            )
        )
        return out | {
            "decision": "optimise",
            "action": _actions(weak, row, th),
            "reason": text.format(
                roi=roi_txt,
                hurdle=hurdle,
                stage=stage_list,
                n=i18n.number(len(weak)),
                fixed=format_value(fixed, "rate"),
            ),
        }
    text = (
        _(
            "{roi} is below the {hurdle} hurdle; its weakest stage is {stage}, and even at that "
            "rate ROI would be "
            "{fixed}."
        )
        if len(weak) == 1
        else _(
            "{roi} is below the {hurdle} hurdle; its weak stages are {stage}, and even with all of "
            "them at those "
            "rates ROI would be {fixed}."
        )
    )
    return out | {
        "decision": "drop",
        "reason": text.format(
            roi=roi_txt, hurdle=hurdle, stage=stage_list, fixed=format_value(fixed, "rate")
        ),
    }


def _weak_columns(weak: list[dict]) -> dict:
    """The decisions table's columns for the weak stages: the weakest one's figures and every weak
    stage named."""
    s = weak[0]
    return {
        "weakest_stage": s["name"],
        "stage_rate": s["rate"],
        "benchmark_rate": s["ref"],
        "benchmark": s["kind"],
        "stage_p": s["p"],
        "weak_stages": ", ".join(w["name"] for w in weak),
    }


def _actions(weak: list[dict], row: pd.Series, th: Thresholds) -> str:
    """The suggested action of each weak stage, weakest first, each with the A/B test that would
    show it lifted."""
    return " ".join(_(ACTIONS[s["name"]]) + _ab_plan(s, row, th.alpha) for s in weak)


_STAGE_TRIALS = {
    "traffic_to_lead": "visits",
    "lead_to_mql": "leads",
    "mql_to_sql": "mql",
    "sql_to_customer": "sql",
    "lead_to_customer": "leads",
}


def _ab_plan(s: dict, row: pd.Series, alpha: float) -> str:
    """The A/B test that would show the weak stage lifted to its reachable level (its fair
    benchmark, capped at
    a rate actually observed), the gap actually observed (S3, S4): size per variant (Cohen's h,
    statsmodels
    power) and duration at the tactic's volume."""
    if not 0 < s["rate"] < s["ref"] < 1:
        return ""
    n = stats.sample_size(s["rate"], s["ref"] - s["rate"], relative=False, alpha=alpha, power=0.8)
    per_month = (row.get(_STAGE_TRIALS[s["name"]], np.nan) or np.nan) / 12
    months = 2 * n / per_month if per_month > 0 else np.nan
    text = " " + _(
        "An A/B test needs {n} per variant to detect a lift from {rate} to {ref} at 80 % power"
    ).format(
        n=i18n.number(n), rate=format_value(s["rate"], "rate"), ref=format_value(s["ref"], "rate")
    )
    if pd.notna(months):
        text += _(", about {months} months of this tactic's volume").format(
            months=i18n.number(months, 1)
        )
    return text + "."


# long: the keep verdict and its two value checks (LTV:CAC, payback) with their sentences
def _keep_or_value(row: pd.Series, stages: list[dict], th: Thresholds, roi_clause: str) -> dict:
    ltv_cac, payback = row.get("ltv_cac", np.nan), row.get("cac_payback", np.nan)
    problems = []
    if pd.notna(ltv_cac) and ltv_cac < th.ltv_cac_min:
        problems.append(
            _("LTV:CAC {value} is under {minimum}").format(
                value=i18n.number(ltv_cac, 2), minimum=i18n.number(th.ltv_cac_min, 0)
            )
        )
    if pd.notna(payback) and payback > th.payback_max_months:
        problems.append(
            _("CAC payback {value} months is over {maximum}").format(
                value=i18n.number(payback, 1), maximum=i18n.number(th.payback_max_months, 0)
            )
        )
    if problems:
        return {
            "decision": "optimise",
            "action": _(ACTIONS["value"]),
            "weakest_stage": "value",
            "reason": _("{roi}, but {problems}.").format(
                roi=roi_clause, problems=_(" and ").join(problems)
            ),
        }
    main = next((s for s in stages if s["kind"] != "none" and pd.notna(s["p"])), None)
    extra = ""
    if main is not None:
        verdict = (
            _("is not different from")
            if main["p"] >= th.alpha
            else _("is above")
            if main["rate"] > main["ref"]
            else _("is below")
        )
        extra = "; " + _("{stage} {rate} {verdict} {ref_label} ({p})").format(
            stage=label(main["name"]).lower(),
            rate=format_value(main["rate"], "rate"),
            verdict=verdict,
            ref_label=main["ref_label"],
            p=stats.format_p(main["p"]),
        )
    cust = _value(row, "customers")
    if pd.isna(cust):
        return {
            "decision": "keep",
            "reason": _("{roi}{extra}.").format(roi=roi_clause, extra=extra),
        }
    return {
        "decision": "keep",
        "reason": _("{roi} with {customers} new customers{extra}.").format(
            roi=roi_clause, customers=i18n.number(cust), extra=extra
        ),
    }


def decide(
    scorecard: pd.DataFrame,
    comparisons: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    *,
    year: int | None = None,
    gross_margin: float | None = None,
    overrides=(),
    currency: str = "EUR",
    cost_rule: str | None = None,
    benchmarks: dict | None = None,
) -> pd.DataFrame:
    """Decide keep / optimise / drop / insufficient_data for every tactic of ``year`` (default: the
    latest).

    ``scorecard`` is :func:`kpi_helpers.analysis.review.scorecard` output (or any table
    with its columns: ``level, year, channel, tactic, roi, revenue, cost,
    customers, leads`` and the funnel counts); ``comparisons`` is
    :func:`kpi_helpers.analysis.comparisons.compare_tactics` output (optional: without
    it, no intervals or p-values enter the rules). Returns the
    ``decisions.csv`` columns :data:`COLUMNS`: ``channel, tactic, decision,
    reason`` first, then confidence and its rule, the ROI that decided with
    its interval and variant, the weakest stage with its rate, its benchmark
    rate (``benchmark_rate``), which benchmark it is (``benchmark``:
    ``benchmark`` from client.yaml, ``channel``, ``last_year``) and p, every weak
    stage (``weak_stages``, weakest first), the ROI with all of them fixed, a
    suggested ``action`` for ``optimise``, and ``override`` (the computed verdict) /
    ``override_comment``
    when an analyst's verdict from ``client.yaml`` replaced it.
    """
    th = thresholds or Thresholds()
    year = year or int(scorecard["year"].max())
    sc = scorecard[scorecard["year"] == year]
    portfolio = sc[sc["level"] == "portfolio"].iloc[0]
    comp = comparisons.set_index(["channel", "tactic"]) if comparisons is not None else None
    peers = sc[sc["level"] == "tactic"]
    last = scorecard[(scorecard["year"] == year - 1) & (scorecard["level"] == "tactic")]
    bench = benchmark_tests(peers, benchmarks, th.alpha, last) if benchmarks else None
    previous = last.set_index(["channel", "tactic"]) if len(last) else None
    if previous is not None:
        previous = previous[~previous.index.duplicated()]
    rows = []
    for _idx, row in peers.iterrows():
        key = (row["channel"], row["tactic"])
        c = comp.loc[key] if comp is not None and key in comp.index else None
        rows.append(
            {"channel": row["channel"], "tactic": row["tactic"]}
            | _judge(
                row, portfolio, c, th, gross_margin, currency, cost_rule, bench, peers, previous
            )
        )
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for col in (
        "channel",
        "tactic",
        "decision",
        "reason",
        "weakest_stage",
        "benchmark",
        "weak_stages",
        "action",
        "override",
        "override_comment",
        "roi_basis",
    ):
        out[col] = out[col].astype("object")
    return _apply_overrides(out, overrides)


def _apply_overrides(out: pd.DataFrame, overrides: list[Override]) -> pd.DataFrame:
    for ov in overrides:
        hit = (out["channel"] == ov.channel) & (out["tactic"] == ov.tactic)
        if hit.any():
            out.loc[hit, "override"] = out.loc[
                hit, "decision"
            ]  # the computed verdict, kept for the record
            out.loc[hit, "decision"] = ov.decision
            out.loc[hit, "override_comment"] = ov.comment
            out.loc[hit, "reason"] = [
                _("Analyst override: {comment} (computed: {reason})").format(
                    comment=ov.comment, reason=r
                )
                for r in out.loc[hit, "reason"]
            ]
    return out
