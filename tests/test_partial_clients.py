"""Clients in whatever shape they come: any subset of tables, part years, fiscal years, implausible
numbers.

Partial clients are cut from the northwind demo (its files copied with fewer sources); expected
totals
are summed from the demo CSVs with the csv module, independently of the loaders.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.report import plots, show
from kpi_helpers.analysis.plausibility import (
    MAX_LTV_CAC,
    MAX_ROI,
    MIN_BASE,
    MIN_TRIALS,
    flag_scorecard,
)

from conftest import DEMO

matplotlib.use("Agg")
NORTHWIND = DEMO / "northwind-home"
RUN_DATE = "2026-02-01"
SHOW = (
    "title",
    "headlines",
    "summary",
    "decisions",
    "channel_pairs",
    "tactic_evidence",
    "plan",
    "funnel",
    "devices",
    "customers_by_channel",
    "customer_value",
    "order_values",
    "retention",
    "cohort_ltv",
    "nps",
    "budget",
    "data_quality",
    "unavailable",
    "glossary",
    "provenance",
    "advertising",
)


def partial(tmp_path: Path, tables: list[str], *, cut: str | None = None, **settings) -> Path:
    """The northwind demo with only ``tables``, optionally every row after month ``cut`` (YYYY-MM)
    removed."""
    folder = tmp_path / "-".join(tables)
    folder.mkdir(parents=True)
    cfg = yaml.safe_load((NORTHWIND / "client.yaml").read_text(encoding="utf-8"))
    cfg["sources"] = [s for s in cfg["sources"] if s["table"] in tables]
    cfg.pop("slug", None)
    cfg.update(settings)
    dates = {
        "activity": "period",
        "costs": "period",
        "deals": "created",
        "orders": "date",
        "customers": "acquired",
        "survey": "date",
    }
    for s in cfg["sources"]:
        if cut is None:
            shutil.copy(NORTHWIND / s["path"], folder / s["path"])
            continue
        with (
            (NORTHWIND / s["path"]).open(newline="", encoding="utf-8") as src,
            (folder / s["path"]).open("w", newline="", encoding="utf-8") as dst,
        ):
            rows = csv.DictReader(src)
            out = csv.DictWriter(dst, rows.fieldnames)
            out.writeheader()
            out.writerows(r for r in rows if r[dates[s["table"]]][:7] <= cut)
    (folder / "client.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return folder / "client.yaml"


def _render_everything(rv) -> str:
    html = "".join(getattr(show, fn)(rv).data for fn in SHOW)
    html += "".join(show.section(key, rv).data for key in show.SECTIONS)
    for ax in (
        plots.plot_roi_by_tactic(rv.decisions),
        plots.plot_rate_forest(rv.channel_rates),
        plots.plot_monthly_trend(rv.trend, "revenue"),
        plots.plot_monthly_trend(rv.trend, "leads"),
        plots.plot_funnel(rv.funnel),
        plots.plot_budget(rv.budget),
    ):
        if ax is not None:
            matplotlib.pyplot.close(ax.figure)
    return html


@pytest.mark.parametrize(
    "tables, needs",
    [
        (["deals"], "cost"),
        (["orders", "customers"], "visits and leads by channel"),
        (["orders"], "visits and leads by channel"),
        (["activity"], "orders and customers tables"),
        (["survey"], "tactics"),
        (["costs", "deals"], "visits and leads by channel"),
    ],
)
def test_any_subset_of_tables_is_a_client(tmp_path, tables, needs):
    rv = kh.build_review(partial(tmp_path, tables), run_date=RUN_DATE)
    html = _render_everything(rv)
    assert "n/a — needs" in html and needs in html
    assert "Traceback" not in html


def _sum(path: Path, column: str, date_col: str, start: str, end: str) -> float:
    with path.open(newline="", encoding="utf-8") as fh:
        return math.fsum(
            float(r[column] or 0) for r in csv.DictReader(fh) if start <= r[date_col][:7] <= end
        )


def test_deals_only_derives_the_funnel_from_the_crm(tmp_path):
    rv = kh.build_review(partial(tmp_path, ["deals"]), run_date=RUN_DATE)
    with (NORTHWIND / "deals.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["created"][:4] == "2025"]
    won = [r for r in rows if r["status"] == "won"]
    p = rv.portfolio()
    assert p["leads"] == len(rows) and p["customers"] == len(won)
    assert p["revenue"] == pytest.approx(math.fsum(float(r["amount"]) for r in won))
    assert "cost" not in p or pd.isna(p["cost"])  # never zero: unknown
    assert any(n.startswith("Derived from the CRM deals") for n in rv.data_quality)


def test_orders_only_takes_first_orders_as_acquisitions(tmp_path):
    rv = kh.build_review(partial(tmp_path, ["orders"]), run_date=RUN_DATE)
    with (NORTHWIND / "orders.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first: dict[str, str] = {}
    for r in rows:
        first[r["customer_id"]] = min(first.get(r["customer_id"], r["date"]), r["date"])
    p = rv.portfolio()
    assert p["customers"] == sum(d[:4] == "2025" for d in first.values())
    assert p["revenue"] == pytest.approx(
        _sum(NORTHWIND / "orders.csv", "amount", "date", "2025-01", "2025-12")
    )
    assert set(rv.decisions["tactic"]) == {"unattributed"}


def test_activity_without_costs_or_spend_has_unknown_cost_not_zero(tmp_path):
    def no_spend(folder: Path) -> None:
        a = pd.read_csv(folder / "activity.csv").drop(columns=["spend"])
        a.to_csv(folder / "activity.csv", index=False)

    cfg = partial(tmp_path, ["activity"])
    no_spend(cfg.parent)
    rv = kh.build_review(cfg, run_date=RUN_DATE)
    assert pd.isna(rv.portfolio().get("cost")) and pd.isna(rv.portfolio().get("roi"))
    assert rv.decisions["roi"].isna().all()
    assert any("no ad spend" in n for n in rv.data_quality)


def test_a_year_cut_after_june_is_compared_like_for_like(tmp_path):
    rv = kh.build_review(
        partial(
            tmp_path, ["activity", "costs", "deals", "orders", "customers", "survey"], cut="2025-06"
        ),
        run_date=RUN_DATE,
    )
    assert (
        rv.period.partial
        and rv.period.comparison() == "January–June 2025 against January–June 2024"
    )
    activity = NORTHWIND / "activity.csv"
    for year in (2024, 2025):
        p = rv.portfolio(year)
        assert p["revenue"] == pytest.approx(
            _sum(activity, "revenue", "period", f"{year}-01", f"{year}-06")
        )
        assert p["cost"] == pytest.approx(
            _sum(NORTHWIND / "costs.csv", "amount", "period", f"{year}-01", f"{year}-06")
        )
    assert "January–June 2025" in show.title(rv).data and "Part year" in show.headlines(rv).data
    # absolute targets of totals pro rata (customers 5 000 a year -> 2 500), ratios (CAC) not
    plan = rv.plan.set_index("kpi")
    assert plan.loc["customers", "target"] == pytest.approx(2500)
    assert plan.loc["cac", "target"] == pytest.approx(35.0)
    # the same review from the full data with --as-of
    full = kh.build_review(NORTHWIND / "client.yaml", run_date=RUN_DATE, as_of="2025-06-30")
    for year in (2024, 2025):
        for k in ("revenue", "cost", "customers", "leads"):
            assert full.portfolio(year)[k] == pytest.approx(rv.portfolio(year)[k])
    assert (
        kh.build_review(
            NORTHWIND / "client.yaml", run_date=RUN_DATE, as_of="2025-07-15"
        ).period.last_month
        == 6
    )


def test_as_of_before_the_year_is_a_clear_error():
    with pytest.raises(kh.DataError, match="no complete month"):
        kh.build_review(NORTHWIND / "client.yaml", run_date=RUN_DATE, as_of="2025-01-20")


def test_a_fiscal_year_from_april(tmp_path):
    cfg = partial(tmp_path, ["activity", "costs"], fiscal_year_start="04-01", year=2024)
    rv = kh.build_review(cfg, run_date=RUN_DATE)
    assert rv.period.label() == "April 2024 – March 2025" and not rv.period.partial
    p = rv.portfolio(2024)
    assert p["revenue"] == pytest.approx(
        _sum(NORTHWIND / "activity.csv", "revenue", "period", "2024-04", "2025-03")
    )
    assert p["cost"] == pytest.approx(
        _sum(NORTHWIND / "costs.csv", "amount", "period", "2024-04", "2025-03")
    )
    # the trend keeps calendar months: month 1 of the fiscal year is April
    first = rv.trend[(rv.trend["year"] == 2024) & (rv.trend["month"] == 1)]["period"].iloc[0]
    assert first == pd.Timestamp("2024-04-01")


def _scorecard(**cur) -> pd.DataFrame:
    prev = {k: v for k, v in cur.pop("prev", {}).items()}
    rows = [
        {"year": 2024, "level": "portfolio", "channel": None, "tactic": None, **prev},
        {"year": 2025, "level": "portfolio", "channel": None, "tactic": None, **cur},
    ]
    return pd.DataFrame(rows)


def test_plausibility_thresholds():
    kpis = lambda sc: set(flag_scorecard(sc, 2025)["kpi"])  # noqa: E731
    assert kpis(_scorecard(roi=MAX_ROI + 0.01)) == {"roi"}
    assert kpis(_scorecard(roi=MAX_ROI)) == set()
    assert kpis(_scorecard(ltv_cac=MAX_LTV_CAC + 1)) == {"ltv_cac"}
    assert kpis(_scorecard(customers=900.0, prev={"customers": MIN_BASE - 1.0})) == {
        "customers_change"
    }
    assert kpis(_scorecard(customers=900.0, prev={"customers": float(MIN_BASE)})) == set()
    # revenue's change is judged on the customers behind it
    assert kpis(
        _scorecard(revenue=9e5, customers=40.0, prev={"revenue": 1e3, "customers": 3.0})
    ) == {"revenue_change", "customers_change"}
    assert kpis(_scorecard(lead_to_mql=1.0, leads=float(MIN_TRIALS))) == {"lead_to_mql"}
    assert kpis(_scorecard(lead_to_mql=1.0, leads=MIN_TRIALS - 1.0)) == set()
    assert kpis(_scorecard(lead_to_mql=0.0, leads=500.0)) == {"lead_to_mql"}


def test_implausible_numbers_are_marked_beside_them_and_in_the_summary(tmp_path):
    def tiny_costs(
        folder: Path,
    ) -> None:  # costs of one month only: ROI far beyond what marketing produces
        c = pd.read_csv(folder / "costs.csv")
        c[c["period"] == "2025-01"].head(1).to_csv(folder / "costs.csv", index=False)

    cfg = partial(tmp_path, ["activity", "costs"])
    tiny_costs(cfg.parent)
    rv = kh.build_review(cfg, run_date=RUN_DATE)
    assert "roi" in set(rv.flags.loc[rv.flags["level"] == "portfolio", "kpi"])
    assert "kr-flag" in show.headlines(rv).data and "kr-flag" in show.decisions(rv).data
    assert any(
        s.startswith("Check before reading") for s in kh.analysis.narrative.executive_summary(rv)
    )
    assert any(n.startswith("Implausible number flagged — ROI") for n in rv.data_quality)


def test_derived_counts_are_counted_once_when_activity_splits_a_month():
    """Two device rows of one month x tactic and three deals of that month: leads sum to 3, not
    6."""
    from kpi_helpers.loaders.derive import derive_tables

    month = pd.Timestamp("2025-03-01")
    activity = pd.DataFrame(
        {
            "period": [month, month],
            "channel": ["email"] * 2,
            "tactic": ["News"] * 2,
            "device": ["desktop", "mobile"],
            "visits": [100.0, 50.0],
        }
    )
    deals = pd.DataFrame(
        {
            "deal_id": ["a", "b", "c"],
            "created": pd.to_datetime(["2025-03-02", "2025-03-09", "2025-03-30"]),
            "channel": ["email"] * 3,
            "tactic": ["News"] * 3,
            "stage": ["lead", "mql", "won"],
            "status": ["lost", "open", "won"],
        }
    )
    a = derive_tables({"activity": activity, "deals": deals}).tables["activity"]
    assert len(a) == 2 and a["visits"].sum() == 150
    assert a["leads"].sum() == 3 and a["mql"].sum() == 2 and a["customers"].sum() == 1
