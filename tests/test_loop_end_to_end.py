"""The yearly loop end to end: the demo reviewed for 2024, then for 2025 into the same --out (other
run dates)."""

import html
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps

from conftest import DEMO
from kpi_helpers.loaders.config import Target


def kpi_review(*args):
    env = os.environ | {"MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "kpi_helpers.run.cli", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """The demo's northwind client, with a visit -> lead benchmark for organic search (3 %) and a 60
    % hurdle.

    Judged against fair benchmarks alone, the demo makes no "optimise" call in 2024 (its blog's form
    breaks only
    in 2025, and the blog is the one tactic of its channel with no 2023 to compare with): the
    benchmark and the
    hurdle make the blog (ROI +49 %, visit -> lead 1.2 % against 3 %) an optimise call in 2024 for
    2025 to check."""
    out = tmp_path_factory.mktemp("loop")
    client = tmp_path_factory.mktemp("client") / "northwind-home"
    shutil.copytree(DEMO / "northwind-home", client)
    cfg = yaml.safe_load((client / "client.yaml").read_text(encoding="utf-8"))
    cfg["benchmarks"] = {"organic_search": {"traffic_to_lead": 0.03}}
    cfg["thresholds"] = {"roi_hurdle": 0.6}
    (client / "client.yaml").write_text(
        yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    first = kpi_review("run", client, "--year", 2024, "--out", out, "--run-date", "2025-01-20")
    assert first.returncode == 0, first.stderr
    second = kpi_review("run", client, "--year", 2025, "--out", out, "--run-date", "2026-01-20")
    assert second.returncode == 0, second.stderr
    return out / "2025-01-20" / "northwind-home", out / "2026-01-20" / "northwind-home"


def _text(folder):
    page = (folder / "annual_review.html").read_text(encoding="utf-8")
    return html.unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", page, flags=re.S))
    )


def test_first_year_says_how_to_provide_a_previous_review(two_years):
    first, _second = two_years
    text = _text(first)
    assert "No previous review found for 2023" in text
    assert "n/a — needs two years of monthly data" in text  # 2024 alone: one year of history
    assert (
        pd.read_csv(first / "decisions.csv", encoding="utf-8-sig")["previous_decision"].isna().all()
    )


def test_second_year_checks_the_first_years_calls(two_years):
    first, second = two_years
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["parameters"]["previous"].endswith(os.path.join("2025-01-20", "northwind-home"))
    before = pd.read_csv(first / "decisions.csv", encoding="utf-8-sig").set_index("tactic")
    now = pd.read_csv(second / "decisions.csv", encoding="utf-8-sig").set_index("tactic")
    judged = before[before["decision"].isin(["keep", "optimise", "drop"])]
    assert now.loc[judged.index, "previous_decision"].tolist() == judged["decision"].tolist()
    assert now.loc[judged.index, "previous_outcome"].notna().all()
    # kept tactics: right exactly when this year's ROI interval (decisions.csv) lies over the 60 %
    # hurdle
    for tactic in judged.index[judged["decision"] == "keep"]:
        right = now.loc[tactic, "roi_ci_low"] >= 0.6
        assert now.loc[tactic, "previous_outcome"].startswith(
            "right" if right else ("wrong", "not yet clear")
        )
    summary = json.loads((second / "summary.json").read_text())
    assert sum(summary["previous_calls"].values()) == len(judged)
    text = _text(second)
    n = summary["previous_calls"]
    assert (
        f"Last year's calls: {n['right']} right, {n['wrong']} wrong, {n['not_yet_clear']} not yet "
        "clear." in " ".join(text.split())
    )


def test_optimised_stage_recomputed_from_the_scorecard(two_years):
    _first, second = two_years
    checks = pd.read_excel(second / "tables.xlsx", sheet_name="previous_decisions")
    opt = checks[checks["previous_decision"] == "optimise"]
    assert len(opt)
    sc = pd.read_csv(second / "scorecard.csv", encoding="utf-8-sig")
    for r in opt.itertuples():
        assert r.stage == "traffic_to_lead"
        rows = sc[(sc["channel"] == r.channel) & (sc["tactic"] == r.tactic)].set_index("year")
        # independent: the counts straight from the client's activity.csv, and the pooled
        # two-proportion
        # z-test written out by hand (scipy's normal tail); the scorecard's published rate must
        # agree too
        act = pd.read_csv(DEMO / "northwind-home" / "activity.csv")
        act = act[(act["channel"] == r.channel) & (act["tactic"] == r.tactic)]
        year = act["period"].str[:4].astype(int)
        x1, n1 = act.loc[year == 2025, "leads"].sum(), act.loc[year == 2025, "visits"].sum()
        x0, n0 = act.loc[year == 2024, "leads"].sum(), act.loc[year == 2024, "visits"].sum()
        assert rows.loc[2025, "traffic_to_lead"] == pytest.approx(x1 / n1)
        pooled = (x1 + x0) / (n1 + n0)
        z = (x1 / n1 - x0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        p = 2 * sps.norm.sf(abs(z))
        assert r.p_value == pytest.approx(p, rel=1e-9)
        assert r.verdict == ("not_yet_clear" if p >= 0.05 else "right" if z > 0 else "wrong")


def test_forecast_and_next_targets_files(two_years):
    _first, second = two_years
    f = pd.read_csv(second / "forecast.csv", encoding="utf-8-sig")
    assert set(f["scenario"]) == {"current_budget", "proposed_budget"}
    assert {"all", "paid_search"} <= set(f["channel"]) and set(f["metric"]) == {
        "leads",
        "customers",
        "revenue",
        "cost",
    }
    assert (f["ci_low"] <= f["forecast"] + 1e-6).all() and (
        f["forecast"] <= f["ci_high"] + 1e-6
    ).all()
    block = yaml.safe_load((second / "next_targets.yaml").read_text(encoding="utf-8"))
    assert [Target.model_validate(t) for t in block["targets"]]
    assert {"forecast", "forecast_backtest", "next_targets", "previous_decisions"} <= set(
        pd.ExcelFile(second / "tables.xlsx").sheet_names
    )
