"""Time ROI bootstrap intervals for many tactics (the issue's floor: 20 x ~2 000 units x 10 000
resamples < 2 s).

    .venv/bin/python benchmarks/bench_intervals.py
    .venv/bin/python benchmarks/bench_intervals.py --tactics 20 --units 2000 --n-boot 10000 --limit
    2
    .venv/bin/python benchmarks/bench_intervals.py --varying-cost   # a cost per unit that varies

Data: ``numpy.random.default_rng(20250101)``; per tactic 1 800 .. 2 200 units (customers) with
lognormal revenue per unit and one fixed cost per tactic, spread evenly over its units as
``kpi_helpers.analysis.comparisons._roi_ci`` does. Timed: one ``bootstrap_ratio_ci(...,
statistic="roi")``
call per tactic, the whole loop, best of 3 after one warm-up. ``--varying-cost`` gives each unit
its own (gamma) share of the cost instead, so the denominator is resampled too (the slower path).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kpi_helpers.metrics.stats_money import bootstrap_ratio_ci  # noqa: E402


def make_tactics(
    n_tactics: int, units: int, seed: int = 20250101, varying_cost: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n_tactics):
        n = int(rng.integers(int(units * 0.9), int(units * 1.1) + 1))
        revenue = rng.lognormal(mean=4.0, sigma=1.0, size=n)  # revenue (margin) per customer
        cost = float(
            revenue.sum() / rng.uniform(0.8, 2.5)
        )  # fixed tactic cost: ROI between -0.2 and 1.5
        share = rng.gamma(2.0, 1.0, n) if varying_cost else np.ones(n)
        data.append((revenue, cost * share / share.sum()))
    return data


def run(data, n_boot: int) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            bootstrap_ratio_ci(num, den, n_boot=n_boot, seed=0, statistic="roi")
            for num, den in data
        ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tactics", type=int, default=20)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--n-boot", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--varying-cost", action="store_true", help="a different cost per unit")
    ap.add_argument("--limit", type=float, default=2.0, help="seconds allowed for the whole loop")
    args = ap.parse_args()

    data = make_tactics(args.tactics, args.units, varying_cost=args.varying_cost)
    total_units = sum(len(num) for num, _ in data)
    print(
        f"{args.tactics} tactics, {total_units} units in all ({total_units / args.tactics:.0f} per "
        "tactic), "
        f"{args.n_boot} resamples each, {'varying' if args.varying_cost else 'even'} cost per "
        "unit; "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs"
    )
    run(data, args.n_boot)  # warm-up
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = run(data, args.n_boot)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"runs: {', '.join(f'{t:.3f}' for t in times)} s")
    print(
        f"best of {args.repeat}: {best:.3f} s for {args.tactics} tactics; "
        f"{best / args.tactics * 1000:.1f} ms per tactic"
    )
    r = out[0].iloc[0]
    print(f"tactic 0: roi {r['value']:.4f} [{r['ci_low']:.4f}, {r['ci_high']:.4f}]")
    ok = best < args.limit
    print(f"{'PASS' if ok else 'FAIL'}: {best:.3f} s {'<' if ok else '>='} {args.limit:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
