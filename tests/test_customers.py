"""Customer KPIs against numbers worked out by hand and the published CDNOW summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_helpers import DataError
from kpi_helpers.analysis import customers as kc

CDNOW = Path(__file__).parent / "data" / "cdnow"


def make_orders(rows) -> pd.DataFrame:
    """Canonical orders from (customer_id, date, amount) rows; order ids o1, o2, ..."""
    df = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    df.insert(0, "order_id", [f"o{i}" for i in range(1, len(df) + 1)])
    return df.assign(date=pd.to_datetime(df["date"]), amount=df["amount"].astype("float64"))


def make_customers(rows) -> pd.DataFrame:
    """Canonical customers from (customer_id, acquired, channel, churned or None) rows."""
    df = pd.DataFrame(rows, columns=["customer_id", "acquired", "channel", "churned"])
    return df.assign(acquired=pd.to_datetime(df["acquired"]), churned=pd.to_datetime(df["churned"]))


# --- RFM summary
# -----------------------------------------------------------------------------------

# A 4-customer log, observation_end 2025-03-31 (day 89 of 2025 counting Jan 1 as day 0).
RFM_LOG = make_orders(
    [
        ("c1", "2025-01-01", 20),
        ("c1", "2025-01-01", 10),  # same day: one purchase of 30
        ("c1", "2025-01-15", 40),
        ("c1", "2025-02-14", 50),
        ("c2", "2025-02-01", 25),  # one order only
        ("c3", "2025-03-01", 10),
        ("c3", "2025-03-10", 20),
        ("c3", "2025-04-05", 100),  # after observation_end: ignored
        ("c4", "2025-01-10", 5),
        ("c4", "2025-01-10", 7),  # two orders, one day: one purchase
    ]
)


def test_rfm_summary_daily_by_hand():
    # c1: purchase days Jan 1 (30), Jan 15 (40), Feb 14 (50) -> frequency 3 - 1 = 2;
    #     recency Feb 14 - Jan 1 = 31 + 13 = 44; T = Mar 31 - Jan 1 = 31 + 28 + 30 = 89;
    #     monetary = mean of the repeat purchases (40 + 50) / 2 = 45 (the first, 30, is left out)
    # c2: one purchase Feb 1 -> frequency 0, recency 0, T = Mar 31 - Feb 1 = 28 + 30 = 58, monetary
    # 0
    # c3: Mar 1, Mar 10 (Apr 5 dropped) -> frequency 1, recency 9, T 30, monetary 20
    # c4: Jan 10 twice = one purchase -> frequency 0, recency 0, T = 21 + 28 + 31 = 80, monetary 0
    got = kc.rfm_summary(RFM_LOG, observation_end="2025-03-31")
    expected = pd.DataFrame(
        {
            "frequency": [2, 0, 1, 0],
            "recency": [44.0, 0, 9, 0],
            "T": [89.0, 58, 30, 80],
            "monetary_value": [45.0, 0, 20, 0],
        },
        index=pd.Index(["c1", "c2", "c3", "c4"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(got, expected, check_index_type=False)


def test_rfm_summary_weekly_and_monthly_by_hand():
    # Weeks run Monday-Sunday (pandas "W" periods, as lifetimes uses). Week 0 = Mon 2024-12-30.
    # c1: Jan 1 -> w0, Jan 15 -> w2 (from Jan 13), Feb 14 -> w6 (from Feb 10); end Mar 31 -> w13
    #     frequency 2, recency 6, T 13, monetary (40 + 50) / 2 = 45
    # c2: Feb 1 -> w4 (from Jan 27): T 9.  c3: Mar 1 -> w8, Mar 10 -> w10: recency 2, T 5, monetary
    # 20
    # c4: Jan 10 -> w1: T 12
    weekly = kc.rfm_summary(RFM_LOG, observation_end="2025-03-31", unit="W")
    assert weekly["frequency"].tolist() == [2, 0, 1, 0]
    assert weekly["recency"].tolist() == [6.0, 0, 2, 0]
    assert weekly["T"].tolist() == [13.0, 9, 5, 12]
    assert weekly["monetary_value"].tolist() == [45.0, 0, 20, 0]
    # Months: c1 Jan (30 + 40 = 70), Feb (50) -> frequency 1, recency 1, T = Mar - Jan = 2, monetary
    # 50
    # c2 Feb -> T 1; c3 Mar (10 + 20 merged) -> frequency 0, T 0; c4 Jan -> T 2
    monthly = kc.rfm_summary(RFM_LOG, observation_end="2025-03-31", unit="M")
    assert monthly["frequency"].tolist() == [1, 0, 0, 0]
    assert monthly["recency"].tolist() == [1.0, 0, 0, 0]
    assert monthly["T"].tolist() == [2.0, 1, 0, 2]
    assert monthly["monetary_value"].tolist() == [50.0, 0, 0, 0]


def test_rfm_summary_week_numbers_agree_with_pandas_periods():
    # Independent check of the Monday-start week arithmetic on every day of three years.
    days = pd.Series(pd.date_range("2023-01-01", "2025-12-31", freq="D"))
    ours = kc._codes(days, "W")
    theirs = days.dt.to_period("W").dt.start_time
    assert (np.diff(ours) != 0).tolist() == (theirs.diff().dropna() != pd.Timedelta(0)).tolist()


def test_rfm_summary_without_amount_and_with_other_column_names():
    log = RFM_LOG.rename(columns={"customer_id": "client", "date": "day"})
    got = kc.rfm_summary(
        log, customer="client", date="day", amount=None, observation_end="2025-03-31"
    )
    assert list(got.columns) == ["frequency", "recency", "T"]
    assert got.index.name == "client"
    assert got.loc["c1"].tolist() == [2, 44, 89]


def test_rfm_summary_of_no_orders_is_empty():
    got = kc.rfm_summary(RFM_LOG.iloc[:0], observation_end="2025-03-31")
    assert got.empty
    assert list(got.columns) == ["frequency", "recency", "T", "monetary_value"]


def test_rfm_summary_reproduces_the_published_cdnow_summary():
    # Independent reference: Fader & Hardie's summary of the 2 357-customer CDNOW sample over the
    # 39-week calibration period 1997-01-01 .. 1997-09-30, shipped by lifetimes
    # (load_cdnow_summary). Times are weeks counted in days (T = 272 days / 7 = 38.86), x counts
    # purchase days (counting raw transactions instead differs for 80 customers), zbar is the mean
    # repeat purchase. Both files round to 2 decimals.
    if not (CDNOW / "CDNOW_sample.txt").exists():
        pytest.skip("tests/data/cdnow is absent")
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        dtype={2: str},
        names=["master_id", "customer_id", "date", "cds", "amount"],
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    got = kc.rfm_summary(raw, observation_end="1997-09-30", unit="D")
    summary = pd.read_csv(CDNOW / "cdnow_customers_summary.csv", index_col="ID")
    with_value = pd.read_csv(
        CDNOW / "cdnow_customers_summary_with_transactions.csv", index_col="ID"
    )
    assert got.index.tolist() == summary.index.tolist() == list(range(1, 2358))
    assert got["frequency"].tolist() == summary["frequency"].tolist()
    np.testing.assert_allclose(got["recency"] / 7, summary["recency"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(got["T"] / 7, summary["T"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(got["monetary_value"], with_value["zbar"], atol=0.005 + 1e-9)


# --- retention and churn
# ---------------------------------------------------------------------------

# Six customers; the year 2025 is the span (2024-12-31, 2025-12-31].
#   A acquired 2023-05-01, never churned     -> active at start and at end
#   B acquired 2024-02-01, churned 2025-03-15 -> at start, lost
#   C acquired 2024-03-01, never churned     -> at start and at end
#   D acquired 2025-01-01, never churned     -> new, at end
#   E acquired 2025-04-01, churned 2025-09-30 -> new, lost (acquired and lost inside the period)
#   F acquired 2024-12-31, churned 2025-12-31 -> at start (acquired on the start day), lost on the
# end day
# start = {A, B, C, F} = 4, new = {D, E} = 2, lost = {B, E, F} = 3, end = {A, C, D} = 3 = 4 + 2 - 3
SIX = make_customers(
    [
        ("A", "2023-05-01", "email", None),
        ("B", "2024-02-01", "email", "2025-03-15"),
        ("C", "2024-03-01", "paid_search", None),
        ("D", "2025-01-01", "paid_search", None),
        ("E", "2025-04-01", "email", "2025-09-30"),
        ("F", "2024-12-31", "referral", "2025-12-31"),
    ]
)


def test_retention_and_churn_by_hand():
    # retention = (end - new) / start = (3 - 2) / 4 = 0.25; churn = lost / start = 3 / 4 = 0.75.
    # The wrong churn (start - end) / start would give (4 - 3) / 4 = 0.25.
    assert kc.retention(SIX, start="2024-12-31", end="2025-12-31") == pytest.approx(0.25)
    assert kc.churn(SIX, start="2024-12-31", end="2025-12-31") == pytest.approx(0.75)


def test_retention_by_period_quarterly_by_hand():
    # Q1 (12-31, 03-31]: start A B C F = 4; new D; lost B; end A C D F = 4 -> (4 - 1) / 4, 1 / 4
    # Q2 (03-31, 06-30]: start 4; new E; lost none; end 5 -> (5 - 1) / 4 = 1.0, 0
    # Q3 (06-30, 09-30]: start 5; lost E (Sep 30); end 4 -> 4 / 5, 1 / 5
    # Q4 (09-30, 12-31]: start 4; lost F (Dec 31); end A C D = 3 -> 3 / 4, 1 / 4
    got = kc.retention_by_period(SIX, "QS", start="2025-01-01", end="2025-12-31")
    expected = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"]),
            "customers_start": [4, 4, 5, 4],
            "new": [1, 1, 0, 0],
            "lost": [1, 0, 1, 1],
            "customers_end": [4, 5, 4, 3],
            "retention_rate": [0.75, 1.0, 0.8, 0.75],
            "churn_rate": [0.25, 0.0, 0.2, 0.25],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_retention_by_period_yearly_defaults_span_all_events():
    # From A's acquisition (2023) to the last event (F's churn, 2025-12-31):
    # 2023: start 0, new A -> NaN rates (no customers at the start, never 0)
    # 2024: start A = 1; new B C F = 3; end 4 -> retention (4 - 3) / 1 = 1.0, churn 0
    # 2025: as in test_retention_and_churn_by_hand
    got = kc.retention_by_period(SIX)
    assert got["period"].dt.year.tolist() == [2023, 2024, 2025]
    assert got[["customers_start", "new", "lost", "customers_end"]].values.tolist() == [
        [0, 1, 0, 1],
        [1, 3, 0, 4],
        [4, 2, 3, 3],
    ]
    assert np.isnan(got["retention_rate"].iloc[0]) and np.isnan(got["churn_rate"].iloc[0])
    assert got["retention_rate"].iloc[1:].tolist() == pytest.approx([1.0, 0.25])
    assert got["churn_rate"].iloc[1:].tolist() == pytest.approx([0.0, 0.75])


def test_retention_without_churn_dates_keeps_everyone():
    # No churned column: nobody is lost. 2025: start A B C F = 4, new D E, end 6 -> (6 - 2) / 4 = 1.
    no_churn = SIX.drop(columns="churned")
    assert kc.retention(no_churn, start="2024-12-31", end="2025-12-31") == 1.0
    assert kc.churn(no_churn, start="2024-12-31", end="2025-12-31") == 0.0


def test_retention_with_no_customers_at_start_is_nan():
    assert np.isnan(kc.churn(SIX, start="2020-12-31", end="2021-12-31"))


# --- cohorts
# ---------------------------------------------------------------------------------------

# Three monthly cohorts by first order (orders span January to March 2025):
#   January  {a, b, c}: a orders Jan, Feb, Mar; b Jan, Mar (twice); c Jan only
#   February {d, e}:    d Feb (twice), Mar; e Feb only
#   March    {f}:       f Mar only
COHORT_LOG = make_orders(
    [
        ("a", "2025-01-05", 100),
        ("a", "2025-02-10", 50),
        ("a", "2025-03-20", 30),
        ("b", "2025-01-15", 80),
        ("b", "2025-03-02", 20),
        ("b", "2025-03-25", 10),
        ("c", "2025-01-31", 60),
        ("d", "2025-02-01", 40),
        ("d", "2025-02-20", 40),
        ("d", "2025-03-05", 25),
        ("e", "2025-02-28", 70),
        ("f", "2025-03-31", 90),
    ]
)
COHORTS = pd.DatetimeIndex(["2025-01-01", "2025-02-01", "2025-03-01"])


def test_cohort_retention_by_first_order_by_hand():
    # January: period 0 = 3/3, period 1 (Feb) = {a} 1/3, period 2 (Mar) = {a, b} 2/3 (b's 2 orders
    # count once)
    # February: 2/2, then Mar {d} 1/2, then April is after the data: NaN
    # March: 1/1, NaN, NaN
    got = kc.cohort_retention(COHORT_LOG)
    expected = [[1.0, 1 / 3, 2 / 3], [1.0, 0.5, np.nan], [1.0, np.nan, np.nan]]
    np.testing.assert_allclose(got.to_numpy(), expected)
    assert got.index.tolist() == COHORTS.tolist()
    assert got.index.name == "cohort" and got.columns.name == "period"
    assert got.columns.tolist() == [0, 1, 2]


def test_cohort_revenue_and_ltv_by_hand():
    # January (3 customers): period 0 = (100 + 80 + 60) / 3 = 80; period 1 = (240 + 50) / 3 = 96.67;
    #   period 2 = (290 + 30 + 20 + 10) / 3 = 116.67
    # February (2): period 0 = (40 + 40 + 70) / 2 = 75; period 1 = (150 + 25) / 2 = 87.5
    # March (1): period 0 = 90
    got = kc.cohort_revenue(COHORT_LOG)
    expected = [[80.0, 290 / 3, 350 / 3], [75.0, 87.5, np.nan], [90.0, np.nan, np.nan]]
    np.testing.assert_allclose(got.to_numpy(), expected)
    ltv = kc.ltv_cohort(COHORT_LOG, horizon=2)
    assert ltv.columns.tolist() == ["cohort", "customers", "ltv"]
    assert ltv["customers"].tolist() == [3, 2, 1]
    np.testing.assert_allclose(ltv["ltv"], [290 / 3, 87.5, np.nan])
    np.testing.assert_allclose(kc.ltv_cohort(COHORT_LOG, horizon=1)["ltv"], [80.0, 75.0, 90.0])
    assert kc.ltv_cohort(COHORT_LOG, horizon=4)["ltv"].isna().all()  # nobody observed 4 months


def test_cohorts_quarterly_and_max_periods():
    # One quarter, one cohort of 6; revenue 615 / 6 = 102.5
    assert kc.cohort_retention(COHORT_LOG, freq="QS").to_numpy().tolist() == [[1.0]]
    assert kc.cohort_revenue(COHORT_LOG, freq="QS").to_numpy().tolist() == [[102.5]]
    assert kc.cohort_retention(COHORT_LOG, max_periods=2).columns.tolist() == [0, 1]


def test_cohort_long_form():
    long = kc.cohort_retention(COHORT_LOG, form="long")
    assert long.columns.tolist() == ["cohort", "period", "customers", "share"]
    assert len(long) == 6  # observed cells: 3 + 2 + 1
    feb = long[long["cohort"] == "2025-02-01"]
    assert feb[["period", "customers"]].values.tolist() == [[0, 2], [1, 2]]
    assert feb["share"].tolist() == [1.0, 0.5]
    revenue = kc.cohort_revenue(COHORT_LOG, form="long")
    assert revenue.columns.tolist() == ["cohort", "period", "customers", "revenue_per_customer"]


def test_cohorts_by_acquisition_date_by_hand():
    # Acquisition cohorts from the customers table; g never orders but counts in its cohort.
    #   December 2024 {a}: period 0 (Dec) is before the orders data -> NaN; Jan, Feb, Mar: a -> 1.0
    #   January {b, c}: Jan 2/2; Feb 0/2; Mar {b} 1/2; April NaN
    #   February {d, e, g}: Feb {d, e} 2/3; Mar {d} 1/3
    #   March {f}: 1/1
    customers = make_customers(
        [
            ("a", "2024-12-20", "email", None),
            ("b", "2025-01-10", "email", None),
            ("c", "2025-01-31", "email", None),
            ("d", "2025-02-01", "email", None),
            ("e", "2025-02-15", "email", None),
            ("f", "2025-03-01", "email", None),
            ("g", "2025-02-10", "email", None),
        ]
    )
    got = kc.cohort_retention(COHORT_LOG, customers)
    nan = np.nan
    np.testing.assert_allclose(
        got.to_numpy(),
        [
            [nan, 1.0, 1.0, 1.0],
            [1.0, 0.0, 0.5, nan],
            [2 / 3, 1 / 3, nan, nan],
            [1.0, nan, nan, nan],
        ],
    )
    # Revenue: December's cumulative sum starts in an unseen month -> all NaN;
    # January (2): (80 + 60) / 2 = 70, 70, (140 + 20 + 10) / 2 = 85; February (3): 150 / 3 = 50, 175
    # / 3
    revenue = kc.cohort_revenue(COHORT_LOG, customers)
    np.testing.assert_allclose(
        revenue.to_numpy(),
        [[nan] * 4, [70.0, 70.0, 85.0, nan], [50.0, 175 / 3, nan, nan], [90.0, nan, nan, nan]],
    )


def test_cohorts_of_no_orders_are_empty():
    assert kc.cohort_retention(COHORT_LOG.iloc[:0]).empty
    assert kc.cohort_revenue(COHORT_LOG.iloc[:0], form="long").empty
    assert kc.ltv_cohort(COHORT_LOG.iloc[:0], horizon=3).empty


# --- customer summary
# ------------------------------------------------------------------------------

# a ordered once before 2025 (counts for lifetime only), b churned 2025-04-15, x is not in
# customers.
SUMMARY_LOG = make_orders(
    [
        ("a", "2024-12-22", 999),
        ("a", "2025-01-05", 100),
        ("a", "2025-02-10", 50),
        ("b", "2025-01-15", 80),
        ("c", "2025-03-01", 60),
        ("c", "2025-03-01", 40),
        ("d", "2025-06-30", 120),
        ("x", "2025-05-05", 30),
    ]
)
SUMMARY_CUSTOMERS = make_customers(
    [
        ("a", "2024-12-22", "email", None),
        ("b", "2025-01-15", "email", "2025-04-15"),
        ("c", "2025-03-01", "paid_search", None),
        ("d", "2025-06-30", "paid_search", None),
        ("e", "2025-07-01", "paid_search", None),  # never ordered
    ]
)


def test_customer_summary_by_channel_by_hand():
    # email: a 2 orders + b 1 = 3 orders, 2 customers, revenue 100 + 50 + 80 = 230, AOV 76.67,
    #   frequency 1.5, repeat {a} 1/2; lifetimes a Dec 22 -> Feb 10 = 10 + 40 = 50 days,
    #   b Jan 15 -> churned Apr 15 = 31 + 28 + 31 = 90 days -> mean 70
    # paid_search: c 2 orders (same day, still 2 orders) + d 1 = 3, 2 customers, revenue 220,
    #   AOV 73.33, frequency 1.5, repeat {c} 1/2, lifetimes 0 and 0 -> 0
    # NaN (x, not in customers): 1 order, 1 customer, 30, AOV 30, frequency 1, repeat 0, lifetime 0
    got = kc.customer_summary(SUMMARY_LOG, SUMMARY_CUSTOMERS, by="channel", period=2025)
    assert got.columns.tolist() == [
        "channel",
        "orders",
        "customers",
        "revenue",
        "aov",
        "purchase_frequency",
        "repeat_purchase_rate",
        "lifetime_days",
    ]
    assert got["channel"].iloc[:2].tolist() == ["email", "paid_search"] and pd.isna(
        got["channel"].iloc[2]
    )
    np.testing.assert_allclose(
        got.iloc[:, 1:].to_numpy(dtype=float),
        [
            [3, 2, 230, 230 / 3, 1.5, 0.5, 70.0],
            [3, 2, 220, 220 / 3, 1.5, 0.5, 0.0],
            [1, 1, 30, 30.0, 1.0, 0.0, 0.0],
        ],
    )


def test_customer_summary_totals_are_ratios_of_totals():
    # All of 2025: 7 orders, 5 customers, revenue 480 -> AOV 480 / 7, frequency 7 / 5, repeat 2 / 5,
    # lifetime (50 + 90 + 0 + 0 + 0) / 5 = 28; without customers b's churn date is unknown: 50 / 5 =
    # 10
    got = kc.customer_summary(SUMMARY_LOG, SUMMARY_CUSTOMERS, period=2025)
    assert len(got) == 1 and "channel" not in got
    assert got.iloc[0].tolist() == pytest.approx([7, 5, 480, 480 / 7, 1.4, 0.4, 28.0])
    assert kc.customer_summary(SUMMARY_LOG, period=2025)["lifetime_days"].iloc[0] == pytest.approx(
        10.0
    )


def test_customer_summary_period_as_date_pair():
    # Jan 1 - Mar 31: a 2, b 1, c 2 = 5 orders, 3 customers, revenue 330; lifetimes 50, 0, 0
    got = kc.customer_summary(SUMMARY_LOG, period=("2025-01-01", "2025-03-31"))
    assert got[["orders", "customers", "revenue"]].iloc[0].tolist() == [5, 3, 330.0]
    assert got["lifetime_days"].iloc[0] == pytest.approx(50 / 3)


def test_customer_summary_of_no_orders_gives_nan_rates():
    got = kc.customer_summary(SUMMARY_LOG.iloc[:0])
    assert got[["orders", "customers", "revenue"]].iloc[0].tolist() == [0, 0, 0.0]
    assert (
        got[["aov", "purchase_frequency", "repeat_purchase_rate", "lifetime_days"]]
        .isna()
        .all(axis=None)
    )
    assert kc.customer_summary(SUMMARY_LOG.iloc[:0], SUMMARY_CUSTOMERS, by="channel").empty


# --- bad input
# -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: kc.customer_summary(SUMMARY_LOG.drop(columns="amount")),
            r"orders lacks column\(s\) 'amount'",
        ),
        (
            lambda: kc.rfm_summary(RFM_LOG, customer="client", observation_end="2025-03-31"),
            r"lacks column\(s\) 'client'.*pass its name as customer=",
        ),
        (
            lambda: kc.rfm_summary(RFM_LOG, observation_end="2025-03-31", unit="Y"),
            r'unit=.Y.*"D" \(days\)',
        ),
        (
            lambda: kc.rfm_summary(
                RFM_LOG.assign(date=RFM_LOG["date"].astype(str)), observation_end="2025-03-31"
            ),
            r'column "date" holds .* not dates; convert it with pd.to_datetime',
        ),
        (lambda: kc.cohort_retention(COHORT_LOG, freq="M"), r'freq=.M. is not supported; use "MS"'),
        (lambda: kc.cohort_revenue(COHORT_LOG, form="tall"), r'use "wide" or "long"'),
        (lambda: kc.ltv_cohort(COHORT_LOG, horizon=0), r"horizon=0 must be a whole number"),
        (lambda: kc.customer_summary(SUMMARY_LOG, by="channel"), r"pass customers="),
        (
            lambda: kc.customer_summary(SUMMARY_LOG, SUMMARY_CUSTOMERS, by="region"),
            r"customers lacks column\(s\) 'region'",
        ),
        (
            lambda: kc.customer_summary(SUMMARY_LOG, period="last year"),
            r"period='last year' is neither a year",
        ),
        (
            lambda: kc.cohort_retention(COHORT_LOG, pd.concat([SUMMARY_CUSTOMERS] * 2)),
            r"'a' more than once",
        ),
        (
            lambda: kc.retention(
                SIX.drop(columns="acquired"), start="2024-12-31", end="2025-12-31"
            ),
            r"customers lacks column\(s\) 'acquired'",
        ),
        (
            lambda: kc.churn(
                SIX.assign(churned=pd.to_datetime(["2020-01-01"] + [None] * 5)),
                start="2024-12-31",
                end="2025-12-31",
            ),
            r"1 customer\(s\), first 'A', churned before they were acquired",
        ),
    ],
)
def test_bad_input_raises_data_error_naming_the_fix(call, match):
    with pytest.raises(DataError, match=match):
        call()


def test_data_error_is_a_value_error():
    with pytest.raises(ValueError):
        kc.rfm_summary(RFM_LOG, date="day", observation_end="2025-03-31")
