"""Customer KPIs from the ``orders`` and ``customers`` tables (catalogue section 5).

Summary per group, retention and churn, acquisition cohorts, the ``cohort`` LTV
variant (catalogue section 1) and the RFM summary of the BTYD literature. All of it
runs on integer codes (customers factorised once, dates as day, week or month
numbers) with ``np.bincount``, so millions of orders take seconds. Division goes
through :func:`kpi_helpers.metrics.kpis.ratio`: an empty group gives NaN, never 0.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..metrics import kpis_audience
from ..metrics.kpis import average_order_value, ratio
from ..core.schema import DataError

__all__ = [
    "customer_summary",
    "retention",
    "churn",
    "retention_by_period",
    "cohort_retention",
    "cohort_revenue",
    "ltv_cohort",
    "rfm_summary",
    "acquisition_value",
    "ACQUISITION_COLUMNS",
]

_STEPS = {"MS": 1, "QS": 3, "YS": 12}  # months per period of each cohort / retention frequency
_UNITS = ("D", "W", "M")  # rfm_summary units: days, Monday-Sunday weeks, calendar months
_BIG = 2**40  # beyond any day or month code
_CANONICAL = "rename it to the canonical name (README, 'The canonical input format')"


def _check(df, columns, *, table, func, dates=(), fix=_CANONICAL):
    """Raise DataError unless ``df`` has ``columns`` and its ``dates`` columns are datetimes."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in df.columns) or "no columns"
        raise DataError(
            f"{func}: {table} lacks column(s) {', '.join(map(repr, missing))}; found {found}. "
            f"For each, {fix}."
        )
    for col in dates:
        if not pd.api.types.is_datetime64_any_dtype(df[col]):
            raise DataError(
                f'{func}: {table} column "{col}" holds {df[col].dtype}, not dates; convert it with '
                "pd.to_datetime(..., format='ISO8601') or load the table with "
                "kpi_helpers.load_client."
            )
        if col in columns and df[col].isna().any():
            label = df.index[df[col].isna().to_numpy()][0]
            raise DataError(
                f'{func}: {table} row {label!r}, column "{col}": empty date; every row needs one.'
            )


def _codes(dates, unit: str = "D") -> np.ndarray:
    """Days ("D"), Monday-Sunday weeks ("W") or months ("M") since 1970 of a Series or one date."""
    values = (
        dates.to_numpy()
        if isinstance(dates, pd.Series)
        else np.datetime64(pd.Timestamp(dates), "D")
    )
    if unit == "M":
        return values.astype("datetime64[M]").astype(np.int64)
    days = values.astype("datetime64[D]").astype(np.int64)
    return days if unit == "D" else (days + 3) // 7  # 1970-01-01 was a Thursday


def _month_start(months) -> np.ndarray:
    return np.asarray(months, np.int64).astype("datetime64[M]").astype("datetime64[s]")


def _step(freq: str, func: str) -> int:
    if freq not in _STEPS:
        raise DataError(
            f'{func}: freq={freq!r} is not supported; use "MS" (months), "QS" (quarters) or "YS" '
            "(years)."
        )
    return _STEPS[freq]


def _lookup(customers: pd.DataFrame, ids, func: str) -> np.ndarray:
    """Row position in ``customers`` of each id, -1 when absent; one row per customer required."""
    index = pd.Index(customers["customer_id"])
    if not index.is_unique:
        raise DataError(
            f"{func}: customers lists customer_id {index[index.duplicated()][0]!r} more than once; "
            f"keep one row per customer."
        )
    return index.get_indexer(ids)


def _bounds(period, func: str) -> tuple[int, int]:
    """First and last day code (both included) of None (all time), a year or a (start, end) pair."""
    if period is None:
        return -_BIG, _BIG
    try:
        if isinstance(period, (int, np.integer)):
            return int(_codes(f"{period}-01-01")), int(_codes(f"{period}-12-31"))
        start, end = period
        return int(_codes(start)), int(_codes(end))
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{func}: period={period!r} is neither a year (2025) nor a (start, end) pair of dates."
        ) from exc


# long: one table, column by column, each a ratio of the same grouped totals
def customer_summary(orders, customers=None, *, by=None, period=None) -> pd.DataFrame:
    """Orders, revenue and repeat behaviour of the customers who ordered in ``period`` (S1, S4).

    Parameters
    ----------
    orders : DataFrame
        Canonical orders, one row per order: ``customer_id, date, amount``.
    customers : DataFrame, optional
        Canonical customers: needed for ``by``; their ``churned`` dates feed ``lifetime_days``.
    by : str, optional
        A ``customers`` column, e.g. ``"channel"`` (of acquisition); unknown customers: group NaN.
    period : int or (start, end), optional
        A year, or the first and last day (both included). Default: all orders.

    Returns
    -------
    DataFrame
        One row per group with customers (one row in all without ``by``): ``[by,] orders``,
        ``customers`` (distinct ordering), ``revenue``, ``aov`` = revenue / orders,
        ``purchase_frequency`` = orders / customers, ``repeat_purchase_rate`` = customers with
        >= 2 orders in the period / customers (S1), ``lifetime_days`` = mean over customers of
        the days from their first order (before or in the period) to their ``churned`` date
        when known, else to their last order up to the period end (S4 customer lifecycle).

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["a", "a", "b"],
    ...     "date": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-10"]),
    ...     "amount": [10.0, 30.0, 20.0]})
    >>> summary = customer_summary(orders, period=2025)
    >>> summary[["orders", "customers", "revenue", "aov", "purchase_frequency"]]
       orders  customers  revenue   aov  purchase_frequency
    0       3          2     60.0  20.0                 1.5
    >>> summary[["repeat_purchase_rate", "lifetime_days"]]  # a: 55 days (Jan 5 to Mar 1), b: 0
       repeat_purchase_rate  lifetime_days
    0                   0.5           27.5
    """
    _check(
        orders,
        ["customer_id", "date", "amount"],
        table="orders",
        func="customer_summary",
        dates=["date"],
    )
    first_day, last_day = _bounds(period, "customer_summary")
    day = _codes(orders["date"])
    upto = day <= last_day
    codes, ids = pd.factorize(orders["customer_id"].to_numpy()[upto])
    day, amount, inside = (
        day[upto],
        orders["amount"].to_numpy(np.float64)[upto],
        day[upto] >= first_day,
    )
    n = np.bincount(codes[inside], minlength=len(ids))
    revenue = np.bincount(codes[inside], weights=amount[inside], minlength=len(ids))
    first, end = np.full(len(ids), _BIG), np.full(len(ids), -_BIG)
    np.minimum.at(first, codes, day)
    np.maximum.at(end, codes, day)
    group, labels = np.zeros(len(ids), np.int64), pd.Index([None])
    if by is not None and customers is None:
        raise DataError(f"customer_summary: by={by!r} is a customers column; pass customers= too.")
    if customers is not None:
        pos = _lookup(customers, ids, "customer_summary")
        if "churned" in customers.columns:
            known = np.append(customers["churned"].notna().to_numpy(), False)[pos]
            end = np.where(known, np.append(_codes(customers["churned"]), 0)[pos], end)
        if by is not None:
            _check(
                customers,
                [by],
                table="customers",
                func="customer_summary",
                fix="group by a customers column",
            )
            group_of, labels = pd.factorize(customers[by], sort=True)
            group, labels = np.append(group_of, -1)[pos], labels.append(pd.Index([np.nan]))
    g, buyers = np.where(group < 0, len(labels) - 1, group), n > 0
    sums = pd.DataFrame(
        {
            col: np.bincount(g[buyers], weights=values[buyers], minlength=len(labels))
            for col, values in [
                ("orders", n),
                ("customers", buyers),
                ("revenue", revenue),
                ("repeaters", n >= 2),
                ("days", end - first),
            ]
        }
    )
    out = (
        sums.astype({"orders": np.int64, "customers": np.int64})
        .assign(
            aov=average_order_value(sums["revenue"], sums["orders"]),
            purchase_frequency=kpis_audience.purchase_frequency(sums["orders"], sums["customers"]),
            repeat_purchase_rate=kpis_audience.repeat_purchase_rate(
                sums["repeaters"], sums["customers"]
            ),
            lifetime_days=ratio(sums["days"], sums["customers"]),
        )
        .drop(columns=["repeaters", "days"])
    )
    if by is None:
        return out
    return out.assign(**{by: labels})[lambda t: t["customers"] > 0][[by, *out.columns]].reset_index(
        drop=True
    )


def _flows(customers, start_days, end_days, func) -> pd.DataFrame:
    """Counts and rates over the spans (start, end]: active on a day = acquired <= day < churned."""
    _check(
        customers,
        ["customer_id", "acquired"],
        table="customers",
        func=func,
        dates=["acquired"] + (["churned"] if "churned" in customers else []),
    )
    acquired = _codes(customers["acquired"])
    churned = np.full(len(customers), _BIG)
    if "churned" in customers:
        known = customers["churned"].notna().to_numpy()
        churned[known] = _codes(customers["churned"])[known]
        if (early := churned < acquired).any():
            first = customers["customer_id"].to_numpy()[early][0]
            raise DataError(
                f"{func}: {early.sum()} customer(s), first {first!r}, churned before they were "
                f"acquired; fix their acquired / churned dates."
            )
    days = np.concatenate([start_days, end_days])  # counts on or before each day, by binary search
    acq = np.searchsorted(np.sort(acquired), days, side="right")
    lost = np.searchsorted(np.sort(churned), days, side="right")
    k = len(start_days)
    t = pd.DataFrame(
        {
            "customers_start": acq[:k] - lost[:k],
            "new": acq[k:] - acq[:k],
            "lost": lost[k:] - lost[:k],
            "customers_end": acq[k:] - lost[k:],
        }
    )
    t["retention_rate"] = kpis_audience.retention_rate(
        t["customers_end"], t["new"], t["customers_start"]
    )
    t["churn_rate"] = kpis_audience.churn_rate(t["lost"], t["customers_start"])
    return t


def retention(customers, *, start, end) -> float:
    """Customer retention rate over (start, end]: (customers at end - new) / customers at start (S2,
    S4).

    A customer is active on a day when ``acquired <= day`` and ``churned`` is empty or
    later. New customers were acquired after ``start``, on or before ``end``: for the
    year 2025 pass ``start="2024-12-31", end="2025-12-31"``. Customers at the end are
    start + new - lost, so retention = 1 - :func:`churn`. Counts: :func:`retention_by_period`.

    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["email"] * 3,
    ...     "acquired": pd.to_datetime(["2024-03-01", "2024-06-01", "2025-02-01"]),
    ...     "churned": pd.to_datetime(["2025-05-01", None, None])})
    >>> # (2 at end - 1 new) / 2 at start
    >>> retention(customers, start="2024-12-31", end="2025-12-31")
    0.5
    """
    return float(
        _flows(customers, [_codes(start)], [_codes(end)], "retention")["retention_rate"].iloc[0]
    )


def churn(customers, *, start, end) -> float:
    """Churn rate over (start, end]: customers lost in the period / customers at the start (S2).

    Lost customers have their ``churned`` date in (start, end], including customers
    acquired and lost inside the period. Not (start - end) / start, which nets out new
    customers. "Active" and the period as in :func:`retention`.

    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["email"] * 3,
    ...     "acquired": pd.to_datetime(["2024-03-01", "2024-06-01", "2025-02-01"]),
    ...     "churned": pd.to_datetime(["2025-05-01", None, None])})
    >>> churn(customers, start="2024-12-31", end="2025-12-31")  # 1 lost / 2 at start
    0.5
    """
    return float(_flows(customers, [_codes(start)], [_codes(end)], "churn")["churn_rate"].iloc[0])


def retention_by_period(
    customers, freq: Literal["YS", "QS", "MS"] = "YS", *, start=None, end=None
) -> pd.DataFrame:
    """Retention and churn of each year, quarter or month (S2, S4).

    Periods run from the one holding ``start`` (default: first acquisition) to the one
    holding ``end`` (default: last acquisition or churn). A period is the span (day
    before its first day, its last day] of :func:`retention`.

    Returns
    -------
    DataFrame
        ``period`` (first day), ``customers_start`` (active the day before), ``new``,
        ``lost``, ``customers_end`` (active on its last day), ``retention_rate``, ``churn_rate``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["email"] * 3,
    ...     "acquired": pd.to_datetime(["2024-03-01", "2024-06-01", "2025-02-01"]),
    ...     "churned": pd.to_datetime(["2025-05-01", None, None])})
    >>> columns = ["period", "customers_start", "new", "lost", "customers_end"]
    >>> retention_by_period(customers, "YS")[columns]
          period  customers_start  new  lost  customers_end
    0 2024-01-01                0    2     0              2
    1 2025-01-01                2    1     1              2
    """
    step = _step(freq, "retention_by_period")
    _check(
        customers, ["acquired"], table="customers", func="retention_by_period", dates=["acquired"]
    )
    moments = [customers["acquired"]] + (
        [customers["churned"].dropna()] if "churned" in customers else []
    )
    first = (
        _codes(start, "M")
        if start is not None
        else _codes(customers["acquired"], "M").min(initial=_BIG)
    )
    last = (
        _codes(end, "M")
        if end is not None
        else max(_codes(m, "M").max(initial=-_BIG) for m in moments)
    )
    months = np.arange(first // step, last // step + 1) * step
    bounds = (
        _month_start(np.r_[months, months[-1:] + step]).astype("datetime64[D]").astype(np.int64) - 1
    )
    table = _flows(customers, bounds[:-1], bounds[1:], "retention_by_period")
    return pd.concat([pd.DataFrame({"period": _month_start(months)}), table], axis=1)


def _cohorts(orders, customers, freq, max_periods, func):
    """Cohort labels and sizes, observed cells, and per order: customer code, cohort row, age,
    kept."""
    step = _step(freq, func)
    _check(orders, ["customer_id", "date", "amount"], table="orders", func=func, dates=["date"])
    codes, ids = pd.factorize(orders["customer_id"].to_numpy())
    per = _codes(orders["date"], "M") // step
    if customers is None:  # cohort = period of the first order
        members, where = np.full(len(ids), _BIG), np.arange(len(ids))
        np.minimum.at(members, codes, per)
    else:  # cohort = period of acquisition, ordering or not
        _check(
            customers, ["customer_id", "acquired"], table="customers", func=func, dates=["acquired"]
        )
        members, where = _codes(customers["acquired"], "M") // step, _lookup(customers, ids, func)
    member_row, cohorts = pd.factorize(members, sort=True)
    row = np.append(member_row, -1)[where][codes]  # -1: customer missing from customers
    last = max(per.max(initial=-_BIG), cohorts.max(initial=-_BIG))
    n_ages = int(last - cohorts.min() + 1) if len(cohorts) else 0
    n_ages = n_ages if max_periods is None else min(n_ages, int(max_periods))
    age = per - np.append(cohorts, _BIG)[row]
    keep = (row >= 0) & (age >= 0) & (age < n_ages)  # orders before acquisition are ignored
    cell = cohorts[:, None] + np.arange(n_ages)[None, :]
    seen = (cell >= per.min(initial=_BIG)) & (cell <= last)  # inside the span of the orders data
    sizes = np.bincount(member_row, minlength=len(cohorts))
    return (
        pd.DatetimeIndex(_month_start(cohorts * step), name="cohort"),
        sizes,
        seen,
        codes,
        row,
        age,
        keep,
    )


def _frame(values, labels, sizes, seen, name, form):
    """Wide (cohort x period) or long (cohort, period, customers, <name>) table; NaN where
    unseen."""
    if form == "wide":
        return pd.DataFrame(
            np.where(seen, values, np.nan),
            index=labels,
            columns=pd.RangeIndex(values.shape[1], name="period"),
        )
    if form != "long":
        raise DataError(f'form={form!r} is not supported; use "wide" or "long".')
    row, age = np.nonzero(seen)
    return pd.DataFrame(
        {"cohort": labels[row], "period": age, "customers": sizes[row], name: values[row, age]}
    )


def cohort_retention(
    orders, customers=None, *, freq="MS", max_periods=None, form="wide"
) -> pd.DataFrame:
    """Share of each acquisition cohort that orders in each period since acquisition.

    The cohort is the period (``freq`` "MS", "QS" or "YS") of a customer's first order, or
    of ``acquired`` when ``customers`` is given: then every acquired customer counts in
    the cohort size, ordering or not, and orders before acquisition are ignored. Period
    0 is the acquisition period (1.0 by construction with first orders). Cells outside
    the span of the orders data are NaN; ``max_periods`` keeps periods 0 .. max_periods - 1.

    Returns
    -------
    DataFrame
        ``form="wide"`` (default): index ``cohort`` (first day), columns ``period`` (0, 1, ...),
        values the share. ``form="long"``: ``cohort, period, customers`` (cohort size),
        ``share``, one row per observed cell.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": list("12345"), "customer_id": list("aabbc"),
    ...     "amount": [10.0, 20, 30, 40, 50],
    ...     "date": pd.to_datetime(["2025-01-03", "2025-02-07", "2025-01-20", "2025-01-21",
    ...                             "2025-02-02"])})
    >>> cohort_retention(orders)  # doctest: +NORMALIZE_WHITESPACE
    period        0    1
    cohort
    2025-01-01  1.0  0.5
    2025-02-01  1.0  NaN
    """
    labels, sizes, seen, codes, row, age, keep = _cohorts(
        orders, customers, freq, max_periods, "cohort_retention"
    )
    width = seen.shape[1]
    pairs = pd.unique(codes[keep].astype(np.int64) * width + age[keep])  # distinct customer x age
    first = np.full(codes.max(initial=-1) + 1, -1)
    first[codes[keep]] = row[keep]  # each customer's cohort row
    cells = np.bincount(
        first[pairs // max(width, 1)] * width + pairs % max(width, 1), minlength=seen.size
    )
    share = cells.reshape(seen.shape) / np.maximum(sizes, 1)[:, None]
    return _frame(share, labels, sizes, seen, "share", form)


def _cumulative(orders, customers, freq, max_periods, func):
    labels, sizes, seen, _, row, age, keep = _cohorts(orders, customers, freq, max_periods, func)
    cells = np.bincount(
        row[keep] * seen.shape[1] + age[keep],
        minlength=seen.size,
        weights=orders["amount"].to_numpy(np.float64)[keep],
    )
    per_customer = cells.reshape(seen.shape).cumsum(axis=1) / np.maximum(sizes, 1)[:, None]
    return (
        labels,
        sizes,
        seen & seen[:, :1],
        per_customer,
    )  # a sum from an unseen period 0 is unknown


def cohort_revenue(
    orders, customers=None, *, freq="MS", max_periods=None, form="wide"
) -> pd.DataFrame:
    """Cumulative revenue per acquired customer by cohort and period: the ``cohort`` LTV variant.

    Cohorts, periods and ``max_periods`` as in :func:`cohort_retention`. Period k holds
    the cohort's revenue in periods 0 .. k over the cohort size (every acquired customer,
    ordering or not): a ratio of totals. NaN where period 0 or k is outside the data.

    Returns
    -------
    DataFrame
        ``form="wide"``: index ``cohort``, columns ``period``, money per customer.
        ``form="long"``: ``cohort, period, customers, revenue_per_customer``.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": list("12345"), "customer_id": list("aabbc"),
    ...     "amount": [10.0, 20, 30, 40, 50],
    ...     "date": pd.to_datetime(["2025-01-03", "2025-02-07", "2025-01-20", "2025-01-21",
    ...                             "2025-02-02"])})
    >>> cohort_revenue(orders)  # doctest: +NORMALIZE_WHITESPACE
    period         0     1
    cohort
    2025-01-01  40.0  50.0
    2025-02-01  50.0   NaN
    """
    labels, sizes, seen, values = _cumulative(
        orders, customers, freq, max_periods, "cohort_revenue"
    )
    return _frame(values, labels, sizes, seen, "revenue_per_customer", form)


def ltv_cohort(orders, customers=None, *, horizon: int, freq="MS") -> pd.DataFrame:
    """Cohort LTV: revenue per acquired customer over the first ``horizon`` periods (catalogue 1).

    ``horizon=12, freq="MS"``: the acquisition month and the 11 after it, in money per
    customer of the cohort. Cohorts not observed that long get NaN.

    Returns
    -------
    DataFrame
        ``cohort, customers, ltv``.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": list("12345"), "customer_id": list("aabbc"),
    ...     "amount": [10.0, 20, 30, 40, 50],
    ...     "date": pd.to_datetime(["2025-01-03", "2025-02-07", "2025-01-20", "2025-01-21",
    ...                             "2025-02-02"])})
    >>> ltv_cohort(orders, horizon=2)  # January: (10 + 30 + 40 + 20) / 2
          cohort  customers   ltv
    0 2025-01-01          2  50.0
    1 2025-02-01          1   NaN
    """
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise DataError(
            f"ltv_cohort: horizon={horizon!r} must be a whole number of periods, 1 or more."
        )
    labels, sizes, seen, values = _cumulative(orders, customers, freq, horizon, "ltv_cohort")
    ltv = np.where(seen[:, -1], values[:, -1], np.nan) if seen.shape[1] == horizon else np.nan
    return pd.DataFrame({"cohort": labels, "customers": sizes, "ltv": ltv})


def rfm_summary(
    orders,
    customer="customer_id",
    date="date",
    amount="amount",
    *,
    observation_end,
    unit: Literal["D", "W", "M"] = "D",
) -> pd.DataFrame:
    """Frequency, recency, T and monetary value per customer, as in the BTYD literature.

    The definitions of ``lifetimes.utils.summary_data_from_transaction_data`` (Fader,
    Hardie & Lee 2005, notation x, t_x, T): orders after ``observation_end`` (its day
    included) are dropped; a customer's orders in one ``unit`` ("D" day, "W" Monday-Sunday
    week, "M" calendar month) merge into one purchase worth their sum. Unlike lifetimes,
    orders later in the week or month of ``observation_end`` are dropped too.

    Returns
    -------
    DataFrame
        Index ``customer`` (sorted). ``frequency`` (x) = purchase periods - 1, the repeat
        purchases; ``recency`` (t_x) = last - first purchase period; ``T`` = period of
        ``observation_end`` - first purchase period; ``monetary_value`` = mean of the repeat
        purchases, 0 when frequency is 0 (left out with ``amount=None``). Times in ``unit``;
        for weeks counted in days as in the CDNOW summaries, use "D" and divide by 7.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "amount": [10.0, 5.0, 30.0, 8.0],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-11", "2025-01-05"])})
    >>> rfm_summary(orders, observation_end="2025-01-31")  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency     T  monetary_value
    customer_id
    a                    1     10.0  30.0            30.0
    b                    0      0.0  26.0             0.0
    """
    if unit not in _UNITS:
        raise DataError(
            f'rfm_summary: unit={unit!r} is not supported; use "D" (days), "W" (weeks) or "M" '
            "(months)."
        )
    _check(
        orders,
        [customer, date] + ([amount] if amount is not None else []),
        table="orders",
        func="rfm_summary",
        dates=[date],
        fix="rename it, or pass its name as customer=, date= or amount=",
    )
    kept = _codes(orders[date]) <= _codes(observation_end)
    per = _codes(orders[date], unit)[kept]
    codes, ids = pd.factorize(orders[customer].to_numpy()[kept], sort=True)
    lo, span = (int(per.min()), int(np.ptp(per)) + 1) if len(per) else (0, 1)
    cells, cell_of = np.unique(codes.astype(np.int64) * span + (per - lo), return_inverse=True)
    cust, when = cells // span, cells % span + lo  # one purchase per customer x period, sorted
    first, last = np.diff(cust, prepend=-1) != 0, np.diff(cust, append=len(ids)) != 0
    n = np.bincount(cust, minlength=len(ids))
    out = pd.DataFrame(
        {
            "frequency": n - 1,
            "recency": (when[last] - when[first]).astype(np.float64),
            "T": (_codes(observation_end, unit) - when[first]).astype(np.float64),
        },
        index=pd.Index(ids, name=customer),
    )
    if amount is not None:
        value = np.bincount(
            cell_of, weights=orders[amount].to_numpy(np.float64)[kept], minlength=len(cells)
        )
        repeat = np.bincount(cust[~first], weights=value[~first], minlength=len(ids))
        out["monetary_value"] = ratio(pd.Series(repeat, index=out.index), out["frequency"]).fillna(
            0.0
        )
    return out


#: Fewer earlier customers than this: a tactic's own retention and value per customer are too noisy,
#: and the portfolio's (all tactics pooled) are used instead, as the basis column says.
MIN_BASE_CUSTOMERS = 30
ACQUISITION_COLUMNS = [
    "channel",
    "tactic",
    "new_customers",
    "value_year",
    "value_projected",
    "value_acquired",
    "retained_value",
    "base_customers",
    "retention_rate",
    "value_per_customer",
    "projection_basis",
]


def _cohort_ids(customers: pd.DataFrame, year: int, deals: pd.DataFrame | None) -> pd.Index:
    """The year's new customers: won from a lead created in the year (deals with a customer id),
    else acquired in
    the year; the same count as the report's New customers (the lead's month)."""
    if deals is not None and {"customer_id", "status", "created"} <= set(deals.columns):
        won = deals[
            (deals["status"] == "won")
            & (deals["created"].dt.year == year)
            & deals["customer_id"].notna()
        ]
        if len(won):
            return pd.Index(won["customer_id"].unique())
    return pd.Index(customers.loc[customers["acquired"].dt.year == year, "customer_id"])


def _future_factor(r: float, years_ahead: float) -> float:
    """Sum of r^k for k = 1 … years_ahead (a geometric series, closed form r (1 − r^n) / (1 − r),
    any n ≥ 0)."""
    if pd.isna(r) or years_ahead <= 0:
        return 0.0 if years_ahead <= 0 else np.nan
    return float(years_ahead) if r >= 1 else float(r * (1 - r**years_ahead) / (1 - r))


# long: the value of a year's acquired customers and its projection, stated step by step as the
# README describes it
def acquisition_value(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    year: int,
    *,
    deals: pd.DataFrame | None = None,
    margin: float = 1.0,
    lifetime_years: float = 3.0,
) -> pd.DataFrame:
    """What each tactic's spend of ``year`` bought: the value of the customers it acquired in the
    year, with a
    stated projection, and the retained value of customers it acquired earlier (not credited to this
    year).

    Per ``channel, tactic`` (the customer's acquisition tactic):

    - ``new_customers``: the year's new customers (:func:`_cohort_ids`);
      ``value_year``: their revenue in the year × ``margin``;
    - ``base_customers``: customers acquired earlier and active at the year's start;
      ``retained_value``: the
      revenue in the year × ``margin`` of every customer not new this year (shown apart);
    - simple retention model: ``retention_rate`` r = share of the base still active at the year's
      end,
      ``value_per_customer`` a = retained value / base customers (a year's value of an active
      customer);
      each new customer is then worth a × (r + r² + … + r^(L − 1)) more over the rest of its assumed
      lifetime L = ``lifetime_years`` (undiscounted): ``value_projected`` = new customers × that;
    - ``value_acquired`` = ``value_year`` + ``value_projected``;
    - ``projection_basis``: ``tactic`` when the tactic has at least :data:`MIN_BASE_CUSTOMERS` base
      customers, else ``portfolio`` (r and a of all tactics pooled); ``none`` when no churn dates or
      no base
      exist (then nothing is projected: ``value_projected`` 0 and ``value_acquired`` =
      ``value_year``).

    >>> c = pd.DataFrame({"customer_id": ["a", "b", "n"], "channel": "email", "tactic": "T",
    ...     "acquired": pd.to_datetime(["2023-01-01", "2024-01-01", "2025-03-01"]),
    ...     "churned": pd.to_datetime([None, "2025-06-01", None])})
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "n"], "amount": [100.0, 50.0, 30.0],
    ...     "date": pd.to_datetime(["2025-02-01", "2025-03-01", "2025-04-01"])})
    >>> v = acquisition_value(c, o, 2025, lifetime_years=3).iloc[0]
    >>> keys = ("new_customers", "value_year", "retained_value", "retention_rate",
    ...         "value_per_customer")
    >>> [float(v[k]) for k in keys]
    [1.0, 30.0, 150.0, 0.5, 75.0]
    >>> float(v["value_projected"])  # 1 x 75 x (0.5 + 0.25)
    56.25
    """
    _check(
        customers,
        ["customer_id", "acquired", "channel"],
        table="customers",
        func="acquisition_value",
        dates=["acquired"],
    )
    c = customers.assign(tactic=customers["tactic"] if "tactic" in customers else pd.NA)
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    spent = orders[orders["date"].dt.year == year].groupby("customer_id")["amount"].sum() * margin
    churned = c["churned"] if "churned" in c else pd.Series(pd.NaT, index=c.index)
    new = c["customer_id"].isin(_cohort_ids(c, year, deals))
    base = ~new & (c["acquired"] < start) & (churned.isna() | (churned >= start))
    value = c["customer_id"].map(spent).fillna(0.0)
    c = c.assign(
        new_customers=new,
        value_year=value.where(new, 0.0),
        retained_value=value.where(~new, 0.0),
        base_customers=base,
        kept=base & (churned.isna() | (churned > end)),
        base_value=value.where(base, 0.0),
    )
    out = (
        c.groupby(["channel", "tactic"], dropna=False)[
            [
                "new_customers",
                "value_year",
                "retained_value",
                "base_customers",
                "kept",
                "base_value",
            ]
        ]
        .sum()
        .reset_index()
    )
    has_churn = "churned" in customers
    pooled_r = ratio(out["kept"].sum(), out["base_customers"].sum()) if has_churn else np.nan
    pooled_a = ratio(out["base_value"].sum(), out["base_customers"].sum())
    own = out["base_customers"] >= MIN_BASE_CUSTOMERS
    out["retention_rate"] = (
        np.where(own, ratio(out["kept"], out["base_customers"]), pooled_r) if has_churn else np.nan
    )
    out["value_per_customer"] = np.where(
        own, ratio(out["base_value"], out["base_customers"]), pooled_a
    )
    out["projection_basis"] = np.where(own, "tactic", "portfolio")
    factor = np.array([_future_factor(r, lifetime_years - 1) for r in out["retention_rate"]])
    projected = out["new_customers"] * out["value_per_customer"] * factor
    out.loc[projected.isna(), "projection_basis"] = "none"
    out["value_projected"] = projected.fillna(0.0)
    out["value_acquired"] = out["value_year"] + out["value_projected"]
    out["new_customers"] = out["new_customers"].astype(int)
    out["base_customers"] = out["base_customers"].astype(int)
    return out[ACQUISITION_COLUMNS]
