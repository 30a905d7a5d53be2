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
from .kpis import *  # noqa: F403 - the formulas are the public surface
from .kpis import __all__ as _kpis_all
from .kpis_audience import *  # noqa: F403
from .kpis_audience import __all__ as _audience_all
from .loaders import ClientData, load_client
from .schema import DataError

__version__ = "0.1.0"

__all__ = [
    "AnnualReview", "build_review", "REGISTRY", "ClientConfig", "load_config", "decide", "ClientData",
    "load_client", "DataError", *_kpis_all, *_audience_all,
]
