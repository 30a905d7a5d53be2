"""Plan vs actual: attainment, the explanation of a miss, and the KPI sets (S1, S4)."""

import numpy as np
import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.analysis.plan import decompose_change, suggest_kpis

from conftest import write_tiny_client


def test_decomposition_is_exact_in_logs():
    prev = pd.Series({"visits": 1_000, "leads": 100, "customers": 20, "revenue": 2_000})
    cur = pd.Series({"visits": 1_200, "leads": 90, "customers": 27, "revenue": 2_430})
    d = decompose_change(cur, prev, "revenue").set_index("factor")
    # visits +20 %; visit->lead 0.075 vs 0.1 = -25 %; lead->customer 0.3 vs 0.2 = +50 %;
    # revenue/customer 90 vs 100 = -10 %
    assert d["change"].round(4).tolist() == [0.2, -0.25, 0.5, -0.1]
    # 1.2 x 0.75 x 1.5 x 0.9 = 1.215 = 2 430 / 2 000: the log changes add up to the KPI's
    assert d["log_change"].sum() == pytest.approx(np.log(2_430 / 2_000))
    assert d["share"].sum() == pytest.approx(1.0)


def test_missed_target_names_weakest_stage(tmp_path):
    def fewer_leads(df):
        df = df.copy()
        sel = df["period"].str.startswith("2025") & (df["tactic"] == "Search A")
        df.loc[sel, "leads"] = 25
        return df

    rv = kh.build_review(write_tiny_client(tmp_path / "p", activity_edit=fewer_leads))
    row = rv.plan.set_index("kpi").loc["revenue"]
    assert row["status"] == "close"  # 9 600 of 10 560
    # visit->lead: 540 / 13 200 against 840 / 13 200 = -35.7 %; lead->customer 180 / 540 against 180
    # / 840 = +55.6 %
    assert "visit → lead -35.7 %" in row["explanation"]
    assert "lead → customer +55.6 %" in row["explanation"]
    assert "weakest: visit → lead" in row["explanation"]
    met = rv.plan.set_index("kpi").loc["cac"]
    assert met["status"] == "met" and met["explanation"] == ""


def test_kpi_sets():
    assert suggest_kpis(goal="relations") == ["leads", "response_hours", "nps", "retention_rate"]
    assert (
        len(suggest_kpis(goal="sales", business="b2b_saas", stage="mature")) == 5
    )  # S1: 3-5 KPIs, no more
    with pytest.raises(ValueError, match="unknown goal 'fame'"):
        suggest_kpis(goal="fame")
    from kpi_helpers.metrics.catalog import REGISTRY
    from kpi_helpers.analysis.plan import KPI_SETS

    unknown = {k for sets in KPI_SETS.values() for ids in sets.values() for k in ids} - set(
        REGISTRY
    )
    assert not unknown
