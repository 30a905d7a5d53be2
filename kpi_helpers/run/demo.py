"""Deterministic demo clients with known truths.

Three businesses (an online shop, a B2B software firm with a sales funnel, a
local services business), reviewed for 2025 against 2024. Each client is
simulated lead by lead from one fixed seed, so the row-level tables (deals,
customers, orders, survey) and the monthly activity table agree exactly:
activity counts are aggregates of the simulated rows.

Each client holds four tactics built to be judged a known way
(:data:`EXPECTED_DECISIONS`): one that clearly earns its money, one that clearly
does not, one with good traffic but a weak funnel, and one with too little data.
The weak funnel is the only tactic of its channel (organic search, content, a social page), so its
fair
benchmark is its own last year: its visit → lead rate fell in 2025 (``lead_rate_before``, a form
that broke),
not merely a rate under the paid channels' (the portfolio mix is no benchmark).

Run ``python -m kpi_helpers.run.demo [DIR]`` to write them (default: the package's ``demo_data``
folder,
which ``make demo-data`` refreshes in the checkout; ``kpi-review demo`` copies them out of the
package).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["DEMO_CLIENTS", "EXPECTED_DECISIONS", "write_demo", "demo_dir"]

SEED = 20251231
SIM_START, DATA_START, END = "2023-01-01", "2024-01-01", "2025-12-31"
DEVICES = {
    "desktop": (0.45, 1.2),
    "mobile": (0.48, 0.8),
    "tablet": (0.07, 1.0),
}  # share, conversion multiplier


@dataclass
class Tactic:
    channel: str
    tactic: str
    flow: str  # inbound | outbound
    visits: float  # mean visits per month in 2025
    lead_rate: float  # visit -> lead
    stages: tuple[float, ...]  # lead -> ... -> won (1 rate = lead -> won; 3 rates = mql, sql, won)
    aov: float  # mean first order amount
    repeat_per_year: float = 0.0  # repeat orders per active customer per year
    lifetime_years: float = 3.0  # mean time to churn
    spend: float = 0.0  # media spend per month
    other_costs: dict = field(default_factory=dict)  # cost_type -> amount per month
    growth: float = 1.1  # 2025 volume / 2024 volume
    active_from: str = SIM_START
    ctr: float | None = None  # paid: clicks / impressions
    social: bool = False  # has reach / engagement counts
    bounce: float = 0.45
    nps_mix: tuple[float, float, float] = (0.45, 0.35, 0.20)  # promoters, passives, detractors
    expected: str | None = None  # the decision this tactic is built to get
    lead_rate_before: float | None = (
        None  # visit -> lead before 2025 when it differs (a form that broke this year)
    )


@dataclass
class DemoClient:
    slug: str
    name: str
    business: str
    currency: str
    gross_margin: float
    tactics: list[Tactic]
    renewal: bool = False  # B2B: a won deal renews yearly as one order
    shared_costs: dict = field(default_factory=dict)  # cost_type -> per month, channel blank
    targets: list[dict] = field(default_factory=list)
    thresholds: dict = field(default_factory=dict)
    branding: dict = field(default_factory=dict)
    language: str = "en"
    calendar: str = "gregorian"


DEMO_CLIENTS = [
    DemoClient(
        "northwind-home",
        "Northwind Home (online shop)",
        "ecommerce",
        "EUR",
        0.45,
        [
            Tactic(
                "paid_search",
                "Google Shopping",
                "outbound",
                9000,
                0.07,
                (0.5,),
                72,
                1.2,
                3,
                spend=6000,
                other_costs={"agency": 800},
                ctr=0.02,
                growth=1.15,
                expected="keep",
            ),
            Tactic(
                "paid_search",
                "Brand search",
                "outbound",
                2500,
                0.05,
                (0.5,),
                70,
                1.2,
                3,
                spend=900,
                ctr=0.08,
            ),
            Tactic(
                "social_paid",
                "Instagram prospecting",
                "outbound",
                7000,
                0.012,
                (0.3,),
                48,
                0.5,
                1.5,
                spend=5000,
                other_costs={"agency": 600},
                ctr=0.012,
                social=True,
                bounce=0.7,
                nps_mix=(0.25, 0.35, 0.40),
                expected="drop",
            ),
            Tactic(
                "organic_search",
                "Blog & SEO",
                "inbound",
                14000,
                0.006,
                (0.5,),
                72,
                1.2,
                3,
                other_costs={"labour": 3800, "software": 300},
                growth=1.25,
                bounce=0.6,
                lead_rate_before=0.012,
                expected="optimise",
            ),
            Tactic(
                "email",
                "Newsletter",
                "inbound",
                3000,
                0.09,
                (0.55,),
                65,
                1.5,
                3,
                other_costs={"software": 400, "labour": 900},
            ),
            Tactic(
                "affiliate",
                "Influencer pilot",
                "outbound",
                300,
                0.03,
                (0.4,),
                70,
                0.8,
                2,
                spend=1500,
                active_from="2025-10-01",
                expected="insufficient_data",
            ),
        ],
        shared_costs={"software": 600, "overhead": 2500},
        targets=[
            {"kpi": "revenue", "scope": "all", "change": 0.15},
            {"kpi": "customers", "scope": "all", "value": 5000},
            {"kpi": "cac", "scope": "all", "value": 35.0},
            {"kpi": "visits", "scope": "organic_search", "change": 0.2},
        ],
    ),
    DemoClient(
        "stackline-analytics",
        "Stackline Analytics (B2B software)",
        "b2b_saas",
        "USD",
        0.8,
        [
            Tactic(
                "paid_search",
                "Solution keywords",
                "outbound",
                2500,
                0.04,
                (0.55, 0.45, 0.3),
                6000,
                spend=8000,
                other_costs={"agency": 1000},
                ctr=0.035,
                growth=1.2,
                expected="keep",
            ),
            Tactic(
                "events",
                "Trade shows",
                "outbound",
                400,
                0.2,
                (0.3, 0.3, 0.15),
                4000,
                other_costs={"events": 16000, "sales": 3000},
                growth=1.0,
                nps_mix=(0.3, 0.4, 0.3),
                expected="drop",
            ),
            Tactic(
                "content",
                "Blog & webinars",
                "inbound",
                24000,
                0.0015,
                (0.55, 0.45, 0.3),
                6000,
                other_costs={"labour": 24000, "software": 500},
                growth=1.3,
                bounce=0.65,
                lead_rate_before=0.003,
                expected="optimise",
            ),
            Tactic(
                "email",
                "Nurture sequences",
                "inbound",
                1500,
                0.05,
                (0.6, 0.45, 0.3),
                6000,
                other_costs={"software": 700, "labour": 1200},
            ),
            Tactic(
                "social_paid",
                "LinkedIn Ads",
                "outbound",
                1200,
                0.03,
                (0.5, 0.4, 0.3),
                6500,
                spend=6000,
                ctr=0.006,
                social=True,
            ),
            Tactic(
                "referral",
                "Partner program",
                "inbound",
                150,
                0.05,
                (0.6, 0.5, 0.35),
                7000,
                other_costs={"labour": 1500},
                active_from="2025-09-01",
                expected="insufficient_data",
            ),
        ],
        renewal=True,
        shared_costs={"software": 1500, "overhead": 6000},
        targets=[
            {"kpi": "revenue", "scope": "all", "change": 0.25},
            {"kpi": "leads", "scope": "all", "value": 3000},
            {"kpi": "sql", "scope": "paid_search", "change": 0.2},
            {"kpi": "cac", "scope": "all", "value": 9000.0},
        ],
        thresholds={"roi_hurdle": 0.0},
        branding={"colour": "#5b2a86"},
    ),
    DemoClient(
        "harbour-plumbing",
        "Harbour Plumbing & Heating (local services)",
        "local_services",
        "GBP",
        0.55,
        [
            Tactic(
                "paid_search",
                "Local search ads",
                "outbound",
                1800,
                0.08,
                (0.5,),
                260,
                0.4,
                4,
                spend=2500,
                other_costs={"agency": 400},
                ctr=0.05,
                expected="keep",
            ),
            Tactic(
                "display",
                "Regional banner ads",
                "outbound",
                1500,
                0.02,
                (0.25,),
                150,
                0.2,
                2,
                spend=2000,
                ctr=0.003,
                bounce=0.75,
                nps_mix=(0.3, 0.35, 0.35),
                expected="drop",
            ),
            Tactic(
                "social_organic",
                "Facebook page",
                "inbound",
                4500,
                0.004,
                (0.5,),
                250,
                0.4,
                4,
                other_costs={"labour": 3000},
                social=True,
                growth=1.3,
                lead_rate_before=0.008,
                expected="optimise",
            ),
            Tactic(
                "referral",
                "Customer referrals",
                "inbound",
                600,
                0.12,
                (0.6,),
                270,
                0.5,
                5,
                other_costs={"labour": 300},
                nps_mix=(0.6, 0.3, 0.1),
            ),
            Tactic(
                "email",
                "Seasonal reminders",
                "inbound",
                120,
                0.06,
                (0.5,),
                240,
                0.4,
                4,
                other_costs={"software": 150},
                active_from="2025-11-01",
                expected="insufficient_data",
            ),
        ],
        shared_costs={"overhead": 900},
        targets=[
            {"kpi": "revenue", "scope": "all", "change": 0.1},
            {"kpi": "leads", "scope": "paid_search", "value": 1800},
        ],
    ),
]

DEMO_CLIENTS += [
    DemoClient(
        "okna-sever",
        "Окна Север (остекление, Санкт-Петербург)",
        "local_services",
        "RUB",
        0.4,
        [
            Tactic(
                "paid_search",
                "Яндекс Директ: поиск",
                "outbound",
                2200,
                0.07,
                (0.45,),
                42000,
                0.15,
                5,
                spend=180000,
                other_costs={"agency": 30000},
                ctr=0.06,
                expected="keep",
            ),
            Tactic(
                "display",
                "Баннеры в РСЯ",
                "outbound",
                1800,
                0.012,
                (0.2,),
                18000,
                0.1,
                3,
                spend=150000,
                ctr=0.004,
                bounce=0.75,
                nps_mix=(0.3, 0.35, 0.35),
                expected="drop",
            ),
            Tactic(
                "social_organic",
                "Группа ВКонтакте",
                "inbound",
                5000,
                0.0025,
                (0.45,),
                42000,
                0.15,
                5,
                other_costs={"labour": 170000},
                social=True,
                growth=1.3,
                lead_rate_before=0.0075,
                expected="optimise",
            ),
            Tactic(
                "referral",
                "Рекомендации клиентов",
                "inbound",
                500,
                0.12,
                (0.6,),
                45000,
                0.2,
                6,
                other_costs={"labour": 15000},
                nps_mix=(0.6, 0.3, 0.1),
            ),
            Tactic(
                "email",
                "Рассылка к сезону",
                "inbound",
                100,
                0.06,
                (0.5,),
                40000,
                0.1,
                4,
                other_costs={"software": 5000},
                active_from="2025-11-01",
                expected="insufficient_data",
            ),
        ],
        shared_costs={"overhead": 60000},
        targets=[
            {"kpi": "revenue", "scope": "all", "change": 0.1},
            {"kpi": "cpl", "scope": "all", "value": 3000.0},
        ],
        language="ru",
    ),
    DemoClient(
        "ketab-negah",
        "کتاب‌فروشی آنلاین نگاه",
        "ecommerce",
        "IRR",
        0.35,
        [
            Tactic(
                "paid_search",
                "تبلیغات جست‌وجوی گوگل",
                "outbound",
                6000,
                0.07,
                (0.5,),
                9_000_000,
                1.2,
                3,
                spend=700_000_000,
                other_costs={"agency": 90_000_000},
                ctr=0.02,
                expected="keep",
            ),
            Tactic(
                "social_paid",
                "تبلیغات اینستاگرام",
                "outbound",
                5000,
                0.012,
                (0.3,),
                6_000_000,
                0.5,
                1.5,
                spend=600_000_000,
                ctr=0.012,
                social=True,
                bounce=0.7,
                nps_mix=(0.25, 0.35, 0.40),
                expected="drop",
            ),
            Tactic(
                "content",
                "وبلاگ و معرفی کتاب",
                "inbound",
                10000,
                0.004,
                (0.5,),
                9_000_000,
                1.2,
                3,
                other_costs={"labour": 450_000_000},
                growth=1.25,
                bounce=0.6,
                lead_rate_before=0.016,
                expected="optimise",
            ),
            Tactic(
                "email",
                "خبرنامه",
                "inbound",
                2000,
                0.09,
                (0.55,),
                8_500_000,
                1.5,
                3,
                other_costs={"software": 40_000_000},
            ),
            Tactic(
                "affiliate",
                "همکاری با اینفلوئنسرها",
                "outbound",
                250,
                0.03,
                (0.4,),
                9_000_000,
                0.8,
                2,
                spend=150_000_000,
                active_from="2025-10-01",
                expected="insufficient_data",
            ),
        ],
        shared_costs={"overhead": 250_000_000},
        targets=[
            {"kpi": "revenue", "scope": "all", "change": 0.15},
            {"kpi": "customers", "scope": "all", "value": 3000},
        ],
        language="fa",
        calendar="solar_hijri",
    ),
]

#: slug -> {(channel, tactic): decision} for the tactics built to a known outcome.
EXPECTED_DECISIONS = {
    c.slug: {(t.channel, t.tactic): t.expected for t in c.tactics if t.expected}
    for c in DEMO_CLIENTS
}


def _season(month: pd.Timestamp) -> float:
    return 1.0 + 0.15 * np.sin(2 * np.pi * (month.month - 3) / 12)


# long: one lead's path through the funnel in one loop: every random draw in a fixed order, so the
# committed demo data reproduce from the seed
def _simulate(client: DemoClient, rng: np.random.Generator) -> dict[str, pd.DataFrame]:  # noqa: C901, PLR0915
    months = pd.date_range(SIM_START, END, freq="MS")
    end = pd.Timestamp(END)
    act, deals, customers, orders, survey = [], [], [], [], []
    for t in client.tactics:
        for month in months[months >= pd.Timestamp(t.active_from)]:
            year_factor = 1.0 if month.year == 2025 else 1.0 / t.growth
            days = month.days_in_month
            for device, (share, conv) in DEVICES.items():
                visits = int(rng.poisson(t.visits * share * year_factor * _season(month)))
                rate = (
                    t.lead_rate
                    if month.year == 2025 or t.lead_rate_before is None
                    else t.lead_rate_before
                )
                leads = int(rng.binomial(visits, min(rate * conv, 1.0)))
                row = {
                    "period": month,
                    "channel": t.channel,
                    "tactic": t.tactic,
                    "device": device,
                    "visits": visits,
                    "leads": leads,
                }
                row["visitors"] = int(round(visits * 0.82))
                row["pageviews"] = int(rng.poisson(visits * 2.6)) if visits else 0
                row["bounces"] = int(rng.binomial(visits, t.bounce))
                row["duration_s"] = float(round(visits * rng.normal(95, 5)))
                if t.ctr:
                    clicks = int(round(visits / 0.92))
                    row["clicks"], row["impressions"] = clicks, int(round(clicks / t.ctr))
                    row["spend"] = round(
                        t.spend * share * year_factor * _season(month) * rng.normal(1, 0.03), 2
                    )
                elif t.spend:
                    row["spend"] = round(t.spend * share * year_factor, 2)
                if t.social:
                    reach = int(visits * rng.uniform(18, 24))
                    row["reach"] = reach
                    row["likes"] = int(rng.binomial(reach, 0.02))
                    row["comments"] = int(rng.binomial(reach, 0.002))
                    row["shares"] = int(rng.binomial(reach, 0.003))
                act.append(row)
                # lead by lead through the funnel
                for _ in range(leads):
                    created = month + pd.Timedelta(days=int(rng.integers(0, days)))
                    reached = 0
                    for p in t.stages:
                        if rng.random() < p:
                            reached += 1
                        else:
                            break
                    names = ["lead", "won"] if len(t.stages) == 1 else ["lead", "mql", "sql", "won"]
                    lag = int(rng.integers(20, 90)) if client.renewal else int(rng.integers(0, 7))
                    closed = created + pd.Timedelta(days=lag)
                    won = reached == len(t.stages) and closed <= end
                    reached = min(reached, len(t.stages) - 1) if not won else reached
                    status = "won" if won else ("lost" if closed <= end else "open")
                    cust_id = f"C{len(customers) + 1:06d}" if won else ""
                    deals.append(
                        {
                            "deal_id": f"D{len(deals) + 1:06d}",
                            "created": created,
                            "channel": t.channel,
                            "tactic": t.tactic,
                            "device": device,
                            "stage": names[reached],
                            "status": status,
                            "closed": closed if status != "open" else pd.NaT,
                            "amount": float("nan"),
                            "customer_id": cust_id,
                            "first_response_hours": round(float(rng.gamma(2.0, 3.0)), 1),
                        }
                    )
                    if not won:
                        continue
                    amount = round(float(rng.gamma(4.0, t.aov / 4.0)), 2)
                    deals[-1]["amount"] = amount
                    churn = closed + pd.Timedelta(days=int(rng.exponential(t.lifetime_years * 365)))
                    customers.append(
                        {
                            "customer_id": cust_id,
                            "acquired": closed,
                            "channel": t.channel,
                            "tactic": t.tactic,
                            "device": device,
                            "churned": churn if churn <= end else pd.NaT,
                        }
                    )
                    orders.append((cust_id, closed, amount))
                    stop = min(churn, end)
                    if client.renewal:
                        renew = closed + pd.DateOffset(years=1)
                        while renew <= stop:
                            orders.append((cust_id, renew, amount))
                            renew += pd.DateOffset(years=1)
                    elif t.repeat_per_year > 0:
                        when = closed
                        while True:
                            when += pd.Timedelta(
                                days=int(rng.exponential(365 / t.repeat_per_year)) + 1
                            )
                            if when > stop:
                                break
                            orders.append(
                                (cust_id, when, round(float(rng.gamma(4.0, t.aov / 4.0)), 2))
                            )
                    if rng.random() < 0.25:
                        when = closed + pd.Timedelta(days=int(rng.integers(14, 60)))
                        if when <= end:
                            kind = rng.choice(3, p=t.nps_mix)
                            score = int(rng.choice([[9, 10], [7, 8], [0, 1, 2, 3, 4, 5, 6]][kind]))
                            survey.append(
                                {
                                    "respondent_id": f"R{len(survey) + 1:06d}",
                                    "date": when,
                                    "nps": score,
                                    "csat": int(min(5, max(1, round(score / 2)))),
                                    "channel": t.channel,
                                }
                            )
    return _assemble(client, act, deals, customers, orders, survey)


# long: the simulated rows become the five tables of a client, one after the other
def _assemble(client, act, deals, customers, orders, survey) -> dict[str, pd.DataFrame]:
    start = pd.Timestamp(DATA_START)
    deals_df = pd.DataFrame(deals)
    cust_df = pd.DataFrame(customers)
    orders_df = pd.DataFrame(orders, columns=["customer_id", "date", "amount"]).sort_values(
        ["date", "customer_id"]
    )
    orders_df.insert(0, "order_id", [f"O{i + 1:07d}" for i in range(len(orders_df))])
    keys = ["period", "channel", "tactic", "device"]
    activity = pd.DataFrame(act).set_index(keys)
    # funnel counts from the simulated deals, by the month the lead was created
    d = deals_df.assign(period=deals_df["created"].dt.to_period("M").dt.to_timestamp())
    if len(client.tactics[0].stages) == 3:
        for stage, reached in (("mql", ["mql", "sql", "won"]), ("sql", ["sql", "won"])):
            hits = d[d["stage"].isin(reached)].groupby(keys).size()
            activity[stage] = hits.reindex(activity.index, fill_value=0)
    # customers by acquisition month, orders and revenue by order month, attributed to acquisition
    # tactic new customers counted in the month their lead was created (the cohort view), so a row
    # never holds more customers than leads; customers.csv keeps the real acquisition (close) date
    created = deals_df.loc[deals_df["customer_id"] != "", ["customer_id", "created"]]
    c = cust_df.merge(created, on="customer_id")
    c = c.assign(period=c["created"].dt.to_period("M").dt.to_timestamp())
    activity["customers"] = c.groupby(keys).size().reindex(activity.index, fill_value=0)
    o = orders_df.merge(cust_df[["customer_id", "channel", "tactic", "device"]], on="customer_id")
    o["period"] = o["date"].dt.to_period("M").dt.to_timestamp()
    activity["orders"] = o.groupby(keys).size().reindex(activity.index, fill_value=0)
    activity["revenue"] = (
        o.groupby(keys)["amount"].sum().round(2).reindex(activity.index, fill_value=0.0)
    )
    activity = activity.reset_index()
    activity = activity[activity["period"] >= start]
    costs = []
    for t in client.tactics:
        for month in pd.date_range(max(start, pd.Timestamp(t.active_from)), END, freq="MS"):
            spent = (
                activity.loc[
                    (activity["period"] == month) & (activity["tactic"] == t.tactic), "spend"
                ].sum()
                if "spend" in activity
                else 0.0
            )
            factor = 1.0 if month.year == 2025 else 1.0 / t.growth
            if t.spend:
                costs.append((month, t.channel, t.tactic, "media", t.flow, round(float(spent), 2)))
            for kind, amount in t.other_costs.items():
                costs.append((month, t.channel, t.tactic, kind, t.flow, round(amount * factor, 2)))
    for month in pd.date_range(start, END, freq="MS"):
        for kind, amount in client.shared_costs.items():
            costs.append(
                (
                    month,
                    "",
                    "",
                    kind,
                    "inbound" if kind == "software" else "outbound",
                    float(amount),
                )
            )
    costs_df = pd.DataFrame(
        costs, columns=["period", "channel", "tactic", "cost_type", "flow", "amount"]
    )
    deals_df = deals_df[deals_df["created"] >= start].drop(columns=["device"])
    return {
        "activity": activity.sort_values(keys).reset_index(drop=True),
        "costs": costs_df,
        "deals": deals_df,
        "orders": orders_df[orders_df["date"] >= start],
        "customers": cust_df.drop(columns=["device"]),
        "survey": pd.DataFrame(survey).query("date >= @start").sort_values("date"),
    }


def _client_yaml(client: DemoClient) -> dict:
    return {
        "schema_version": 1,
        "name": client.name,
        "slug": client.slug,
        "business": client.business,
        "currency": client.currency,
        "language": client.language,
        **({"calendar": client.calendar} if client.calendar != "gregorian" else {}),
        "year": 2025,
        "gross_margin": client.gross_margin,
        "sources": [
            {"table": t, "path": f"{t}.csv"}
            for t in ("activity", "costs", "deals", "orders", "customers", "survey")
        ],
        "targets": client.targets,
        "thresholds": client.thresholds,
        **({"branding": client.branding} if client.branding else {}),
    }


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            fmt = "%Y-%m" if col == "period" else "%Y-%m-%d"
            out[col] = out[col].dt.strftime(fmt).fillna("")
    return out


def write_demo(target: str | Path, force: bool = False) -> list[Path]:
    """Write every demo client under ``target/<slug>/``; return the client.yaml paths.

    Existing clients are kept unless ``force``; the output is the same on every
    run (fixed seed).
    """
    target = Path(target)
    paths = []
    for i, client in enumerate(DEMO_CLIENTS):
        folder = target / client.slug
        paths.append(folder / "client.yaml")
        if paths[-1].exists() and not force:
            continue
        rng = np.random.default_rng([SEED, i])
        tables = _simulate(client, rng)
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in tables.items():
            _fmt(df).to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        header = (
            f"# Demo client generated by kpi_helpers.run.demo (seed {SEED}); regenerate with `make "
            "demo-data`.\n"
            f"# Paths are relative to this file's folder.\n"
        )
        body = yaml.safe_dump(_client_yaml(client), sort_keys=False, allow_unicode=True)
        (folder / "client.yaml").write_text(header + body, encoding="utf-8")
    return paths


def demo_dir() -> Path:
    """The bundled demo folder, ``kpi_helpers/demo_data`` (package data: read it, never write it
    when installed)."""
    from ..core.resources import demo_data_dir

    return demo_data_dir()


if __name__ == "__main__":
    out = write_demo(sys.argv[1] if len(sys.argv) > 1 else demo_dir(), force=True)
    print("\n".join(map(str, out)))
