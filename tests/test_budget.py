"""Budget proposal: response curves recovered exactly, the optimum checked by its first-order condition."""

import textwrap

import numpy as np
import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.budget import fit_response, propose_budget


def _curve_client(folder, scales=(12.0, 10.0), b=0.5):
    """Two paid tactics whose monthly revenue is exactly scale x cost^b; cost alternates 800 / 1 200."""
    folder.mkdir(parents=True)
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS").strftime("%Y-%m")
    act, costs = [], []
    for i, m in enumerate(months):
        cost = 800.0 if i % 2 == 0 else 1_200.0
        for name, scale in zip(("A", "B"), scales):
            act.append([m, "paid_search", name, cost, 1_000, 100, 30, 30, scale * cost ** b])
            costs.append([m, "paid_search", name, "media", "outbound", cost])
    pd.DataFrame(act, columns=["period", "channel", "tactic", "spend", "visits", "leads", "customers", "orders",
                               "revenue"]).to_csv(folder / "activity.csv", index=False)
    pd.DataFrame(costs, columns=["period", "channel", "tactic", "cost_type", "flow", "amount"]).to_csv(
        folder / "costs.csv", index=False)
    (folder / "client.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        name: Curves
        year: 2025
        sources:
          - {table: activity, path: activity.csv}
          - {table: costs, path: costs.csv}
        """))
    return kh.load_client(folder)


def test_fit_recovers_an_exact_power_curve(tmp_path):
    data = _curve_client(tmp_path / "c")
    fit = fit_response(data, 2025).set_index("tactic")
    assert fit.loc["A", "b"] == pytest.approx(0.5)
    # level is log revenue at the mean log cost: log(12) + 0.5 x mean(log 800, log 1200)
    assert fit.loc["A", "level"] == pytest.approx(np.log(12) + 0.5 * np.log(np.sqrt(800 * 1_200)))


def test_optimum_equalises_marginal_returns(tmp_path):
    data = _curve_client(tmp_path / "c")
    sc = kh.build_review(data).scorecard
    decisions = pd.DataFrame({"channel": ["paid_search"] * 2, "tactic": ["A", "B"], "decision": ["keep", "keep"]})
    p = propose_budget(data, sc, decisions, 2025).set_index("tactic")
    # both spend 12 000 a year; with result = a * x^0.5 the optimum has x_A / x_B = (a_A / a_B)^2 = 1.44,
    # so x_A = 24 000 x 1.44 / 2.44 = 14 163.9 and x_B = 9 836.1 (inside the +-50 % caps)
    assert p.loc["A", "proposed_budget"] == pytest.approx(24_000 * 1.44 / 2.44, rel=1e-3)
    assert p["proposed_budget"].sum() == pytest.approx(24_000)
    # expected result at the current budget: 12 months x 12 x 1 000^0.5
    assert p.loc["A", "result_current"] == pytest.approx(12 * 12 * 1_000 ** 0.5, rel=1e-6)
    total = p.attrs["total"]
    assert total["change"] > 0 and total["ci_low"] <= total["change"] <= total["ci_high"]


def test_caps_and_dropped_budget(tmp_path):
    data = _curve_client(tmp_path / "c", scales=(30.0, 10.0))
    sc = kh.build_review(data).scorecard
    d = pd.DataFrame({"channel": ["paid_search"] * 2, "tactic": ["A", "B"], "decision": ["keep", "keep"]})
    p = propose_budget(data, sc, d, 2025, max_change=0.5).set_index("tactic")
    # unconstrained the ratio would be 9: A is capped at +50 % (18 000), B gets the rest (6 000, -50 %)
    assert p.loc["A", "proposed_budget"] == pytest.approx(18_000, rel=1e-4)
    assert p.loc["B", "proposed_budget"] == pytest.approx(6_000, rel=1e-4)
    d.loc[1, "decision"] = "drop"
    p = propose_budget(data, sc, d, 2025).set_index("tactic")
    assert p.loc["B", "proposed_budget"] == 0 and "dropped" in p.loc["B", "note"]
    # B's 12 000 is freed; A can take at most +50 %, so 6 000 of the 24 000 stays unallocated
    assert p.loc["A", "proposed_budget"] == pytest.approx(18_000, rel=1e-4)
    assert p.attrs["total"]["unallocated"] == pytest.approx(6_000, rel=1e-4)


def test_no_curve_without_cost_variation(tiny_client):
    fit = fit_response(kh.load_client(tiny_client), 2025)
    assert fit["b"].isna().all() and fit["note"].str.contains("no curve").all()
