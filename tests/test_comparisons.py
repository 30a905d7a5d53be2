"""Order values compared between acquisition channels, checked against SciPy called directly."""

import pytest
from scipy import stats as sps

import kpi_helpers as kh
from kpi_helpers.analysis.comparisons import compare_order_values

from conftest import DEMO


def test_order_values_by_channel_match_scipy():
    data = kh.load_client(DEMO / "northwind-home")
    res = compare_order_values(data, 2025)
    o = data.orders[data.orders["date"].dt.year == 2025].merge(
        data.customers[["customer_id", "channel"]], on="customer_id"
    )
    a = o.loc[o["channel"] == "paid_search", "amount"]
    b = o.loc[o["channel"] == "social_paid", "amount"]
    row = res.pairwise[
        (res.pairwise["test"] == "welch_t")
        & (res.pairwise["group_a"] == "paid_search")
        & (res.pairwise["group_b"] == "social_paid")
    ].iloc[0]
    # Welch's t-test straight from SciPy on the same orders (diff = b - a)
    ref = sps.ttest_ind(b, a, equal_var=False)
    assert row["statistic"] == pytest.approx(ref.statistic)
    assert row["diff"] == pytest.approx(b.mean() - a.mean())
    groups = [g["amount"].to_numpy() for _, g in o.groupby("channel") if len(g) >= 2]
    kruskal = res.omnibus.set_index("test").loc["kruskal", "p_value"]
    assert kruskal == pytest.approx(sps.kruskal(*groups).pvalue)


def test_no_order_tables_no_comparison(tiny_client):
    assert compare_order_values(kh.load_client(tiny_client), 2025) is None
