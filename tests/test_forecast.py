"""Next year's forecast (kpi_helpers.analysis.forecast) against statsmodels fitted directly and
hand-computed numbers."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from kpi_helpers.analysis import forecast as F


def seasonal_series(months: int = 36, seed: int = 1) -> pd.Series:
    """Known trend (+2 a month) and seasonality (amplitude 20, period 12) around 200, small
    noise."""
    t = np.arange(months)
    noise = np.random.default_rng(seed).normal(0, 2, months)
    return pd.Series(
        200 + 2 * t + 20 * np.sin(2 * np.pi * t / 12) + noise,
        index=pd.date_range("2022-01-01", periods=months, freq="MS"),
    )


def test_ets_forecast_and_interval_match_statsmodels_directly():
    y = seasonal_series()
    monthly, total = F.forecast_series(y, seed=7)
    # Reference: statsmodels' ETSModel fitted here with the documented specification, both
    # seasonalities,
    # the lower AIC kept; simulated years with the same seed.
    fits = [
        ETSModel(
            y.reset_index(drop=True),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal=s,
            seasonal_periods=12,
            initialization_method="heuristic",
        ).fit(disp=False)
        for s in ("add", "mul")
    ]
    ref = min(fits, key=lambda f: f.aic)
    point = np.asarray(ref.forecast(12))
    sims = np.asarray(
        ref.simulate(12, anchor="end", repetitions=2000, rng=np.random.default_rng(7))
    ).reshape(12, -1)
    assert total["forecast"] == pytest.approx(point.sum(), rel=1e-9)
    assert total["ci_low"] == pytest.approx(np.quantile(sims.sum(0), 0.05), rel=1e-9)
    assert total["ci_high"] == pytest.approx(np.quantile(sims.sum(0), 0.95), rel=1e-9)
    np.testing.assert_allclose(monthly["ci_high"], np.quantile(sims, 0.95, axis=1), rtol=1e-9)
    assert total["method"].startswith("ETS(A,Ad,")


def test_ets_forecast_follows_the_known_trend_and_season():
    y = seasonal_series()
    monthly, total = F.forecast_series(y, seed=0)
    t = np.arange(36, 48)  # the true continuation without noise, by hand from the construction
    truth = 200 + 2 * t + 20 * np.sin(2 * np.pi * t / 12)
    assert total["forecast"] == pytest.approx(truth.sum(), rel=0.03)  # a damped trend lags a little
    assert total["ci_low"] < truth.sum() < total["ci_high"]
    # the seasonal shape: the forecast peaks in the months the sine peaks (months 3-4 of the year)
    assert monthly["forecast"].idxmax() in (2, 3, 4)


def test_short_series_fall_back_to_seasonal_naive_and_none_under_twelve():
    y = pd.Series([10.0] * 6 + [20.0] * 6, index=pd.date_range("2024-01-01", periods=12, freq="MS"))
    monthly, total = F.forecast_series(y)
    assert total["method"] == "seasonal naive" and monthly["forecast"].tolist() == y.tolist()
    # by hand: sd of six 10s and six 20s (ddof 1) = sqrt(12 * 25 / 11); z(0.95) = 1.6449
    s, z = np.sqrt(300 / 11), 1.6448536269514722
    assert total["ci_high"] == pytest.approx(180 + z * s * np.sqrt(12))
    assert F.forecast_series(y.iloc[:11]) is None


def test_backtest_error_by_hand():
    # one year at 10 a month, then one at 12: the seasonal-naive backtest forecasts 120 for an
    # actual 144
    y = [10.0] * 12 + [12.0] * 12
    h = pd.DataFrame(
        {"channel": "all", "period": pd.date_range("2024-01-01", periods=24, freq="MS"), "leads": y}
    )
    b = F.backtest(h).iloc[0]
    assert b["bias"] == pytest.approx((120 - 144) / 144)
    assert b["smape"] == pytest.approx(2 * 2 / 22)  # every month: 2|10 - 12| / (10 + 12)
    assert not b["inside"]  # the interval of a constant year has no width
    assert F.smape([0, 5], [0, 5]) == 0.0


def test_proposed_budget_scales_cost_and_results_by_elasticity_or_proportionally():
    annual = pd.DataFrame(
        [
            {
                "channel": "all",
                "metric": "revenue",
                "scenario": "current_budget",
                "last_year": 300.0,
                "forecast": 330.0,
                "ci_low": 300.0,
                "ci_high": 360.0,
            },
            {
                "channel": "email",
                "metric": "revenue",
                "scenario": "current_budget",
                "last_year": 100.0,
                "forecast": 110.0,
                "ci_low": 100.0,
                "ci_high": 120.0,
            },
            {
                "channel": "email",
                "metric": "cost",
                "scenario": "current_budget",
                "last_year": 10.0,
                "forecast": 10.0,
                "ci_low": 9.0,
                "ci_high": 11.0,
            },
            {
                "channel": "paid_search",
                "metric": "revenue",
                "scenario": "current_budget",
                "last_year": 200.0,
                "forecast": 220.0,
                "ci_low": 200.0,
                "ci_high": 240.0,
            },
        ]
    ).reindex(columns=F.FORECAST_COLUMNS)
    budget = pd.DataFrame(
        {
            "channel": ["email", "email", "paid_search"],
            "tactic": ["A", "B", "C"],
            "current_budget": [10.0, 10.0, 100.0],
            "proposed_budget": [20.0, 0.0, 150.0],
            "elasticity": [0.5, np.nan, np.nan],
        }
    )
    sc = pd.DataFrame(
        {
            "channel": ["email", "email", "paid_search"],
            "tactic": ["A", "B", "C"],
            "revenue": [75.0, 25.0, 200.0],
        }
    )
    out = F.budget_scenario(annual, budget, sc).set_index(["channel", "metric"])
    # email revenue: weights 0.75 / 0.25 by this year's revenue; A doubles at b = 0.5 -> 2^0.5, B
    # stops -> 0
    email = 0.75 * 2**0.5 + 0.25 * 0.0
    assert out.loc[("email", "revenue"), "forecast"] == pytest.approx(110 * email)
    assert out.loc[("email", "revenue"), "response"] == "mixed"
    assert out.loc[("email", "cost"), "forecast"] == pytest.approx(
        10.0 * 20 / 20
    )  # budget 20 -> 20
    assert out.loc[("paid_search", "revenue"), "forecast"] == pytest.approx(
        220 * 1.5
    )  # proportional
    port = (110 * email + 220 * 1.5) / (110 + 220)
    assert out.loc[("all", "revenue"), "forecast"] == pytest.approx(330 * port)


def test_a_client_with_one_year_gets_n_a_and_no_targets(tmp_path):
    import yaml

    import kpi_helpers as kh
    from conftest import write_tiny_client
    from kpi_helpers.report import show
    from kpi_helpers.analysis import targets

    cfg = write_tiny_client(
        tmp_path / "one-year", activity_edit=lambda a: a[a["period"] >= "2025-01"]
    )
    rv = kh.build_review(cfg, run_date="2026-01-15")
    assert rv.forecast.empty and rv.next_targets.empty
    assert "n/a — needs two years of monthly data" in show.section("forecast", rv).data
    assert show.forecast(rv).data == "" and plots_none(rv)
    assert yaml.safe_load(targets.targets_yaml(rv)) == {"targets": []}


def plots_none(rv) -> bool:
    from kpi_helpers.report import plots

    return plots.plot_forecast(rv.forecast_monthly, "revenue") is None


def test_forecast_chart_ticks_name_the_year_of_the_calendar():
    from kpi_helpers.core import i18n
    from kpi_helpers.report import plots

    try:
        assert plots._month_year(pd.Timestamp(2025, 1, 1)) == "Jan 2025"
        i18n.set_language("fa", "solar_hijri")
        # 1 January 2025 is 12 Dey 1403 in the Solar Hijri calendar (Nowruz 1404 is 21 March 2025)
        assert plots._month_year(pd.Timestamp(2025, 1, 1)) == "دی ۱۴۰۳"
    finally:
        i18n.set_language("en")
