"""kpi_helpers: the marketing KPI annual review toolkit.

Formulas (:mod:`kpis`, :mod:`kpis_audience`), the KPI registry (:mod:`catalog`),
loading and validation (:mod:`loaders`, :mod:`schema`, :mod:`config`), cost
allocation (:mod:`allocation`), the review tables (:mod:`review`, :mod:`plan`,
:mod:`customers`), statistics (:mod:`stats`, :mod:`stats_money`,
:mod:`comparisons`), decisions and budget (:mod:`decisions`, :mod:`budget`), and
the report (:mod:`show`, :mod:`plots`, :mod:`report`, :mod:`batch`).
"""

from .analysis.allocation import allocate_costs, cac_by_flow
from .analysis.annual import AnnualReview, build_review
from .analysis.budget import propose_budget
from .metrics.catalog import REGISTRY
from .loaders.config import ClientConfig, load_config
from .analysis.customers import (
    churn,
    cohort_retention,
    cohort_revenue,
    customer_summary,
    ltv_cohort,
    retention,
    retention_by_period,
    rfm_summary,
)
from .analysis.decisions import decide
from .metrics.kpis import (
    VARIANTS,
    average_order_value,
    cac,
    cac_payback,
    close_rate,
    conversion_rate,
    cost_per_mql,
    cost_per_sql,
    cpa,
    cpc,
    cpl,
    cpm,
    ctr,
    customer_profitability,
    ltv,
    ltv_cac,
    marketing_sourced_revenue,
    ratio,
    roas,
    roi,
    stage_conversion,
    traffic_to_lead,
)
from .metrics.kpis_audience import (
    attendance_rate,
    average_interaction_time,
    average_session_duration,
    bounce_rate,
    churn_rate,
    csat,
    engagement_rate,
    follower_growth,
    growth,
    nps,
    pages_per_visit,
    repeat_purchase_rate,
    repeat_visitor_rate,
    retention_rate,
    traffic_share,
)
from .loaders import ClientData, load_client, validate_client
from .analysis.review import kpi_table
from .core.schema import DataError
from .metrics.stats import (
    ab_test,
    compare_means,
    compare_nps,
    compare_rates,
    compare_years_count,
    compare_years_rate,
    minimum_detectable_effect,
    nps_ci,
    rate_ci,
    sample_size,
)
from .metrics.stats_money import bootstrap_ratio_ci, poisson_cost_ci

__version__ = "0.1.0"

__all__ = [
    # loading and the review
    "load_client",
    "validate_client",
    "load_config",
    "ClientData",
    "ClientConfig",
    "DataError",
    "build_review",
    "AnnualReview",
    "REGISTRY",
    "decide",
    "propose_budget",
    "allocate_costs",
    "kpi_table",
    "cac_by_flow",
    # formulas: money and funnel
    "ratio",
    "VARIANTS",
    "roi",
    "roas",
    "cpl",
    "cost_per_mql",
    "cost_per_sql",
    "cpa",
    "cpc",
    "cpm",
    "ctr",
    "cac",
    "conversion_rate",
    "traffic_to_lead",
    "stage_conversion",
    "close_rate",
    "average_order_value",
    "ltv",
    "ltv_cac",
    "cac_payback",
    "customer_profitability",
    "marketing_sourced_revenue",
    # formulas: traffic, engagement, customers
    "bounce_rate",
    "pages_per_visit",
    "average_session_duration",
    "repeat_visitor_rate",
    "traffic_share",
    "growth",
    "engagement_rate",
    "follower_growth",
    "average_interaction_time",
    "attendance_rate",
    "churn_rate",
    "retention_rate",
    "repeat_purchase_rate",
    "nps",
    "csat",
    # customers tables
    "customer_summary",
    "retention",
    "churn",
    "retention_by_period",
    "cohort_retention",
    "cohort_revenue",
    "ltv_cohort",
    "rfm_summary",
    # statistics
    "rate_ci",
    "compare_rates",
    "ab_test",
    "sample_size",
    "minimum_detectable_effect",
    "compare_means",
    "compare_years_rate",
    "compare_years_count",
    "nps_ci",
    "compare_nps",
    "poisson_cost_ci",
    "bootstrap_ratio_ci",
]
