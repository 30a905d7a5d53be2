"""Whole-process CPU of one report on the batch's warm path, split into the runner and its kernel.

Runs :func:`kpi_helpers.run.batch.run_client` in this process, as a pool worker does: one warm-up
client (it starts
the fork server, which imports the stack once per worker), then ``--reports`` demo clients in turn.
Prints, per
report, the runner's CPU (this process: papermill, nbclient, the HTML export) and the kernel's (user
+ system time
of the forked kernels, read from the fork server's reaped-children counters in ``/proc``). CPU time,
unlike wall
time, is little disturbed by other work on the machine, so this is the figure to optimise against.

    .venv/bin/python benchmarks/cpu_per_report.py --reports 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from multiprocessing import forkserver
from pathlib import Path

from kpi_helpers.run.batch import RunOptions, run_client

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "kpi_helpers" / "demo_data"


def kernels_cpu() -> float:
    """User + system seconds of the fork server's children that have exited (the kernels)."""
    pid = forkserver._forkserver._forkserver_pid  # noqa: SLF001 - the runner's own fork server
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=5)
    args = ap.parse_args()
    demos = sorted(p for p in DEMO.iterdir() if (p / "client.yaml").is_file())
    with tempfile.TemporaryDirectory() as tmp:
        warm_up = run_client(
            demos[0] / "client.yaml", RunOptions(out=Path(tmp) / "warm-up", run_date="2026-01-31")
        )
        assert warm_up["status"] == "ok", warm_up["error"]
        runner, kernel = [], []
        for i in range(args.reports):
            k0, r0 = kernels_cpu(), time.process_time()
            m = run_client(
                demos[i % len(demos)] / "client.yaml",
                RunOptions(out=Path(tmp) / str(i), run_date="2026-01-31"),
            )
            assert m["status"] == "ok", m["error"]
            runner.append(time.process_time() - r0)
            deadline = time.monotonic() + 10
            while (
                kernels_cpu() == k0 and time.monotonic() < deadline
            ):  # the kernel is reaped once it has exited
                time.sleep(0.1)
            kernel.append(kernels_cpu() - k0)
            print(
                f"{demos[i % len(demos)].name}: runner {runner[-1]:.2f} s, kernel {kernel[-1]:.2f} "
                "s CPU",
                flush=True,
            )
    print(
        f"median per report: runner {statistics.median(runner):.2f} s + kernel "
        f"{statistics.median(kernel):.2f} s = "
        f"{statistics.median(r + k for r, k in zip(runner, kernel)):.2f} s CPU"
    )


if __name__ == "__main__":
    main()
