"""The annual review's tables: scorecard, year over year, plan vs actual, funnel, trend.

Every KPI of a group is a ratio of totals: raw counts and money are summed to
the tactic, channel and portfolio level first, and the formulas of
:mod:`kpi_helpers.metrics.kpis` are applied to the sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import kpis, kpis_audience
from .allocation import allocate_costs
from ..metrics.catalog import REGISTRY, add_kpis
from ..loaders import ClientData
from ..core.schema import DATE_COLUMNS
from ..core.vocab import ALL_CHANNELS, FUNNEL_COLUMNS, Level

__all__ = [
    "scorecard",
    "year_over_year",
    "funnel",
    "monthly_trend",
    "device_mix",
    "kpi_table",
    "FUNNEL_STAGES",
]

#: Funnel stages in order; a client's funnel uses those its data has.
FUNNEL_STAGES = FUNNEL_COLUMNS
SUMMED = (
    "spend",
    "visits",
    "leads",
    "mql",
    "sql",
    "customers",
    "orders",
    "revenue",
    "bounces",
    "clicks",
    "impressions",
    "conversions",
    "pageviews",
    "duration_s",
    "likes",
    "comments",
    "shares",
    "reach",
    "attendees",
    "registrations",
)
KEYS = ["year", "channel", "tactic"]


def _activity_sums(data: ClientData, rule: str) -> pd.DataFrame:
    """Counts, money and allocated cost per (year, channel, tactic); see
    :mod:`kpi_helpers.analysis.allocation`."""
    a = allocate_costs(data, rule)
    cols = [c for c in (*SUMMED, "cost") if c in a.columns]
    return a.assign(year=a["period"].dt.year).groupby(KEYS)[cols].sum(min_count=1)


def _customer_sums(data: ClientData, index: pd.MultiIndex) -> pd.DataFrame:
    """Orders and distinct ordering customers per year, by the customer's acquisition tactic."""
    if data.orders is None or data.customers is None or "tactic" not in data.customers:
        return pd.DataFrame(index=index)
    o = data.orders.merge(
        data.customers[["customer_id", "channel", "tactic"]], on="customer_id", how="inner"
    )
    o = o.assign(year=o["date"].dt.year)
    per_customer = o.groupby(KEYS + ["customer_id"]).size().rename("n").reset_index()
    g = per_customer.groupby(KEYS).agg(
        cust_orders=("n", "sum"),
        ordering_customers=("n", "size"),
        repeat_customers=("n", lambda n: int((n >= 2).sum())),
    )
    return g.reindex(index)


def _deal_sums(data: ClientData, index: pd.MultiIndex) -> pd.DataFrame:
    if data.deals is None or "closed" not in data.deals:
        return pd.DataFrame(index=index)
    deals = data.deals
    if not (
        deals["status"] == "lost"
    ).any():  # no lost deals recorded: a close rate would be 100 % by construction
        return pd.DataFrame(index=index)
    # a deal is counted in the year it closed; a lost deal without a close date in the year it was
    # created
    when = deals["closed"].where(
        deals["closed"].notna() | (deals["status"] != "lost"), deals["created"]
    )
    d = deals.assign(year=when.dt.year)[deals["status"].isin(["won", "lost"]) & when.notna()]
    g = (
        d.groupby(KEYS + ["status"])
        .size()
        .unstack("status")
        .reindex(columns=["won", "lost"])
        .fillna(0)
    )
    return g.rename(columns={"won": "deals_won", "lost": "deals_lost"}).reindex(index)


def _deal_medians(data: ClientData, sc: pd.DataFrame) -> pd.DataFrame:
    """Median first-response hours (S1) and median sales cycle in days of won deals (S2), per row's
    level.

    Medians are computed from the deals of each group, never from the medians of its parts.
    """
    d = data.deals
    if d is None:
        return sc
    # response time belongs to the year the lead came in; the sales cycle to the year the deal
    # closed, like the close rate of the same row
    response = d.assign(
        year=d["created"].dt.year,
        value=d["first_response_hours"] if "first_response_hours" in d else np.nan,
    )
    won = d[(d["status"] == "won") & d["closed"].notna()]
    days = (
        won["sales_cycle_days"]
        if "sales_cycle_days" in won
        else (won["closed"] - won["created"]).dt.days
    )
    cycle = won.assign(
        year=won["closed"].dt.year, value=days
    )  # measured before a fiscal shift (period.to_fiscal)
    sc = sc.copy()
    for level, keys in (
        (Level.TACTIC, KEYS),
        (Level.CHANNEL, ["year", "channel"]),
        (Level.PORTFOLIO, ["year"]),
    ):
        med = pd.DataFrame(
            {
                "response_hours": response.groupby(keys)["value"].median(),
                "sales_cycle_days": cycle.groupby(keys)["value"].median(),
            }
        )
        sel = sc["level"] == level
        idx = (
            pd.MultiIndex.from_frame(sc.loc[sel, keys])
            if len(keys) > 1
            else pd.Index(sc.loc[sel, "year"])
        )
        for col in med.columns:
            sc.loc[sel, col] = med[col].reindex(idx).to_numpy()
    return sc


def _survey_sums(data: ClientData) -> pd.DataFrame | None:
    s = data.survey
    if s is None:
        return None
    s = s.assign(
        year=s["date"].dt.year,
        promoters=kpis_audience.is_promoter(s["nps"]).astype(int),
        detractors=kpis_audience.is_detractor(s["nps"]).astype(int),
        responses=1,
    )
    if "csat" in s:  # 1-5 scale, top two boxes satisfied
        s = s.assign(
            satisfied=kpis_audience.is_satisfied(s["csat"]).astype(int),
            csat_responses=s["csat"].notna().astype(int),
        )
    return s


def _add_levels(base: pd.DataFrame) -> pd.DataFrame:
    """Tactic rows, then channel totals (tactic empty), then the portfolio (channel and tactic
    empty)."""
    t = base.reset_index()
    ch = t.groupby(["year", "channel"], as_index=False).sum(numeric_only=True, min_count=1)
    pf = t.groupby(["year"], as_index=False).sum(numeric_only=True, min_count=1)
    ch["tactic"], pf["channel"], pf["tactic"] = pd.NA, pd.NA, pd.NA
    ch["level"], pf["level"], t["level"] = Level.CHANNEL, Level.PORTFOLIO, Level.TACTIC
    return pd.concat([t, ch, pf], ignore_index=True)


def scorecard(data: ClientData, year: int | None = None) -> pd.DataFrame:
    """One row per year × channel × tactic, plus channel totals and the portfolio total.

    Covers the reviewed year and the year before. Columns: ``year, channel,
    tactic, level`` then raw sums and KPI ids of :mod:`kpi_helpers.metrics.catalog`;
    rates as fractions; NaN where a KPI's inputs are absent or its denominator
    is zero.
    """
    cfg = data.config
    year = year or cfg.year
    a = _activity_sums(data, data.config.cost_allocation)
    a = a[a.index.get_level_values("year").isin([year - 1, year])]
    a = a.join(_customer_sums(data, a.index)).join(_deal_sums(data, a.index))
    s = _survey_sums(data)
    sc = _deal_medians(data, _with_portfolio_rows(_add_levels(a), data, year))
    if s is not None:
        sc = _join_survey(sc, s)
    return (
        activity_kpis(sc, cfg.gross_margin, cfg.customer_lifetime_years)
        .sort_values(["year", "channel", "tactic"], na_position="last", kind="stable")
        .reset_index(drop=True)
    )


def _with_portfolio_rows(sc: pd.DataFrame, data: ClientData, year: int) -> pd.DataFrame:
    """A portfolio row for each of the two years some table has rows in, even without activity (a
    survey
    alone still has a year to review)."""
    years = {
        y
        for name, col in DATE_COLUMNS.items()
        if data.tables.get(name) is not None
        for y in data.tables[name][col].dt.year.dropna().unique()
        if y in (year - 1, year)
    }
    have = set(sc.loc[sc["level"] == Level.PORTFOLIO, "year"])
    extra = [
        {"year": y, "channel": pd.NA, "tactic": pd.NA, "level": Level.PORTFOLIO}
        for y in sorted(years - have)
    ]
    return pd.concat([sc, pd.DataFrame(extra)], ignore_index=True) if extra else sc


def _join_survey(sc: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    cols = [
        c for c in ("promoters", "detractors", "responses", "satisfied", "csat_responses") if c in s
    ]
    by_channel = s.groupby(["year", "channel"])[cols].sum()
    overall = s.groupby("year")[cols].sum()
    sc = sc.copy()
    for col in cols:
        sc[col] = np.nan
        chan = sc["level"] == "channel"
        sc.loc[chan, col] = [
            by_channel[col].get((y, c), np.nan)
            for y, c in zip(sc.loc[chan, "year"], sc.loc[chan, "channel"])
        ]
        pf = sc["level"] == Level.PORTFOLIO
        sc.loc[pf, col] = [overall[col].get(y, np.nan) for y in sc.loc[pf, "year"]]
    return sc


def activity_kpis(
    sc: pd.DataFrame, gross_margin: float | None, lifetime_years: float = 3.0
) -> pd.DataFrame:
    """Add every KPI of the registry to a table of summed counts and money (one row per group).

    Each KPI is its registry entry's function called on the summed totals
    (:func:`kpi_helpers.metrics.catalog.add_kpis`), so it is a ratio of the
    sums. KPIs whose inputs are absent, or all n/a, are left out.
    """
    helpers = {}
    if (
        "visits" in sc and "level" in sc
    ):  # the year's visits of all channels, for the share of visits
        year_visits = sc[sc["level"] == Level.PORTFOLIO].set_index("year")["visits"]
        helpers["all_visits"] = sc["year"].map(year_visits)
    out = add_kpis(sc, gross_margin=gross_margin, lifetime_years=lifetime_years, helpers=helpers)
    return out.drop(
        columns=[col for col in out.columns if out[col].isna().all() and col in REGISTRY]
    )


def kpi_table(
    data: ClientData, by=("channel",), *, years=None, rule: str = "direct_cost"
) -> pd.DataFrame:
    """The activity KPI set for any grouping: ``by`` any of year, month, period, channel, tactic,
    device,
    campaign, flow.

    Counts and money are summed per group first, then each KPI is one division
    (see :func:`activity_kpis`). ``years`` restricts the rows.
    """
    a = allocate_costs(data, rule)
    a = a.assign(year=a["period"].dt.year, month=a["period"].dt.month)
    if years is not None:
        a = a[a["year"].isin(np.atleast_1d(years))]
    by = list(by)
    missing = [b for b in by if b not in a]
    if missing:
        raise ValueError(
            f"kpi_table: cannot group by {missing}; the activity table has no such column"
        )
    num = a.select_dtypes("number").columns.difference(["year", "month"])
    sums = a.groupby(by, dropna=False)[list(num)].sum(min_count=1).reset_index()
    return activity_kpis(sums, data.config.gross_margin)


def year_over_year(sc: pd.DataFrame, year: int, kpi_ids) -> pd.DataFrame:
    """This year against last year for every row: ``<kpi>``, ``<kpi>_prev``, ``<kpi>_change``.

    ``_change`` is relative for counts and money, in percentage points for rates
    (as a fraction) and in points for NPS.
    """
    ids = [k for k in kpi_ids if k in sc]
    keys = ["channel", "tactic", "level"]
    cur = sc[sc["year"] == year].set_index(keys)[ids]
    prev = sc[sc["year"] == year - 1].set_index(keys)[ids].reindex(cur.index)
    out = cur.copy()
    for k in ids:
        out[f"{k}_prev"] = prev[k]
        unit = REGISTRY[k].unit if k in REGISTRY else "count"
        out[f"{k}_change"] = (
            (cur[k] - prev[k])
            if unit in ("rate", "points")
            else kpis.ratio(cur[k] - prev[k], prev[k].abs())
        )
    return out.reset_index()


def funnel(sc: pd.DataFrame, year: int) -> pd.DataFrame:
    """Funnel by channel for the year: stage counts and stage-to-stage rates (ratio of totals)."""
    stages = [s for s in FUNNEL_STAGES if s in sc]
    f = sc[(sc["year"] == year) & sc["level"].isin([Level.CHANNEL, Level.PORTFOLIO])].copy()
    f["channel"] = f["channel"].fillna(ALL_CHANNELS)
    out = f[["channel", *stages]].reset_index(drop=True)
    for a, b in zip(stages, stages[1:]):
        out[f"{a}→{b}"] = kpis.stage_conversion(out[b], out[a])
    return out


def monthly_trend(data: ClientData, year: int | None = None) -> pd.DataFrame:
    """Monthly totals for the reviewed year and the one before (S1, S4: monitor monthly).

    Columns: ``period, year, month, visits, leads, customers, revenue, cost``.
    """
    year = year or data.config.year
    a = data.activity
    cols = [c for c in ("visits", "leads", "customers", "revenue") if c in a]
    m = a[a["period"].dt.year.isin([year - 1, year])].groupby("period")[cols].sum(min_count=1)
    if data.costs is not None:
        m["cost"] = data.costs.groupby("period")["amount"].sum().reindex(m.index)
    elif "spend" in a:
        m["cost"] = a.groupby("period")["spend"].sum().reindex(m.index)
    m = m.reset_index()
    m.insert(1, "year", m["period"].dt.year)
    m.insert(2, "month", m["period"].dt.month)
    return m


def device_mix(data: ClientData, year: int | None = None) -> pd.DataFrame:
    """Visits, leads and customers by device for the year, with shares and rates (S3: mobile
    traffic).

    Columns: ``device, visits, visit_share, leads, traffic_to_lead, customers, conversion_rate``;
    empty
    when activity has no ``device`` column.
    """
    year = year or data.config.year
    a = data.activity
    if "device" not in a or "visits" not in a:
        return pd.DataFrame(
            columns=[
                "device",
                "visits",
                "visit_share",
                "leads",
                "traffic_to_lead",
                "customers",
                "conversion_rate",
            ]
        )
    cols = [c for c in ("visits", "leads", "customers") if c in a]
    m = a[a["period"].dt.year == year].groupby("device")[cols].sum(min_count=1).reset_index()
    m.insert(2, "visit_share", kpis_audience.traffic_share(m["visits"], m["visits"].sum()))
    if "leads" in m:
        m.insert(
            m.columns.get_loc("leads") + 1,
            "traffic_to_lead",
            kpis.traffic_to_lead(m["leads"], m["visits"]),
        )
    if "customers" in m:
        m["conversion_rate"] = kpis.conversion_rate(m["customers"], m["visits"])
    return m
