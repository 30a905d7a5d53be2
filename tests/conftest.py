"""Shared fixtures: a tiny hand-checkable client written into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "kpi_helpers" / "demo_data"


def write_tiny_client(folder: Path, *, extra_yaml: str = "", activity_edit=None) -> Path:
    """Two tactics, two full years, constant months, so every total is easy by hand.

    Per month (both years): paid_search/Search A spends 100, 1000 visits, 50 leads, 10 customers,
    10 orders, revenue 500; email/Newsletter 100 visits, 20 leads, 5 customers, 6 orders, revenue
    300.
    Costs per month: media 100 (Search A), software 50 (Newsletter), shared overhead 60 (no
    channel).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for period in pd.date_range("2024-01-01", "2025-12-01", freq="MS").strftime("%Y-%m"):
        rows.append([period, "paid_search", "Search A", 100, 1000, 50, 10, 10, 500])
        rows.append([period, "email", "Newsletter", "", 100, 20, 5, 6, 300])
    act = pd.DataFrame(
        rows,
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
    )
    if activity_edit:
        act = activity_edit(act)
    act.to_csv(folder / "activity.csv", index=False)
    costs = []
    for period in pd.date_range("2024-01-01", "2025-12-01", freq="MS").strftime("%Y-%m"):
        costs += [
            [period, "paid_search", "Search A", "media", "outbound", 100],
            [period, "email", "Newsletter", "software", "inbound", 50],
            [period, "", "", "overhead", "inbound", 60],
        ]
    pd.DataFrame(
        costs, columns=["period", "channel", "tactic", "cost_type", "flow", "amount"]
    ).to_csv(folder / "costs.csv", index=False)
    (folder / "client.yaml").write_text(
        textwrap.dedent("""\
        schema_version: 1
        name: "Tiny <b>Test</b> & Co"
        currency: EUR
        year: 2025
        sources:
          - {table: activity, path: activity.csv}
          - {table: costs, path: costs.csv}
        targets:
          - {kpi: revenue, scope: all, change: 0.1}
          - {kpi: cac, scope: all, value: 20}
        """)
        + extra_yaml,
        encoding="utf-8",
    )
    return folder / "client.yaml"


@pytest.fixture
def tiny_client(tmp_path) -> Path:
    return write_tiny_client(tmp_path / "tiny")
