"""The KPI registry owns each KPI: its entry names the function, and the scorecard, glossary, lists
and
``kpi-review kpis`` follow the entry. Every number here is worked out by hand in the comment beside
it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.analysis import review
from kpi_helpers.metrics import catalog, kpis, kpis_audience
from kpi_helpers.metrics.catalog import KPI, REGISTRY, add_kpis


def _row(sc, year, channel=None, tactic=None):
    sel = sc["year"] == year
    sel &= sc["channel"].isna() if channel is None else sc["channel"].eq(channel)
    sel &= sc["tactic"].isna() if tactic is None else sc["tactic"].eq(tactic)
    assert sel.sum() == 1
    return sc[sel].iloc[0]


# --- the functions the registry names that had no check of their own
# ----------------------------------


def test_scorecard_variant_functions_by_hand():
    # ROI: margin 30 %: (100 000 x 0.3 - 40 000) / 40 000 = -0.25; without a margin (250 000 - 100
    # 000) / 100 000
    assert kpis.roi_margin_or_net(100_000, 40_000, gross_margin=0.3) == pytest.approx(-0.25)
    assert kpis.roi_margin_or_net(250_000, 100_000) == pytest.approx(1.5)
    # LTV: 40 per order x 3 orders a year x 2.5 years = 300; x margin 0.4 = 120
    assert kpis.ltv_margin_or_simple(40.0, 3.0, lifetime_years=2.5) == pytest.approx(300.0)
    assert kpis.ltv_margin_or_simple(
        40.0, 3.0, lifetime_years=2.5, gross_margin=0.4
    ) == pytest.approx(120.0)
    # payback: 24 000 revenue / 20 customers = 1 200 a year = 100 a month; CAC 600 / 100 = 6; x
    # margin 0.5: 12
    assert kpis.cac_payback_margin_or_revenue(600, 24_000, 20) == pytest.approx(6.0)
    assert kpis.cac_payback_margin_or_revenue(600, 24_000, 20, gross_margin=0.5) == pytest.approx(
        12.0
    )
    assert math.isnan(kpis.cac_payback_margin_or_revenue(600, 24_000, 0))


def test_counts_functions_by_hand():
    # 45 promoters, 20 detractors of 100 answers: 45 % - 20 % = 25 points
    assert kpis_audience.net_promoter_score(45, 20, 100) == pytest.approx(25.0)
    assert math.isnan(kpis_audience.net_promoter_score(0, 0, 0))
    assert kpis_audience.csat_rate(3, 5) == pytest.approx(0.6)  # 3 satisfied of 5
    assert kpis_audience.purchase_frequency(360, 120) == pytest.approx(
        3.0
    )  # 360 orders by 120 customers
    assert kh.customer_profitability(12_000, 7_500) == 4_500  # S2: revenue - direct costs


def test_nps_classes_are_those_of_the_definition():
    # S1, S2: promoters answer 9-10, detractors 0-6, passives 7-8
    scores = pd.Series(range(11))
    assert scores[kpis_audience.is_promoter(scores)].tolist() == [9, 10]
    assert scores[kpis_audience.is_detractor(scores)].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert pd.Series(range(1, 6))[kpis_audience.is_satisfied(pd.Series(range(1, 6)))].tolist() == [
        4,
        5,
    ]


def test_one_nps_formula_for_scores_counts_and_interval():
    # 3 promoters (9, 10, 10), 2 passives, 5 detractors of 10 answers: (3 - 5) / 10 = -20 points
    scores = [9, 10, 10, 7, 8, 0, 3, 5, 6, 6]
    assert kh.nps(scores) == pytest.approx(-20.0)
    assert kh.nps_ci(scores)["nps"].iloc[0] == pytest.approx(-20.0)
    assert kpis_audience.net_promoter_score(3, 5, 10) == pytest.approx(-20.0)


def test_functions_work_on_series_with_zero_denominators():
    num, den = pd.Series([30.0, 5.0, 1.0]), pd.Series([1_000, 0, None], dtype="float64")
    for k in catalog.computation_order():
        if (
            len(k.totals) == 2
            and not k.settings
            and k.id not in ("roi_net", "close_rate", "churn_rate")
        ):
            out = k(num, den)
            assert isinstance(out, pd.Series), k.id
            assert out.iloc[1:].isna().all(), k.id  # zero or missing denominator: n/a, never inf


# --- the registry computes the scorecard
# ---------------------------------------------------------------


def test_add_kpis_on_hand_made_totals():
    # one group: cost 2 000, spend 1 500, revenue 10 000, 4 000 visits, 200 leads, 40 customers, 50
    # orders
    t = pd.DataFrame(
        {
            "cost": [2_000.0],
            "spend": [1_500.0],
            "revenue": [10_000.0],
            "visits": [4_000.0],
            "leads": [200.0],
            "customers": [40.0],
            "orders": [50.0],
            "clicks": [3_000.0],
            "impressions": [300_000.0],
            "bounces": [1_800.0],
            "promoters": [30.0],
            "detractors": [10.0],
            "responses": [80.0],
            "cust_orders": [90.0],
            "ordering_customers": [30.0],
        }
    )
    out = add_kpis(t, gross_margin=0.5, lifetime_years=2.0).iloc[0]
    assert out["roi"] == pytest.approx((10_000 * 0.5 - 2_000) / 2_000)  # 1.5, margin-based
    assert out["roi_net"] == pytest.approx(4.0)  # (10 000 - 2 000) / 2 000
    assert out["cac"] == pytest.approx(50.0)  # 2 000 / 40
    assert out["cac_paid"] == pytest.approx(37.5)  # 1 500 / 40
    assert out["ctr"] == pytest.approx(0.01)  # 3 000 / 300 000
    assert out["cpc"] == pytest.approx(0.5)  # 1 500 / 3 000
    assert out["cpm"] == pytest.approx(5.0)  # 1 500 / 300 000 x 1 000
    assert out["bounce_rate"] == pytest.approx(0.45)  # 1 800 / 4 000
    assert out["nps"] == pytest.approx(25.0)  # (30 - 10) / 80 x 100
    assert out["aov"] == pytest.approx(200.0)  # 10 000 / 50
    assert out["purchase_frequency"] == pytest.approx(3.0)  # 90 / 30
    assert out["ltv"] == pytest.approx(
        200 * 3 * 2 * 0.5
    )  # AOV x frequency x 2 years x margin = 600
    assert out["ltv_cac"] == pytest.approx(600 / 50)
    assert out["cac_payback"] == pytest.approx(50 / (10_000 / 30 / 12 * 0.5))  # 3.6 months
    assert "csat" not in out and "close_rate" not in out  # inputs absent: left out, never 0


def test_computation_order_puts_dependencies_first():
    order = [k.id for k in catalog.computation_order()]
    for k in catalog.computation_order():
        for t in k.totals:
            if t in order:
                assert order.index(t) < order.index(k.id), (k.id, t)


def test_a_cycle_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(
        REGISTRY,
        "a_kpi",
        KPI("a_kpi", "A", "ratio", "higher", "b", compute=kpis.ratio, totals=("b_kpi", "visits")),
    )
    monkeypatch.setitem(
        REGISTRY,
        "b_kpi",
        KPI("b_kpi", "B", "ratio", "higher", "a", compute=kpis.ratio, totals=("a_kpi", "visits")),
    )
    with pytest.raises(ValueError, match="a_kpi, b_kpi depend on each other"):
        catalog.computation_order()


def test_bad_entries_are_refused():
    with pytest.raises(ValueError, match="needs a function and the totals"):
        KPI("x", "X", "rate", "higher", "x", compute=kpis.ratio)
    with pytest.raises(ValueError, match="unknown setting"):
        KPI(
            "x",
            "X",
            "rate",
            "higher",
            "x",
            compute=kpis.ratio,
            totals=("a", "b"),
            settings=("margin",),
        )
    with pytest.raises(TypeError, match="no compute function"):
        REGISTRY["revenue"](1, 2)


def test_lists_come_from_the_registry():
    from kpi_helpers.analysis.annual import HEADLINE_KPIS, SCORECARD_KPIS
    from kpi_helpers.analysis.benchmarks import BENCHMARK_KPIS

    assert HEADLINE_KPIS == ("revenue", "cost", "roi", "customers", "cac", "leads", "nps")
    assert SCORECARD_KPIS[:10] == (
        "cost",
        "spend",
        "visits",
        "leads",
        "mql",
        "sql",
        "customers",
        "orders",
        "revenue",
        "roi",
    )
    assert BENCHMARK_KPIS[0] == "roi" and "nps" in BENCHMARK_KPIS
    positions = [k.scorecard for k in REGISTRY.values() if k.scorecard is not None]
    assert len(positions) == len(set(positions))  # no two KPIs share a place


def test_computed_by_names_the_function():
    assert catalog.computed_by("cac") == "kpis.cac(cost, customers)"
    assert catalog.computed_by("cac_paid") == "kpis.cac(spend, customers, variant='paid')"
    assert (
        catalog.computed_by("nps")
        == "kpis_audience.net_promoter_score(promoters, detractors, responses)"
    )
    assert catalog.computed_by("revenue") == ""
    assert (
        catalog.catalogue().set_index("id").loc["ctr", "computed_by"]
        == "kpis.ctr(clicks, impressions)"
    )


# --- adding a KPI is one function and one entry
# ---------------------------------------------------------


def revenue_per_visit(revenue, visits):
    """The throwaway KPI's function: revenue / visits."""
    return kpis.ratio(revenue, visits)


@pytest.fixture
def throwaway_kpi(monkeypatch):
    """One new entry in the registry (restored afterwards), placed in the scorecard after
    revenue."""
    entry = KPI(
        "revenue_per_visit",
        "Revenue per visit",
        "money",
        "higher",
        "revenue / visits",
        inputs=("revenue", "visits"),
        section="traffic",
        compute=revenue_per_visit,
        totals=("revenue", "visits"),
        scorecard=95,
    )
    monkeypatch.setitem(REGISTRY, entry.id, entry)
    return entry


def test_a_new_entry_reaches_the_scorecard_and_the_report(tiny_client, throwaway_kpi, capsys):
    rv = kh.build_review(tiny_client, run_date="2026-01-15")
    # Search A: 12 x 500 revenue / 12 x 1 000 visits = 0.5; all channels: 12 x 800 / 12 x 1 100
    assert _row(rv.scorecard, 2025, "paid_search", "Search A")[
        "revenue_per_visit"
    ] == pytest.approx(0.5)
    assert _row(rv.scorecard, 2025)["revenue_per_visit"] == pytest.approx(9_600 / 13_200)
    ids = rv.kpi_ids
    assert (
        ids[ids.index("revenue") + 1] == "revenue_per_visit"
    )  # scorecard=95: between revenue (90) and roi (100)
    assert "revenue_per_visit" in rv.scorecard_export().columns
    assert "revenue_per_visit_change" in rv.yoy.columns
    assert "Revenue per visit" in rv.tables()["glossary"]["KPI"].tolist()
    assert rv.availability.set_index("kpi").loc["revenue_per_visit", "status"] == "shown"
    # kpi_table, any grouping: by channel, email 12 x 300 / 12 x 100 = 3.0
    by_channel = review.kpi_table(rv.data, ("channel",), years=2025).set_index("channel")
    assert by_channel.loc["email", "revenue_per_visit"] == pytest.approx(3.0)
    from kpi_helpers.run.cli import main

    assert main(["kpis"]) == 0
    assert "= test_registry.revenue_per_visit(revenue, visits)" in capsys.readouterr().out


def test_a_new_entry_without_its_inputs_is_left_out(tiny_client, monkeypatch):
    monkeypatch.setitem(
        REGISTRY,
        "cost_per_registration",
        KPI(
            "cost_per_registration",
            "Cost per registration",
            "money",
            "lower",
            "cost / registrations",
            inputs=("costs", "registrations"),
            compute=kpis.ratio,
            totals=("cost", "registrations"),
            scorecard=155,
        ),
    )
    rv = kh.build_review(tiny_client, run_date="2026-01-15")
    assert "cost_per_registration" not in rv.scorecard and "cost_per_registration" not in rv.kpi_ids
    assert (
        rv.availability.set_index("kpi").loc["cost_per_registration", "status"] == "not available"
    )
