"""Budget proposal: response curves recovered exactly, the optimum checked by its first-order
condition, the
guardrails (no gain for drop or optimise, no spend beyond the observed range, money saved below the
hurdle)."""

import textwrap

import numpy as np
import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.analysis.budget import fit_response, propose_budget


def _write_client(folder, name: str, act: list, costs: list):
    """An activity + costs client of the rows given, loaded."""
    pd.DataFrame(
        act,
        columns=[
            "period",
            "channel",
            "tactic",
            "spend",
            "visits",
            "leads",
            "customers",
            "orders",
            "revenue",
        ],
    ).to_csv(folder / "activity.csv", index=False)
    pd.DataFrame(
        costs, columns=["period", "channel", "tactic", "cost_type", "flow", "amount"]
    ).to_csv(folder / "costs.csv", index=False)
    (folder / "client.yaml").write_text(
        textwrap.dedent(f"""\
        schema_version: 1
        name: {name}
        year: 2025
        sources:
          - {{table: activity, path: activity.csv}}
          - {{table: costs, path: costs.csv}}
        """)
    )
    return kh.load_client(folder)


def _curve_client(folder, scales=(12.0, 10.0), b=0.5):
    """Two paid tactics whose monthly revenue is exactly scale x cost^b; cost alternates 800 / 1
    200."""
    folder.mkdir(parents=True)
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS").strftime("%Y-%m")
    act, costs = [], []
    for i, m in enumerate(months):
        cost = 800.0 if i % 2 == 0 else 1_200.0
        for name, scale in zip(("A", "B"), scales):
            act.append([m, "paid_search", name, cost, 1_000, 100, 30, 30, scale * cost**b])
            costs.append([m, "paid_search", name, "media", "outbound", cost])
    return _write_client(folder, "Curves", act, costs)


def test_fit_recovers_an_exact_power_curve(tmp_path):
    data = _curve_client(tmp_path / "c")
    fit = fit_response(data, 2025).set_index("tactic")
    assert fit.loc["A", "b"] == pytest.approx(0.5)
    # level is log revenue at the mean log cost: log(12) + 0.5 x mean(log 800, log 1200)
    assert fit.loc["A", "level"] == pytest.approx(np.log(12) + 0.5 * np.log(np.sqrt(800 * 1_200)))


def test_optimum_spends_to_the_hurdle_and_saves_the_rest(tmp_path):
    data = _curve_client(tmp_path / "c", scales=(70.0, 50.0))
    sc = kh.build_review(data).scorecard
    decisions = pd.DataFrame(
        {"channel": ["paid_search"] * 2, "tactic": ["A", "B"], "decision": ["keep", "keep"]}
    )
    p = propose_budget(data, sc, decisions, 2025).set_index("tactic")
    # the year's result of budget x spent evenly: f(x) = 12 s (x / 12)^0.5, so f'(x) = 0.5 s (x /
    # 12)^-0.5; with the
    # 0 % hurdle a euro is worth spending while f'(x) >= 1, i.e. up to x / 12 = (0.5 s)^2 a month
    # (worked by hand):
    # B (s = 50): 625 a month, 7 500 a year (inside 6 000 .. 18 000)
    assert p.loc["B", "proposed_budget"] == pytest.approx(7_500, rel=1e-3)
    # A (s = 70) would want 1 225 a month, but its highest month observed is 1 200: held at 14 400,
    # flagged
    assert p.loc["A", "proposed_budget"] == pytest.approx(14_400, rel=1e-4)
    assert "held at the highest spend observed" in p.loc["A", "note"]
    assert "below the lowest spend observed" in p.loc["B", "note"]  # 7 500 < 12 x 800
    # 24 000 available, 21 900 worth spending: 2 100 is saved, not pushed into returns below the
    # hurdle
    assert p.attrs["total"]["unallocated"] == pytest.approx(2_100, rel=1e-3)
    # expected result at the current budget: 12 months x 70 x 1 000^0.5
    assert p.loc["A", "result_current"] == pytest.approx(12 * 70 * 1_000**0.5, rel=1e-6)
    total = p.attrs["total"]
    assert total["change"] > 0 and total["ci_low"] <= total["change"] <= total["ci_high"]


def test_drop_and_optimise_never_gain(tmp_path):
    data = _curve_client(tmp_path / "c", scales=(70.0, 50.0))
    sc = kh.build_review(data).scorecard
    d = pd.DataFrame(
        {"channel": ["paid_search"] * 2, "tactic": ["A", "B"], "decision": ["optimise", "drop"]}
    )
    p = propose_budget(data, sc, d, 2025).set_index("tactic")
    assert p.loc["B", "proposed_budget"] == 0 and "dropped" in p.loc["B", "note"]
    # A's curve would take 14 400, but an optimise tactic may not gain: it stays at 12 000; B's 12
    # 000 is saved
    assert p.loc["A", "proposed_budget"] == pytest.approx(12_000, rel=1e-6)
    assert p.attrs["total"]["unallocated"] == pytest.approx(12_000, rel=1e-6)


def test_held_elasticity_keeps_its_spread(tmp_path):
    # revenue = 0.01 x cost^1.5 x a wobble: the fitted b (about 1.5) is held at 1, but its standard
    # error is kept
    data = _curve_client(tmp_path / "c", scales=(0.01, 0.01), b=1.5)
    a = data.activity
    a["revenue"] = a["revenue"] * np.where(np.arange(len(a)) % 3 == 0, 1.1, 0.95)
    fit = fit_response(data, 2025).set_index("tactic")
    assert fit.loc["A", "b"] == 1.0 and "held at" in fit.loc["A", "note"]
    assert np.asarray(fit.loc["A", "cov"])[1, 1] > 0


def test_no_curve_without_cost_variation(tiny_client):
    fit = fit_response(kh.load_client(tiny_client), 2025)
    assert fit["b"].isna().all() and fit["note"].str.contains("no curve").all()


def test_year_and_month_terms_separate_response_from_trend_and_season(tmp_path):
    """Three tactics, revenue = s x cost^0.5 x season(month) x growth(year), cost moving with the
    season too:
    a fit on cost alone reads the season as response; the pooled fit with year and month terms
    recovers 0.5."""
    folder = tmp_path / "season"
    folder.mkdir()
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    season = {m: 1.0 + 0.5 * np.sin(2 * np.pi * m / 12) for m in range(1, 13)}
    act, costs = [], []
    for i, p in enumerate(months):
        for k, (name, s) in enumerate((("A", 20.0), ("B", 15.0), ("C", 10.0))):
            cost = (
                1_000.0 * season[p.month] * (1.0 + 0.2 * ((i + k) % 3))
            )  # seasonal spend, plus its own wiggle
            rev = s * cost**0.5 * season[p.month] * (1.3 if p.year == 2025 else 1.0)
            act.append([p.strftime("%Y-%m"), "paid_search", name, cost, 1_000, 100, 30, 30, rev])
            costs.append([p.strftime("%Y-%m"), "paid_search", name, "media", "outbound", cost])
    data = _write_client(folder, "Season", act, costs)
    fit = fit_response(data, 2025).set_index("tactic")
    assert (fit["model"] == "year_month").all()
    assert fit["b"].tolist() == pytest.approx([0.5] * 3, abs=1e-9)
    # level: log 20 + log 1.3 (the reviewed year) + log of the average season + 0.5 x the tactic's
    # mean log cost
    s = np.array(list(season.values()))
    assert fit.loc["A", "level"] == pytest.approx(
        np.log(20) + np.log(1.3) + np.log(s.mean()) + 0.5 * fit.loc["A", "center"], abs=1e-9
    )
    # the same data fitted on cost alone (numpy least squares, independent of the module) reads
    # season as response
    a = data.activity[data.activity["tactic"] == "A"]
    slope = np.polyfit(np.log(a["spend"]), np.log(a["revenue"]), 1)[0]
    assert slope > 1.0


def test_no_curve_when_the_result_does_not_respond_to_spend(tmp_path):
    # revenue does not depend on cost (b = 0) and wobbles by a third of the months: the fitted
    # elasticity is not
    # significantly positive, so there is no curve and the budget stays as it is (the stated
    # fallback)
    data = _curve_client(tmp_path / "c", scales=(500.0, 400.0), b=0.0)
    a = data.activity
    a["revenue"] = a["revenue"] * np.where(np.arange(len(a)) % 3 == 0, 1.2, 0.9)
    sc = kh.build_review(data).scorecard
    d = pd.DataFrame(
        {"channel": ["paid_search"] * 2, "tactic": ["A", "B"], "decision": ["keep", "keep"]}
    )
    p = propose_budget(data, sc, d, 2025).set_index("tactic")
    assert (
        p["elasticity"].isna().all()
        and p["note"].str.contains("does not respond to spend measurably").all()
    )
    assert (p["proposed_budget"] == p["current_budget"]).all()
