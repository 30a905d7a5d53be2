"""kpi_helpers: the marketing KPI annual review toolkit.

Formulas (:mod:`kpis`), the KPI registry (:mod:`catalog`), loading and
validation (:mod:`loaders`, :mod:`schema`, :mod:`config`), the review tables
(:mod:`review`), decisions (:mod:`decisions`) and the report (:mod:`report`,
:mod:`batch`).
"""

from .annual import AnnualReview, build_review
from .catalog import REGISTRY
from .config import ClientConfig, load_config
from .decisions import decide
from .kpis import (
    average_order_value,
    cac,
    close_rate,
    conversion_rate,
    cpl,
    ltv,
    ltv_cac,
    nps,
    ratio,
    roas,
    roi,
    stage_conversion,
    traffic_to_lead,
)
from .loaders import ClientData, load_client
from .schema import DataError

__version__ = "0.1.0"

__all__ = [
    "AnnualReview", "build_review", "REGISTRY", "ClientConfig", "load_config", "decide", "ClientData",
    "load_client", "DataError", "ratio", "roi", "roas", "cpl", "cac", "conversion_rate", "traffic_to_lead",
    "stage_conversion", "close_rate", "average_order_value", "ltv", "ltv_cac", "nps",
]
