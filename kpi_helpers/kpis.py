"""KPI formulas over scalars or pandas Series.

Every formula takes raw counts and money (never pre-computed rates) and divides
through :func:`ratio`, which owns the zero-denominator rule: a zero or missing
denominator gives NaN, never 0, never inf, never an exception. A KPI for a group
is a ratio of totals: sum the inputs first, then call the formula.

Seeds (see ``../shared/KPI_CATALOGUE.md``): S0 marketer KPIs, S1 introducing
KPIs, S2 B2B KPIs and the annual review, S3 classic 10 KPIs (Persian), S4
metrics vs KPIs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "ratio",
    "roi",
    "roas",
    "cpl",
    "cac",
    "conversion_rate",
    "traffic_to_lead",
    "stage_conversion",
    "close_rate",
    "average_order_value",
    "ltv",
    "ltv_cac",
    "nps",
]


def ratio(numerator, denominator):
    """Divide, giving NaN where the denominator is zero or missing.

    Scalars give a float; Series give a float Series aligned on the index.

    >>> ratio(1, 4)
    0.25
    >>> ratio(5, 0)
    nan
    """
    num = pd.to_numeric(numerator, errors="coerce") if isinstance(numerator, pd.Series) else numerator
    den = pd.to_numeric(denominator, errors="coerce") if isinstance(denominator, pd.Series) else denominator
    if isinstance(num, pd.Series) or isinstance(den, pd.Series):
        num_s = num.astype("float64") if isinstance(num, pd.Series) else num
        den_s = den.astype("float64") if isinstance(den, pd.Series) else den
        if isinstance(den_s, pd.Series):
            den_s = den_s.where(den_s != 0)
        elif den_s is None or pd.isna(den_s) or den_s == 0:
            den_s = np.nan
        return num_s / den_s
    if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
        return float("nan")
    return float(num) / float(den)


def roi(revenue, cost, variant: Literal["net", "gross", "margin"] = "net", margin=None):
    """Return on (marketing) investment, seeds S3 and S4.

    ``net`` (default): (revenue - cost) / cost.
    ``gross``: revenue / cost (MMM-style ROI, all marketing costs).
    ``margin``: (revenue x gross margin - cost) / cost; needs ``margin``.

    >>> roi(250_000, 100_000)   # seed S4: 150 %
    1.5
    >>> roi(100_000, 40_000, variant="margin", margin=0.3)
    -0.25
    """
    if revenue is None or cost is None:
        return float("nan")
    if variant == "net":
        return ratio(revenue - cost, cost)
    if variant == "gross":
        return ratio(revenue, cost)
    if variant == "margin":
        if margin is None:
            raise ValueError('roi(variant="margin") needs margin= (the gross margin as a fraction, e.g. 0.35)')
        return ratio(revenue * margin - cost, cost)
    raise ValueError(f'roi: unknown variant {variant!r}; use "net", "gross" or "margin"')


def roas(revenue, ad_spend):
    """Return on ad spend: revenue / ad spend (S4).

    >>> roas(5_000, 1_000)
    5.0
    """
    return ratio(revenue, ad_spend)


def cpl(cost, leads):
    """Cost per lead: cost / leads (S0, S3). ``cost`` is fully loaded by default.

    >>> cpl(100_000, 250)
    400.0
    """
    return ratio(cost, leads)


def cac(cost, new_customers):
    """Customer acquisition cost: cost / new customers (S1, S3).

    Pass all marketing costs for the fully loaded CAC (default), media spend
    alone for the ``paid`` variant.

    >>> cac(90_000, 30)
    3000.0
    """
    return ratio(cost, new_customers)


def conversion_rate(conversions, visits):
    """Conversion rate: conversions / visits (S1, S4).

    >>> conversion_rate(30, 1_000)
    0.03
    """
    return ratio(conversions, visits)


def traffic_to_lead(leads, visits):
    """Traffic-to-lead ratio: leads / visits (S0, S3).

    >>> traffic_to_lead(45, 1_500)
    0.03
    """
    return ratio(leads, visits)


def stage_conversion(reached_next, at_stage):
    """Funnel stage conversion: count reaching the next stage / count at the stage (S2, S3).

    Used for lead -> MQL, MQL -> SQL and SQL -> customer.

    >>> stage_conversion(40, 200)
    0.2
    """
    return ratio(reached_next, at_stage)


def close_rate(won, lost):
    """Close (win) rate: deals won / deals closed, won + lost (S2).

    >>> close_rate(25, 75)
    0.25
    """
    return ratio(won, won + lost)


def average_order_value(revenue, orders):
    """Average order value, the "average check": revenue / orders (S1, S4).

    >>> average_order_value(12_000, 300)
    40.0
    """
    return ratio(revenue, orders)


def ltv(average_order_value, purchases_per_year, lifetime_years):
    """Customer lifetime value, ``simple`` variant (S0).

    Average order value x purchases per customer per year x customer lifetime
    in years. The result is money per customer over the lifetime.

    >>> ltv(40.0, 3.0, 2.5)
    300.0
    """
    return average_order_value * purchases_per_year * lifetime_years


def ltv_cac(ltv_value, cac_value):
    """LTV : CAC ratio; >= 3 is healthy, < 1 loses money on every customer.

    >>> ltv_cac(900, 300)
    3.0
    """
    return ratio(ltv_value, cac_value)


def nps(scores) -> float:
    """Net Promoter Score in points (-100 to +100) from 0-10 scores (S1, S2).

    % promoters (9-10) minus % detractors (0-6); passives (7-8) count in the
    denominator. Missing scores are ignored; no scores gives NaN.

    >>> nps([10, 9, 8, 7, 6, 0])
    0.0
    >>> nps([10, 10, 9, 3])
    50.0
    """
    s = pd.Series(scores, dtype="float64").dropna()
    if s.empty:
        return float("nan")
    if ((s < 0) | (s > 10)).any():
        bad = s[(s < 0) | (s > 10)].iloc[0]
        raise ValueError(f"nps: score {bad:g} is outside the 0-10 scale")
    promoters = int((s >= 9).sum())
    detractors = int((s <= 6).sum())
    return 100.0 * (promoters - detractors) / len(s)
