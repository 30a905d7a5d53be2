"""Scorecard, cost allocation, plan vs actual and funnel on the tiny client, checked by hand."""

import pytest

import kpi_helpers as kh


@pytest.fixture
def rv(tiny_client):
    return kh.build_review(tiny_client, run_date="2026-01-15")


def _row(sc, year, channel=None, tactic=None):
    sel = sc["year"] == year
    sel &= sc["channel"].isna() if channel is None else sc["channel"].eq(channel)
    sel &= sc["tactic"].isna() if tactic is None else sc["tactic"].eq(tactic)
    assert sel.sum() == 1
    return sc[sel].iloc[0]


def test_shared_costs_allocated_in_proportion_to_direct_cost(rv):
    # 2025 direct: Search A 1 200, Newsletter 600; shared overhead 720 -> 480 and 240
    sa, nl = (
        _row(rv.scorecard, 2025, "paid_search", "Search A"),
        _row(rv.scorecard, 2025, "email", "Newsletter"),
    )
    assert sa["cost"] == pytest.approx(1_680)
    assert nl["cost"] == pytest.approx(840)


def test_tactic_kpis_by_hand(rv):
    sa = _row(rv.scorecard, 2025, "paid_search", "Search A")
    assert sa["roi"] == pytest.approx((6_000 - 1_680) / 1_680)  # no margin in config -> net ROI
    assert sa["roas"] == pytest.approx(6_000 / 1_200)
    assert sa["cpl"] == pytest.approx(1_680 / 600)
    assert sa["cac"] == pytest.approx(1_680 / 120)
    assert sa["traffic_to_lead"] == pytest.approx(600 / 12_000)


def test_portfolio_is_ratio_of_totals(rv):
    pf = _row(rv.scorecard, 2025)
    assert pf["roi"] == pytest.approx(
        (9_600 - 2_520) / 2_520
    )  # 2.8095..., not the mean of 2.571 and 3.286
    assert pf["traffic_to_lead"] == pytest.approx(840 / 13_200)
    assert pf["aov"] == pytest.approx(9_600 / 192)


def test_margin_roi_used_when_margin_known(tmp_path):
    from conftest import write_tiny_client

    cfg = write_tiny_client(tmp_path / "m", extra_yaml="gross_margin: 0.5\n")
    sc = kh.build_review(cfg).scorecard
    sa = _row(sc, 2025, "paid_search", "Search A")
    assert sa["roi"] == pytest.approx((6_000 * 0.5 - 1_680) / 1_680)
    assert sa["roi_net"] == pytest.approx((6_000 - 1_680) / 1_680)


def test_plan_vs_actual(rv):
    plan = rv.plan.set_index("kpi")
    # revenue target: last year 9 600 x 1.1 = 10 560; actual 9 600 -> 90.9 % -> close
    assert plan.loc["revenue", "target"] == pytest.approx(10_560)
    assert plan.loc["revenue", "attainment"] == pytest.approx(9_600 / 10_560)
    assert plan.loc["revenue", "status"] == "close"
    # CAC (lower is better): target 20, actual 2 520 / 180 = 14 -> 20 / 14 attained, met
    assert plan.loc["cac", "actual"] == pytest.approx(14.0)
    assert plan.loc["cac", "status"] == "met"


def test_year_over_year_change(tmp_path):
    from conftest import write_tiny_client

    def grow(df):
        df = df.copy()
        sel = df["period"].str.startswith("2025") & (df["tactic"] == "Search A")
        df.loc[sel, "leads"] = 60  # 50 -> 60 leads a month on the same 1 000 visits
        return df

    y = kh.build_review(write_tiny_client(tmp_path / "y", activity_edit=grow)).yoy
    y = y.set_index(["channel", "tactic"]).loc[("paid_search", "Search A")]
    assert y["leads_prev"] == pytest.approx(600) and y["leads_change"] == pytest.approx(
        0.2
    )  # counts: relative
    # rates: a change in points (as a fraction): 720 / 12 000 - 600 / 12 000 = 0.01
    assert y["traffic_to_lead_change"] == pytest.approx(0.01)


def test_funnel_rates(rv):
    f = rv.funnel.set_index("channel")
    assert f.loc["email", "visits→leads"] == pytest.approx(240 / 1_200)
    assert f.loc["all channels", "leads→customers"] == pytest.approx(180 / 840)


def test_missing_month_is_a_data_quality_note(tmp_path):
    from conftest import write_tiny_client

    cfg = write_tiny_client(tmp_path / "g", activity_edit=lambda df: df[df["period"] != "2025-07"])
    rv = kh.build_review(cfg)
    assert any("month(s) 7 of 2025" in note for note in rv.data_quality)


def test_monthly_trend_has_both_years(rv):
    t = rv.trend
    assert sorted(t["year"].unique()) == [2024, 2025]
    assert t.loc[t["period"] == "2025-03-01", "cost"].iloc[0] == pytest.approx(210)


def test_more_scorecard_kpis_by_hand(tmp_path):
    from conftest import write_tiny_client

    def extra(df):
        # Search A gets 200 000 impressions and 1 100 clicks a month; every visit views 3 pages
        df = df.assign(pageviews=df["visits"] * 3)
        df["impressions"] = df["channel"].map({"paid_search": 200_000}).astype("float64")
        return df

    sc = kh.build_review(write_tiny_client(tmp_path / "x", activity_edit=extra)).scorecard
    sa, pf = _row(sc, 2025, "paid_search", "Search A"), _row(sc, 2025)
    assert sa["cpm"] == pytest.approx(
        1_200 / 2_400_000 * 1_000
    )  # 12 x 100 spend over 12 x 200 000 impressions
    assert sa["cac_paid"] == pytest.approx(1_200 / 120)  # media spend only
    assert pf["pages_per_visit"] == pytest.approx(3.0)
    assert sa["traffic_share"] == pytest.approx(12_000 / 13_200)
    # without orders and customers tables there is no revenue per customer: no LTV, no payback
    assert "ltv" not in sc and "cac_payback" not in sc


def test_availability_names_missing_data(rv):
    a = rv.availability.set_index("kpi")
    assert a.loc["roi", "status"] == "shown"
    assert (
        a.loc["nps", "status"] == "not available" and a.loc["nps", "needs"] == "an NPS survey table"
    )
    assert "activity column 'mql'" in a.loc["mql_to_sql", "needs"]
