"""Plausibility guards: numbers that are arithmetic but not news.

A number can be computed correctly and still mislead: growth of +27 867 % on a base of 3 customers,
an
ROI of 16 867 910 % because most costs are missing, a stage at exactly 100 % because the export
records it that way. :func:`flag_scorecard` finds them in the reviewed year's scorecard; the report
marks each beside its number and lists it, with the reason, in the data-quality section.

Thresholds (documented in the README, "Plausibility guards"):

- ``MIN_BASE`` = 30: a change on last year is not judged when last year's count (the KPI itself for
  counts, new customers for money and their ratios) was below 30;
- ``MAX_ROI`` = 10 (1 000 %): a marketing ROI above it usually means costs are missing;
- ``MAX_LTV_CAC`` = 20: likewise for LTV:CAC;
- ``MIN_TRIALS`` = 100: a stage rate of exactly 0 % or 100 % over at least this many units is taken
  as
  fixed by the way the data were recorded, not as evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import i18n
from ..metrics.catalog import REGISTRY, format_value
from ..core.i18n import _
from ..core.vocab import Level

__all__ = [
    "MIN_BASE",
    "MAX_ROI",
    "MAX_LTV_CAC",
    "MIN_TRIALS",
    "STAGE_TRIALS",
    "flag_scorecard",
    "flags_for",
]

MIN_BASE = 30
MAX_ROI = 10.0
MAX_LTV_CAC = 20.0
MIN_TRIALS = 100
#: Stage KPI -> the count it is a share of.
STAGE_TRIALS = {
    "traffic_to_lead": "visits",
    "lead_to_mql": "leads",
    "mql_to_sql": "mql",
    "sql_to_customer": "sql",
    "lead_to_customer": "leads",
    "conversion_rate": "visits",
}
_COLUMNS = ["level", "channel", "tactic", "kpi", "value", "reason"]
_GROWTH_KPIS = (
    "revenue",
    "customers",
    "leads",
    "visits",
    "orders",
    "mql",
    "sql",
)  # cost is chosen, not sampled


def _base(prev: pd.Series, kpi: str) -> float:
    """The count behind last year's value: the KPI itself for counts, new customers for money."""
    unit = REGISTRY[kpi].unit if kpi in REGISTRY else "count"
    return prev.get(kpi, np.nan) if unit == "count" else prev.get("customers", np.nan)


def _row_flags(row: pd.Series, prev: pd.Series | None) -> list[tuple[str, float, str]]:
    """Flags of one scorecard row: levels of ROI, LTV:CAC and stages at tactic and portfolio level
    (a
    channel's repeat its tactics'), changes on a small base at channel and portfolio level."""
    if row["level"] == "channel":
        return _growth_flags(row, prev)
    return _level_flags(row) + (_growth_flags(row, prev) if row["level"] == Level.PORTFOLIO else [])


def _level_flags(row: pd.Series) -> list[tuple[str, float, str]]:
    flags = []
    roi = row.get("roi", np.nan)
    if pd.notna(roi) and roi > MAX_ROI:
        flags.append(
            (
                "roi",
                roi,
                _(
                    "ROI above {limit}: implausible for marketing; check that every cost of this "
                    "scope is in the data"
                ).format(limit=format_value(MAX_ROI, "rate")),
            )
        )
    ltv_cac = row.get("ltv_cac", np.nan)
    if pd.notna(ltv_cac) and ltv_cac > MAX_LTV_CAC:
        flags.append(
            (
                "ltv_cac",
                ltv_cac,
                _(
                    "LTV:CAC above {limit}: implausible; check costs and the lifetime assumption"
                ).format(limit=i18n.number(MAX_LTV_CAC, 0)),
            )
        )
    for kpi, trials in STAGE_TRIALS.items():
        rate, n = row.get(kpi, np.nan), row.get(trials, np.nan)
        if pd.notna(rate) and rate in (0.0, 1.0) and pd.notna(n) and n >= MIN_TRIALS:
            flags.append(
                (
                    kpi,
                    rate,
                    _(
                        "{rate} over {n} units: fixed by how the data were recorded, not evidence"
                    ).format(rate=format_value(rate, "rate"), n=i18n.number(n)),
                )
            )
    return flags


def _growth_flags(row: pd.Series, prev: pd.Series | None) -> list[tuple[str, float, str]]:
    flags = []
    if prev is not None:
        for kpi in _GROWTH_KPIS:
            base = _base(prev, kpi)
            cur, before = row.get(kpi, np.nan), prev.get(kpi, np.nan)
            if (
                pd.notna(cur)
                and pd.notna(before)
                and pd.notna(base)
                and base < MIN_BASE
                and cur != before
            ):
                flags.append(
                    (
                        f"{kpi}_change",
                        cur,
                        _(
                            "change on last year not judged: last year's base was only "
                            "{base} (fewer than {min})"
                        ).format(base=i18n.number(base), min=i18n.number(MIN_BASE)),
                    )
                )
    return flags


def flag_scorecard(sc: pd.DataFrame, year: int, *, explained=()) -> pd.DataFrame:
    """Implausible numbers of ``year`` at every level: ``level, channel, tactic, kpi, value,
    reason``.

    ``kpi`` is a KPI id, or ``<kpi>_change`` for a change on last year. KPI ids in ``explained`` are
    not flagged (their reason is stated already, e.g. a stage the CRM export fixes at 100 %).

    >>> sc = pd.DataFrame({"year": [2024, 2025], "level": "portfolio",
    ...                    "channel": None, "tactic": None,
    ...                    "customers": [3.0, 839.0], "roi": [0.5, 168679.1]})
    >>> flag_scorecard(sc, 2025)["kpi"].tolist()
    ['roi', 'customers_change']
    """
    keys = ["level", "channel", "tactic"]
    prev = {tuple(r[k] for k in keys): r for _, r in sc[sc["year"] == year - 1].iterrows()}
    rows = []
    for _idx, row in sc[sc["year"] == year].iterrows():
        p = prev.get(tuple(row[k] for k in keys))
        for kpi, value, reason in _row_flags(row, p):
            rows.append(
                {
                    "level": row["level"],
                    "channel": row["channel"],
                    "tactic": row["tactic"],
                    "kpi": kpi,
                    "value": value,
                    "reason": reason,
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    return out[~out["kpi"].isin(list(explained))].reset_index(drop=True)


def flags_for(flags: pd.DataFrame, level: str, channel=None, tactic=None) -> dict[str, str]:
    """``{kpi: reason}`` of one row of the scorecard (portfolio: channel and tactic None)."""
    if flags is None or flags.empty:
        return {}
    sel = flags["level"] == level
    if channel is not None:
        sel &= flags["channel"] == channel
    if tactic is not None:
        sel &= flags["tactic"] == tactic
    return dict(zip(flags.loc[sel, "kpi"], flags.loc[sel, "reason"]))
