"""Plain-language sentences for the executive summary, built from the review's tables.

Sentences are plain text; whoever puts them into HTML escapes them (client
names and tactics are client text).
"""

from __future__ import annotations

import pandas as pd

from .catalog import REGISTRY, format_value, label

__all__ = ["executive_summary", "describe_change"]


def describe_change(kpi_id: str, current: float, previous: float, currency: str = "") -> str:
    """"12.3 % (last year 10.1 %)" style text for a KPI.

    >>> describe_change("customers", 120, 100)
    '120 (+20.0 % on last year)'
    >>> describe_change("roi", 0.5, 0.4)
    '50.0 % (+10.0 points on last year)'
    """
    unit = REGISTRY[kpi_id].unit
    now = format_value(current, unit, currency)
    if previous is None or pd.isna(previous) or pd.isna(current):
        return now
    if unit == "rate":
        return f"{now} ({(current - previous) * 100:+.1f} points on last year)"
    if unit == "points":
        return f"{now} ({current - previous:+.0f} points on last year)"
    if previous == 0:
        return f"{now} (last year 0)"
    return f"{now} ({(current - previous) / abs(previous) * 100:+.1f} % on last year)"


def executive_summary(rv) -> list[str]:
    """Three to five sentences: the year's result, the decisions, the targets, the extremes."""
    cur, cfg = rv.portfolio(), rv.config
    prev = rv.portfolio(rv.year - 1) if (rv.scorecard["year"] == rv.year - 1).any() else pd.Series(dtype=float)
    ccy = cfg.currency
    roi_kind = "margin-based" if cfg.gross_margin is not None else "revenue-based"
    out = [
        f"In {rv.year}, marketing cost {describe_change('cost', cur['cost'], prev.get('cost'), ccy)} and brought "
        f"revenue of {describe_change('revenue', cur.get('revenue'), prev.get('revenue'), ccy)} from "
        f"{describe_change('customers', cur.get('customers'), prev.get('customers'))} new customers.",
        f"Portfolio ROI ({roi_kind}) was {describe_change('roi', cur['roi'], prev.get('roi'))}; "
        f"CAC was {describe_change('cac', cur.get('cac'), prev.get('cac'), ccy)}.",
    ]
    d = rv.decisions
    counts = d["decision"].value_counts()
    parts = [f"{counts.get(k, 0)} {w}" for k, w in
             (("keep", "to keep"), ("optimise", "to optimise"), ("drop", "to drop"), ("insufficient_data", "with too little data to judge"))
             if counts.get(k, 0)]
    out.append(f"Of {len(d)} tactics, " + ", ".join(parts) + ".")
    judged = d.dropna(subset=["roi"])
    judged = judged[judged["decision"] != "insufficient_data"]
    if len(judged) >= 2:
        best, worst = judged.loc[judged["roi"].idxmax()], judged.loc[judged["roi"].idxmin()]
        out.append(f"Highest return: {best['tactic']} ({best['channel']}, "
                   f"ROI {format_value(best['roi'], 'rate')}); lowest: {worst['tactic']} ({worst['channel']}, "
                   f"ROI {format_value(worst['roi'], 'rate')}).")
    if len(rv.plan):
        met = int((rv.plan["status"] == "met").sum())
        missed = rv.plan[rv.plan["status"].isin(["missed", "close"])]
        sentence = f"{met} of {len(rv.plan)} targets met"
        if len(missed):
            sentence += "; not met: " + "; ".join(
                f"{label(r.kpi)} ({r.scope}) at {format_value(r.attainment, 'rate')} of target" for r in missed.itertuples())
        out.append(sentence + ".")
    return out
