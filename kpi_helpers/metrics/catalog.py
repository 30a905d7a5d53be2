"""The KPI registry: id, label, unit, better direction, formula, variant and seed.

The report's column labels, number formats and glossary come from here, so a
KPI is named and formatted the same way everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..core import i18n
from ..core.i18n import _

__all__ = ["KPI", "REGISTRY", "kpi", "label", "format_value", "glossary", "catalogue", "variant_text", "CHANNEL_LABELS",
           "channel_label"]

#: Labels of the controlled channel vocabulary (translated; client names are never translated).
CHANNEL_LABELS = {
    "organic_search": "Organic search", "paid_search": "Paid search", "social_organic": "Social (organic)",
    "social_paid": "Social (paid)", "email": "Email", "referral": "Referral", "direct": "Direct",
    "display": "Display", "events": "Events", "content": "Content", "affiliate": "Affiliate", "other": "Other",
}


def channel_label(channel) -> str:
    """A channel id's label in the report language ("Paid search"); anything else unchanged."""
    return _(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else channel


@dataclass(frozen=True)
class KPI:
    """One KPI of the catalogue.

    ``variant`` is the variant this toolkit's scorecard uses (the formula's
    default unless stated); ``variants`` every variant the formula offers,
    default first; ``inputs`` the canonical columns it needs (all of them).
    """

    id: str
    label: str
    unit: str  # "money" | "rate" | "count" | "ratio" | "points" | "seconds" | "months"
    better: str  # "higher" | "lower" | "neutral"
    formula: str
    variant: str = ""
    seeds: str = ""
    variants: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    section: str = "money"  # money | funnel | traffic | engagement | customers


def _k(id, label, unit, better, formula, variant="", seeds="", variants=(), inputs=(), section="money"):
    return KPI(id, label, unit, better, formula, variant, seeds, tuple(variants), tuple(inputs), section)


_ROI_V = ("net", "gross", "margin", "sales_growth")
REGISTRY: dict[str, KPI] = {k.id: k for k in [
    # 1. money and efficiency
    _k("spend", "Ad spend", "money", "neutral", "media cost from the ad platforms", inputs=("spend",)),
    _k("cost", "Marketing cost", "money", "neutral",
       "direct costs of the tactic + shared costs allocated in proportion to direct cost", "fully_loaded",
       "S0, S3", ("fully_loaded", "media_only"), ("costs",)),
    _k("revenue", "Revenue", "money", "higher", "revenue in the period from customers the tactic acquired",
       "", "S0, S3", inputs=("revenue",)),
    _k("roi", "ROI (year)", "rate", "higher",
       "(revenue × gross margin − cost) / cost when the margin is known, else (revenue − cost) / cost; revenue of "
       "the year from all the tactic's customers (the decisions' ROI judges acquisition tactics on the customers "
       "acquired in the year instead, and names its basis)",
       "margin, or net without a margin", "S3, S4", _ROI_V, ("revenue", "costs")),
    _k("roi_net", "ROI (revenue)", "rate", "higher", "(revenue − cost) / cost", "net", "S3, S4", _ROI_V,
       ("revenue", "costs")),
    _k("roas", "ROAS", "ratio", "higher", "revenue / ad spend", "", "S4", inputs=("revenue", "spend")),
    _k("cpl", "Cost per lead", "money", "lower", "marketing cost / leads", "fully_loaded", "S0, S3",
       ("fully_loaded", "media_only"), ("costs", "leads")),
    _k("cost_per_mql", "Cost per MQL", "money", "lower", "marketing cost / MQLs", "fully_loaded", "S2",
       inputs=("costs", "mql")),
    _k("cost_per_sql", "Cost per SQL", "money", "lower", "marketing cost / SQLs", "fully_loaded", "S2",
       inputs=("costs", "sql")),
    _k("cac", "CAC", "money", "lower", "marketing cost / new customers", "fully_loaded", "S1, S3",
       ("fully_loaded", "paid"), ("costs", "customers")),
    _k("cac_paid", "CAC (paid)", "money", "lower", "ad spend / new customers", "paid", "S3",
       ("fully_loaded", "paid"), ("spend", "customers")),
    _k("cpa", "CPA", "money", "lower", "cost / conversions of a named type", "", "S4", inputs=("costs", "goals")),
    _k("cpa_platform", "CPA (platform conversions)", "money", "lower",
       "ad spend / conversions the ad platform reports", "platform", "S4", inputs=("spend", "conversions")),
    _k("cpc", "CPC", "money", "lower", "ad spend / clicks", "", "S4", inputs=("spend", "clicks")),
    _k("cpm", "CPM", "money", "lower", "ad spend / impressions × 1000", "", "S4", inputs=("spend", "impressions")),
    _k("aov", "Average order value", "money", "higher", "revenue / orders", "", "S1, S4",
       inputs=("revenue", "orders")),
    _k("ltv", "LTV", "money", "higher",
       "average order value × orders per customer per year × assumed lifetime in years (× gross margin when known)",
       "margin, or simple without a margin",
       "S0, S3, S4", ("simple", "margin", "churn", "discounted", "cohort"), ("orders", "customers"), "customers"),
    _k("ltv_cac", "LTV : CAC", "ratio", "higher", "LTV / CAC (≥ 3 healthy, < 1 loses money)",
       "margin / fully_loaded", "", inputs=("orders", "customers", "costs"), section="customers"),
    _k("cac_payback", "CAC payback (months)", "months", "lower",
       "CAC / (monthly revenue per customer × gross margin)", "margin", "", ("margin", "revenue"),
       ("orders", "customers", "costs"), "customers"),
    _k("customer_profitability", "Customer profitability", "money", "higher",
       "revenue − direct costs per customer (or key account)", "", "S2", inputs=("orders", "direct_costs"),
       section="customers"),
    # 2. funnel and conversion
    _k("visits", "Visits", "count", "higher", "sessions", "", "S2, S4", inputs=("visits",), section="traffic"),
    _k("impressions", "Impressions", "count", "higher", "times an ad was shown (platform count)", "", "S4",
       inputs=("impressions",), section="engagement"),
    _k("clicks", "Clicks", "count", "higher", "clicks on ads (platform count)", "", "S4", inputs=("clicks",),
       section="engagement"),
    _k("conversions", "Platform conversions", "count", "higher",
       "conversions the ad platform attributes to its ads (not deduplicated against the CRM)", "platform", "S4",
       inputs=("conversions",), section="engagement"),
    _k("leads", "Leads", "count", "higher", "leads created in the period", "", "S1, S2", inputs=("leads",),
       section="funnel"),
    _k("mql", "MQLs", "count", "higher", "marketing-qualified leads", "", "S2", inputs=("mql",), section="funnel"),
    _k("sql", "SQLs", "count", "higher", "sales-qualified leads", "", "S2", inputs=("sql",), section="funnel"),
    _k("customers", "New customers", "count", "higher",
       "customers won from the leads of the period, counted in the month the lead came in (headline, scorecard, "
       "funnel, CAC and decisions)", "", "S1, S3", inputs=("customers",), section="funnel"),
    _k("customers_acquired", "Customers acquired (by acquisition date)", "count", "higher",
       "customers whose acquisition date (customers table) falls in the period, whenever their lead came in "
       "(retention and cohort tables only)", "", "S2, S4", inputs=("customers",), section="customers"),
    _k("orders", "Orders", "count", "higher", "orders placed in the period", "", "S4", inputs=("orders",),
       section="funnel"),
    _k("traffic_to_lead", "Visit → lead", "rate", "higher", "leads / visits", "", "S0, S3",
       inputs=("leads", "visits"), section="funnel"),
    _k("lead_to_mql", "Lead → MQL", "rate", "higher", "MQLs / leads", "snapshot", "S2, S3", ("snapshot", "cohort"),
       ("leads", "mql"), "funnel"),
    _k("mql_to_sql", "MQL → SQL", "rate", "higher", "SQLs / MQLs", "snapshot", "S2, S3", ("snapshot", "cohort"),
       ("mql", "sql"), "funnel"),
    _k("sql_to_customer", "SQL → customer", "rate", "higher", "new customers / SQLs", "snapshot", "S2, S3",
       ("snapshot", "cohort"), ("sql", "customers"), "funnel"),
    _k("lead_to_customer", "Lead → customer", "rate", "higher", "new customers / leads", "snapshot", "S2",
       ("snapshot", "cohort"), ("leads", "customers"), "funnel"),
    _k("conversion_rate", "Visit → customer", "rate", "higher", "new customers / visits", "visits", "S1, S4",
       ("visits", "users", "converting_sessions"), ("customers", "visits"), "funnel"),
    _k("close_rate", "Close rate", "rate", "higher", "deals won / (won + lost), by close date", "won_lost", "S2",
       ("won_lost", "sql", "opportunities"), ("deals",), "funnel"),
    _k("response_hours", "Lead response time (median h)", "hours", "lower",
       "median hours from lead created to first response", "", "S1", inputs=("deals",), section="funnel"),
    _k("sales_cycle_days", "Sales cycle (median days)", "days", "lower",
       "median days from lead created to close, won deals", "", "S2", inputs=("deals",), section="funnel"),
    # 3. traffic
    _k("bounce_rate", "Bounce rate", "rate", "lower", "single-page visits / visits", "single_page", "S4",
       ("single_page", "yandex", "ga4"), ("bounces", "visits"), "traffic"),
    _k("pages_per_visit", "Pages per visit", "ratio", "higher", "pageviews / visits", "", "S2, S4",
       inputs=("pageviews", "visits"), section="traffic"),
    _k("avg_session_s", "Average session (s)", "seconds", "higher", "total duration / visits", "", "S1, S4",
       inputs=("duration_s", "visits"), section="traffic"),
    _k("traffic_share", "Share of visits", "rate", "neutral", "channel visits / all visits", "", "S0, S3, S4",
       inputs=("visits",), section="traffic"),
    _k("mobile_share", "Mobile share of visits", "rate", "neutral", "mobile visits / visits", "", "S3",
       inputs=("visits", "device"), section="traffic"),
    # 4. engagement
    _k("ctr", "CTR", "rate", "higher", "clicks / impressions", "", "S4", inputs=("clicks", "impressions"),
       section="engagement"),
    _k("engagement_rate", "Engagement rate", "rate", "higher", "(likes + comments + shares) / reach", "reach",
       "S1, S4", ("reach", "followers", "impressions"), ("likes", "comments", "shares", "reach"), "engagement"),
    _k("reach", "Reach", "count", "higher", "people who saw the content", "", "S1, S4", inputs=("reach",),
       section="engagement"),
    _k("follower_growth", "Follower growth", "rate", "higher", "(followers at end − at start) / at start", "",
       "S4", inputs=("followers",), section="engagement"),
    _k("attendance_rate", "Event attendance", "rate", "higher", "target attendees / registrations", "", "S2",
       inputs=("attendees", "registrations"), section="engagement"),
    # 5. customers
    _k("purchase_frequency", "Orders per customer per year", "ratio", "higher",
       "orders in the year / customers who ordered in the year (orders table)", "", "S0",
       inputs=("orders", "customers"), section="customers"),
    _k("repeat_purchase_rate", "Repeat purchase rate", "rate", "higher", "customers with ≥ 2 orders / customers",
       "", "S1", inputs=("orders",), section="customers"),
    _k("retention_rate", "Retention rate", "rate", "higher",
       "(customers at end − customers acquired by acquisition date) / customers at start", "", "S2, S4",
       inputs=("customers",),
       section="customers"),
    _k("churn_rate", "Churn rate", "rate", "lower", "customers lost in the period / customers at start", "", "S2",
       inputs=("customers",), section="customers"),
    _k("nps", "NPS", "points", "higher",
       "% promoters (9–10) − % detractors (0–6) of survey responses, −100 to +100", "", "S1, S2",
       inputs=("survey",), section="customers"),
    _k("csat", "CSAT", "rate", "higher", "satisfied responses (top two boxes) / responses", "", "S0",
       inputs=("survey",), section="customers"),
    _k("responses", "Survey responses", "count", "neutral", "NPS survey responses in the period", "", "S1",
       inputs=("survey",), section="customers"),
]}


def kpi(kpi_id: str) -> KPI:
    """The registry entry for a KPI id; a clear error for an unknown id."""
    try:
        return REGISTRY[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(REGISTRY)}") from None


def label(kpi_id: str) -> str:
    """The KPI's label in the report language (the id itself for columns that are not KPIs)."""
    return _(REGISTRY[kpi_id].label) if kpi_id in REGISTRY else kpi_id


def format_value(value, unit: str, currency: str = "") -> str:
    """Format one number for the report, in the report's language; NaN becomes "n/a".

    >>> format_value(0.1234, "rate")
    '12.3 %'
    >>> format_value(0.0012, "rate")
    '0.12 %'
    >>> format_value(0.000176, "rate")  # a CTR
    '0.018 %'
    >>> format_value(1234567.8, "money", "EUR")
    '1,234,568 EUR'
    >>> format_value(float("nan"), "money")
    'n/a'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return _("n/a")
    if unit == "rate":
        return i18n.percent(value, 3 if 0 < abs(value) < 0.001 else 2 if 0 < abs(value) < 0.01 else 1)
    if unit == "money":
        return i18n.money(value, currency, 2 if abs(value) < 100 else 0)
    if unit == "ratio":
        return i18n.number(value, 2)
    if unit == "points":
        return i18n.points(value)
    if unit == "pts":  # a difference of two rates, in percentage points
        return f"{i18n.number(value * 100, 2, sign=True)} {_('pts')}"
    if unit in ("seconds", "hours", "days", "months"):
        return i18n.number(value, 1)
    return i18n.number(value, 0)


def variant_text(k: KPI) -> str:
    """The variant used, and the others offered: "net (of net, gross, margin)"."""
    if not k.variants:
        return _(k.variant) if k.variant else "—"
    others = ", ".join(_(v) for v in k.variants)
    return _("{used} (of {variants})").format(used=_(k.variant or k.variants[0]), variants=others)


def glossary(kpi_ids) -> pd.DataFrame:
    """The glossary rows (label, formula, variant, seeds) for the KPIs shown."""
    rows = [REGISTRY[k] for k in kpi_ids if k in REGISTRY]
    return pd.DataFrame(
        [{"KPI": _(k.label), "Formula": _(k.formula), "Variant": variant_text(k), "Source": k.seeds or _("standard")}
         for k in rows]
    )


def catalogue() -> pd.DataFrame:
    """The whole registry as a table (what ``kpi-review kpis`` prints)."""
    return pd.DataFrame([{"id": k.id, "label": k.label, "section": k.section, "unit": k.unit, "better": k.better,
                          "formula": k.formula, "variants": ", ".join(k.variants) or "—",
                          "default": (k.variants[0] if k.variants else ""), "seeds": k.seeds or "standard",
                          "inputs": ", ".join(k.inputs)} for k in REGISTRY.values()])
