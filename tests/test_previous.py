"""Last year's decisions checked (kpi_helpers.analysis.previous): right, wrong, not yet clear, and a
first year."""

import html
import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import kpi_helpers as kh
from conftest import write_tiny_client
from kpi_helpers.analysis import previous
from kpi_helpers.report import show
from kpi_helpers.loaders.config import load_config
from kpi_helpers.core.schema import DataError

HISTORY = """\
history:
  - {year: 2024, channel: paid_search, tactic: Search A, decision: keep}
  - {year: 2024, channel: paid_search, tactic: Search A, decision: optimise, stage: traffic_to_lead}
  - {year: 2024, channel: email, tactic: Newsletter, decision: drop}
"""


def fewer_leads_in_2025(a):
    """Search A: 50 leads a month from 1000 visits in 2024, 30 in 2025 (visit -> lead 5 % -> 3
    %)."""
    a = a.copy()
    a.loc[(a["tactic"] == "Search A") & (a["period"] >= "2025-01"), "leads"] = 30
    return a


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    cfg = write_tiny_client(
        tmp_path_factory.mktemp("h") / "tiny", extra_yaml=HISTORY, activity_edit=fewer_leads_in_2025
    )
    rv = kh.build_review(cfg, run_date="2026-01-15")
    return rv, rv.previous_checks.set_index(["tactic", "previous_decision"])


def test_keep_judged_right_when_the_roi_interval_stays_over_the_hurdle(checked):
    rv, c = checked
    row = c.loc[("Search A", "keep")]
    roi = rv.decisions.set_index("tactic").loc["Search A"]
    assert row["verdict"] == "right" and roi["roi_ci_low"] >= rv.config.thresholds.roi_hurdle
    assert row["after"] == pytest.approx(roi["roi"])


def test_optimise_judged_wrong_when_the_stage_fell_significantly(checked):
    _rv, c = checked
    row = c.loc[("Search A", "optimise")]
    # by hand: 600 of 12 000 visits in 2024, 360 of 12 000 in 2025; pooled z-test
    pooled = (600 + 360) / 24000
    z = (0.03 - 0.05) / np.sqrt(pooled * (1 - pooled) * (2 / 12000))
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-9)
    assert (row["before"], row["after"]) == (pytest.approx(0.05), pytest.approx(0.03))
    assert row["verdict"] == "wrong" and "did not work" in row["outcome"]


def test_drop_not_carried_out_is_not_yet_clear(checked):
    _rv, c = checked
    row = c.loc[("Newsletter", "drop")]
    assert row["verdict"] == "not_yet_clear" and "not carried out" in row["outcome"]


def test_scoreline_and_decisions_columns(checked):
    rv, _c = checked
    assert previous.scoreline(rv.previous_checks) == {"right": 1, "not_yet_clear": 1, "wrong": 1}
    assert "Last year's calls: 1 right, 1 wrong, 1 not yet clear." in html.unescape(
        show.summary(rv).data
    )
    d = rv.decisions.set_index("tactic")
    assert d.loc["Newsletter", "previous_decision"] == "drop"
    assert d.loc["Newsletter", "previous_outcome"].startswith(
        "not yet clear: the call was not carried out"
    )
    assert rv.summary()["previous_calls"] == {"right": 1, "not_yet_clear": 1, "wrong": 1}


def test_drop_judged_right_when_spend_stopped_and_totals_held(tmp_path):
    def stop_newsletter(
        a,
    ):  # Newsletter gone in 2025, Search A makes up its 20 leads and 5 customers
        a = a[~((a["tactic"] == "Newsletter") & (a["period"] >= "2025-01"))].copy()
        late = (a["tactic"] == "Search A") & (a["period"] >= "2025-01")
        a.loc[late, "leads"], a.loc[late, "customers"] = 70, 15
        return a

    cfg = write_tiny_client(
        tmp_path / "t",
        activity_edit=stop_newsletter,
        extra_yaml=(
            "history:\n  - {year: 2024, channel: email, tactic: Newsletter, decision: drop}\n"
        ),
    )
    rv = kh.build_review(cfg, run_date="2026-01-15")
    row = rv.previous_checks.iloc[0]
    assert row["verdict"] == "right" and row["after"] == 0  # no Newsletter cost carried in 2025
    assert "Leads 840 → 840" in row["outcome"]  # 70 a month in both years, by construction


def test_first_year_says_how_to_provide_last_years_calls(tiny_client):
    rv = kh.build_review(tiny_client, run_date="2026-01-15")
    assert rv.previous is None and rv.previous_checks.empty
    assert {"previous_decision", "previous_outcome"} <= set(rv.decisions.columns)
    assert rv.decisions["previous_decision"].isna().all()
    text = html.unescape(show.previous(rv).data)
    assert (
        "No previous review found for 2024" in text and "--previous" in text and "history:" in text
    )


def test_previous_report_folder_with_an_override(tmp_path, tiny_client):
    folder = tmp_path / "2025-01-10" / "tiny"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(
        json.dumps({"slug": "tiny", "year": 2024, "run_date": "2025-01-10"})
    )
    pd.DataFrame(
        [
            {
                "channel": "paid_search",
                "tactic": "Search A",
                "decision": "keep",
                "override": "drop",
                "override_comment": "contract",
            }
        ]
    ).to_csv(folder / "decisions.csv", index=False, encoding="utf-8-sig")
    assert previous.find_previous(tmp_path, "tiny", 2025) == folder
    rv = kh.build_review(tiny_client, run_date="2026-01-15", previous=tmp_path / "2025-01-10")
    row = rv.previous_checks.iloc[0]
    assert row["verdict"] == "right" and row["computed"] == "drop"
    assert "analyst override of the computed drop" in row["outcome"]
    assert "From the review of 2024 run on January 10, 2025." in html.unescape(
        show.previous(rv).data
    )


def test_bad_previous_and_history_give_clear_errors(tmp_path, tiny_client):
    with pytest.raises(DataError, match="no such folder"):
        kh.build_review(tiny_client, run_date="2026-01-15", previous=tmp_path / "nowhere")
    other = tmp_path / "other"
    other.mkdir()
    (other / "summary.json").write_text(json.dumps({"slug": "someone-else", "year": 2024}))
    with pytest.raises(DataError, match="a review of client 'someone-else', not 'tiny'"):
        kh.build_review(tiny_client, run_date="2026-01-15", previous=other)
    cfg = write_tiny_client(
        tmp_path / "h",
        extra_yaml=textwrap.dedent("""\
        history:
          - {year: 2024, channel: paid_search, tactic: Search A, decision: optimise}
        """),
    )
    with pytest.raises(DataError, match=r"field history\.0.*needs stage"):
        load_config(cfg)


def test_cli_refuses_a_missing_previous_folder(tmp_path, tiny_client):
    import subprocess
    import sys

    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_helpers.run.cli",
            "run",
            str(tiny_client),
            "--out",
            str(tmp_path),
            "--previous",
            str(tmp_path / "nowhere"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "--previous" in res.stderr and "no such folder" in res.stderr
    assert not list(tmp_path.glob("*/tiny"))
