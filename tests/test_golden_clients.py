"""Golden real-data clients: public exports nobody on this project made, reviewed through
client.yaml alone.

Each client folder is built in a temporary directory from ``../shared/datasets`` (the files are
copied
there for the test, never committed: several have no stated or a non-commercial licence) with a
``client.yaml`` and no pandas pre-processing, as a new user would. Skipped where ``../shared`` is
absent.

- **Olist** as a CRM-only client (its marketing-qualified leads joined with its closed deals), a
  fiscal
  year from June (the data run June 2017 to May 2018). Published conversion by origin (closed deals
  /
  MQLs, Olist's "Marketing Funnel" data set): paid search 12.30 %, organic search 11.80 %, social
  5.56 %, email 3.04 %; recomputed here from the raw CSVs with the csv module.
- **Facebook ads** (Kaggle "Sales Conversion Optimization") as an ads-only client: campaign 1178's
  CTR,
  CPC and CPM from sums of the raw CSV.
- **CDNOW** as an orders-only shop, its data ending in June 1998: a part year, reviewed January–June
  1998 against January–June 1997; the repeat-purchase rate and the average order value of both
  periods recomputed from the raw text file with ``str.split``.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import kpi_helpers as kh

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
RUN_DATE = "2026-02-01"


def _copy(folder: Path, *files: str) -> None:
    for rel in files:
        src = DATASETS / rel
        if not src.is_file():
            pytest.skip("../shared/datasets not present")
        shutil.copy(src, folder / src.name)


def olist_client(root: Path) -> Path:
    folder = root / "olist"
    folder.mkdir(parents=True)
    _copy(
        folder,
        "olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv",
        "olist_marketing_funnel/olist_closed_deals_dataset.csv",
    )
    (folder / "client.yaml").write_text(
        textwrap.dedent("""\
        name: Olist (CRM only)
        currency: BRL
        year: 2017
        fiscal_year_start: "06-01"     # the data run June 2017 to May 2018
        sources:
          - table: deals
            path: olist_marketing_qualified_leads_dataset.csv
            columns: {mql_id: deal_id, first_contact_date: created, origin: channel}
            constants: {stage: mql, tactic: inbound leads}
            channel_map: {social: social_organic, direct_traffic: direct,
                          other_publicities: other, unknown: other}
            unknown_channels: other
            join:
              path: olist_closed_deals_dataset.csv
              on: mql_id
              columns: {won_date: closed}
              constants: {stage: won}
        """),
        encoding="utf-8",
    )
    return folder / "client.yaml"


def facebook_client(root: Path) -> Path:
    folder = root / "facebook"
    folder.mkdir(parents=True)
    _copy(folder, "kag_facebook_ads/KAG_conversion_data.csv")
    (folder / "client.yaml").write_text(
        textwrap.dedent("""\
        name: Facebook ads (ads only)
        currency: USD
        year: 2017
        sources:
          - table: activity
            path: KAG_conversion_data.csv
            preset: meta_ads
            columns: {xyz_campaign_id: campaign}
            constants: {period: "2017-08"}
        """),
        encoding="utf-8",
    )
    return folder / "client.yaml"


def cdnow_client(root: Path) -> Path:
    folder = root / "cdnow"
    folder.mkdir(parents=True)
    _copy(folder, "cdnow/CDNOW_master.txt")
    (folder / "client.yaml").write_text(
        textwrap.dedent("""\
        name: CDNOW (orders only)
        currency: USD
        year: 1998
        sources:
          - table: orders
            path: CDNOW_master.txt
            columns: {dollar_value: amount}
            row_id: order_id
        """),
        encoding="utf-8",
    )
    return folder / "client.yaml"


def _olist_conversion_by_origin() -> dict[str, tuple[int, int]]:
    """(won, MQLs) per origin, from the raw CSVs (csv module)."""
    folder = DATASETS / "olist_marketing_funnel"
    with (folder / "olist_closed_deals_dataset.csv").open(newline="", encoding="utf-8") as fh:
        won = {row["mql_id"] for row in csv.DictReader(fh)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with (folder / "olist_marketing_qualified_leads_dataset.csv").open(
        newline="", encoding="utf-8"
    ) as fh:
        for row in csv.DictReader(fh):
            counts[row["origin"]][0] += row["mql_id"] in won
            counts[row["origin"]][1] += 1
    return {k: tuple(v) for k, v in counts.items()}


def test_olist_crm_only_reproduces_the_published_conversion_by_origin(tmp_path):
    rv = kh.build_review(olist_client(tmp_path), run_date=RUN_DATE)
    raw = _olist_conversion_by_origin()
    published = {
        "paid_search": ("paid_search", 0.1230),
        "organic_search": ("organic_search", 0.1180),
        "social_organic": ("social", 0.0556),
        "email": ("email", 0.0304),
    }
    sc = rv.scorecard
    channels = sc[(sc["year"] == 2017) & (sc["level"] == "channel")].set_index("channel")
    for channel, (origin, rate) in published.items():
        won, mqls = raw[origin]
        assert channels.loc[channel, "customers"] == won and channels.loc[channel, "leads"] == mqls
        assert channels.loc[channel, "lead_to_customer"] == pytest.approx(won / mqls)
        assert round(channels.loc[channel, "lead_to_customer"], 4) == rate
    portfolio = rv.portfolio()
    assert (portfolio["leads"], portfolio["customers"]) == (8000, 842)
    # the fiscal year is named as such, the 100 % lead -> MQL stage and the missing lost deals are
    # explained
    assert rv.period.label() == "June 2017 – May 2018"
    assert any("100 % by construction" in n for n in rv.data_quality)
    assert any("no lost deals" in n for n in rv.data_quality)
    assert "close_rate" not in sc or sc["close_rate"].isna().all()
    assert not rv.flags["kpi"].eq("lead_to_mql").any()  # explained once, not flagged per channel
    # no cost and no revenue: no tactic gets a made-up ROI. Each origin is the only tactic of its
    # channel and the
    # data hold one year, so no stage has a fair benchmark: email's 3.0 % lead -> customer is shown
    # beside the
    # rest of the portfolio as context, never called weak for the portfolio mix (paid and organic
    # search)
    d = rv.decisions.set_index("channel")
    assert rv.decisions["roi"].isna().all()
    for weak in ("email", "social_organic"):
        assert d.loc[weak, "decision"] == "insufficient_data" and not isinstance(
            d.loc[weak, "weakest_stage"], str
        )
        assert d.loc[weak, "reason"].startswith("Cannot judge return")
        assert "No fair benchmark for lead → customer" in d.loc[weak, "reason"]
        assert "not judged against the portfolio mix" in d.loc[weak, "reason"]
    assert not (d["decision"] == "optimise").any()
    # every deal not won is open (no lost deals recorded): that is not "too early to judge"
    assert not d["reason"].str.contains("Too early").any()


def _facebook_sums(campaign: str) -> tuple[int, int, float, int]:
    impressions = clicks = conversions = 0
    spend = []
    with (DATASETS / "kag_facebook_ads" / "KAG_conversion_data.csv").open(
        newline="", encoding="utf-8-sig"
    ) as fh:
        for row in csv.DictReader(fh):
            if row["xyz_campaign_id"] == campaign:
                impressions += int(row["Impressions"])
                clicks += int(row["Clicks"])
                spend.append(float(row["Spent"]))
                conversions += int(row["Total_Conversion"])
    return impressions, clicks, math.fsum(spend), conversions


def test_facebook_ads_only_shows_ctr_cpc_cpm_of_campaign_1178(tmp_path):
    rv = kh.build_review(facebook_client(tmp_path), run_date=RUN_DATE)
    impressions, clicks, spend, conversions = _facebook_sums("1178")
    assert (impressions, clicks, conversions) == (204_823_716, 36_068, 2_669)
    sc = rv.scorecard
    row = sc[(sc["level"] == "tactic") & (sc["tactic"] == "1178")].iloc[0]
    assert row["ctr"] == pytest.approx(clicks / impressions)  # 0.0176 %
    assert row["cpc"] == pytest.approx(spend / clicks)  # 1.54 USD
    assert row["cpm"] == pytest.approx(spend / impressions * 1000)  # 0.27 USD
    assert row["cpa_platform"] == pytest.approx(spend / conversions)
    assert (
        "revenue" not in sc and rv.decisions["roi"].isna().all()
    )  # no revenue: no ROI is invented
    from kpi_helpers.report import show

    html = show.advertising(rv).data
    assert "CTR" in html and "CPM" in html and "1178" in html


def _cdnow_orders() -> list[tuple[str, str, float]]:
    rows = []
    with (DATASETS / "cdnow" / "CDNOW_master.txt").open(encoding="utf-8") as fh:
        next(fh)  # the header: customer_id date number_of_cds dollar_value
        for line in fh:
            customer, date, _cds, value = line.split()
            rows.append((customer, date, float(value)))
    return rows


def test_cdnow_orders_only_is_a_part_year_compared_like_for_like(tmp_path):
    rv = kh.build_review(cdnow_client(tmp_path), run_date=RUN_DATE)
    assert rv.period.partial and rv.period.last_month == 6
    assert rv.period.comparison() == "January–June 1998 against January–June 1997"
    orders = _cdnow_orders()
    for year in (1997, 1998):
        window = [(c, v) for c, d, v in orders if d[:4] == str(year) and d[4:6] <= "06"]
        per_customer = Counter(c for c, _v in window)
        repeat = sum(n >= 2 for n in per_customer.values()) / len(per_customer)
        aov = math.fsum(v for _c, v in window) / len(window)
        row = rv.portfolio(year)
        assert row["orders"] == len(window)
        assert row["repeat_purchase_rate"] == pytest.approx(repeat)
        assert row["aov"] == pytest.approx(aov)
    # every customer's first order is the acquisition (CDNOW's customers all first bought in Q1
    # 1997)
    first: dict[str, str] = {}
    for c, d, _v in orders:
        first[c] = min(first.get(c, d), d)
    for year in (1997, 1998):
        new = sum(d[:4] == str(year) and d[4:6] <= "06" for d in first.values())
        assert (rv.portfolio(year).get("customers", 0) or 0) == new
    assert any("first order is taken as their acquisition" in n for n in rv.data_quality)


def test_golden_clients_run_end_to_end(tmp_path):
    """The three clients through the batch (papermill, the notebook, the HTML export): exit 0, no
    traceback."""
    configs = [olist_client(tmp_path), facebook_client(tmp_path), cdnow_client(tmp_path)]
    env = os.environ | {"MPLBACKEND": "Agg"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_helpers.run.cli",
            "batch",
            *map(str, configs),
            "--out",
            str(tmp_path / "reports"),
            "--run-date",
            RUN_DATE,
            "--workers",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    day = tmp_path / "reports" / RUN_DATE
    olist = (day / "olist" / "annual_review.html").read_text(encoding="utf-8")
    assert "June 2017 – May 2018" in olist and "12.3 %" in olist and "n/a — needs" in olist
    facebook = (day / "facebook" / "annual_review.html").read_text(encoding="utf-8")
    assert "Advertising: platform figures" in facebook and "CPM" in facebook
    cdnow = (day / "cdnow" / "annual_review.html").read_text(encoding="utf-8")
    assert "January–June 1998" in cdnow and "Part year" in cdnow
