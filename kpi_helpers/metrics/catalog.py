"""The KPI registry: one entry per KPI, owning everything about it.

An entry holds the KPI's label, unit, better direction, formula text, variants and seeds (the
glossary,
the number formats and ``kpi-review kpis`` come from these), the function that computes it from
totals
(``compute``, a function of :mod:`.kpis` or :mod:`.kpis_audience`, with the ``totals`` it takes) and
where it is listed (``scorecard``, ``headline``, ``benchmark``: its position there). The scorecard's
KPI
columns are computed by :func:`add_kpis`, which calls each entry's function on the summed totals, so
adding a KPI is one function and one entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..core import i18n
from ..core.i18n import _
from . import kpis, kpis_audience

__all__ = [
    "KPI",
    "REGISTRY",
    "SETTINGS",
    "kpi",
    "label",
    "format_value",
    "glossary",
    "catalogue",
    "variant_text",
    "CHANNEL_LABELS",
    "channel_label",
    "computed_by",
    "computation_order",
    "add_kpis",
    "scorecard_kpis",
    "headline_kpis",
    "benchmark_kpis",
]

#: Labels of the controlled channel vocabulary (translated; client names are never translated).
CHANNEL_LABELS = {
    "organic_search": "Organic search",
    "paid_search": "Paid search",
    "social_organic": "Social (organic)",
    "social_paid": "Social (paid)",
    "email": "Email",
    "referral": "Referral",
    "direct": "Direct",
    "display": "Display",
    "events": "Events",
    "content": "Content",
    "affiliate": "Affiliate",
    "other": "Other",
}

#: The client settings a KPI function may take by keyword (``KPI.settings``), from client.yaml.
SETTINGS = ("gross_margin", "lifetime_years")


def channel_label(channel) -> str:
    """A channel id's label in the report language ("Paid search"); anything else unchanged."""
    return _(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else channel


@dataclass(frozen=True)
class KPI:
    """One KPI of the catalogue.

    ``variant`` is the variant this toolkit's scorecard uses (the formula's
    default unless stated); ``variants`` every variant the formula offers,
    default first; ``inputs`` the canonical tables and activity columns it
    needs (all of them; ``kpi-review validate`` and the report's "not
    available" list read them).

    ``compute`` is the function that computes the KPI for a group from its
    summed ``totals``: the scorecard's columns passed positionally (raw sums
    such as ``cost`` and ``customers``, or KPIs computed before it, such as
    ``cac``), then ``options`` (fixed keyword arguments, e.g. the variant) and
    ``settings`` (client settings of :data:`SETTINGS`, by keyword). A KPI
    without ``compute`` is a total itself (``revenue``) or is computed by its
    own table (``response_hours``: medians of deals). ``scorecard``,
    ``headline`` and ``benchmark`` are the KPI's position in the scorecard,
    on the report's first screen and in ``batch --benchmark`` (None: not
    listed there).
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
    compute: Callable | None = None
    totals: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    options: tuple[tuple[str, object], ...] = ()
    scorecard: int | None = None
    headline: int | None = None
    benchmark: int | None = None

    def __post_init__(self):
        if self.compute is not None and not (callable(self.compute) and self.totals):
            raise ValueError(f"KPI {self.id!r}: compute= needs a function and the totals= it takes")
        if self.compute is None and (self.totals or self.settings or self.options):
            raise ValueError(f"KPI {self.id!r}: totals=, settings= and options= need compute=")
        unknown = [x for x in self.settings if x not in SETTINGS]
        if unknown:
            raise ValueError(
                f"KPI {self.id!r}: unknown setting(s) {unknown}; known: {', '.join(SETTINGS)}"
            )

    def __call__(self, *totals, gross_margin=None, lifetime_years=3.0):
        """The KPI from its totals (in the order of ``totals``), as :func:`add_kpis` computes it.

        >>> REGISTRY["cac"](90_000, 30)
        3000.0
        """
        if self.compute is None:
            raise TypeError(
                f"KPI {self.id!r} has no compute function: it is a total, or computed by its own "
                "table"
            )
        given = {"gross_margin": gross_margin, "lifetime_years": lifetime_years}
        return self.compute(*totals, **dict(self.options), **{s: given[s] for s in self.settings})


def _k(
    id,
    label,
    unit,
    better,
    formula,
    variant="",
    seeds="",
    variants=(),
    inputs=(),
    section="money",
    *,
    compute=None,
    totals=(),
    settings=(),
    options=None,
    scorecard=None,
    headline=None,
    benchmark=None,
):
    return KPI(
        id,
        label,
        unit,
        better,
        formula,
        variant,
        seeds,
        tuple(variants),
        tuple(inputs),
        section,
        compute,
        tuple(totals),
        tuple(settings),
        tuple(sorted((options or {}).items())),
        scorecard,
        headline,
        benchmark,
    )


_ROI_V = ("net", "gross", "margin", "sales_growth")
REGISTRY: dict[str, KPI] = {
    k.id: k
    for k in [
        # 1. money and efficiency
        _k(
            "spend",
            "Ad spend",
            "money",
            "neutral",
            "media cost from the ad platforms",
            inputs=("spend",),
            scorecard=20,
        ),
        _k(
            "cost",
            "Marketing cost",
            "money",
            "neutral",
            "direct costs of the tactic + shared costs allocated in proportion to direct cost",
            "fully_loaded",
            "S0, S3",
            ("fully_loaded", "media_only"),
            ("costs",),
            scorecard=10,
            headline=2,
        ),
        _k(
            "revenue",
            "Revenue",
            "money",
            "higher",
            "revenue in the period from customers the tactic acquired",
            "",
            "S0, S3",
            inputs=("revenue",),
            scorecard=90,
            headline=1,
        ),
        _k(
            "roi",
            "ROI (year)",
            "rate",
            "higher",
            "(revenue × gross margin − cost) / cost when the margin is known, else (revenue − "
            "cost) / cost; revenue of "
            "the year from all the tactic's customers (the decisions' ROI judges acquisition "
            "tactics on the customers "
            "acquired in the year instead, and names its basis)",
            "margin, or net without a margin",
            "S3, S4",
            _ROI_V,
            ("revenue", "costs"),
            compute=kpis.roi_margin_or_net,
            totals=("revenue", "cost"),
            settings=("gross_margin",),
            scorecard=100,
            headline=3,
            benchmark=1,
        ),
        _k(
            "roi_net",
            "ROI (revenue)",
            "rate",
            "higher",
            "(revenue − cost) / cost",
            "net",
            "S3, S4",
            _ROI_V,
            ("revenue", "costs"),
            compute=kpis.roi,
            totals=("revenue", "cost"),
            scorecard=110,
        ),
        _k(
            "roas",
            "ROAS",
            "ratio",
            "higher",
            "revenue / ad spend",
            "",
            "S4",
            inputs=("revenue", "spend"),
            compute=kpis.roas,
            totals=("revenue", "spend"),
            scorecard=120,
            benchmark=2,
        ),
        _k(
            "cpl",
            "Cost per lead",
            "money",
            "lower",
            "marketing cost / leads",
            "fully_loaded",
            "S0, S3",
            ("fully_loaded", "media_only"),
            ("costs", "leads"),
            compute=kpis.cpl,
            totals=("cost", "leads"),
            scorecard=130,
            benchmark=4,
        ),
        _k(
            "cost_per_mql",
            "Cost per MQL",
            "money",
            "lower",
            "marketing cost / MQLs",
            "fully_loaded",
            "S2",
            inputs=("costs", "mql"),
            compute=kpis.cost_per_mql,
            totals=("cost", "mql"),
            scorecard=140,
        ),
        _k(
            "cost_per_sql",
            "Cost per SQL",
            "money",
            "lower",
            "marketing cost / SQLs",
            "fully_loaded",
            "S2",
            inputs=("costs", "sql"),
            compute=kpis.cost_per_sql,
            totals=("cost", "sql"),
            scorecard=150,
        ),
        _k(
            "cac",
            "CAC",
            "money",
            "lower",
            "marketing cost / new customers",
            "fully_loaded",
            "S1, S3",
            ("fully_loaded", "paid"),
            ("costs", "customers"),
            compute=kpis.cac,
            totals=("cost", "customers"),
            scorecard=160,
            headline=5,
            benchmark=3,
        ),
        _k(
            "cac_paid",
            "CAC (paid)",
            "money",
            "lower",
            "ad spend / new customers",
            "paid",
            "S3",
            ("fully_loaded", "paid"),
            ("spend", "customers"),
            compute=kpis.cac,
            totals=("spend", "customers"),
            options={"variant": "paid"},
            scorecard=170,
        ),
        _k(
            "cpa",
            "CPA",
            "money",
            "lower",
            "cost / conversions of a named type",
            "",
            "S4",
            inputs=("costs", "goals"),
        ),
        _k(
            "cpa_platform",
            "CPA (platform conversions)",
            "money",
            "lower",
            "ad spend / conversions the ad platform reports",
            "platform",
            "S4",
            inputs=("spend", "conversions"),
            compute=kpis.cpa,
            totals=("spend", "conversions"),
            scorecard=240,
        ),
        _k(
            "cpc",
            "CPC",
            "money",
            "lower",
            "ad spend / clicks",
            "",
            "S4",
            inputs=("spend", "clicks"),
            compute=kpis.cpc,
            totals=("spend", "clicks"),
            scorecard=210,
            benchmark=10,
        ),
        _k(
            "cpm",
            "CPM",
            "money",
            "lower",
            "ad spend / impressions × 1000",
            "",
            "S4",
            inputs=("spend", "impressions"),
            compute=kpis.cpm,
            totals=("spend", "impressions"),
            scorecard=220,
        ),
        _k(
            "aov",
            "Average order value",
            "money",
            "higher",
            "revenue / orders",
            "",
            "S1, S4",
            inputs=("revenue", "orders"),
            compute=kpis.average_order_value,
            totals=("revenue", "orders"),
            scorecard=340,
            benchmark=8,
        ),
        _k(
            "ltv",
            "LTV",
            "money",
            "higher",
            "average order value × orders per customer per year × assumed lifetime in years (× "
            "gross margin when known)",
            "margin, or simple without a margin",
            "S0, S3, S4",
            ("simple", "margin", "churn", "discounted", "cohort"),
            ("orders", "customers"),
            "customers",
            compute=kpis.ltv_margin_or_simple,
            totals=("aov", "purchase_frequency"),
            settings=("lifetime_years", "gross_margin"),
            scorecard=370,
        ),
        _k(
            "ltv_cac",
            "LTV : CAC",
            "ratio",
            "higher",
            "LTV / CAC (≥ 3 healthy, < 1 loses money)",
            "margin / fully_loaded",
            "",
            inputs=("orders", "customers", "costs"),
            section="customers",
            compute=kpis.ltv_cac,
            totals=("ltv", "cac"),
            scorecard=380,
        ),
        _k(
            "cac_payback",
            "CAC payback (months)",
            "months",
            "lower",
            "CAC / (monthly revenue per customer × gross margin)",
            "margin",
            "",
            ("margin", "revenue"),
            ("orders", "customers", "costs"),
            "customers",
            compute=kpis.cac_payback_margin_or_revenue,
            totals=("cac", "revenue", "ordering_customers"),
            settings=("gross_margin",),
            scorecard=390,
        ),
        _k(
            "customer_profitability",
            "Customer profitability",
            "money",
            "higher",
            "revenue − direct costs per customer (or key account)",
            "",
            "S2",
            inputs=("orders", "direct_costs"),
            section="customers",
        ),
        # 2. funnel and conversion
        _k(
            "visits",
            "Visits",
            "count",
            "higher",
            "sessions",
            "",
            "S2, S4",
            inputs=("visits",),
            section="traffic",
            scorecard=30,
        ),
        _k(
            "impressions",
            "Impressions",
            "count",
            "higher",
            "times an ad was shown (platform count)",
            "",
            "S4",
            inputs=("impressions",),
            section="engagement",
            scorecard=180,
        ),
        _k(
            "clicks",
            "Clicks",
            "count",
            "higher",
            "clicks on ads (platform count)",
            "",
            "S4",
            inputs=("clicks",),
            section="engagement",
            scorecard=190,
        ),
        _k(
            "conversions",
            "Platform conversions",
            "count",
            "higher",
            "conversions the ad platform attributes to its ads (not deduplicated against the CRM)",
            "platform",
            "S4",
            inputs=("conversions",),
            section="engagement",
            scorecard=230,
        ),
        _k(
            "leads",
            "Leads",
            "count",
            "higher",
            "leads created in the period",
            "",
            "S1, S2",
            inputs=("leads",),
            section="funnel",
            scorecard=40,
            headline=6,
        ),
        _k(
            "mql",
            "MQLs",
            "count",
            "higher",
            "marketing-qualified leads",
            "",
            "S2",
            inputs=("mql",),
            section="funnel",
            scorecard=50,
        ),
        _k(
            "sql",
            "SQLs",
            "count",
            "higher",
            "sales-qualified leads",
            "",
            "S2",
            inputs=("sql",),
            section="funnel",
            scorecard=60,
        ),
        _k(
            "customers",
            "New customers",
            "count",
            "higher",
            "customers won from the leads of the period, counted in the month the lead came in "
            "(headline, scorecard, "
            "funnel, CAC and decisions)",
            "",
            "S1, S3",
            inputs=("customers",),
            section="funnel",
            scorecard=70,
            headline=4,
        ),
        _k(
            "customers_acquired",
            "Customers acquired (by acquisition date)",
            "count",
            "higher",
            "customers whose acquisition date (customers table) falls in the period, whenever "
            "their lead came in "
            "(retention and cohort tables only)",
            "",
            "S2, S4",
            inputs=("customers",),
            section="customers",
        ),
        _k(
            "orders",
            "Orders",
            "count",
            "higher",
            "orders placed in the period",
            "",
            "S4",
            inputs=("orders",),
            section="funnel",
            scorecard=80,
        ),
        _k(
            "traffic_to_lead",
            "Visit → lead",
            "rate",
            "higher",
            "leads / visits",
            "",
            "S0, S3",
            inputs=("leads", "visits"),
            section="funnel",
            compute=kpis.traffic_to_lead,
            totals=("leads", "visits"),
            scorecard=250,
            benchmark=5,
        ),
        _k(
            "lead_to_mql",
            "Lead → MQL",
            "rate",
            "higher",
            "MQLs / leads",
            "snapshot",
            "S2, S3",
            ("snapshot", "cohort"),
            ("leads", "mql"),
            "funnel",
            compute=kpis.stage_conversion,
            totals=("mql", "leads"),
            scorecard=260,
        ),
        _k(
            "mql_to_sql",
            "MQL → SQL",
            "rate",
            "higher",
            "SQLs / MQLs",
            "snapshot",
            "S2, S3",
            ("snapshot", "cohort"),
            ("mql", "sql"),
            "funnel",
            compute=kpis.stage_conversion,
            totals=("sql", "mql"),
            scorecard=270,
        ),
        _k(
            "sql_to_customer",
            "SQL → customer",
            "rate",
            "higher",
            "new customers / SQLs",
            "snapshot",
            "S2, S3",
            ("snapshot", "cohort"),
            ("sql", "customers"),
            "funnel",
            compute=kpis.stage_conversion,
            totals=("customers", "sql"),
            scorecard=280,
        ),
        _k(
            "lead_to_customer",
            "Lead → customer",
            "rate",
            "higher",
            "new customers / leads",
            "snapshot",
            "S2",
            ("snapshot", "cohort"),
            ("leads", "customers"),
            "funnel",
            compute=kpis.stage_conversion,
            totals=("customers", "leads"),
            scorecard=290,
            benchmark=6,
        ),
        _k(
            "conversion_rate",
            "Visit → customer",
            "rate",
            "higher",
            "new customers / visits",
            "visits",
            "S1, S4",
            ("visits", "users", "converting_sessions"),
            ("customers", "visits"),
            "funnel",
            compute=kpis.conversion_rate,
            totals=("customers", "visits"),
            scorecard=300,
            benchmark=7,
        ),
        _k(
            "close_rate",
            "Close rate",
            "rate",
            "higher",
            "deals won / (won + lost), by close date",
            "won_lost",
            "S2",
            ("won_lost", "sql", "opportunities"),
            ("deals",),
            "funnel",
            compute=kpis.close_rate,
            totals=("deals_won", "deals_lost"),
            scorecard=310,
        ),
        _k(
            "response_hours",
            "Lead response time (median h)",
            "hours",
            "lower",
            "median hours from lead created to first response",
            "",
            "S1",
            inputs=("deals",),
            section="funnel",
            scorecard=320,
        ),
        _k(
            "sales_cycle_days",
            "Sales cycle (median days)",
            "days",
            "lower",
            "median days from lead created to close, won deals",
            "",
            "S2",
            inputs=("deals",),
            section="funnel",
            scorecard=330,
        ),
        # 3. traffic
        _k(
            "bounce_rate",
            "Bounce rate",
            "rate",
            "lower",
            "single-page visits / visits",
            "single_page",
            "S4",
            ("single_page", "yandex", "ga4"),
            ("bounces", "visits"),
            "traffic",
            compute=kpis_audience.bounce_rate,
            totals=("bounces", "visits"),
            scorecard=410,
        ),
        _k(
            "pages_per_visit",
            "Pages per visit",
            "ratio",
            "higher",
            "pageviews / visits",
            "",
            "S2, S4",
            inputs=("pageviews", "visits"),
            section="traffic",
            compute=kpis_audience.pages_per_visit,
            totals=("pageviews", "visits"),
            scorecard=420,
        ),
        _k(
            "avg_session_s",
            "Average session (s)",
            "seconds",
            "higher",
            "total duration / visits",
            "",
            "S1, S4",
            inputs=("duration_s", "visits"),
            section="traffic",
            compute=kpis_audience.average_session_duration,
            totals=("duration_s", "visits"),
            scorecard=430,
        ),
        _k(
            "traffic_share",
            "Share of visits",
            "rate",
            "neutral",
            "channel visits / all visits",
            "",
            "S0, S3, S4",
            inputs=("visits",),
            section="traffic",
            compute=kpis_audience.traffic_share,
            totals=("visits", "all_visits"),
            scorecard=400,
        ),
        _k(
            "mobile_share",
            "Mobile share of visits",
            "rate",
            "neutral",
            "mobile visits / visits",
            "",
            "S3",
            inputs=("visits", "device"),
            section="traffic",
        ),
        # 4. engagement
        _k(
            "ctr",
            "CTR",
            "rate",
            "higher",
            "clicks / impressions",
            "",
            "S4",
            inputs=("clicks", "impressions"),
            section="engagement",
            compute=kpis.ctr,
            totals=("clicks", "impressions"),
            scorecard=200,
            benchmark=9,
        ),
        _k(
            "engagement_rate",
            "Engagement rate",
            "rate",
            "higher",
            "(likes + comments + shares) / reach",
            "reach",
            "S1, S4",
            ("reach", "followers", "impressions"),
            ("likes", "comments", "shares", "reach"),
            "engagement",
            compute=kpis_audience.engagement_rate,
            totals=("likes", "comments", "shares", "reach"),
            scorecard=440,
        ),
        _k(
            "reach",
            "Reach",
            "count",
            "higher",
            "people who saw the content",
            "",
            "S1, S4",
            inputs=("reach",),
            section="engagement",
        ),
        _k(
            "follower_growth",
            "Follower growth",
            "rate",
            "higher",
            "(followers at end − at start) / at start",
            "",
            "S4",
            inputs=("followers",),
            section="engagement",
        ),
        _k(
            "attendance_rate",
            "Event attendance",
            "rate",
            "higher",
            "target attendees / registrations",
            "",
            "S2",
            inputs=("attendees", "registrations"),
            section="engagement",
            compute=kpis_audience.attendance_rate,
            totals=("attendees", "registrations"),
            scorecard=450,
        ),
        # 5. customers
        _k(
            "purchase_frequency",
            "Orders per customer per year",
            "ratio",
            "higher",
            "orders in the year / customers who ordered in the year (orders table)",
            "",
            "S0",
            inputs=("orders", "customers"),
            section="customers",
            compute=kpis_audience.purchase_frequency,
            totals=("cust_orders", "ordering_customers"),
            scorecard=350,
        ),
        _k(
            "repeat_purchase_rate",
            "Repeat purchase rate",
            "rate",
            "higher",
            "customers with ≥ 2 orders / customers",
            "",
            "S1",
            inputs=("orders",),
            section="customers",
            compute=kpis_audience.repeat_purchase_rate,
            totals=("repeat_customers", "ordering_customers"),
            scorecard=360,
            benchmark=11,
        ),
        _k(
            "retention_rate",
            "Retention rate",
            "rate",
            "higher",
            "(customers at end − customers acquired by acquisition date) / customers at start",
            "",
            "S2, S4",
            inputs=("customers",),
            section="customers",
            compute=kpis_audience.retention_rate,
            totals=("customers_end", "new", "customers_start"),
        ),
        _k(
            "churn_rate",
            "Churn rate",
            "rate",
            "lower",
            "customers lost in the period / customers at start",
            "",
            "S2",
            inputs=("customers",),
            section="customers",
            compute=kpis_audience.churn_rate,
            totals=("lost", "customers_start"),
        ),
        _k(
            "nps",
            "NPS",
            "points",
            "higher",
            "% promoters (9–10) − % detractors (0–6) of survey responses, −100 to +100",
            "",
            "S1, S2",
            inputs=("survey",),
            section="customers",
            compute=kpis_audience.net_promoter_score,
            totals=("promoters", "detractors", "responses"),
            scorecard=460,
            headline=7,
            benchmark=12,
        ),
        _k(
            "csat",
            "CSAT",
            "rate",
            "higher",
            "satisfied responses (top two boxes) / responses",
            "",
            "S0",
            inputs=("survey",),
            section="customers",
            compute=kpis_audience.csat_rate,
            totals=("satisfied", "csat_responses"),
            scorecard=470,
        ),
        _k(
            "responses",
            "Survey responses",
            "count",
            "neutral",
            "NPS survey responses in the period",
            "",
            "S1",
            inputs=("survey",),
            section="customers",
            scorecard=480,
        ),
    ]
}


def _listed(flag: str) -> tuple[str, ...]:
    entries = [k for k in REGISTRY.values() if getattr(k, flag) is not None]
    return tuple(k.id for k in sorted(entries, key=lambda k: getattr(k, flag)))


def scorecard_kpis() -> tuple[str, ...]:
    """The scorecard's KPI ids in order (entries with ``scorecard=``; a client's data decides which
    show)."""
    return _listed("scorecard")


def headline_kpis() -> tuple[str, ...]:
    """The report's headline KPI ids in order (entries with ``headline=``)."""
    return _listed("headline")


def benchmark_kpis() -> tuple[str, ...]:
    """The ratio KPIs compared between clients by ``batch --benchmark``, in order (entries with
    ``benchmark=``)."""
    return _listed("benchmark")


def computed_by(kpi_id: str) -> str:
    """The function that computes a KPI, as ``module.function(totals)``; "" for a KPI without one.

    >>> computed_by("cac")
    'kpis.cac(cost, customers)'
    """
    k = kpi(kpi_id)
    if k.compute is None:
        return ""
    args = [
        *k.totals,
        *(f"{n}={v!r}" for n, v in k.options),
        *(f"{s}=<client>" for s in k.settings),
    ]
    return f"{k.compute.__module__.rpartition('.')[2]}.{k.compute.__name__}({', '.join(args)})"


def computation_order() -> list[KPI]:
    """The entries with a ``compute`` function, in registry order, except that an entry whose totals
    name
    another computed KPI comes after it (``ltv_cac`` after ``ltv`` and ``cac``)."""
    pending = [k for k in REGISTRY.values() if k.compute is not None]
    computed = {k.id for k in pending}
    done: set[str] = set()
    order: list[KPI] = []
    while pending:
        ready = []
        for k in pending:
            if all(t in done or t not in computed for t in k.totals):
                ready.append(k)
                done.add(k.id)
        if not ready:
            raise ValueError(
                f"KPI registry: {', '.join(k.id for k in pending)} depend on each other in a cycle"
            )
        order += ready
        pending = [k for k in pending if k.id not in done]
    return order


def add_kpis(
    totals: pd.DataFrame,
    *,
    gross_margin: float | None = None,
    lifetime_years: float = 3.0,
    helpers: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Every registered KPI whose totals are present, added as a column to a copy of ``totals``.

    ``totals`` has one row per group with its summed counts and money; each KPI's ``compute`` is
    called on
    those columns (a ratio of totals, never an average of rates; a zero or missing denominator gives
    NaN).
    ``helpers`` are further totals the KPIs may take without adding them to the table
    (``all_visits``, the
    year's visits for the share of visits). A KPI whose totals are absent is left out.
    """
    columns = {**(helpers or {}), **{c: totals[c] for c in totals.columns}}
    new = {}
    for k in computation_order():
        args = [columns.get(t) for t in k.totals]
        if any(a is None for a in args):
            continue
        new[k.id] = columns[k.id] = k(
            *args, gross_margin=gross_margin, lifetime_years=lifetime_years
        )
    out = totals.copy()
    for kpi_id in (i for i in REGISTRY if i in new):  # the new columns in registry order
        out[kpi_id] = new[kpi_id]
    return out


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
        return i18n.percent(
            value, 3 if 0 < abs(value) < 0.001 else 2 if 0 < abs(value) < 0.01 else 1
        )
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
    """The glossary rows (label, formula, variant) for the KPIs shown.

    The source articles (``seeds``, "S0, S3") are the analysts' references into the KPI catalogue; a
    manager reading the report cannot resolve them, so they are listed by ``kpi-review kpis`` only.
    """
    rows = [REGISTRY[k] for k in kpi_ids if k in REGISTRY]
    return pd.DataFrame(
        [{"KPI": _(k.label), "Formula": _(k.formula), "Variant": variant_text(k)} for k in rows],
        columns=["KPI", "Formula", "Variant"],
    )


def catalogue() -> pd.DataFrame:
    """The whole registry as a table (what ``kpi-review kpis`` prints)."""
    return pd.DataFrame(
        [
            {
                "id": k.id,
                "label": k.label,
                "section": k.section,
                "unit": k.unit,
                "better": k.better,
                "formula": k.formula,
                "variants": ", ".join(k.variants) or "—",
                "default": (k.variants[0] if k.variants else ""),
                "seeds": k.seeds or "standard",
                "inputs": ", ".join(k.inputs),
                "computed_by": computed_by(k.id),
            }
            for k in REGISTRY.values()
        ]
    )
