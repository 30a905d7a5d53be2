"""Benchmark of the customers section: 5 million orders for 1 million customers.

Times ``customer_summary`` (by channel, one year), ``cohort_retention`` (monthly),
``cohort_revenue`` (monthly) and ``rfm_summary`` (days) together, and the same
aggregations written directly with plain pandas ``groupby`` (the baseline). Each
measurement runs in its own subprocess that loads the same pickled synthetic data,
so its peak memory (``ru_maxrss``, data included) is its own. A third subprocess
checks on 200 000 orders that both give the same numbers.

    .venv/bin/python benchmarks/bench_customers.py              # the issue's size
    .venv/bin/python benchmarks/bench_customers.py --orders 500000 --customers 100000

Floor from the issue: the customers section under 60 s and under 4 GB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from kpi_helpers.analysis import customers as kc

SEED = 20251231
FIRST_DAY, LAST_DAY = np.datetime64("2021-01-01"), np.datetime64("2025-12-31")
CHANNELS = np.array(["paid_search", "organic_search", "email", "social_paid", "referral", "direct"])
YEAR, OBSERVATION_END = 2025, "2025-12-31"
FLOOR_SECONDS, FLOOR_BYTES = 60.0, 4 * 1024**3


def make_data(
    n_orders: int, n_customers: int, seed: int = SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical orders and customers: skewed purchase rates, 5 years of dates, a fifth churned."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.6, size=n_customers)  # heavy buyers and one-off buyers
    who = rng.choice(n_customers, size=n_orders, p=rate / rate.sum())
    span = int((LAST_DAY - FIRST_DAY).astype(int)) + 1
    start = rng.integers(0, span, size=n_customers)  # each customer's first possible day
    day = np.minimum(start[who] + rng.exponential(400, size=n_orders).astype(np.int64), span - 1)
    ids = pd.Series(np.char.mod("C%07d", np.arange(n_customers)), dtype="str").to_numpy()
    orders = pd.DataFrame(
        {
            "order_id": pd.Series(np.char.mod("O%08d", np.arange(n_orders)), dtype="str"),
            "customer_id": pd.Series(ids[who], dtype="str"),
            "date": (FIRST_DAY + day).astype("datetime64[us]"),
            "amount": np.round(rng.lognormal(3.6, 0.7, size=n_orders), 2),
        }
    ).sort_values("date", kind="stable", ignore_index=True)
    first = np.full(n_customers, span - 1)
    np.minimum.at(first, who, day)
    last = np.zeros(n_customers, np.int64)
    np.maximum.at(last, who, day)
    churned = np.where(
        rng.random(n_customers) < 0.35, last + rng.integers(30, 365, n_customers), -1
    )
    churned[churned >= span] = -1  # a churn after the data ends is not known yet
    customers = pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype="str"),
            "acquired": (FIRST_DAY + first).astype("datetime64[us]"),
            "channel": pd.Series(
                CHANNELS[rng.integers(0, len(CHANNELS), n_customers)], dtype="str"
            ),
            "churned": pd.Series((FIRST_DAY + churned).astype("datetime64[us]")).where(
                churned >= 0
            ),
        }
    )
    return orders, customers


def section(orders, customers) -> dict[str, object]:
    """The customers section with kpi_helpers.analysis.customers."""
    return {
        "customer_summary": kc.customer_summary(orders, customers, by="channel", period=YEAR),
        "cohort_retention": kc.cohort_retention(orders, freq="MS"),
        "cohort_revenue": kc.cohort_revenue(orders, freq="MS"),
        "rfm_summary": kc.rfm_summary(orders, observation_end=OBSERVATION_END, unit="D"),
    }


def baseline(orders, customers) -> dict[str, object]:
    """The same aggregations written directly with pandas groupby, as one would in a notebook."""
    upto = orders[orders["date"] <= f"{YEAR}-12-31"]
    span = upto.groupby("customer_id")["date"].agg(["min", "max"])
    year = upto[upto["date"].dt.year == YEAR]
    per = year.groupby("customer_id").agg(orders=("order_id", "size"), revenue=("amount", "sum"))
    per = per.join(span).join(customers.set_index("customer_id")[["channel", "churned"]])
    per["days"] = (per["churned"].fillna(per["max"]) - per["min"]).dt.days
    per["repeaters"] = per["orders"] >= 2
    g = per.groupby("channel", dropna=False).agg(
        orders=("orders", "sum"),
        customers=("orders", "size"),
        revenue=("revenue", "sum"),
        repeaters=("repeaters", "sum"),
        days=("days", "sum"),
    )
    summary = g.assign(
        aov=g["revenue"] / g["orders"],
        purchase_frequency=g["orders"] / g["customers"],
        repeat_purchase_rate=g["repeaters"] / g["customers"],
        lifetime_days=g["days"] / g["customers"],
    )

    month = orders["date"].dt.year * 12 + orders["date"].dt.month - 1
    cohort = month.groupby(orders["customer_id"]).transform("min")
    frame = pd.DataFrame(
        {
            "customer_id": orders["customer_id"],
            "cohort": cohort,
            "age": month - cohort,
            "amount": orders["amount"],
        }
    )
    size = frame.groupby("cohort")["customer_id"].nunique()
    active = frame.groupby(["cohort", "age"])["customer_id"].nunique().unstack()
    retention = active.div(size, axis=0)
    revenue = (
        frame.groupby(["cohort", "age"])["amount"]
        .sum()
        .unstack()
        .fillna(0)
        .cumsum(axis=1)
        .div(size, axis=0)
    )

    kept = orders[orders["date"] <= OBSERVATION_END]
    daily = kept.groupby(["customer_id", kept["date"].dt.normalize()])["amount"].sum().reset_index()
    by_customer = daily.groupby("customer_id")
    rfm = by_customer.agg(
        n=("amount", "size"),
        total=("amount", "sum"),
        first=("date", "min"),
        last=("date", "max"),
        first_value=("amount", "first"),
    )
    rfm = pd.DataFrame(
        {
            "frequency": rfm["n"] - 1,
            "recency": (rfm["last"] - rfm["first"]).dt.days.astype(float),
            "T": (pd.Timestamp(OBSERVATION_END) - rfm["first"]).dt.days.astype(float),
            "monetary_value": ((rfm["total"] - rfm["first_value"]) / (rfm["n"] - 1)).fillna(0.0),
        }
    )
    return {
        "customer_summary": summary,
        "cohort_retention": retention,
        "cohort_revenue": revenue,
        "rfm_summary": rfm,
    }


def _maxrss() -> int:
    """Peak resident memory of this process in bytes.

    Linux's VmHWM where there is one: ``ru_maxrss`` of a child started by subprocess also
    remembers the parent's memory at the fork, which would hide the child's own peak.
    """
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) * 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _reset_peak() -> int:
    """Restart the peak-memory count from the current RSS (Linux >= 4.0); return the current RSS.

    Without this the peak would be that of unpickling the data, not of the run.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass  # the peak then includes loading the data: an upper bound
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(kind: str, path: str) -> None:
    """Load the data, run one implementation, print seconds and peak memory as JSON."""
    with open(path, "rb") as fh:
        orders, customers = pickle.load(fh)
    load_peak = _maxrss()
    loaded = _reset_peak()
    parts = {}
    started = time.perf_counter()
    if kind == "section":  # time each function as well
        for name, fn in [
            (
                "customer_summary",
                lambda: kc.customer_summary(orders, customers, by="channel", period=YEAR),
            ),
            ("cohort_retention", lambda: kc.cohort_retention(orders, freq="MS")),
            ("cohort_revenue", lambda: kc.cohort_revenue(orders, freq="MS")),
            ("rfm_summary", lambda: kc.rfm_summary(orders, observation_end=OBSERVATION_END)),
        ]:
            t = time.perf_counter()
            fn()
            parts[name] = time.perf_counter() - t
    else:
        baseline(orders, customers)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "loaded_bytes": loaded,
                "peak_bytes": _maxrss(),
                "load_peak_bytes": load_peak,
                "parts": parts,
            }
        )
    )


def _check(path: str) -> None:
    """Both implementations agree on the data at ``path``."""
    with open(path, "rb") as fh:
        orders, customers = pickle.load(fh)
    ours, theirs = section(orders, customers), baseline(orders, customers)
    s, b = ours["customer_summary"].set_index("channel"), theirs["customer_summary"]
    np.testing.assert_allclose(
        s[b.columns.drop(["repeaters", "days"])].to_numpy(float),
        b.drop(columns=["repeaters", "days"]).to_numpy(float),
        rtol=1e-9,
    )
    for name in ("cohort_retention", "cohort_revenue"):
        mine, ref = (
            ours[name].to_numpy(),
            theirs[name].reindex(columns=range(ours[name].shape[1])).to_numpy(),
        )
        seen = ~np.isnan(mine)  # the baseline fills unobserved cells with 0 or the last sum
        np.testing.assert_allclose(mine[seen], np.nan_to_num(ref)[seen], rtol=1e-9)
    pd.testing.assert_frame_equal(
        ours["rfm_summary"],
        theirs["rfm_summary"],
        check_dtype=False,
        check_index_type=False,
        check_names=False,
        rtol=1e-9,
    )
    print(json.dumps({"agree": True}))


def _spawn(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _check(args.child[1]) if args.child[0] == "check" else _child(*args.child)
    gib, mib = 1024**3, 1024**2
    with tempfile.TemporaryDirectory() as tmp:
        for name, n_orders, n_customers in [
            ("check", 200_000, 40_000),
            ("data", args.orders, args.customers),
        ]:
            t = time.perf_counter()
            with open(os.path.join(tmp, name), "wb") as fh:
                pickle.dump(make_data(n_orders, n_customers), fh, protocol=pickle.HIGHEST_PROTOCOL)
            print(
                f"{name}: {n_orders:,} orders, {n_customers:,} customers generated in "
                f"{time.perf_counter() - t:.1f} s"
            )
        print(
            "check (200 000 orders):",
            "agree" if _spawn("--child", "check", os.path.join(tmp, "check"))["agree"] else "?",
        )
        ours = _spawn("--child", "section", os.path.join(tmp, "data"))
        theirs = _spawn("--child", "baseline", os.path.join(tmp, "data"))
    print(
        f"\n{sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    for name, seconds in ours["parts"].items():
        print(f"  {name:<18} {seconds:6.2f} s")
    for label, r in [("kpi_helpers.analysis.customers", ours), ("plain pandas groupby", theirs)]:
        print(
            f"{label:<22} {r['seconds']:6.2f} s   peak {r['peak_bytes'] / mib:,.0f} MiB during the "
            "run "
            f"(data alone {r['loaded_bytes'] / mib:,.0f} MiB; unpickling it peaked at "
            f"{r['load_peak_bytes'] / mib:,.0f})"
        )
    print(f"speed-up over the baseline: {theirs['seconds'] / ours['seconds']:.1f}x")
    ok = ours["seconds"] < FLOOR_SECONDS and ours["peak_bytes"] < FLOOR_BYTES
    print(
        f"floor (< {FLOOR_SECONDS:.0f} s, < {FLOOR_BYTES / gib:.0f} GiB): "
        f"{'met' if ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
