"""KPI formulas against numbers computed by hand or published in the seeds."""

import math

import pandas as pd
import pytest

import kpi_helpers as kh


@pytest.mark.parametrize("cost, revenue, expected", [
    (100_000, 250_000, 1.50),  # seed S4 worked example: ROI 150 %
    (100_000, 150_000, 0.50),  # seed S4 worked example: ROI 50 %
])
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


@pytest.mark.parametrize("fn, args, expected", [
    (kh.roas, (5_000, 1_000), 5.0),  # 5 000 revenue on 1 000 ad spend
    (kh.cpl, (100_000, 250), 400.0),  # STYLE.md example
    (kh.cac, (90_000, 30), 3_000.0),
    (kh.conversion_rate, (30, 1_000), 0.03),
    (kh.traffic_to_lead, (45, 1_500), 0.03),
    (kh.stage_conversion, (40, 200), 0.2),  # MQL -> SQL: 40 of 200
    (kh.close_rate, (25, 75), 0.25),  # 25 won of 100 closed
    (kh.average_order_value, (12_000, 300), 40.0),
    (kh.ltv_cac, (900, 300), 3.0),
])
def test_formulas_by_hand(fn, args, expected):
    assert fn(*args) == pytest.approx(expected)


def test_ltv_simple_is_aov_times_frequency_times_lifetime():
    # S0: 40 per order x 3 orders a year x 2.5 years = 300
    assert kh.ltv(40.0, 3.0, 2.5) == pytest.approx(300.0)


@pytest.mark.parametrize("fn", [kh.roi, kh.roas, kh.cpl, kh.cac, kh.conversion_rate, kh.average_order_value])
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
