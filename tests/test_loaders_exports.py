"""Exports as they really come (issue 10, items 5 and 7): presets that keep spend and conversions,
whitespace-aligned text, two files joined into one table, generated ids, what `validate` says about
columns and KPIs, and the small things a new user hit.

Real files are read from ../shared/datasets where they lie (skipped when absent); expected numbers
are recomputed from the raw files with the standard library (csv, str.split, math.fsum),
independently of the loaders, or are the figures published with the data.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.run.cli import main
from kpi_helpers.loaders.config import load_config
from kpi_helpers.loaders import validate_client
from kpi_helpers.loaders.detect import detect_delimiter

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def dataset(*parts: str) -> Path:
    path = DATASETS.joinpath(*parts)
    if not path.is_file():
        pytest.skip("../shared/datasets not present")
    return path


def client(folder: Path, year: int, sources: list[dict], **settings) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "client.yaml"
    # the public files are read where they lie: allowed explicitly, as a user would (README, "Data
    # safety")
    config = {
        "name": "Exports",
        "currency": "USD",
        "year": year,
        "sources": sources,
        "allow_outside": [str(DATASETS)],
        **settings,
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


# --- A. the Meta preset keeps spend and conversions; validate names what it ignores
# -----------------

FACEBOOK = {
    "table": "activity",
    "preset": "meta_ads",
    "columns": {"xyz_campaign_id": "campaign"},
    "constants": {"period": "2017-08"},
}


def _facebook_sums(path: Path) -> dict[str, list[float]]:
    sums: dict[str, list[float]] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            s = sums.setdefault(row["xyz_campaign_id"], [0, 0, 0.0, 0])
            for i, col in enumerate(("Impressions", "Clicks", "Spent", "Total_Conversion")):
                s[i] += float(row[col])
    return sums


def test_facebook_file_through_the_meta_preset_keeps_spend_and_conversions(tmp_path):
    path = dataset("kag_facebook_ads", "KAG_conversion_data.csv")
    cfg = client(tmp_path, 2017, [{**FACEBOOK, "path": str(path)}])
    report = validate_client(cfg)
    assert report.ok, report.errors
    src = report.sources[0]
    assert (
        src["columns"]["Spent"] == "spend" and src["columns"]["Total_Conversion"] == "conversions"
    )
    assert src["ignored"] == [
        "ad_id",
        "fb_campaign_id",
        "age",
        "gender",
        "interest",
        "Approved_Conversion",
    ]
    assert any(
        "'Approved_Conversion'" in w and "ignored" in w for w in report.warnings
    )  # never silent
    text = str(report)
    assert (
        "columns ignored: ad_id, fb_campaign_id, age, gender, interest, Approved_Conversion" in text
    )
    assert "Spent -> spend" in text and "Total_Conversion -> conversions" in text

    a = kh.load_client(cfg).activity
    by = a.groupby("tactic")[["impressions", "clicks", "spend", "conversions"]].sum()
    expected = _facebook_sums(path)
    assert set(by.index) == set(expected)
    for campaign, sums in expected.items():
        assert by.loc[campaign].tolist() == pytest.approx(sums)
    # the figures quoted in issue 10 for campaign 1178
    assert by.loc["1178"].tolist() == pytest.approx(
        [204_823_716, 36_068, 55_662.15, 2_669], abs=0.01
    )


def test_validate_says_which_kpis_an_ads_only_client_can_and_cannot_have(tmp_path):
    path = dataset("kag_facebook_ads", "KAG_conversion_data.csv")
    report = validate_client(client(tmp_path, 2017, [{**FACEBOOK, "path": str(path)}]))
    possible = {k for ids in report.kpis["possible"].values() for k in ids}
    assert {"ctr", "cpc", "cpm", "cpa", "spend"} <= possible
    blocked = {r["missing"]: set(r["kpis"]) for r in report.kpis["out_of_reach"]}
    assert {"roi", "roas", "revenue"} <= blocked["revenue"]
    assert {"close_rate", "sales_cycle_days"} <= blocked["deals"]
    assert not possible & set().union(*blocked.values())
    from kpi_helpers.metrics.catalog import label

    assert f"no revenue: Revenue, {label('roi')}, {label('roi_net')}, ROAS" in str(report)


def test_an_orders_only_client_lacks_costs_and_says_so(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,date,amount\nA1,C1,2025-01-05,10\n", encoding="utf-8"
    )
    report = validate_client(client(tmp_path, 2025, [{"table": "orders", "path": "orders.csv"}]))
    assert report.ok, report.errors
    blocked = {r["missing"]: set(r["kpis"]) for r in report.kpis["out_of_reach"]}
    assert {"roi", "cac"} <= blocked["costs"]
    assert "no costs and no spend: " in str(report)
    assert "aov" in report.kpis["possible"]["money"]


# --- B. whitespace-aligned text: CDNOW_master.txt as an orders table
# -------------------------------


def _cdnow(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="ascii").splitlines()
    return [ln.split() for ln in lines[1:] if ln.strip()]


@pytest.mark.parametrize("options", [{}, {"date_format": "%Y%m%d", "delimiter": "whitespace"}])
def test_cdnow_master_reads_as_orders_with_generated_order_ids(tmp_path, options):
    path = dataset("cdnow", "CDNOW_master.txt")
    source = {
        "table": "orders",
        "path": str(path),
        "columns": {"dollar_value": "amount"},
        "row_id": "order_id",
        **options,
    }
    cfg = client(tmp_path, 1998, [source])
    report = validate_client(cfg)
    assert report.ok, report.errors
    assert report.sources[0]["delimiter"] == "whitespace" and report.sources[0]["ignored"] == [
        "number_of_cds"
    ]
    rows = _cdnow(path)
    orders = kh.load_client(cfg).orders
    assert len(orders) == len(rows) == 69_659  # identical lines are separate orders: none dropped
    assert orders["customer_id"].nunique() == len({r[0] for r in rows}) == 23_570
    assert orders["order_id"].is_unique and orders["order_id"].iloc[0] == "CDNOW_master.txt:2"
    assert orders["amount"].sum() == pytest.approx(math.fsum(float(r[3]) for r in rows))
    assert orders["customer_id"].iloc[0] == "00001"  # ids keep their leading zeros
    assert (orders["date"].min(), orders["date"].max()) == (
        pd.Timestamp(min(r[1] for r in rows)),
        pd.Timestamp(max(r[1] for r in rows)),
    )


def test_a_file_without_ids_is_told_about_row_id(tmp_path):
    (tmp_path / "t.txt").write_text(
        "  cust  day       value\n  001  20250102  1.5\n  002  20250103  2.5\n"
    )
    source = {
        "table": "orders",
        "path": "t.txt",
        "columns": {"cust": "customer_id", "day": "date", "value": "amount"},
    }
    report = validate_client(client(tmp_path, 2025, [source]))
    assert any(
        "lacks required column(s) order_id" in e and "`row_id: order_id`" in e
        for e in report.errors
    )
    report = validate_client(client(tmp_path, 2025, [{**source, "row_id": "order_id"}]))
    assert report.ok, report.errors
    orders = kh.load_client(tmp_path).orders
    assert orders["order_id"].tolist() == ["t.txt:2", "t.txt:3"] and orders["amount"].sum() == 4.0


def test_detect_delimiter_prefers_a_real_delimiter_over_spaces():
    assert detect_delimiter(["name,city", "Ann Lee,New York", "Bo Ek,San Jose"]) == ","
    assert detect_delimiter([" a  b   c", " 1  2   3", " 4  5   6"]) == "whitespace"


# --- C. two files forming one table: Olist leads joined with closed deals
# ---------------------------

OLIST_CHANNELS = {
    "social": "social_organic",
    "direct_traffic": "direct",
    "other_publicities": "other",
    "unknown": "other",
}


def test_olist_leads_joined_with_closed_deals_make_the_deals_table(tmp_path):
    leads = dataset("olist_marketing_funnel", "olist_marketing_qualified_leads_dataset.csv")
    closed = dataset("olist_marketing_funnel", "olist_closed_deals_dataset.csv")
    source = {
        "table": "deals",
        "path": str(leads),
        "columns": {
            "mql_id": "deal_id",
            "first_contact_date": "created",
            "origin": "channel",
            "landing_page_id": "tactic",
        },
        "constants": {"stage": "mql"},
        "channel_map": OLIST_CHANNELS,
        "unknown_channels": "other",
        "join": {
            "path": str(closed),
            "on": "mql_id",
            "columns": {"won_date": "closed"},
            "constants": {"stage": "won"},
        },
    }
    cfg = client(tmp_path, 2018, [source])
    report = validate_client(cfg)
    assert report.ok, report.errors
    join = report.sources[0]["join"]
    assert (join["matched"], join["unmatched"], join["left_out"]) == (842, 7158, 0)
    assert any("'declared_monthly_revenue'" in w for w in report.warnings)
    assert "joined columns ignored: seller_id" in str(report)

    with closed.open(newline="", encoding="utf-8") as fh:
        won_date = {r["mql_id"]: r["won_date"] for r in csv.DictReader(fh)}
    per_origin: dict[str, list[int]] = {}
    with leads.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            n = per_origin.setdefault(r["origin"], [0, 0])
            n[0] += 1
            n[1] += r["mql_id"] in won_date
    published = {"paid_search": 12.30, "organic_search": 11.80, "social": 5.56, "email": 3.04}
    for origin, rate in published.items():
        assert round(100 * per_origin[origin][1] / per_origin[origin][0], 2) == rate

    deals = kh.load_client(cfg).deals
    assert len(deals) == 8_000 and int((deals["status"] == "won").sum()) == 842
    won = deals[deals["stage"] == "won"]
    assert set(won["deal_id"]) == set(won_date) and set(won["status"]) == {"won"}
    assert set(deals.loc[deals["stage"] != "won", "status"]) == {"open"}
    assert deals.loc[deals["stage"] != "won", "closed"].isna().all()
    assert (won.set_index("deal_id")["closed"] == pd.to_datetime(pd.Series(won_date))).all()
    for origin in ("paid_search", "organic_search", "email"):
        sub = deals[deals["channel"] == origin]
        assert int((sub["status"] == "won").sum()) == per_origin[origin][1]


def _pair(tmp_path: Path, right: str, join: dict) -> Path:
    (tmp_path / "leads.csv").write_text(
        "lead,created,src\nL1,2025-01-02,email\nL2,2025-01-03,email\nL3,2025-01-04,direct\n",
        encoding="utf-8",
    )
    (tmp_path / "won.csv").write_text(right, encoding="utf-8")
    source = {
        "table": "deals",
        "path": "leads.csv",
        "columns": {"lead": "deal_id", "src": "channel"},
        "constants": {"stage": "mql", "tactic": "all"},
        "join": {"path": "won.csv", **join},
    }
    return client(tmp_path, 2025, [source])


def test_join_constants_reach_only_matched_rows_and_orphans_are_reported(tmp_path):
    cfg = _pair(
        tmp_path,
        "lead,won_on,value\nL2,2025-02-01,100\nL9,2025-02-03,50\n",
        {
            "on": "lead",
            "columns": {"won_on": "closed", "value": "amount"},
            "constants": {"stage": "won", "status": "won"},
        },
    )
    report = validate_client(cfg)
    assert report.ok, report.errors
    assert any(
        "won.csv: 1 row(s) have a 'lead' not found in" in w and "'L9'" in w for w in report.warnings
    )
    assert report.sources[0]["join"] | {"sha256": None} == {
        "path": "won.csv",
        "on": "lead",
        "sha256": None,
        "rows_in": 2,
        "matched": 1,
        "unmatched": 2,
        "left_out": 1,
        "columns": {"won_on": "closed", "value": "amount"},
        "ignored": [],
    }
    deals = kh.load_client(cfg).deals.set_index("deal_id")
    assert deals["stage"].to_dict() == {"L1": "mql", "L2": "won", "L3": "mql"}
    assert deals["status"].to_dict() == {"L1": "open", "L2": "won", "L3": "open"}
    assert deals.loc["L2", "amount"] == 100 and deals["amount"].isna().sum() == 2


@pytest.mark.parametrize(
    ("right", "join", "message"),
    [
        (
            "lead_id,won_on\nL2,2025-02-01\n",
            {"on": "lead", "columns": {"won_on": "closed"}},
            "won.csv: no column 'lead' (join.on, the key of the join); found lead_id, won_on. Did "
            "you mean 'lead_id'?",
        ),
        (
            "lead,won_on\nL2,2025-02-01\n",
            {"on": "lead", "columns": {"won_date": "closed"}},
            "won.csv: no column 'won_date' (named in join.columns); found lead, won_on. Did you "
            "mean 'won_on'?",
        ),
        (
            "lead,won_on\nL2,2025-02-01\nL3,2025-02-02\nL2,2025-02-05\n",
            {"on": "lead", "columns": {"won_on": "closed"}},
            "won.csv, rows 2, 4, column \"lead\": the key 'L2' is repeated",
        ),
    ],
)
def test_join_problems_are_errors_naming_file_row_column_and_fix(tmp_path, right, join, message):
    report = validate_client(_pair(tmp_path, right, join))
    assert any(message in e for e in report.errors), report.errors


def test_join_needs_columns_or_constants_and_a_yaml_bare_on_key_works(tmp_path):
    cfg = _pair(tmp_path, "lead,won_on\nL2,2025-02-01\n", {"on": "lead"})
    assert any("join needs columns" in e for e in validate_client(cfg).errors)
    cfg.write_text(
        "name: X\nyear: 2025\nsources:\n  - table: deals\n    path: leads.csv\n"
        "    columns: {lead: deal_id, src: channel}\n    constants: {stage: mql, tactic: all}\n"
        "    join: {path: won.csv, on: lead, columns: {won_on: closed}, constants: {stage: won}}\n",
        encoding="utf-8",
    )
    assert (
        True in yaml.safe_load(cfg.read_text())["sources"][0]["join"]
    )  # YAML 1.1 reads a bare on: as true
    report = validate_client(cfg)
    assert report.ok, report.errors
    assert report.sources[0]["join"]["matched"] == 1


# --- D. any table alone is a client ---------------------------------------------------------------


def test_a_deals_only_client_is_valid_and_a_client_without_sources_is_not(tmp_path):
    (tmp_path / "deals.csv").write_text(
        "deal_id,created,channel,tactic,stage,status\nD1,2025-01-02,email,news,won,won\n",
        encoding="utf-8",
    )
    assert validate_client(client(tmp_path, 2025, [{"table": "deals", "path": "deals.csv"}])).ok
    report = validate_client(client(tmp_path / "empty", 2025, []))
    assert any("sources needs at least one source" in e for e in report.errors)


# --- E. small things a new user hit ---------------------------------------------------------------


def test_validate_inside_the_client_folder_uses_the_folder_as_slug(tmp_path, monkeypatch):
    folder = tmp_path / "acme"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "orders.csv").write_text(
        "order_id,customer_id,date,amount\nA,C,2025-01-01,1\n", encoding="utf-8"
    )
    client(
        folder,
        2025,
        [{"table": "orders", "path": "data//orders.csv"}, {"table": "survey", "path": "nps.csv"}],
    )
    monkeypatch.chdir(folder)
    cfg, _ = load_config("client.yaml")
    assert cfg.slug == "acme"
    report = validate_client("client.yaml")
    assert report.errors == [
        "acme/nps.csv: file not found (check the source's path in client.yaml; it is "
        "relative to client.yaml)"
    ]
    assert "data/orders.csv -> orders" in str(report) and "//" not in str(report)


def test_validate_into_a_closed_pipe_ends_quietly_with_its_exit_code(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,date,amount\nA,C,2025-01-01,abc\n", encoding="utf-8"
    )
    cfg = client(tmp_path, 2025, [{"table": "orders", "path": "orders.csv"}])
    for args, code in ((["validate", str(cfg)], 1), (["kpis"], 0)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kpi_helpers.run.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.close()  # like `| head` that has read enough
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait() == code and "Traceback" not in err and "BrokenPipe" not in err, err


def test_init_names_the_languages_and_its_examples_are_valid_sources(tmp_path, capsys):
    assert main(["init", str(tmp_path / "new")]) == 0
    text = (tmp_path / "new" / "client.yaml").read_text(encoding="utf-8")
    assert "to come" not in text and "en, ru or fa" in text
    examples = [ln[4:] for ln in text.splitlines() if ln.startswith("  # ") and ":" in ln]
    sources = yaml.safe_load(
        "\n".join(ln for ln in examples if not ln.lstrip().startswith(("A ", "Any", "Two")))
    )
    from kpi_helpers.loaders.config import Source

    assert [Source.model_validate(s).table for s in sources] == [
        "deals",
        "orders",
        "customers",
        "survey",
        "activity",
        "orders",
        "deals",
    ]


def test_the_readme_client_shapes_validate_on_the_public_files(tmp_path):
    """The README's CRM-only, online-shop and ads-only examples, with the exports placed in the
    client folder."""
    import re
    import shutil

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shapes = readme.split("### Client shapes", 1)[1]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", shapes, re.S)]
    files = {
        "olist_marketing_qualified_leads_dataset.csv": "olist_marketing_funnel",
        "olist_closed_deals_dataset.csv": "olist_marketing_funnel",
        "CDNOW_master.txt": "cdnow",
        "KAG_conversion_data.csv": "kag_facebook_ads",
    }
    rows = {}
    for i, config in enumerate(blocks[:3]):
        folder = tmp_path / str(i)
        folder.mkdir()
        for name, where in files.items():
            shutil.copy(dataset(where, name), folder / name)
        path = folder / "client.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        report = validate_client(path)
        assert report.ok, report.errors
        rows[config["name"]] = report.sources[0]["rows_out"]
    assert rows == {"Olist": 8_000, "CDNOW": 69_659, "Facebook ads": 1_143}


def test_a_join_that_fails_leaves_a_json_ready_record(tmp_path):
    import json

    cfg = _pair(
        tmp_path, "lead,won_on\nL2,2025-02-01\n", {"on": "lead", "columns": {"won_on": "closed"}}
    )
    (tmp_path / "leads.csv").write_text(
        "lead,created\nL1,2025-01-02\n", encoding="utf-8"
    )  # no channel column
    report = validate_client(cfg)
    assert any("lacks required column(s) channel" in e for e in report.errors)
    assert json.loads(json.dumps(report.to_dict()))["sources"][0]["join"]["matched"] == 0
