"""KPI formulas against numbers computed by hand or published in the seeds."""

import math


import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_helpers as kh


@pytest.mark.parametrize(
    "cost, revenue, expected",
    [
        (100_000, 250_000, 1.50),  # seed S4 worked example: ROI 150 %
        (100_000, 150_000, 0.50),  # seed S4 worked example: ROI 50 %
    ],
)
def test_roi_net_matches_seed_examples(cost, revenue, expected):
    assert kh.roi(revenue, cost) == pytest.approx(expected)


def test_roi_variants_by_hand():
    # gross: 250 000 / 100 000 = 2.5; margin 40 %: (250 000 * 0.4 - 100 000) / 100 000 = 0
    assert kh.roi(250_000, 100_000, variant="gross") == pytest.approx(2.5)
    assert kh.roi(250_000, 100_000, variant="margin", margin=0.4) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="needs margin="):
        kh.roi(1, 1, variant="margin")
    with pytest.raises(ValueError, match="unknown variant"):
        kh.roi(1, 1, variant="nett")


@pytest.mark.parametrize(
    "fn, args, expected",
    [
        (kh.roas, (5_000, 1_000), 5.0),  # 5 000 revenue on 1 000 ad spend
        (kh.cpl, (100_000, 250), 400.0),  # STYLE.md example
        (kh.cac, (90_000, 30), 3_000.0),
        (kh.conversion_rate, (30, 1_000), 0.03),
        (kh.traffic_to_lead, (45, 1_500), 0.03),
        (kh.stage_conversion, (40, 200), 0.2),  # MQL -> SQL: 40 of 200
        (kh.close_rate, (25, 75), 0.25),  # 25 won of 100 closed
        (kh.average_order_value, (12_000, 300), 40.0),
        (kh.ltv_cac, (900, 300), 3.0),
    ],
)
def test_formulas_by_hand(fn, args, expected):
    assert fn(*args) == pytest.approx(expected)


def test_ltv_simple_is_aov_times_frequency_times_lifetime():
    # S0: 40 per order x 3 orders a year x 2.5 years = 300
    assert kh.ltv(40.0, 3.0, 2.5) == pytest.approx(300.0)


@pytest.mark.parametrize(
    "fn", [kh.roi, kh.roas, kh.cpl, kh.cac, kh.conversion_rate, kh.average_order_value]
)
def test_zero_or_missing_denominator_is_nan(fn):
    assert math.isnan(fn(10, 0))
    assert math.isnan(fn(10, float("nan")))
    assert math.isnan(fn(10, None))


def test_series_zero_denominator_gives_nan_not_inf():
    out = kh.cpl(pd.Series([100.0, 50.0, 0.0]), pd.Series([4, 0, 0]))
    assert out.iloc[0] == 25.0
    assert out.iloc[1:].isna().all()


def test_group_kpi_is_ratio_of_totals_not_mean_of_ratios():
    # two tactics: 10/100 and 90/100 leads per visit -> the group converts 100 / 200 = 0.5;
    # weighting matters: 10/100 and 1/1 -> 11 / 101, not the mean (0.1 + 1.0) / 2 = 0.55
    visits, leads = pd.Series([100, 1]), pd.Series([10, 1])
    assert kh.traffic_to_lead(leads.sum(), visits.sum()) == pytest.approx(11 / 101)
    assert kh.traffic_to_lead(leads, visits).mean() == pytest.approx(0.55)


def test_nps_by_hand():
    # 3 promoters (9, 10, 10), 2 passives (7, 8), 5 detractors (0..6) of 10: (3 - 5) / 10 = -20
    assert kh.nps([9, 10, 10, 7, 8, 0, 3, 5, 6, 6]) == pytest.approx(-20.0)
    # passives count in the denominator: 1 promoter, 3 passives -> +25
    assert kh.nps([10, 7, 7, 8]) == pytest.approx(25.0)
    assert math.isnan(kh.nps([]))
    with pytest.raises(ValueError, match="outside the 0-10 scale"):
        kh.nps([11])


# --- the rest of the catalogue (sections 1-5), each against a hand calculation
# ---------------------


@pytest.mark.parametrize(
    "fn, args, kwargs, expected",
    [
        (kh.cost_per_mql, (9_000, 60), {}, 150.0),  # 9 000 / 60
        (kh.cost_per_sql, (9_000, 20), {}, 450.0),  # 9 000 / 20
        (kh.cpa, (1_200, 40), {}, 30.0),
        (kh.cpc, (500, 1_000), {}, 0.5),
        (kh.cpm, (300, 150_000), {}, 2.0),  # 300 / 150 000 x 1 000
        (kh.ctr, (150, 10_000), {}, 0.015),
        (kh.cac, (20_000, 50), {"variant": "paid"}, 400.0),  # media spend only
        (kh.cpl, (20_000, 400), {"variant": "media_only"}, 50.0),
        (kh.conversion_rate, (30, 600), {"variant": "users"}, 0.05),
        (kh.close_rate, (25,), {"denominator": 200, "variant": "sql"}, 0.125),
        (kh.close_rate, (25,), {"denominator": 50, "variant": "opportunities"}, 0.5),
        (kh.ltv_cac, (900, 300), {}, 3.0),
        (kh.cac_payback, (600, 100), {"margin": 0.5}, 12.0),  # 600 / (100 x 0.5) months
        (kh.cac_payback, (600, 100), {"variant": "revenue"}, 6.0),
        (kh.roi, (400_000, 100_000), {"variant": "gross"}, 4.0),
        (
            kh.roi,
            (130_000, 100_000),
            {"variant": "sales_growth"},
            0.3,
        ),  # S3: (growth 130 000 - 100 000) / 100 000
        (kh.bounce_rate, (450, 1_000), {}, 0.45),
        (
            kh.bounce_rate,
            (120, 1_000),
            {"variant": "yandex"},
            0.12,
        ),  # short single-page visits / visits
        (
            kh.bounce_rate,
            (),
            {"visits": 1_000, "engaged": 620, "variant": "ga4"},
            0.38,
        ),  # 1 - 620 / 1 000
        (kh.pages_per_visit, (2_600, 1_000), {}, 2.6),
        (kh.average_session_duration, (95_000, 1_000), {}, 95.0),
        (kh.repeat_visitor_rate, (300, 1_200), {}, 0.25),
        (kh.traffic_share, (250, 1_000), {}, 0.25),
        (kh.growth, (1_200, 1_000), {}, 0.2),
        (kh.engagement_rate, (80, 15, 5, 2_000), {}, 0.05),  # (80 + 15 + 5) / 2 000 reach
        (kh.engagement_rate, (80, 15, 5, 10_000), {"variant": "impressions"}, 0.01),
        (kh.follower_growth, (1_150, 1_000), {}, 0.15),
        (kh.average_interaction_time, (3_000, 120), {}, 25.0),
        (kh.attendance_rate, (45, 60), {}, 0.75),
        (kh.churn_rate, (12, 400), {}, 0.03),  # S2: lost / start
        (kh.retention_rate, (420, 50, 400), {}, 0.925),  # (420 - 50) / 400
        (kh.repeat_purchase_rate, (30, 120), {}, 0.25),
    ],
)
def test_catalogue_formulas_by_hand(fn, args, kwargs, expected):
    assert fn(*args, **kwargs) == pytest.approx(expected)


def test_ltv_variants_by_hand():
    assert kh.ltv(40.0, 3.0, 2.5, variant="margin", margin=0.4) == pytest.approx(120.0)  # 300 x 0.4
    # churn: ARPA 100 x margin 0.5 / churn 5 % = 1 000
    assert kh.ltv(arpa=100, margin=0.5, churn_rate=0.05, variant="churn") == pytest.approx(1_000.0)
    # discounted: m = 50, r = 0.8, d = 0.1 -> 50 x 0.8 / (1 + 0.1 - 0.8) = 40 / 0.3
    assert kh.ltv(
        arpa=100, margin=0.5, retention_rate=0.8, discount_rate=0.1, variant="discounted"
    ) == pytest.approx(40 / 0.3)
    assert kh.ltv(cumulative_revenue=12_000, customers=40, variant="cohort") == pytest.approx(300.0)
    with pytest.raises(ValueError, match="needs arpa= and margin="):
        kh.ltv(variant="churn", churn_rate=0.1)


def test_csat_top_two_boxes():
    # 1-5 scale: 4 and 5 satisfied -> 3 of 5
    assert kh.csat([5, 4, 3, 2, 5]) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="outside the 1-5 scale"):
        kh.csat([0])


def test_marketing_sourced_revenue_and_complement():
    rev = pd.Series([100.0, 50.0, 25.0])
    assert kh.marketing_sourced_revenue(rev, [True, False, True]) == (125.0, 50.0)


@pytest.mark.parametrize(
    "fn, kwargs", [(kh.ltv, {}), (kh.cpl, {}), (kh.bounce_rate, {}), (kh.cac, {})]
)
def test_unknown_variant_names_the_choices(fn, kwargs):
    with pytest.raises(ValueError, match="unknown variant 'x'; use one of"):
        fn(1, 1, variant="x")


counts = st.integers(min_value=0, max_value=10**9)


@given(counts, counts)
def test_rates_are_fractions_or_nan(a, b):
    lo, hi = min(a, b), max(a, b)
    r = kh.conversion_rate(lo, hi)
    assert (hi == 0 and math.isnan(r)) or 0.0 <= r <= 1.0


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=200))
def test_nps_is_within_bounds(scores):
    assert -100.0 <= kh.nps(scores) <= 100.0


@given(
    st.lists(st.tuples(counts, st.integers(min_value=1, max_value=10**9)), min_size=1, max_size=30)
)
def test_ratio_of_totals_equals_pooled_ratio(rows):
    num = pd.Series([n for n, _ in rows], dtype="float64")
    den = pd.Series([d for _, d in rows], dtype="float64")
    # pooled by hand: sum of numerators over sum of denominators
    assert kh.ratio(num.sum(), den.sum()) == pytest.approx(
        sum(n for n, _ in rows) / sum(d for _, d in rows)
    )


@given(
    st.floats(min_value=0.01, max_value=1e9),
    st.integers(min_value=1, max_value=10**6),
    st.floats(min_value=0.1, max_value=100),
)
def test_scaling_money_scales_cpl_and_cac_linearly(cost, n, k):
    assert kh.cpl(cost * k, n) == pytest.approx(k * kh.cpl(cost, n), rel=1e-9)
    assert kh.cac(cost * k, n) == pytest.approx(k * kh.cac(cost, n), rel=1e-9)
