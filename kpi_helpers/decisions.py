"""Keep / optimise / drop per tactic (seed S2's annual review), with its evidence and a reason.

The rules are documented thresholds (``client.yaml`` ``thresholds``) applied the
same way to every tactic, in this order:

1. **insufficient_data**: fewer than ``min_customers`` new customers *and*
   fewer than ``10 × min_customers`` leads in the year; or no cost recorded
   (ROI cannot be computed).
2. The **decision ROI** is margin-based when the client's gross margin is
   known (revenue ROI can keep a tactic that loses money), else revenue-based;
   the reason says which. At or over ``roi_hurdle`` the tactic is **keep**,
   unless its LTV : CAC is under ``ltv_cac_min`` or its CAC payback is over
   ``payback_max_months`` (then **optimise**: it pays this year but its
   customers are not worth what they cost).
3. Under the hurdle, a funnel stage is **weak** when its rate is under
   ``weak_stage_ratio`` × the rate of the rest of the portfolio *and*, when
   comparisons are given, the difference is significant (Holm-adjusted
   p < ``alpha``). If bringing the weakest stage to the portfolio's rate would
   lift the ROI over the hurdle (revenue scales with the customers that stage
   lets through, cost unchanged), the tactic is **optimise**, with the stage and
   a suggested action; otherwise **drop**: even a fixed funnel would not pay.

Confidence: ``high`` when the ROI's 95 % interval lies wholly on the decided
side of the hurdle and there are at least 30 new customers; ``low`` when the
interval contains the hurdle or there are fewer than 30 customers; ``medium``
otherwise (including no interval available).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import i18n, stats
from .catalog import format_value, label
from .i18n import _
from .config import Override, Thresholds
from .review import FUNNEL_STAGES

__all__ = ["decide", "DECISIONS", "ACTIONS", "COLUMNS"]

DECISIONS = ("keep", "optimise", "drop", "insufficient_data")
COLUMNS = ["channel", "tactic", "decision", "reason", "confidence", "confidence_rule", "roi", "roi_ci_low",
           "roi_ci_high", "roi_variant", "customers", "weakest_stage", "stage_rate", "portfolio_stage_rate",
           "stage_p", "roi_if_fixed", "action", "override", "override_comment"]

_STAGE_NAMES = {("visits", "leads"): "traffic_to_lead", ("leads", "mql"): "lead_to_mql",
                ("mql", "sql"): "mql_to_sql", ("sql", "customers"): "sql_to_customer",
                ("leads", "customers"): "lead_to_customer"}

#: Suggested action per weak stage, in the spirit of S2's examples.
ACTIONS = {
    "traffic_to_lead": "Traffic arrives but does not convert: test landing pages, calls to action and shorter forms (A/B test).",
    "lead_to_mql": "Leads are poorly qualified: tighten targeting and the offer so the right audience responds.",
    "mql_to_sql": "Marketing-qualified leads stall: review lead scoring and nurture content with sales.",
    "sql_to_customer": "Sales-ready leads do not close: check pricing, proposal and follow-up speed with sales.",
    "lead_to_customer": "Leads do not become customers: speed up the response and follow up every enquiry.",
    "value": "It pays this year but its customers are worth less than they cost: raise order value and retention, "
             "or lower the cost per customer.",
}


def _p_text(p) -> str:
    if pd.isna(p):
        return "p " + _("n/a")
    return "p < " + i18n.number(0.001, 3) if p < 0.001 else "p = " + i18n.number(p, 3 if p < 0.01 else 2)


def _stages(row: pd.Series, portfolio: pd.Series, comp: pd.Series | None) -> list[dict]:
    """Every consecutive pair of funnel stages present: the tactic's rate, the comparison rate and p.

    The comparison rate is the rest of the portfolio (other tactics pooled) from
    ``comp`` when given, else the whole portfolio.
    """
    present = [s for s in FUNNEL_STAGES if pd.notna(row.get(s)) and pd.notna(portfolio.get(s))]
    out = []
    for a, b in zip(present, present[1:]):
        name = _STAGE_NAMES.get((a, b))
        if not name or not row[a] > 0:
            continue
        rest = comp.get(f"{name}_rest", np.nan) if comp is not None else np.nan
        ref = rest if pd.notna(rest) else (portfolio[b] / portfolio[a] if portfolio[a] > 0 else np.nan)
        if pd.notna(ref) and ref > 0:
            out.append({"name": name, "rate": row[b] / row[a], "ref": ref,
                        "ref_label": _("the rest of the portfolio") if pd.notna(rest) else _("the portfolio"),
                        "p": comp.get(f"{name}_p", np.nan) if comp is not None else np.nan,
                        "channel_rest": comp.get(f"{name}_channel_rest", np.nan) if comp is not None else np.nan,
                        "channel_p": comp.get(f"{name}_channel_p", np.nan) if comp is not None else np.nan})
    return out


def _confidence(cust, roi, lo, hi, hurdle) -> tuple[str, str]:
    if pd.isna(lo) or pd.isna(hi):
        return ("low", _("fewer than 30 new customers")) if cust < 30 else ("medium", _("no ROI interval available"))
    inside = lo <= hurdle <= hi
    if inside or cust < 30:
        return "low", (_("the ROI interval contains the hurdle") if inside else _("fewer than 30 new customers"))
    return "high", _("the ROI interval lies on one side of the hurdle, with 30 or more customers")


def _roi_text(roi, lo, hi, variant) -> str:
    ci = ", " + _("95 % CI {low} to {high}").format(low=format_value(lo, "rate"), high=format_value(hi, "rate")) \
        if pd.notna(lo) else ""
    return f"ROI {format_value(roi, 'rate')} ({variant}{ci})"


def _stage_text(s: dict, with_p: bool = True) -> str:
    txt = _("{stage} {rate} against {ref} for {ref_label}").format(
        stage=label(s["name"]), rate=format_value(s["rate"], "rate"), ref=format_value(s["ref"], "rate"),
        ref_label=s["ref_label"])
    if with_p and pd.notna(s["p"]):
        txt += f" ({_p_text(s['p'])})"
    if pd.notna(s["channel_rest"]):
        txt += "; " + _("{rate} for the rest of its channel ({p})").format(
            rate=format_value(s["channel_rest"], "rate"), p=_p_text(s["channel_p"]))
    return txt


def _judge(row: pd.Series, portfolio: pd.Series, comp: pd.Series | None, th: Thresholds, margin) -> dict:
    cust, leads = np.nan_to_num(row.get("customers", np.nan)), np.nan_to_num(row.get("leads", np.nan))
    roi = row.get("roi", np.nan)
    lo = comp.get("roi_ci_low", np.nan) if comp is not None else np.nan
    hi = comp.get("roi_ci_high", np.nan) if comp is not None else np.nan
    variant = _("margin-based") if margin is not None else _("revenue-based")
    base = {"roi": roi, "roi_ci_low": lo, "roi_ci_high": hi, "roi_variant": variant, "customers": cust}
    if cust < th.min_customers and leads < 10 * th.min_customers:
        return base | {"decision": "insufficient_data", "confidence": "low", "confidence_rule": _("minimum sample"),
                       "reason": _("Only {customers} new customers and {leads} leads in the year: fewer than "
                                   "{min_customers} customers and {min_leads} leads, too few to judge.").format(
                           customers=i18n.number(cust), leads=i18n.number(leads),
                           min_customers=i18n.number(th.min_customers), min_leads=i18n.number(10 * th.min_customers))}
    if pd.isna(roi):
        no_cost = not np.nan_to_num(row.get("cost", np.nan)) > 0
        return base | {"decision": "insufficient_data", "confidence": "low",
                       "confidence_rule": _("no cost") if no_cost else _("no revenue"),
                       "reason": _("ROI n/a: no cost is recorded for this tactic, so its return cannot be judged.")
                       if no_cost else _("Cannot judge return: no revenue is recorded for this tactic.")}
    conf, rule = _confidence(cust, roi, lo, hi, th.roi_hurdle)
    base |= {"confidence": conf, "confidence_rule": rule}
    roi_txt, hurdle = _roi_text(roi, lo, hi, variant), format_value(th.roi_hurdle, "rate")
    stages = _stages(row, portfolio, comp)
    if roi >= th.roi_hurdle:
        return base | _keep_or_value(row, stages, th, _("{roi} clears the {hurdle} hurdle").format(roi=roi_txt, hurdle=hurdle))
    weak = [s for s in stages if s["rate"] < th.weak_stage_ratio * s["ref"] and not (pd.notna(s["p"]) and s["p"] >= th.alpha)]
    if not weak:
        return base | {"decision": "drop", "reason": _("{roi} is below the {hurdle} hurdle, and no funnel stage is "
                                                      "clearly weaker than the rest of the portfolio: there is no "
                                                      "bottleneck to fix.").format(roi=roi_txt, hurdle=hurdle)}
    s = min(weak, key=lambda x: x["rate"] / x["ref"])
    # no customers at all through the stage: their value is unknown, so the fix cannot be priced (drop)
    gain = (1 if margin is None else margin) * row["revenue"] * (s["ref"] / s["rate"] - 1) if s["rate"] > 0 else np.nan
    fixed = roi + gain / row["cost"]
    base |= {"weakest_stage": s["name"], "stage_rate": s["rate"], "portfolio_stage_rate": s["ref"],
             "stage_p": s["p"], "roi_if_fixed": fixed}
    if pd.notna(fixed) and fixed >= th.roi_hurdle:
        return base | {"decision": "optimise", "action": _(ACTIONS[s["name"]]) + _ab_plan(s, row, th.alpha),
                       "reason": _("{roi} is below the {hurdle} hurdle, but the funnel is the problem: {stage}; at "
                                   "that rate ROI would be {fixed}.").format(roi=roi_txt, hurdle=hurdle,
                                                                            stage=_stage_text(s),
                                                                            fixed=format_value(fixed, "rate"))}
    return base | {"decision": "drop", "reason": _("{roi} is below the {hurdle} hurdle; its weakest stage is {stage}, "
                                                  "and even at that rate ROI would be {fixed}.").format(
        roi=roi_txt, hurdle=hurdle, stage=_stage_text(s), fixed=format_value(fixed, "rate"))}


_STAGE_TRIALS = {"traffic_to_lead": "visits", "lead_to_mql": "leads", "mql_to_sql": "mql", "sql_to_customer": "sql",
                 "lead_to_customer": "leads"}


def _ab_plan(s: dict, row: pd.Series, alpha: float) -> str:
    """The A/B test that would show a 20 % relative lift of the weak stage (S3, S4): size and duration."""
    if not 0 < s["rate"] < 1:
        return ""
    n = stats.sample_size(s["rate"], 0.2, alpha=alpha, power=0.8)
    per_month = (row.get(_STAGE_TRIALS[s["name"]], np.nan) or np.nan) / 12
    months = 2 * n / per_month if per_month > 0 else np.nan
    text = " " + _("An A/B test needs {n} per variant to detect a 20 % lift at 80 % power").format(n=i18n.number(n))
    if pd.notna(months):
        text += _(", about {months} months of this tactic's volume").format(months=i18n.number(months, 1))
    return text + "."


def _keep_or_value(row: pd.Series, stages: list[dict], th: Thresholds, roi_clause: str) -> dict:
    ltv_cac, payback = row.get("ltv_cac", np.nan), row.get("cac_payback", np.nan)
    problems = []
    if pd.notna(ltv_cac) and ltv_cac < th.ltv_cac_min:
        problems.append(_("LTV:CAC {value} is under {minimum}").format(value=i18n.number(ltv_cac, 2),
                                                                       minimum=i18n.number(th.ltv_cac_min, 0)))
    if pd.notna(payback) and payback > th.payback_max_months:
        problems.append(_("CAC payback {value} months is over {maximum}").format(
            value=i18n.number(payback, 1), maximum=i18n.number(th.payback_max_months, 0)))
    if problems:
        return {"decision": "optimise", "action": _(ACTIONS["value"]), "weakest_stage": "value",
                "reason": _("{roi}, but {problems}.").format(roi=roi_clause, problems=_(" and ").join(problems))}
    main = stages[0] if stages else None
    extra = ""
    if main is not None and pd.notna(main["p"]):
        verdict = (_("is not different from") if main["p"] >= th.alpha else
                   _("is above") if main["rate"] > main["ref"] else _("is below"))
        extra = "; " + _("{stage} {rate} {verdict} {ref_label} ({p})").format(
            stage=label(main["name"]).lower(), rate=format_value(main["rate"], "rate"), verdict=verdict,
            ref_label=main["ref_label"], p=_p_text(main["p"]))
        if pd.notna(main["channel_rest"]):
            extra += " " + _("and against {rate} for the rest of its channel ({p})").format(
                rate=format_value(main["channel_rest"], "rate"), p=_p_text(main["channel_p"]))
    return {"decision": "keep", "reason": _("{roi} with {customers} new customers{extra}.").format(
        roi=roi_clause, customers=i18n.number(row.get("customers", 0)), extra=extra)}


def decide(scorecard: pd.DataFrame, comparisons: pd.DataFrame | None = None, thresholds: Thresholds | None = None,
           *, year: int | None = None, gross_margin: float | None = None, overrides=()) -> pd.DataFrame:
    """Decide keep / optimise / drop / insufficient_data for every tactic of ``year`` (default: the latest).

    ``scorecard`` is :func:`kpi_helpers.review.scorecard` output (or any table
    with its columns: ``level, year, channel, tactic, roi, revenue, cost,
    customers, leads`` and the funnel counts); ``comparisons`` is
    :func:`kpi_helpers.comparisons.compare_tactics` output (optional: without
    it, no intervals or p-values enter the rules). Returns the
    ``decisions.csv`` columns :data:`COLUMNS`: ``channel, tactic, decision,
    reason`` first, then confidence and its rule, the ROI that decided with
    its interval and variant, the weakest stage with its rate, the comparison
    rate and p, the ROI if that stage were fixed, a suggested ``action`` for
    ``optimise``, and ``override`` (the computed verdict) / ``override_comment``
    when an analyst's verdict from ``client.yaml`` replaced it.
    """
    th = thresholds or Thresholds()
    year = year or int(scorecard["year"].max())
    sc = scorecard[scorecard["year"] == year]
    portfolio = sc[sc["level"] == "portfolio"].iloc[0]
    comp = comparisons.set_index(["channel", "tactic"]) if comparisons is not None else None
    rows = []
    for _idx, row in sc[sc["level"] == "tactic"].iterrows():
        c = comp.loc[(row["channel"], row["tactic"])] if comp is not None and (row["channel"], row["tactic"]) in comp.index else None
        rows.append({"channel": row["channel"], "tactic": row["tactic"]} | _judge(row, portfolio, c, th, gross_margin))
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for col in ("channel", "tactic", "decision", "reason", "weakest_stage", "action", "override", "override_comment"):
        out[col] = out[col].astype("object")
    return _apply_overrides(out, overrides)


def _apply_overrides(out: pd.DataFrame, overrides: list[Override]) -> pd.DataFrame:
    for ov in overrides:
        hit = (out["channel"] == ov.channel) & (out["tactic"] == ov.tactic)
        if hit.any():
            out.loc[hit, "override"] = out.loc[hit, "decision"]  # the computed verdict, kept for the record
            out.loc[hit, "decision"] = ov.decision
            out.loc[hit, "override_comment"] = ov.comment
            out.loc[hit, "reason"] = [_("Analyst override: {comment} (computed: {reason})").format(comment=ov.comment, reason=r)
                                      for r in out.loc[hit, "reason"]]
    return out
