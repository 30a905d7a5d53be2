"""The demo generator is deterministic and the committed demo data is what it writes."""

import filecmp

from kpi_helpers.run.demo import DEMO_CLIENTS, write_demo

from conftest import DEMO
import kpi_helpers as kh


def test_demo_is_deterministic_and_matches_committed_data(tmp_path):
    write_demo(tmp_path)
    for client in DEMO_CLIENTS:
        names = sorted(p.name for p in (DEMO / client.slug).iterdir())
        match, mismatch, errors = filecmp.cmpfiles(
            DEMO / client.slug, tmp_path / client.slug, names, shallow=False
        )
        assert not mismatch and not errors, (
            f"{client.slug}: regenerate with `make demo-data` ({mismatch or errors})"
        )


def test_demo_tables_agree_with_each_other():
    data = kh.load_client(DEMO / "northwind-home")
    a, o = data.activity, data.orders
    # activity revenue is the orders' revenue, attributed to the customer's acquisition tactic
    assert abs(a["revenue"].sum() - o["amount"].sum()) < 1.0
    assert a["orders"].sum() == len(o)
    won_2024_25 = (data.deals["status"] == "won").sum()
    acquired = data.customers["acquired"].dt.year.isin([2024, 2025]).sum()
    assert acquired >= won_2024_25 * 0.95
