"""Plain-language sentences for the executive summary, built from the review's tables, in the report
language.

Sentences are plain text; whoever puts them into HTML escapes them (client
names and tactics are client text).
"""

from __future__ import annotations

import pandas as pd

from ..core import i18n
from ..metrics.catalog import CHANNEL_LABELS, REGISTRY, channel_label, format_value, label
from ..core.i18n import N_, _
from ..core.vocab import PORTFOLIO_SCOPE, Decision, Level
from .plausibility import flags_for

__all__ = [
    "executive_summary",
    "flag_text",
    "describe_change",
    "channel_label",
    "CHANNEL_LABELS",
    "DECISION_LABELS",
    "STAGE_LABELS",
    "quarter_label",
]

#: Decision ids and their labels (translated in reports, ids in the CSVs).
DECISION_LABELS = {
    Decision.KEEP: N_("Keep"),
    Decision.OPTIMISE: N_("Optimise"),
    Decision.DROP: N_("Drop"),
    Decision.INSUFFICIENT_DATA: N_("Too little data"),
}
#: Funnel stage columns and their labels.
STAGE_LABELS = {
    "visits": "Visits",
    "leads": "Leads",
    "mql": "MQLs",
    "sql": "SQLs",
    "customers": "New customers",
}


def quarter_label(day) -> str:
    """ "2025 Q1" in the report language; a quarter that starts in another month (a fiscal year's)
    is
    named by its first month, "June 2017"."""
    if (day.month - 1) % 3:
        return f"{i18n.month_name(day.month, day.year)} {i18n.digits(str(day.year))}"
    return _("{year} Q{quarter}").format(
        year=i18n.digits(str(day.year)), quarter=i18n.digits(str((day.month - 1) // 3 + 1))
    )


def describe_change(kpi_id: str, current: float, previous: float, currency: str = "") -> str:
    """ "12.3 % (+2.1 points on last year)" style text for a KPI.

    >>> describe_change("customers", 120, 100)
    '120 (+20.0 % on last year)'
    >>> describe_change("roi", 0.5, 0.4)
    '50.0 % (+10.0 points on last year)'
    """
    unit = REGISTRY[kpi_id].unit
    now = format_value(current, unit, currency)
    if previous is None or pd.isna(previous) or pd.isna(current):
        return now
    if unit in ("rate", "points"):
        diff = (current - previous) * (100 if unit == "rate" else 1)
        change = _("{change} points on last year").format(
            change=i18n.number(diff, 1 if unit == "rate" else 0, sign=True)
        )
    elif previous == 0:
        change = _("last year 0")
    else:
        change = _("{change} on last year").format(
            change=i18n.percent((current - previous) / abs(previous), 1, sign=True)
        )
    return f"{now} ({change})"


def _decision_counts(d: pd.DataFrame) -> str:
    counts = d["decision"].value_counts()
    words = (
        (Decision.KEEP, _("{n} to keep")),
        (Decision.OPTIMISE, _("{n} to optimise")),
        (Decision.DROP, _("{n} to drop")),
        (Decision.INSUFFICIENT_DATA, _("{n} with too little data to judge")),
    )
    parts = [w.format(n=i18n.digits(str(counts.get(k, 0)))) for k, w in words if counts.get(k, 0)]
    return _("Of {n} tactics, {parts}.").format(n=i18n.digits(str(len(d))), parts=", ".join(parts))


def _has(series: pd.Series, kpi: str) -> bool:
    return kpi in series and pd.notna(series[kpi])


def _judged_change(rv, kpi: str, cur: pd.Series, prev: pd.Series) -> str:
    """describe_change, unless the change is flagged as on too small a base (then said so)."""
    if f"{kpi}_change" in flags_for(rv.flags, Level.PORTFOLIO):
        return _("{value} (last year's base too small to compare)").format(
            value=format_value(cur.get(kpi), REGISTRY[kpi].unit, rv.config.currency)
        )
    return describe_change(kpi, cur.get(kpi), prev.get(kpi), rv.config.currency)


def _result_sentence(rv, cur: pd.Series, prev: pd.Series) -> str:
    """The year's cost, revenue and new customers, with what the data lack said as such."""
    year = rv.period.label()
    change = lambda k: _judged_change(rv, k, cur, prev)  # noqa: E731
    if _has(cur, "cost") and _has(cur, "revenue"):
        return _(
            "In {year}, marketing cost {cost} and brought revenue of {revenue} from {customers} "
            "new "
            "customers."
        ).format(
            year=year, cost=change("cost"), revenue=change("revenue"), customers=change("customers")
        )
    parts = [
        (
            _("marketing cost {value}")
            if k == "cost"
            else _("revenue {value}")
            if k == "revenue"
            else _("{value} new customers")
            if k == "customers"
            else _("{value} leads")
        ).format(value=change(k))
        for k in ("cost", "revenue", "customers", "leads")
        if _has(cur, k)
    ]
    missing = [
        _("cost (needs a costs table or ad spend)")
        if k == "cost"
        else _("revenue (needs orders, won deal amounts or revenue in activity)")
        for k in ("cost", "revenue")
        if not _has(cur, k)
    ]
    return _("In {year}: {facts}; n/a: {missing}.").format(
        year=year, facts=", ".join(parts) or _("no totals"), missing=", ".join(missing)
    )


def _roi_sentence(rv, cur: pd.Series, prev: pd.Series) -> str:
    ccy, cfg = rv.config.currency, rv.config
    if not _has(cur, "roi"):
        cac = (
            " "
            + _("CAC was {cac}.").format(
                cac=describe_change("cac", cur.get("cac"), prev.get("cac"), ccy)
            )
            if _has(cur, "cac")
            else ""
        )
        return _("Portfolio ROI n/a — needs both cost and revenue.") + cac
    return _("Portfolio ROI ({variant}) was {roi}; CAC was {cac}.").format(
        variant=_("margin-based") if cfg.gross_margin is not None else _("revenue-based"),
        roi=describe_change("roi", cur.get("roi"), prev.get("roi")),
        cac=describe_change("cac", cur.get("cac"), prev.get("cac"), ccy),
    )


@i18n.in_review_context
def executive_summary(rv) -> list[str]:
    """Three to five sentences: the year's result, the decisions, the extremes, the targets."""
    cur = rv.portfolio()
    prev = (
        rv.portfolio(rv.year - 1)
        if (rv.scorecard["year"] == rv.year - 1).any()
        else pd.Series(dtype=float)
    )
    out = [
        _result_sentence(rv, cur, prev),
        _roi_sentence(rv, cur, prev),
        _decision_counts(rv.decisions),
        previous_calls(getattr(rv, "previous_checks", None)),
        _extremes(rv.decisions),
        _flags_sentence(rv.flags),
        _plan_sentence(rv.plan),
    ]
    return [s for s in out if s is not None]


def previous_calls(checks: pd.DataFrame | None) -> str | None:
    """Last year's calls in one sentence (right / wrong / not yet clear), for the summary and
    the section."""
    if checks is None or not len(checks):
        return None
    n = checks["verdict"].value_counts()
    return _("Last year's calls: {right} right, {wrong} wrong, {unclear} not yet clear.").format(
        right=i18n.digits(str(int(n.get("right", 0)))),
        wrong=i18n.digits(str(int(n.get("wrong", 0)))),
        unclear=i18n.digits(str(int(n.get("not_yet_clear", 0)))),
    )


def _extremes(d: pd.DataFrame) -> str | None:
    """The judged tactics with the highest and the lowest ROI."""
    judged = d.dropna(subset=["roi"])
    judged = judged[judged["decision"] != Decision.INSUFFICIENT_DATA]
    if len(judged) < 2:
        return None
    best, worst = judged.loc[judged["roi"].idxmax()], judged.loc[judged["roi"].idxmin()]
    return _(
        "Highest return: {best} ({best_channel}, ROI {best_roi}); lowest: {worst} "
        "({worst_channel}, "
        "ROI {worst_roi})."
    ).format(
        best=best["tactic"],
        best_channel=channel_label(best["channel"]),
        best_roi=format_value(best["roi"], "rate"),
        worst=worst["tactic"],
        worst_channel=channel_label(worst["channel"]),
        worst_roi=format_value(worst["roi"], "rate"),
    )


def _flags_sentence(flags: pd.DataFrame | None) -> str | None:
    if flags is None or not len(flags):
        return None
    top = sorted({label(k.removesuffix("_change")) for k in flags_for(flags, Level.PORTFOLIO)})
    return _(
        "Check before reading: {n} number(s) look implausible and are marked ⚠ beside them "
        "(reasons "
        "under data quality){where}."
    ).format(
        n=i18n.digits(str(len(flags))),
        where=(" — " + _("among the headlines: {kpis}").format(kpis=", ".join(top))) if top else "",
    )


def _plan_sentence(plan: pd.DataFrame) -> str | None:
    """Targets met, and those not met with their attainment."""
    if not len(plan):
        return None
    met = int((plan["status"] == "met").sum())
    missed = plan[plan["status"].isin(["missed", "close"])]
    sentence = _("{met} of {n} targets met").format(
        met=i18n.digits(str(met)), n=i18n.digits(str(len(plan)))
    )
    if len(missed):
        sentence += "; " + _("not met: {targets}").format(
            targets="; ".join(
                _("{kpi} ({scope}) at {attainment} of target").format(
                    kpi=label(r.kpi),
                    scope=_("all channels")
                    if r.scope == PORTFOLIO_SCOPE
                    else channel_label(r.scope),
                    attainment=format_value(r.attainment, "rate"),
                )
                for r in missed.itertuples()
            )
        )
    return sentence + "."


def flag_text(flags: pd.DataFrame) -> list[str]:
    """Data-quality sentences for the plausibility flags (:mod:`kpi_helpers.analysis.plausibility`):
    one per KPI and
    reason, naming where (a few places, then how many more)."""
    out = []
    for (kpi_id, reason), g in flags.groupby(["kpi", "reason"], sort=False) if len(flags) else []:
        places = [
            _("all channels")
            if r.level == Level.PORTFOLIO
            else channel_label(r.channel)
            if r.level == Level.CHANNEL
            else f"{channel_label(r.channel)} · {r.tactic}"
            for r in g.itertuples()
        ]
        where = ", ".join(places[:4]) + (
            " " + _("and {n} more").format(n=i18n.digits(str(len(places) - 4)))
            if len(places) > 4
            else ""
        )
        kpi = kpi_id.removesuffix("_change")
        out.append(
            _("Implausible number flagged — {kpi} ({where}): {reason}.").format(
                kpi=label(kpi) if kpi in REGISTRY else kpi, where=where, reason=reason
            )
        )
    return out
