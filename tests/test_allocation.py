"""Cost allocation rules, any-grouping KPI tables and inbound/outbound CAC, on the tiny client by
hand."""

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.analysis.allocation import allocate_costs, cac_by_flow
from kpi_helpers.analysis.review import kpi_table

from conftest import write_tiny_client


def _tactic_cost(data, rule, year=2025):
    a = allocate_costs(data, rule)
    return a[a["period"].dt.year == year].groupby("tactic")["cost"].sum()


@pytest.mark.parametrize(
    "rule, search_a, newsletter",
    [
        # shared overhead 60 a month; direct: Search A 100 media, Newsletter 50 software
        ("direct_cost", 12 * (100 + 60 * 100 / 150), 12 * (50 + 60 * 50 / 150)),  # 1 680 and 840
        ("spend", 12 * (100 + 60), 12 * 50),  # Newsletter has no ad spend: it takes no shared cost
        ("leads", 12 * (100 + 60 * 50 / 70), 12 * (50 + 60 * 20 / 70)),  # 50 and 20 leads a month
    ],
)
def test_allocation_rules_by_hand(tiny_client, rule, search_a, newsletter):
    cost = _tactic_cost(kh.load_client(tiny_client), rule)
    assert cost["Search A"] == pytest.approx(search_a)
    assert cost["Newsletter"] == pytest.approx(newsletter)
    assert cost.sum() == pytest.approx(12 * 210)  # nothing lost, nothing invented


def test_the_shared_allocation_follows_the_tables_it_depends_on(tiny_client):
    """One allocation per client and rule is shared, but never outlives the activity or costs table
    it came from."""
    data = kh.load_client(tiny_client)
    first = allocate_costs(data, "direct_cost")
    assert allocate_costs(data, "direct_cost") is first  # computed once
    assert allocate_costs(data, "spend") is not first
    data.tables["costs"] = data.costs.assign(
        amount=data.costs["amount"] * 2
    )  # a table replaced: computed anew
    assert _tactic_cost(data, "direct_cost").sum() == pytest.approx(2 * 12 * 210)
    data.tables["activity"] = data.activity[data.activity["tactic"] == "Search A"].reset_index(
        drop=True
    )
    assert set(allocate_costs(data, "direct_cost")["tactic"]) == {"Search A"}


def test_allocation_rule_from_client_yaml(tmp_path):
    data = kh.load_client(write_tiny_client(tmp_path / "s", extra_yaml="cost_allocation: spend\n"))
    sc = kh.build_review(data).scorecard
    row = sc[(sc["year"] == 2025) & (sc["tactic"] == "Search A")].iloc[0]
    assert row["cost"] == pytest.approx(12 * 160)


def test_direct_cost_split_over_devices_by_spend(tmp_path):
    def devices(df):
        # each row becomes a desktop row (3/4 of spend and visits) and a mobile row (1/4)
        d, m = df.copy(), df.copy()
        d["device"], m["device"] = "desktop", "mobile"
        for col in ("spend", "visits", "leads", "customers", "orders", "revenue"):
            d[col] = pd.to_numeric(df[col], errors="coerce") * 0.75
            m[col] = pd.to_numeric(df[col], errors="coerce") * 0.25
        return pd.concat([d, m])

    data = kh.load_client(write_tiny_client(tmp_path / "d", activity_edit=devices))
    t = kpi_table(data, by=["device"], years=2025).set_index("device")
    # Search A's 1 680 splits 3:1 by spend; Newsletter (no spend) splits 3:1 by visits: both 3:1
    assert t.loc["desktop", "cost"] == pytest.approx(0.75 * 2_520)
    assert t.loc["mobile", "cpl"] == pytest.approx(0.25 * 2_520 / (0.25 * 840))


def test_kpi_table_by_month_and_flow_is_ratio_of_totals(tiny_client):
    data = kh.load_client(tiny_client)
    by_month = kpi_table(data, by=["year", "month"], years=[2025])
    assert len(by_month) == 12 and by_month["cost"].sum() == pytest.approx(2_520)
    assert by_month["traffic_to_lead"].iloc[0] == pytest.approx(70 / 1_100)
    by_flow = kpi_table(data, by=["flow"], years=2025).set_index("flow")
    assert by_flow.loc["outbound", "cac"] == pytest.approx(1_680 / 120)
    with pytest.raises(ValueError, match="cannot group by"):
        kpi_table(data, by=["region"])


def test_inbound_outbound_cac_and_lag(tmp_path):
    cfg = write_tiny_client(tmp_path / "f")
    costs = pd.read_csv(cfg.parent / "costs.csv", dtype=str)
    # December 2024 media doubled: with a one-month lag it falls into 2025's outbound pool
    costs.loc[(costs["period"] == "2024-12") & (costs["cost_type"] == "media"), "amount"] = "200"
    costs.to_csv(cfg.parent / "costs.csv", index=False)
    data = kh.load_client(cfg)
    flows = cac_by_flow(data, 2025).set_index("flow")
    # inbound pool: software 600 + overhead 720 = 1 320 over Newsletter's 60 customers
    assert flows.loc["inbound", "cac"] == pytest.approx(1_320 / 60)
    assert flows.loc["outbound", "cac"] == pytest.approx(1_200 / 120)
    lagged = cac_by_flow(data, 2025, lag_months=1).set_index("flow")
    # Dec 2024 - Nov 2025 media: 200 + 11 x 100 = 1 300
    assert lagged.loc["outbound", "cost"] == pytest.approx(1_300)


def test_costs_without_activity_are_reported_not_lost(tmp_path):
    cfg = write_tiny_client(tmp_path / "u")
    costs = pd.read_csv(cfg.parent / "costs.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame(
        [["2025-06", "display", "Old banners", "media", "outbound", "1500"]], columns=costs.columns
    )
    pd.concat([costs, extra]).to_csv(cfg.parent / "costs.csv", index=False)
    rv = kh.build_review(cfg)
    assert allocate_costs(rv.data).attrs["unallocated"] == pytest.approx(1_500)
    assert any("Costs of 1,500" in note for note in rv.data_quality)
    assert rv.trend.loc[rv.trend["period"] == "2025-06-01", "cost"].iloc[0] == pytest.approx(
        210 + 1_500
    )


def test_unknown_rule(tiny_client):
    with pytest.raises(ValueError, match="use one of direct_cost, spend, leads"):
        allocate_costs(kh.load_client(tiny_client), "visits")
