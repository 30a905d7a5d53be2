"""KPI formulas, money and funnel families, over scalars or pandas Series.

Every formula takes raw counts and money (never pre-computed rates) and divides
through :func:`ratio`, which owns the zero-denominator rule: a zero or missing
denominator gives NaN, never 0, never inf, never an exception. A KPI for a group
is a ratio of totals: sum the inputs first, then call the formula.

Where the catalogue lists variants, one keyword, ``variant=``, chooses it in
every formula; the default comes first in each docstring. For variants that
differ only in which input is passed (CPL ``fully_loaded`` vs ``media_only``:
all costs vs ad spend), the keyword names the input so the choice is explicit
and checked. Traffic, engagement and customer formulas are in
:mod:`kpi_helpers.metrics.kpis_audience`.

Seeds (``../shared/KPI_CATALOGUE.md``): S0 marketer KPIs, S1 introducing KPIs,
S2 B2B KPIs and the annual review, S3 classic 10 KPIs (Persian), S4 metrics vs
KPIs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
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
    "roi_margin_or_net",
    "ltv_margin_or_simple",
    "cac_payback_margin_or_revenue",
]

#: Variants per formula, default first.
VARIANTS = {
    "roi": ("net", "gross", "margin", "sales_growth"),
    "cpl": ("fully_loaded", "media_only"),
    "cac": ("fully_loaded", "paid"),
    "conversion_rate": ("visits", "users", "converting_sessions"),
    "close_rate": ("won_lost", "sql", "opportunities"),
    "ltv": ("simple", "margin", "churn", "discounted", "cohort"),
    "cac_payback": ("margin", "revenue"),
    "bounce_rate": ("single_page", "yandex", "ga4"),
    "engagement_rate": ("reach", "followers", "impressions"),
}


def _check_variant(kpi: str, variant: str) -> None:
    if variant not in VARIANTS[kpi]:
        raise ValueError(
            f"{kpi}: unknown variant {variant!r}; use one of {', '.join(VARIANTS[kpi])}"
        )


def _num(x):
    return pd.to_numeric(x, errors="coerce").astype("float64") if isinstance(x, pd.Series) else x


def ratio(numerator, denominator):
    """Divide, giving NaN where the denominator is zero or missing.

    Scalars give a float; Series give a float Series aligned on the index.

    >>> ratio(1, 4)
    0.25
    >>> ratio(5, 0)
    nan
    >>> ratio(pd.Series([1.0, 2.0]), pd.Series([2, 0])).tolist()
    [0.5, nan]
    """
    num, den = _num(numerator), _num(denominator)
    if isinstance(num, pd.Series) or isinstance(den, pd.Series):
        if isinstance(den, pd.Series):
            den = den.where(den != 0)
        elif den is None or pd.isna(den) or den == 0:
            den = np.nan
        return num / den
    if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
        return float("nan")
    return float(num) / float(den)


def roi(revenue, cost, variant: str = "net", margin=None):
    """Return on (marketing) investment (S3, S4).

    ``net`` (default): (revenue − cost) / cost. ``gross``: revenue / cost (what
    MMM tools call ROI; all marketing costs, unlike ROAS). ``margin``:
    (revenue × gross margin − cost) / cost, the one to decide on when the
    margin is known. ``sales_growth`` (S3): pass the sales growth as
    ``revenue``: (growth − cost) / cost.

    >>> roi(250_000, 100_000)   # seed S4: 150 %
    1.5
    >>> roi(100_000, 40_000, variant="margin", margin=0.3)
    -0.25
    """
    _check_variant("roi", variant)
    if revenue is None or cost is None:
        return float("nan")
    if variant == "gross":
        return ratio(revenue, cost)
    if variant == "margin":
        if margin is None:
            raise ValueError(
                'roi(variant="margin") needs margin= (the gross margin as a fraction, e.g. 0.35)'
            )
        revenue = revenue * margin
    return ratio(revenue - cost, cost)


def roi_margin_or_net(revenue, cost, *, gross_margin=None):
    """The scorecard's ROI (the catalogue's ``roi``): margin-based when the client's gross margin is
    known,
    else net, so that one column always holds the ROI to decide on.

    >>> roi_margin_or_net(100_000, 40_000, gross_margin=0.3)   # (30 000 − 40 000) / 40 000
    -0.25
    >>> roi_margin_or_net(250_000, 100_000)                      # no margin: net, as roi()
    1.5
    """
    if gross_margin is None:
        return roi(revenue, cost)
    return roi(revenue, cost, variant="margin", margin=gross_margin)


def roas(revenue, ad_spend):
    """Return on ad spend: revenue / ad spend (S4).

    >>> roas(5_000, 1_000)
    5.0
    """
    return ratio(revenue, ad_spend)


def cpl(cost, leads, variant: str = "fully_loaded"):
    """Cost per lead: cost / leads (S0, S3).

    ``fully_loaded`` (default): pass all costs (staff hours, software,
    overheads, campaigns); ``media_only``: pass ad spend.

    >>> cpl(100_000, 250)
    400.0
    """
    _check_variant("cpl", variant)
    return ratio(cost, leads)


def cost_per_mql(cost, mql):
    """Cost per marketing-qualified lead (S2).

    >>> cost_per_mql(9_000, 60)
    150.0
    """
    return ratio(cost, mql)


def cost_per_sql(cost, sql):
    """Cost per sales-qualified lead (S2).

    >>> cost_per_sql(9_000, 20)
    450.0
    """
    return ratio(cost, sql)


def cpa(cost, conversions):
    """Cost per action: cost / conversions of a named type (S4).

    >>> cpa(1_200, 40)
    30.0
    """
    return ratio(cost, conversions)


def cpc(cost, clicks):
    """Cost per click (S4).

    >>> cpc(500, 1_000)
    0.5
    """
    return ratio(cost, clicks)


def cpm(cost, impressions):
    """Cost per thousand impressions: cost / impressions × 1000 (S4).

    >>> cpm(300, 150_000)
    2.0
    """
    return ratio(cost * 1000, impressions)


def ctr(clicks, impressions):
    """Click-through rate: clicks / impressions (S4).

    >>> ctr(150, 10_000)
    0.015
    """
    return ratio(clicks, impressions)


def cac(cost, new_customers, variant: str = "fully_loaded"):
    """Customer acquisition cost: cost / new customers (S1, S3).

    ``fully_loaded`` (default): pass all marketing (and optionally sales)
    costs; ``paid``: pass media spend. Inbound and outbound CAC (S3) are this
    formula on each cost pool and its customers.

    >>> cac(90_000, 30)
    3000.0
    """
    _check_variant("cac", variant)
    return ratio(cost, new_customers)


def conversion_rate(conversions, base, variant: str = "visits"):
    """Conversion rate: conversions / visits (S1, S4).

    Variants name the denominator passed as ``base``: ``visits`` (default),
    ``users``, or ``converting_sessions`` (sessions with ≥ 1 conversion, with
    ``conversions`` = those sessions).

    >>> conversion_rate(30, 1_000)
    0.03
    """
    _check_variant("conversion_rate", variant)
    return ratio(conversions, base)


def traffic_to_lead(leads, visits):
    """Traffic-to-lead ratio: leads / visits (S0, S3).

    >>> traffic_to_lead(45, 1_500)
    0.03
    """
    return ratio(leads, visits)


def stage_conversion(reached_next, at_stage):
    """Funnel stage conversion: count reaching the next stage / count at the stage (S2, S3).

    Used for lead → MQL, MQL → SQL and SQL → customer.

    >>> stage_conversion(40, 200)
    0.2
    """
    return ratio(reached_next, at_stage)


def close_rate(won, lost=None, *, denominator=None, variant: str = "won_lost"):
    """Close (win) rate (S2).

    ``won_lost`` (default): won / (won + lost). ``sql`` or ``opportunities``:
    won / ``denominator`` (the SQLs or opportunities of the period).

    >>> close_rate(25, 75)
    0.25
    >>> close_rate(25, denominator=200, variant="sql")
    0.125
    """
    _check_variant("close_rate", variant)
    if variant == "won_lost":
        if lost is None:
            raise ValueError('close_rate(variant="won_lost") needs lost=')
        return ratio(won, won + lost)
    if denominator is None:
        raise ValueError(
            f'close_rate(variant="{variant}") needs denominator= (the {variant} count)'
        )
    return ratio(won, denominator)


def average_order_value(revenue, orders):
    """Average order value, the "average check": revenue / orders (S1, S4).

    >>> average_order_value(12_000, 300)
    40.0
    """
    return ratio(revenue, orders)


def ltv(
    average_order_value=None,
    purchases_per_year=None,
    lifetime_years=None,
    *,
    variant: str = "simple",
    margin=None,
    arpa=None,
    churn_rate=None,
    retention_rate=None,
    discount_rate=None,
    cumulative_revenue=None,
    customers=None,
):
    """Customer lifetime value, money per customer (S0, S3, S4).

    - ``simple`` (default, S0): AOV × purchases per year × lifetime in years.
    - ``margin``: the simple LTV × gross ``margin``.
    - ``churn``: ``arpa`` × ``margin`` / ``churn_rate`` (per period; the
      lifetime is 1 / churn periods).
    - ``discounted``: m·r / (1 + d − r) with m = ``arpa`` × ``margin`` per
      period, r = ``retention_rate``, d = ``discount_rate`` per period.
    - ``cohort``: observed ``cumulative_revenue`` of a cohort / its
      ``customers`` (see :mod:`kpi_helpers.analysis.customers` for the matrix).

    >>> ltv(40.0, 3.0, 2.5)
    300.0
    >>> ltv(arpa=100, margin=0.5, churn_rate=0.05, variant="churn")
    1000.0
    >>> round(ltv(arpa=100, margin=0.5, retention_rate=0.8, discount_rate=0.1,
    ...           variant="discounted"), 2)
    133.33
    """
    _check_variant("ltv", variant)
    if variant in ("simple", "margin"):
        value = average_order_value * purchases_per_year * lifetime_years
        return value * margin if variant == "margin" else value
    if variant == "cohort":
        return ratio(cumulative_revenue, customers)
    if margin is None or arpa is None:
        raise ValueError(f'ltv(variant="{variant}") needs arpa= and margin=')
    if variant == "churn":
        return ratio(arpa * margin, churn_rate)
    return ratio(arpa * margin * retention_rate, 1 + discount_rate - retention_rate)


def ltv_margin_or_simple(
    average_order_value, purchases_per_year, *, lifetime_years, gross_margin=None
):
    """The scorecard's LTV (the catalogue's ``ltv``): the ``margin`` variant when the gross margin
    is known,
    else ``simple``; ``lifetime_years`` is the client's assumed customer lifetime.

    >>> ltv_margin_or_simple(40.0, 3.0, lifetime_years=2.5)   # 40 × 3 × 2.5
    300.0
    >>> ltv_margin_or_simple(40.0, 3.0, lifetime_years=2.5, gross_margin=0.4)   # 300 × 0.4
    120.0
    """
    if gross_margin is None:
        return ltv(average_order_value, purchases_per_year, lifetime_years)
    return ltv(
        average_order_value,
        purchases_per_year,
        lifetime_years,
        variant="margin",
        margin=gross_margin,
    )


def ltv_cac(ltv_value, cac_value):
    """LTV : CAC ratio; ≥ 3 is healthy, < 1 loses money on every customer.

    >>> ltv_cac(900, 300)
    3.0
    """
    return ratio(ltv_value, cac_value)


def cac_payback(cac_value, monthly_revenue_per_customer, margin=None, variant: str = "margin"):
    """Months to earn back the CAC: CAC / (monthly revenue per customer × gross margin).

    ``revenue`` variant: without the margin.

    >>> cac_payback(600, 100, margin=0.5)
    12.0
    >>> cac_payback(600, 100, variant="revenue")
    6.0
    """
    _check_variant("cac_payback", variant)
    if variant == "margin":
        if margin is None:
            raise ValueError('cac_payback(variant="margin") needs margin=')
        monthly_revenue_per_customer = monthly_revenue_per_customer * margin
    return ratio(cac_value, monthly_revenue_per_customer)


def cac_payback_margin_or_revenue(cac_value, revenue, ordering_customers, *, gross_margin=None):
    """The scorecard's CAC payback in months (the catalogue's ``cac_payback``) from the year's
    totals.

    The monthly revenue per customer is the year's revenue / the customers who ordered in it / 12;
    the
    ``margin`` variant when the gross margin is known, else ``revenue``.

    >>> # 600 / (24 000 / 20 / 12 × 0.5)
    >>> cac_payback_margin_or_revenue(600, 24_000, 20, gross_margin=0.5)
    12.0
    >>> # 600 / (24 000 / 20 / 12)
    >>> cac_payback_margin_or_revenue(600, 24_000, 20)
    6.0
    """
    monthly = ratio(revenue, ordering_customers) / 12
    if gross_margin is None:
        return cac_payback(cac_value, monthly, variant="revenue")
    return cac_payback(cac_value, monthly, margin=gross_margin)


def customer_profitability(revenue, direct_costs):
    """Customer (or key account) profitability: revenue − direct costs (S2).

    >>> customer_profitability(12_000, 7_500)
    4500
    """
    return revenue - direct_costs


def marketing_sourced_revenue(revenue, marketing_acquired):
    """Revenue from marketing-acquired customers and its complement (S0, S3).

    ``marketing_acquired`` is a boolean per revenue row. Returns
    ``(marketing_sourced, non_marketing)``; S0's "total minus marketing" is
    the second.

    >>> marketing_sourced_revenue(pd.Series([100.0, 50.0, 25.0]), pd.Series([True, False, True]))
    (125.0, 50.0)
    """
    revenue = _num(pd.Series(revenue))
    mask = pd.Series(marketing_acquired, index=revenue.index).astype(bool)
    return float(revenue[mask].sum()), float(revenue[~mask].sum())
