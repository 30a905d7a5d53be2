"""Keep / optimise / drop per tactic (seed S2's annual review), with a reason.

The rules are documented thresholds applied the same way to every tactic:

1. **insufficient_data**: fewer than ``min_customers`` new customers *and*
   fewer than ``10 × min_customers`` leads in the year: too little to judge.
   A tactic with no recorded cost also cannot be judged on ROI.
2. **keep**: the decision ROI (margin-based when the client's gross margin is
   known, else revenue-based) reaches ``roi_hurdle``.
3. Below the hurdle, the tactic's **weakest funnel stage** is the one furthest
   below the portfolio's rate for the same stage. If that stage is weak (below
   ``weak_stage_ratio`` × the portfolio rate) and bringing it to the
   portfolio rate would lift the ROI over the hurdle (revenue scales with the
   customers that stage lets through), the tactic is **optimise**: useful,
   fixable. Otherwise it is **drop**: even a fixed funnel would not pay.

Confidence (stated rule): ``high`` with ≥ 100 new customers and the ROI more
than 25 points from the hurdle, ``low`` under 30 customers or within 10 points,
``medium`` otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import format_value, label
from .config import Override, Thresholds
from .review import FUNNEL_STAGES

__all__ = ["decide", "DECISIONS", "ACTIONS"]

DECISIONS = ("keep", "optimise", "drop", "insufficient_data")
COLUMNS = ["channel", "tactic", "decision", "reason", "confidence", "roi", "roi_variant", "customers",
           "weakest_stage", "stage_rate", "portfolio_stage_rate", "roi_if_fixed", "action", "override", "override_comment"]

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
}


def _stage_rates(row: pd.Series, portfolio: pd.Series) -> list[tuple[str, float, float]]:
    """(stage id, tactic rate, portfolio rate) for each consecutive pair of funnel stages present."""
    present = [s for s in FUNNEL_STAGES if pd.notna(row.get(s)) and pd.notna(portfolio.get(s))]
    out = []
    for a, b in zip(present, present[1:]):
        name = _STAGE_NAMES.get((a, b))
        if name and row[a] > 0 and portfolio[a] > 0 and portfolio[b] > 0:
            out.append((name, row[b] / row[a], portfolio[b] / portfolio[a]))
    return out


def _confidence(customers: float, roi: float, hurdle: float) -> str:
    gap = abs(roi - hurdle)
    if customers >= 100 and gap > 0.25:
        return "high"
    if customers < 30 or gap < 0.10:
        return "low"
    return "medium"


def _judge(row: pd.Series, portfolio: pd.Series, th: Thresholds, margin: float | None) -> dict:
    cust, leads = row.get("customers", np.nan), row.get("leads", np.nan)
    roi, variant = row["roi"], "margin-based" if margin is not None else "revenue-based"
    roi_txt = f"ROI {format_value(roi, 'rate')} ({variant})"
    hurdle_txt = format_value(th.roi_hurdle, "rate")
    base = {"roi": roi, "roi_variant": variant, "customers": cust}
    if (np.nan_to_num(cust) < th.min_customers and np.nan_to_num(leads) < 10 * th.min_customers):
        return base | {"decision": "insufficient_data", "confidence": "low",
                       "reason": f"Only {cust:.0f} new customers and {leads:.0f} leads in the year: fewer than "
                                 f"{th.min_customers} customers and {10 * th.min_customers} leads, too few to judge."}
    if pd.isna(roi):
        return base | {"decision": "insufficient_data", "confidence": "low",
                       "reason": "ROI n/a: no cost recorded for this tactic, so its return cannot be judged."}
    conf = _confidence(np.nan_to_num(cust), roi, th.roi_hurdle)
    stages = _stage_rates(row, portfolio)
    weakest = min(stages, key=lambda s: s[1] / s[2]) if stages else None
    if roi >= th.roi_hurdle:
        reason = f"{roi_txt} clears the {hurdle_txt} hurdle with {cust:.0f} new customers"
        if pd.notna(row.get("ltv_cac")) and row["ltv_cac"] < th.ltv_cac_min:
            reason += f"; but LTV:CAC {row['ltv_cac']:.2f} is below {th.ltv_cac_min:.1f}"
        return base | {"decision": "keep", "confidence": conf, "reason": reason + "."}
    if weakest is None:
        return base | {"decision": "drop", "confidence": conf,
                       "reason": f"{roi_txt} is below the {hurdle_txt} hurdle and no funnel stage can be compared."}
    name, rate, pf_rate = weakest
    # fixing the stage scales customers, hence revenue, by pf_rate / rate (cost unchanged)
    scale = pf_rate / rate if rate > 0 else np.inf
    gain = (1 if margin is None else margin) * row["revenue"] * (scale - 1) if np.isfinite(scale) else np.inf
    roi_fixed = roi + gain / row["cost"] if row["cost"] > 0 else np.nan
    stage_txt = (f"{label(name)} {format_value(rate, 'rate')} against {format_value(pf_rate, 'rate')} "
                 f"for the portfolio")
    out = base | {"weakest_stage": name, "stage_rate": rate, "portfolio_stage_rate": pf_rate, "roi_if_fixed": roi_fixed}
    if rate < th.weak_stage_ratio * pf_rate and roi_fixed >= th.roi_hurdle:
        return out | {"decision": "optimise", "confidence": conf, "action": ACTIONS[name],
                      "reason": f"{roi_txt} is below the {hurdle_txt} hurdle, but the funnel is the problem: "
                                f"{stage_txt}; at the portfolio rate ROI would be {format_value(roi_fixed, 'rate')}."}
    return out | {"decision": "drop", "confidence": conf,
                  "reason": f"{roi_txt} is below the {hurdle_txt} hurdle, and even with its weakest stage "
                            f"({stage_txt}) at the portfolio rate ROI would be {format_value(roi_fixed, 'rate')}."}


def decide(scorecard: pd.DataFrame, year: int, thresholds: Thresholds | None = None, *,
           gross_margin: float | None = None, overrides: list[Override] = ()) -> pd.DataFrame:
    """Decide keep / optimise / drop / insufficient_data for every tactic of ``year``.

    ``scorecard`` is :func:`kpi_helpers.review.scorecard` output (or any table
    with its columns: ``level, year, channel, tactic, roi, revenue, cost,
    customers, leads`` and the funnel counts). Returns the ``decisions.csv``
    columns: ``channel, tactic, decision, reason`` first, then ``confidence``,
    the ROI that decided and its variant, the weakest stage with its rate and
    the portfolio's, the ROI if that stage were fixed, a suggested ``action``
    for ``optimise``, and ``override`` / ``override_comment`` when an analyst's
    verdict from ``client.yaml`` replaced the computed one.
    """
    th = thresholds or Thresholds()
    sc = scorecard[scorecard["year"] == year]
    portfolio = sc[sc["level"] == "portfolio"].iloc[0]
    rows = []
    for _, row in sc[sc["level"] == "tactic"].iterrows():
        rows.append({"channel": row["channel"], "tactic": row["tactic"]} | _judge(row, portfolio, th, gross_margin))
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    for col in ("weakest_stage", "action", "override", "override_comment"):
        out[col] = out[col].astype("object")
    for ov in overrides:
        hit = (out["channel"] == ov.channel) & (out["tactic"] == ov.tactic)
        if hit.any():
            out.loc[hit, "override"] = out.loc[hit, "decision"]  # the computed verdict, kept for the record
            out.loc[hit, "decision"] = ov.decision
            out.loc[hit, "override_comment"] = ov.comment
            out.loc[hit, "reason"] = "Analyst override: " + ov.comment + " (computed: " + out.loc[hit, "reason"] + ")"
    return out
