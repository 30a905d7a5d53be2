"""Goals and plan vs actual (S1): attainment, a traffic light, and what explains a miss.

A missed target is explained two ways, both written beside the result:

- **by funnel stage**, with the multiplicative decomposition
  revenue = visits × (leads / visits) × (customers / leads) × (revenue / customers)
  (customers and leads use the leading factors only): the log change of the
  KPI against last year is exactly the sum of the factors' log changes, so each
  factor's share of it is stated, and the factor that fell most is named;
- **by channel**: each channel's change in the KPI against last year; the channel
  with the largest shortfall is named.

Suggested KPI sets by goal, business type and life stage (S1, S4) are here too;
``kpi-review init`` uses them to pre-fill a new client's targets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import kpis
from ..core import i18n
from ..metrics.catalog import REGISTRY, channel_label, format_value, label
from ..core.i18n import N_, _
from ..core.vocab import PORTFOLIO_SCOPE, Level
from ..loaders import ClientData
from .review import SUMMED

#: KPIs that are totals over the period (scaled pro rata in a part year); every other KPI is a
#: ratio.
ADDITIVE = frozenset(SUMMED) | {"cost"}

__all__ = [
    "plan_vs_actual",
    "decompose_change",
    "channel_changes",
    "KPI_SETS",
    "suggest_kpis",
    "kpi_sets_table",
]

_FACTORS = {  # KPI -> [(factor name, numerator, denominator)]; a None denominator is a count
    "revenue": [
        (N_("visits"), "visits", None),
        (N_("visit → lead"), "leads", "visits"),
        (N_("lead → customer"), "customers", "leads"),
        (N_("revenue per customer"), "revenue", "customers"),
    ],
    "customers": [
        (N_("visits"), "visits", None),
        (N_("visit → lead"), "leads", "visits"),
        (N_("lead → customer"), "customers", "leads"),
    ],
    "leads": [(N_("visits"), "visits", None), (N_("visit → lead"), "leads", "visits")],
}


#: Ratio KPIs explained by their numerator and denominator's changes: the two totals their registry
#: entry's function takes (cac: cost, customers).
_PARTS = {
    k: REGISTRY[k].totals
    for k in ("cac", "cpl", "aov", "roi", "roi_net", "traffic_to_lead", "conversion_rate")
}
_ADDITIVE = ("revenue", "leads", "customers", "visits", "orders", "mql", "sql", "cost", "spend")


def _factor(row: pd.Series, num: str, den: str | None) -> float:
    return (
        row.get(num, np.nan)
        if den is None
        else kpis.ratio(row.get(num, np.nan), row.get(den, np.nan))
    )


def decompose_change(cur: pd.Series, prev: pd.Series, kpi: str) -> pd.DataFrame:
    """Each factor's change between two scorecard rows and its share of the KPI's log change.

    Columns: ``factor, previous, current, change, log_change, share``. ``share``
    sums to 1 over the factors (NaN when the KPI did not change or a factor is
    zero). Empty for KPIs without a decomposition.

    >>> prev = pd.Series({"visits": 1000, "leads": 100, "customers": 10, "revenue": 1000})
    >>> cur = pd.Series({"visits": 1000, "leads": 50, "customers": 10, "revenue": 1000})
    >>> table = decompose_change(cur, prev, "revenue")[["factor", "change"]].round(2)
    >>> table.values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['visits', 0.0], ['visit → lead', -0.5], ['lead → customer', 1.0],
     ['revenue per customer', 0.0]]
    """
    rows = []
    for name, num, den in _FACTORS.get(kpi, []):
        p, c = _factor(prev, num, den), _factor(cur, num, den)
        log = np.log(c / p) if p > 0 and c > 0 else np.nan
        rows.append(
            {
                "factor": name,
                "previous": p,
                "current": c,
                "change": kpis.ratio(c - p, p),
                "log_change": log,
            }
        )
    out = pd.DataFrame(rows, columns=["factor", "previous", "current", "change", "log_change"])
    total = out["log_change"].sum(min_count=len(out)) if len(out) else np.nan
    out["share"] = out["log_change"] / total if pd.notna(total) and abs(total) > 1e-12 else np.nan
    return out


def channel_changes(sc: pd.DataFrame, kpi: str, year: int) -> pd.DataFrame:
    """Each channel's KPI this year and last, and the change (counts and money only)."""
    ch = sc[sc["level"] == "channel"]
    cur = ch[ch["year"] == year].set_index("channel")[kpi]
    prev = ch[ch["year"] == year - 1].set_index("channel")[kpi]
    both = cur.index.union(prev.index)  # a channel that stopped is the largest shortfall of all
    cur, prev = cur.reindex(both).fillna(0), prev.reindex(both).fillna(0)
    return pd.DataFrame(
        {
            "channel": both,
            "current": cur.to_numpy(),
            "previous": prev.to_numpy(),
            "change": (cur - prev).to_numpy(),
        }
    )


# long: the three explanations of a miss (stages, parts, channels), each a short sentence
def _explain(
    sc: pd.DataFrame, kpi: str, scope: str, year: int, cur: pd.Series, prev: pd.Series
) -> str:
    parts = []
    dec = decompose_change(cur, prev, kpi) if len(prev) else pd.DataFrame()
    if len(dec) and dec["log_change"].notna().all():
        worst = dec.loc[dec["log_change"].idxmin()]
        changes = "; ".join(
            f"{_(r.factor)} {i18n.percent(r.change, 1, sign=True)}" for r in dec.itertuples()
        )
        parts.append(
            _("by stage ({factors}): {changes}; weakest: {weakest}").format(
                factors=" × ".join(_(f) for f in dec["factor"]),
                changes=changes,
                weakest=_(worst["factor"]),
            )
        )
    if kpi in _PARTS and len(prev):
        num, den = _PARTS[kpi]
        changes = [
            f"{label(c)} {i18n.percent(kpis.ratio(cur[c] - prev[c], prev[c]), 1, sign=True)}"
            for c in (num, den)
            if c in cur
        ]
        parts.append(
            f"{label(kpi)} = {label(num).lower()} / {label(den).lower()}: " + ", ".join(changes)
        )
    if scope == PORTFOLIO_SCOPE and kpi in _ADDITIVE:
        cc = channel_changes(sc, kpi, year)
        if len(cc):
            low = (
                cc.loc[cc["change"].idxmin()]
                if REGISTRY[kpi].better != "lower"
                else cc.loc[cc["change"].idxmax()]
            )
            parts.append(
                _(
                    "by channel: {channel} moved it least in the target's direction ({change} on "
                    "last "
                    "year)"
                ).format(
                    channel=channel_label(low["channel"]),
                    change=format_value(low["change"], REGISTRY[kpi].unit),
                )
            )
    return "; ".join(parts)


# long: one row per target: scope, pro-rata target, attainment, status and explanation
def plan_vs_actual(
    data: ClientData, sc: pd.DataFrame, year: int | None = None, *, fraction: float = 1.0
) -> pd.DataFrame:
    """Attainment of each target in ``client.yaml`` (S1), with the explanation of any miss.

    Columns: ``kpi, scope, target, actual, last_year, attainment, status,
    target_rule, explanation``. ``attainment`` is actual / target for
    higher-is-better KPIs and target / actual for lower-is-better ones;
    ``status`` is ``met`` (≥ 1), ``close`` (≥ 0.9) or ``missed``; ``n/a``
    when the KPI is not available. ``fraction`` < 1 (a part year,
    :mod:`kpi_helpers.analysis.period`) scales
    absolute targets of counts and money pro rata; rates, points and targets set as a change on last
    year (whose last year is the same months) are not scaled.
    """
    year = year or data.config.year
    rows = []
    for t in data.config.targets:
        sel = (
            sc["level"].eq(Level.PORTFOLIO)
            if t.scope == PORTFOLIO_SCOPE
            else (sc["level"].eq(Level.CHANNEL) & sc["channel"].eq(t.scope))
        )
        cur = sc[sel & sc["year"].eq(year)]
        prev = sc[sel & sc["year"].eq(year - 1)]
        actual = float(cur[t.kpi].iloc[0]) if t.kpi in sc and len(cur) else np.nan
        last = float(prev[t.kpi].iloc[0]) if t.kpi in sc and len(prev) else np.nan
        target = t.value if t.value is not None else last * (1 + t.change)
        pro_rata = (
            t.value is not None and fraction < 1 and t.kpi in ADDITIVE
        )  # totals, not ratios like CAC
        if pro_rata:
            target *= fraction
        better = REGISTRY[t.kpi].better if t.kpi in REGISTRY else "higher"
        att = kpis.ratio(target, actual) if better == "lower" else kpis.ratio(actual, target)
        status = (
            "n/a" if np.isnan(att) else ("met" if att >= 1 else "close" if att >= 0.9 else "missed")
        )
        why = (
            _explain(
                sc,
                t.kpi,
                t.scope,
                year,
                cur.iloc[0],
                prev.iloc[0] if len(prev) else pd.Series(dtype=float),
            )
            if status in ("missed", "close") and len(cur)
            else ""
        )
        rows.append(
            {
                "kpi": t.kpi,
                "scope": t.scope,
                "target": target,
                "actual": actual,
                "last_year": last,
                "attainment": att,
                "status": status,
                "target_rule": (
                    _("{change} on last year").format(change=i18n.percent(t.change, 0, sign=True))
                    if t.change is not None
                    else _("absolute value, pro rata {months}/12").format(
                        months=i18n.digits(str(round(fraction * 12)))
                    )
                    if pro_rata
                    else _("absolute value")
                ),
                "explanation": why,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "kpi",
            "scope",
            "target",
            "actual",
            "last_year",
            "attainment",
            "status",
            "target_rule",
            "explanation",
        ],
    )


#: KPI sets (3–5 each, S1) by goal, business type and life stage (S1, S4).
KPI_SETS = {
    "goal": {
        "awareness": ("visits", "traffic_share", "engagement_rate", "follower_growth"),
        "sales": ("customers", "aov", "cac", "roi"),
        "relations": ("leads", "response_hours", "nps", "retention_rate"),
    },
    "business": {
        "ecommerce": ("conversion_rate", "aov", "roas", "repeat_purchase_rate"),
        "media": ("visits", "pages_per_visit", "avg_session_s", "engagement_rate"),
        "b2b_saas": ("leads", "mql_to_sql", "close_rate", "cac", "ltv_cac"),
        "local_services": ("leads", "cpl", "lead_to_customer", "nps"),
    },
    "stage": {
        "start": ("visits", "reach", "engagement_rate", "leads"),
        "mature": ("conversion_rate", "retention_rate", "ltv_cac", "roi"),
    },
}


def suggest_kpis(
    goal: str | None = None, business: str | None = None, stage: str | None = None, limit: int = 5
) -> list[str]:
    """Up to ``limit`` KPI ids for a goal, business type and life stage, in that order of priority.

    >>> suggest_kpis(goal="sales", business="ecommerce")
    ['customers', 'aov', 'cac', 'roi', 'conversion_rate']
    """
    out: list[str] = []
    for kind, key in (("goal", goal), ("business", business), ("stage", stage)):
        if key is None:
            continue
        if key not in KPI_SETS[kind]:
            raise ValueError(f"unknown {kind} {key!r}; use one of {', '.join(KPI_SETS[kind])}")
        out += [k for k in KPI_SETS[kind][key] if k not in out]
    return out[:limit]


_SET_WORDS = {
    "goal": N_("goal"),
    "business": N_("business type"),
    "stage": N_("life stage"),
    "awareness": N_("awareness"),
    "sales": N_("sales"),
    "relations": N_("customer relations"),
    "ecommerce": N_("online shop"),
    "media": N_("media"),
    "b2b_saas": N_("B2B software"),
    "local_services": N_("local services"),
    "start": N_("start-up"),
    "mature": N_("mature business"),
}


def kpi_sets_table() -> pd.DataFrame:
    """The KPI sets as a table for the report's appendix, in the report language."""
    return pd.DataFrame(
        [
            {
                "by": _(_SET_WORDS[kind]),
                "for": _(_SET_WORDS[key]),
                "KPIs": ", ".join(label(k) for k in ids),
            }
            for kind, sets in KPI_SETS.items()
            for key, ids in sets.items()
        ]
    )
