"""Known-truth clients for the decision rules: small synthetic clients whose right answers are built
in.

Every number is chosen so that the decisive figures can be worked by hand (see the tests that use
them).
Year reviewed 2025, gross margin 0.5, customer lifetime 3 years; each lead that is won becomes a
customer on the
day it came in, so the lead's month is the acquisition month. Visits and last year's (2024) leads
and customers are
recorded only for the tactics given them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd


def _spread(total: int, n: int = 12) -> list[int]:
    """``total`` split over ``n`` months as evenly as possible (earlier months first)."""
    return [total // n + (1 if m < total % n else 0) for m in range(n)]


class _Builder:
    def __init__(self):
        self.deals, self.customers, self.orders, self.costs, self.visits = [], [], [], [], []
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:06d}"

    def tactic(
        self,
        channel,
        tactic,
        *,
        leads,
        won,
        spend_new,
        cost_per_month,
        base=0,
        base_acquired="2023-03-01",
        base_spend=0.0,
        base_churned=0,
        churn_date="2025-06-30",
        base_order="2025-02-01",
        first_month=1,
        unwon="lost",
        visits=None,
        last_year=None,
    ):
        """Leads and won customers of 2025 (and of 2024 when ``last_year`` = (visits, leads, won) is
        given; those
        customers buy ``spend_new`` in 2024 only), their visits when given, a base of earlier
        customers, and costs
        (2025 only)."""
        years = [(2025, visits, leads, won)] + ([(2024, *last_year)] if last_year else [])
        for year, n_visits, leads, won in years:
            n = 13 - first_month
            if n_visits is not None:
                self.visits += [
                    [f"{year}-{m:02d}", channel, tactic, v]
                    for m, v in enumerate(_spread(n_visits, n), start=first_month)
                ]
            for m, (n_leads, n_won) in enumerate(
                zip(_spread(leads, n), _spread(won, n)), start=first_month
            ):
                day = f"{year}-{m:02d}-15"
                for i in range(n_leads):
                    cid = self._id("C") if i < n_won else None
                    status = "won" if cid else unwon
                    self.deals.append(
                        [
                            self._id("D"),
                            day,
                            channel,
                            tactic,
                            "won" if cid else "lead",
                            status,
                            day if status != "open" else None,
                            cid,
                        ]
                    )
                    if cid:
                        self.customers.append([cid, day, channel, tactic, None])
                        if spend_new:
                            self.orders.append([self._id("O"), cid, day, spend_new])
            for m in range(first_month, 13 if year == 2025 else first_month):
                self.costs.append(
                    [f"{year}-{m:02d}", channel, tactic, "media", "outbound", cost_per_month]
                )
        for i in range(base):
            cid = self._id("B")
            self.customers.append(
                [cid, base_acquired, channel, tactic, churn_date if i < base_churned else None]
            )
            if base_spend:
                self.orders.append([self._id("O"), cid, base_order, base_spend])

    def write(self, folder: Path, extra_yaml: str = "") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        deals = pd.DataFrame(
            self.deals,
            columns=[
                "deal_id",
                "created",
                "channel",
                "tactic",
                "stage",
                "status",
                "closed",
                "customer_id",
            ],
        )
        customers = pd.DataFrame(
            self.customers, columns=["customer_id", "acquired", "channel", "tactic", "churned"]
        )
        orders = pd.DataFrame(self.orders, columns=["order_id", "customer_id", "date", "amount"])
        # activity: leads and customers by the lead's month, revenue of the month from the tactic's
        # customers
        d = deals.assign(
            period=deals["created"].str[:7], won=(deals["status"] == "won").astype(int)
        )
        act = d.groupby(["period", "channel", "tactic"]).agg(
            leads=("deal_id", "size"), customers=("won", "sum")
        )
        o = orders.merge(customers[["customer_id", "channel", "tactic"]], on="customer_id")
        rev = (
            o.assign(period=o["date"].str[:7])
            .groupby(["period", "channel", "tactic"])["amount"]
            .sum()
        )
        act = act.join(rev.rename("revenue"), how="left").fillna({"revenue": 0.0})
        if self.visits:
            v = pd.DataFrame(self.visits, columns=["period", "channel", "tactic", "visits"])
            act = act.join(v.set_index(["period", "channel", "tactic"])["visits"], how="left")
        act = act.reset_index()
        act = act[act["period"] >= "2024-01"]
        for name, df in (
            ("activity", act),
            ("deals", deals),
            ("customers", customers),
            ("orders", orders),
            (
                "costs",
                pd.DataFrame(
                    self.costs,
                    columns=["period", "channel", "tactic", "cost_type", "flow", "amount"],
                ),
            ),
        ):
            df.to_csv(folder / f"{name}.csv", index=False)
        (folder / "client.yaml").write_text(
            textwrap.dedent("""\
            schema_version: 1
            name: Known truth
            year: 2025
            gross_margin: 0.5
            customer_lifetime_years: 3
            sources:
              - {table: activity, path: activity.csv}
              - {table: costs, path: costs.csv}
              - {table: deals, path: deals.csv}
              - {table: customers, path: customers.csv}
              - {table: orders, path: orders.csv}
            """)
            + extra_yaml
        )
        return folder / "client.yaml"


def credit_client(folder: Path) -> Path:
    """Four tactics, every lead -> customer rate 25 % (no weak stage), cost 12 000 each but the
    newsletter (2 000).

    - paid_search/Good: 480 leads, 120 won, each new customer spends 400 in 2025; 120 customers of
      2024 (24
      churned mid-2025) spend 400 each: a genuine keep.
    - display/Old glory: 120 leads, 30 won spending 200 each; 300 customers of 2023 (60 churned)
      spend 200 each:
      good only because of customers acquired years ago.
    - social_paid/Trap: 480 leads, 120 won spending 150 each; 50 customers of 2024, all churned in
      January 2025,
      spend nothing: revenue ROI positive, margin ROI negative.
    - email/Newsletter (declared retention): 240 leads, 60 won spending 100; 200 customers of 2023
      spend 100 each.
    - organic_search/Blog: no cost at all, 1 200 leads, 300 won spending 100 each: a zero-cost
      organic tactic
      with hundreds of customers.
    - events/Autumn launch: launched in October with a long sales cycle: 300 leads, 15 won so far,
      the other
      285 still open at the year's end (cost 15 000): too early to judge, not a drop.
    """
    b = _Builder()
    b.tactic(
        "paid_search",
        "Good",
        leads=480,
        won=120,
        spend_new=400.0,
        cost_per_month=1_000.0,
        base=120,
        base_acquired="2024-06-01",
        base_spend=400.0,
        base_churned=24,
    )
    b.tactic(
        "display",
        "Old glory",
        leads=120,
        won=30,
        spend_new=200.0,
        cost_per_month=1_000.0,
        base=300,
        base_spend=200.0,
        base_churned=60,
    )
    b.tactic(
        "social_paid",
        "Trap",
        leads=480,
        won=120,
        spend_new=150.0,
        cost_per_month=1_000.0,
        base=50,
        base_acquired="2024-02-01",
        base_churned=50,
        churn_date="2025-01-15",
    )
    b.tactic(
        "email",
        "Newsletter",
        leads=240,
        won=60,
        spend_new=100.0,
        cost_per_month=2_000.0 / 12,
        base=200,
        base_spend=100.0,
    )
    b.tactic("organic_search", "Blog", leads=1_200, won=300, spend_new=100.0, cost_per_month=0.0)
    b.tactic(
        "events",
        "Autumn launch",
        leads=300,
        won=15,
        spend_new=300.0,
        cost_per_month=5_000.0,
        first_month=10,
        unwon="open",
    )
    return b.write(folder, 'tactic_kinds: {"email/Newsletter": retention}\n')


def funnel_client(folder: Path) -> Path:
    """Fair funnel benchmarks: each stage is judged against the rest of its channel, else its own
    last year, never
    the portfolio mix alone. Every customer buys 200 once, in the month the lead came in (margin
    0.5: 100 each);
    customers of 2024 buy nothing in 2025, so nothing is projected and value acquired = 100 x new
    customers.

    - paid_search/Search A: 24 000 visits, 1 200 leads (5 %), 300 won (25 %), cost 12 000: ROI +150
      %, keep.
    - paid_search/Search B: two weak stages against Search A (the rest of its channel): visit ->
      lead 2 % (480 of
      24 000) and lead -> customer 10 % (48 of 480); cost 12 000, ROI (4 800 - 12 000) / 12 000 =
      -60 %. Both lifted
      to Search A's rates: 24 000 x 5 % x 25 % = 300 customers, ROI +150 %: optimise, both stages
      named.
    - organic_search/Blog and organic_search/Guides: 0.5 % and 0.55 % visit -> lead, 25 % and 25.5 %
      lead ->
      customer, normal for their channel but far under the paid tactics (the portfolio mix); Blog
      costs 12 000 for
      75 customers (ROI -37.5 %): drop, not optimise on the portfolio mix. Guides costs 6 000 for 84
      (+40 %).
    - email/Newsletter, the only tactic of its channel: lead -> customer fell from 25 % (150 of 600)
      in 2024 to
      10 % (60 of 600); visit -> lead held at 5 %. Cost 12 000, ROI -50 %; back at last year's 25 %:
      150
      customers, ROI +25 %: optimise against its own last year.
    - social_organic/Page, alone in its channel and new this year: 20 000 visits, 100 leads, 25 won,
      cost 12 000
      (ROI -79 %): no fair benchmark, so no stage is judged; drop, the portfolio figures shown as
      context only.
    """
    b = _Builder()
    b.tactic(
        "paid_search",
        "Search A",
        visits=24_000,
        leads=1_200,
        won=300,
        spend_new=200.0,
        cost_per_month=1_000.0,
    )
    b.tactic(
        "paid_search",
        "Search B",
        visits=24_000,
        leads=480,
        won=48,
        spend_new=200.0,
        cost_per_month=1_000.0,
    )
    b.tactic(
        "organic_search",
        "Blog",
        visits=60_000,
        leads=300,
        won=75,
        spend_new=200.0,
        cost_per_month=1_000.0,
    )
    b.tactic(
        "organic_search",
        "Guides",
        visits=60_000,
        leads=330,
        won=84,
        spend_new=200.0,
        cost_per_month=500.0,
    )
    b.tactic(
        "email",
        "Newsletter",
        visits=12_000,
        leads=600,
        won=60,
        spend_new=200.0,
        cost_per_month=1_000.0,
        last_year=(12_000, 600, 150),
    )
    b.tactic(
        "social_organic",
        "Page",
        visits=20_000,
        leads=100,
        won=25,
        spend_new=200.0,
        cost_per_month=1_000.0,
    )
    return b.write(folder)
