"""The KPI registry: id, label, unit, better direction, formula, variant and seed.

The report's column labels, number formats and glossary come from here, so a
KPI is named and formatted the same way everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

__all__ = ["KPI", "REGISTRY", "kpi", "label", "format_value", "glossary"]


@dataclass(frozen=True)
class KPI:
    id: str
    label: str
    unit: str  # "money" | "rate" | "count" | "ratio" | "points" | "seconds" | "months"
    better: str  # "higher" | "lower" | "neutral"
    formula: str
    variant: str = ""
    seeds: str = ""


REGISTRY: dict[str, KPI] = {k.id: k for k in [
    KPI("spend", "Ad spend", "money", "neutral", "media cost from the ad platforms"),
    KPI("cost", "Marketing cost", "money", "neutral",
        "direct costs of the tactic + shared costs allocated in proportion to direct cost", "fully_loaded", "S0, S3"),
    KPI("visits", "Visits", "count", "higher", "sessions", "", "S2, S4"),
    KPI("leads", "Leads", "count", "higher", "leads created in the period", "", "S1, S2"),
    KPI("mql", "MQLs", "count", "higher", "marketing-qualified leads", "", "S2"),
    KPI("sql", "SQLs", "count", "higher", "sales-qualified leads", "", "S2"),
    KPI("customers", "New customers", "count", "higher", "customers acquired in the period", "", "S1, S3"),
    KPI("orders", "Orders", "count", "higher", "orders placed in the period", "", "S4"),
    KPI("revenue", "Revenue", "money", "higher",
        "revenue in the period from customers the tactic acquired", "", "S0, S3"),
    KPI("roi", "ROI (decision)", "rate", "higher",
        "(revenue × gross margin − cost) / cost when the margin is known, else (revenue − cost) / cost",
        "margin, or net without a margin", "S3, S4"),
    KPI("roi_net", "ROI (revenue)", "rate", "higher", "(revenue − cost) / cost", "net", "S3, S4"),
    KPI("roas", "ROAS", "ratio", "higher", "revenue / ad spend", "", "S4"),
    KPI("cpl", "Cost per lead", "money", "lower", "marketing cost / leads", "fully_loaded", "S0, S3"),
    KPI("cac", "CAC", "money", "lower", "marketing cost / new customers", "fully_loaded", "S1, S3"),
    KPI("traffic_to_lead", "Visit → lead", "rate", "higher", "leads / visits", "", "S0, S3"),
    KPI("lead_to_mql", "Lead → MQL", "rate", "higher", "MQLs / leads", "snapshot", "S2, S3"),
    KPI("mql_to_sql", "MQL → SQL", "rate", "higher", "SQLs / MQLs", "snapshot", "S2, S3"),
    KPI("sql_to_customer", "SQL → customer", "rate", "higher", "new customers / SQLs", "snapshot", "S2, S3"),
    KPI("lead_to_customer", "Lead → customer", "rate", "higher", "new customers / leads", "snapshot", "S2"),
    KPI("conversion_rate", "Visit → customer", "rate", "higher", "new customers / visits", "visits", "S1, S4"),
    KPI("close_rate", "Close rate", "rate", "higher", "deals won / (won + lost), by close date", "won_lost", "S2"),
    KPI("aov", "Average order value", "money", "higher", "revenue / orders", "", "S1, S4"),
    KPI("purchase_frequency", "Orders per customer per year", "ratio", "higher",
        "orders in the year / customers who ordered in the year (orders table)", "", "S0"),
    KPI("ltv", "LTV", "money", "higher",
        "average order value × orders per customer per year × assumed lifetime in years", "simple", "S0, S3, S4"),
    KPI("ltv_cac", "LTV : CAC", "ratio", "higher", "LTV / CAC (≥ 3 healthy, < 1 loses money)", "simple / fully_loaded"),
    KPI("bounce_rate", "Bounce rate", "rate", "lower", "single-page visits / visits", "single_page", "S4"),
    KPI("ctr", "CTR", "rate", "higher", "clicks / impressions", "", "S4"),
    KPI("cpc", "CPC", "money", "lower", "ad spend / clicks", "", "S4"),
    KPI("nps", "NPS", "points", "higher",
        "% promoters (9–10) − % detractors (0–6) of survey responses, −100 to +100", "", "S1, S2"),
    KPI("responses", "Survey responses", "count", "neutral", "NPS survey responses in the period", "", "S1"),
]}


def kpi(kpi_id: str) -> KPI:
    """The registry entry for a KPI id; a clear error for an unknown id."""
    try:
        return REGISTRY[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(REGISTRY)}") from None


def label(kpi_id: str) -> str:
    return REGISTRY[kpi_id].label if kpi_id in REGISTRY else kpi_id


def format_value(value, unit: str, currency: str = "") -> str:
    """Format one number for the report; NaN becomes "n/a".

    >>> format_value(0.1234, "rate")
    '12.3 %'
    >>> format_value(0.0012, "rate")
    '0.12 %'
    >>> format_value(1234567.8, "money", "EUR")
    '1,234,568 EUR'
    >>> format_value(float("nan"), "money")
    'n/a'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "n/a"
    if unit == "rate":
        return f"{value * 100:.2f} %" if 0 < abs(value) < 0.01 else f"{value * 100:.1f} %"
    if unit == "money":
        digits = 2 if abs(value) < 100 else 0
        return f"{value:,.{digits}f} {currency}".strip()
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "points":
        return f"{value:+.0f}"
    return f"{value:,.0f}"


def glossary(kpi_ids) -> pd.DataFrame:
    """The glossary rows (label, formula, variant, seeds) for the KPIs shown."""
    rows = [REGISTRY[k] for k in kpi_ids if k in REGISTRY]
    return pd.DataFrame(
        [{"KPI": k.label, "Formula": k.formula, "Variant": k.variant or "—", "Source": k.seeds or "standard"} for k in rows]
    )
