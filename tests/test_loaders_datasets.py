"""Real exports nobody on this project made, read through the generic mapping from
../shared/datasets.

The files are read where they lie (never copied: several have no stated or a non-commercial licence)
and skipped, saying so, where that folder is absent. Expected numbers come from the published
answers that ship with the data (Preppin' Data's output files) or from summing the raw CSV with the
standard library's csv module, independently of the loaders.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.loaders import validate_client

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
ACTIVITY = Path(__file__).resolve().parent / "fixtures" / "canonical_activity.csv"


# The clean activity fixture moved into the reviewed year (its rows cover 2024-2025; a client must
# cover its year).
def activity_in(year: int) -> dict:
    return {"table": "activity", "path": str(ACTIVITY), "constants": {"period": f"{year}-12"}}


def dataset(*parts: str) -> Path:
    path = DATASETS.joinpath(*parts)
    if not path.is_file():
        pytest.skip("../shared/datasets not present")
    return path


def client(tmp_path: Path, year: int, sources: list[dict], **settings) -> Path:
    # The shared datasets and the activity fixture lie outside the throw-away client's folder:
    # allowed explicitly.
    config = {
        "name": "Real data",
        "currency": "USD",
        "year": year,
        "sources": sources,
        "allow_outside": [str(DATASETS), str(ACTIVITY)],
        **settings,
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_facebook_ads_kaggle_as_ad_spend(tmp_path):
    """KAG_conversion_data.csv (UTF-8 with BOM, CRLF): one row per ad, no date -> one reporting
    month."""
    path = dataset("kag_facebook_ads", "KAG_conversion_data.csv")
    source = {
        "table": "activity",
        "path": str(path),
        "columns": {
            "xyz_campaign_id": "tactic",
            "fb_campaign_id": "campaign",
            "Impressions": "impressions",
            "Clicks": "clicks",
            "Spent": "spend",
            "Total_Conversion": "conversions",
        },
        "constants": {"channel": "social_paid", "period": "2017-08"},
    }
    cfg = client(tmp_path, 2017, [source])
    report = validate_client(cfg)
    assert report.ok, report.errors
    src = report.sources[0]
    assert (src["encoding"], src["rows_in"], src["rows_out"]) == ("utf-8-sig", 1143, 1143)
    a = kh.load_client(cfg).activity
    by = a.groupby("tactic")[["impressions", "clicks", "spend", "conversions"]].sum()
    # Sums of the raw CSV with the csv module (see the module docstring).
    assert by.loc["916"].tolist() == pytest.approx([482_925, 113, 149.71000065699997, 58])
    assert by.loc["936"].tolist() == pytest.approx([8_128_187, 1_984, 2_893.369998933998, 537])
    assert by.loc["1178"].tolist() == pytest.approx(
        [204_823_716, 36_068, 55_662.149958614005, 2_669]
    )
    assert {"age", "gender", "interest"}.isdisjoint(a.columns)  # audience columns are not carried


def _independent_counts(path: Path) -> dict[str, int]:
    with path.open(newline="", encoding="utf-8") as fh:
        counts: dict[str, int] = {}
        for row in csv.DictReader(fh):
            counts[row["origin"]] = counts.get(row["origin"], 0) + 1
    return counts


OLIST_CHANNELS = {
    "social": "social_organic",
    "direct_traffic": "direct",
    "other_publicities": "other",
    "unknown": "other",
}


def test_olist_marketing_qualified_leads_as_crm_deals(tmp_path):
    """Olist's 8 000 MQLs: every row a deal that reached MQL, its origin mapped onto the
    channels."""
    path = dataset("olist_marketing_funnel", "olist_marketing_qualified_leads_dataset.csv")
    source = {
        "table": "deals",
        "path": str(path),
        "columns": {
            "mql_id": "deal_id",
            "first_contact_date": "created",
            "origin": "channel",
            "landing_page_id": "tactic",
        },
        "constants": {"stage": "mql"},
        "channel_map": OLIST_CHANNELS,
        "unknown_channels": "other",
    }
    cfg = client(tmp_path, 2018, [activity_in(2018), source])
    report = validate_client(cfg)
    assert report.ok, report.errors
    assert any(
        "'(blank)' (60 rows)" in w for w in report.warnings
    )  # 60 leads without an origin, said so
    deals = kh.load_client(cfg).deals
    assert len(deals) == 8000 and deals["deal_id"].is_unique
    raw = _independent_counts(path)
    expected = {
        "organic_search": raw["organic_search"],
        "paid_search": raw["paid_search"],
        "email": raw["email"],
        "social_organic": raw["social"],
        "direct": raw["direct_traffic"],
        "referral": raw["referral"],
        "display": raw["display"],
        "other": raw["other"] + raw["other_publicities"] + raw["unknown"] + raw[""],
    }
    assert deals["channel"].value_counts().to_dict() == expected
    assert set(deals["stage"]) == {"mql"} and set(deals["status"]) == {"open"}
    assert (deals["created"].min(), deals["created"].max()) == (
        pd.Timestamp("2017-06-14"),
        pd.Timestamp("2018-05-31"),
    )


def test_sudzilla_google_forms_nps_matches_the_published_answer(tmp_path):
    """Preppin' Data 'Sudzilla' (MIT, zzzbitz/prepbench): published NPS -35.9 from 39 responses, 8
    promoters,
    22 detractors (output_01.csv). Its US dates are ambiguous (11/1/2019), so the source states its
    format."""
    path = dataset("nps_sudzilla", "input_01.csv")
    source = {
        "table": "survey",
        "path": str(path),
        "preset": "survey",
        "date_format": "%m/%d/%Y %H:%M:%S",
    }
    cfg = client(tmp_path, 2019, [activity_in(2019), source])
    survey = kh.load_client(cfg).survey
    promoters, detractors, n = (
        int((survey["nps"] >= 9).sum()),
        int((survey["nps"] <= 6).sum()),
        len(survey),
    )
    assert (n, promoters, detractors) == (39, 8, 22)
    assert round((promoters - detractors) / n * 100, 1) == -35.9
    undeclared = validate_client(
        client(
            tmp_path / "u",
            2019,
            [activity_in(2019), {k: v for k, v in source.items() if k != "date_format"}],
        )
    )
    assert any(
        "set `date_format:" in e for e in undeclared.errors
    )  # ambiguous without it: an error, not a guess


def test_prep_air_nps_matches_the_published_answer(tmp_path):
    """Preppin' Data 'Prep Air' (MIT): published NPS 21 for Prep Air (output_01.csv); the file has
    no dates,
    so the source gives the survey's date as a constant."""
    path = dataset("nps_prep_air", "input_02.csv")
    source = {
        "table": "survey",
        "path": str(path),
        "preset": "survey",
        "constants": {"date": "2025-06-30"},
    }
    cfg = client(tmp_path, 2025, [{"table": "activity", "path": str(ACTIVITY)}, source])
    survey = kh.load_client(cfg).survey
    score = ((survey["nps"] >= 9).sum() - (survey["nps"] <= 6).sum()) / len(survey) * 100
    assert len(survey) == 184 and int(score) == 21
