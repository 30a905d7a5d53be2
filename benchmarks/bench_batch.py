"""Batch benchmark: `kpi-review batch` against the naive loop a user would otherwise write.

N demo-sized clients (copies of every demo client in ``data/demo`` under new slugs) are run

- by ``kpi-review batch --workers W`` (default 2), and
- by the naive loop: for each client, the ``papermill`` command line, then
  ``jupyter nbconvert --to html --no-input`` (leaving out the cells tagged ``analyst-only``, as the
  batch does),

one after the other, ``--runs`` times each (alternating), on the same machine. Both must produce the
same reports: the same ``decisions.csv`` and the same HTML body text apart from the contents list
the batch
adds (the page title, in the head, is the batch's own). Prints, per run and as medians: wall time,
CPU
time of all child processes (kernels included, ``RUSAGE_CHILDREN``), wall and CPU per report, the
speed-up, the median report size, and the per-stage medians the batch writes to ``batch.json``.

    .venv/bin/python benchmarks/bench_batch.py --clients 20 --runs 2
    .venv/bin/python benchmarks/bench_batch.py --clients 100 --runs 2 --no-naive
"""

from __future__ import annotations

import argparse
import ctypes
import html
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUN_DATE = "2026-01-31"


def make_clients(n: int, where: Path) -> list[Path]:
    demos = sorted(
        p for p in (ROOT / "kpi_helpers" / "demo_data").iterdir() if (p / "client.yaml").is_file()
    )
    out = []
    for i in range(n):
        src = demos[i % len(demos)]
        dst = where / f"{src.name}-{i:03d}"
        shutil.copytree(src, dst)
        cfg = dst / "client.yaml"
        cfg.write_text(re.sub(r"^slug: .*$", f"slug: {dst.name}", cfg.read_text(), flags=re.M))
        out.append(cfg)
    return out


def _become_subreaper() -> None:
    """Orphans of the run (a fork server outliving its pool worker, its kernels) become this
    process's
    children, so that their CPU time is counted once reaped (Linux ``PR_SET_CHILD_SUBREAPER``)."""
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def _reap_orphans(wait_s: float = 60.0) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.2)  # orphans still running (shutting down)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn, *args) -> tuple[float, float]:
    """Wall and CPU seconds (of every child process that finished) of ``fn(*args)``; the wall time
    is what ``fn``
    returns when it returns a number (the Dask run's command alone)."""
    c0, t0 = (
        _children_cpu() + time.process_time(),
        time.perf_counter(),
    )  # own CPU: an in-process Dask scheduler
    wall = fn(*args)
    wall = wall if isinstance(wall, float) else time.perf_counter() - t0
    _reap_orphans()
    return wall, _children_cpu() + time.process_time() - c0


def run_batch(configs: list[Path], out: Path, workers: int, dask: str | None = None) -> None:
    extra = ["--dask", dask] if dask else ["--workers", str(workers)]
    subprocess.run(
        [BIN / "kpi-review", "batch", *configs, "--out", out, "--run-date", RUN_DATE, *extra],
        check=True,
        capture_output=True,
    )


def run_dask(configs: list[Path], out: Path, workers: int, warm: bool) -> float:
    """The batch on a LocalCluster of ``workers`` one-thread worker processes started here; returns
    the wall time
    of the ``kpi-review batch --dask`` command alone (the cluster was already up, as an existing
    cluster would be).
    The CPU that :func:`timed` counts is the cluster's whole life, its start and stop included.
    ``warm``: the
    workers are not daemonic (``distributed.worker.daemon: false``), so they fork warm kernels."""
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.worker.daemon": not warm}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        t0 = time.perf_counter()
        run_batch(configs, out, workers, cluster.scheduler_address)
        return time.perf_counter() - t0


def run_naive(configs: list[Path], out: Path) -> None:
    for cfg in configs:
        folder = out / cfg.parent.name
        folder.mkdir(parents=True)
        nb = folder / "annual_review.ipynb"
        subprocess.run(
            [
                BIN / "papermill",
                ROOT / "kpi_helpers" / "notebooks" / "annual_review.ipynb",
                nb,
                "-k",
                "kpi-review",
                "--cwd",
                ROOT / "kpi_helpers" / "notebooks",
                "-p",
                "client_config",
                cfg,
                "-p",
                "run_date",
                RUN_DATE,
                "-p",
                "output_dir",
                folder,
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                BIN / "jupyter",
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                "--TagRemovePreprocessor.remove_cell_tags=analyst-only",
                nb,
            ],
            check=True,
            capture_output=True,
        )


def text_of(page: Path) -> str:
    """Visible text of a report without markup, styles or the timestamps that differ between
    runs."""
    body = re.sub(
        r"<(head|style|script)[^>]*>.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S
    )
    body = re.sub(
        r"<nav class=\"kr-toc\".*?</nav>", " ", body, flags=re.S
    )  # the batch adds a contents list
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    return " ".join(text.split())


def same_reports(configs: list[Path], batch: Path, naive: Path) -> int:
    same = 0
    for cfg in configs:
        a, b = batch / RUN_DATE / cfg.parent.name, naive / cfg.parent.name
        if (a / "decisions.csv").read_bytes() == (b / "decisions.csv").read_bytes() and text_of(
            a / "annual_review.html"
        ) == text_of(b / "annual_review.html"):
            same += 1
    return same


def stage_medians(batch: Path) -> dict[str, float]:
    clients = json.loads((batch / RUN_DATE / "batch.json").read_text(encoding="utf-8"))["clients"]
    stages: dict[str, list[float]] = {}
    for c in clients:
        for name, sec in (c.get("stages") or {}).items():
            stages.setdefault(name, []).append(sec)
    return {name: statistics.median(v) for name, v in stages.items()}


def report_kb(batch: Path) -> float:
    return (
        statistics.median(p.stat().st_size for p in (batch / RUN_DATE).glob("*/annual_review.html"))
        / 1024
    )


def machine_speed() -> float:
    """CPU seconds of a fixed pure-Python loop: on a shared virtual machine the same work takes up
    to twice as long from one quarter of an hour to the next, so each run is printed with it."""
    t = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i * i
    return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-naive", action="store_true", help="only the batch (e.g. 100 clients)")
    ap.add_argument(
        "--dask",
        action="store_true",
        help="also run the batch on a LocalCluster of --workers workers "
        "(daemonic, cold kernels) and on one with non-daemonic workers (warm kernels)",
    )
    args = ap.parse_args()
    _become_subreaper()
    n, batch_runs, naive_runs, dask_runs = args.clients, [], [], {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        configs = make_clients(n, tmp / "clients")
        for run in range(args.runs):
            speed = machine_speed()
            batch_runs.append(timed(run_batch, configs, tmp / f"batch{run}", args.workers))
            print(
                f"run {run + 1}: batch {batch_runs[-1][0]:.1f} s wall, "
                f"{batch_runs[-1][1]:.1f} s CPU (machine speed: reference loop {speed:.2f} s "
                f"before, {machine_speed():.2f} s after)",
                flush=True,
            )
            if args.dask:
                for warm in (False, True):
                    dask_runs[warm].append(
                        timed(run_dask, configs, tmp / f"dask{int(warm)}-{run}", args.workers, warm)
                    )
                    print(
                        f"run {run + 1}: dask ({'warm' if warm else 'cold'} kernels) "
                        f"{dask_runs[warm][-1][0]:.1f} s "
                        f"wall, {dask_runs[warm][-1][1]:.1f} s CPU",
                        flush=True,
                    )
            if not args.no_naive:
                naive_runs.append(timed(run_naive, configs, tmp / f"naive{run}"))
                print(
                    f"run {run + 1}: naive {naive_runs[-1][0]:.1f} s wall, {naive_runs[-1][1]:.1f} "
                    f"s CPU (reference loop after: {machine_speed():.2f} s)",
                    flush=True,
                )
        print(f"\nclients: {n}, workers: {args.workers}, runs: {args.runs} (medians below)")
        print("| run | wall | CPU | wall per report | CPU per report |\n|---|---:|---:|---:|---:|")
        for label, runs in (
            (f"`kpi-review batch --workers {args.workers}`", batch_runs),
            (
                "`kpi-review batch --dask` (LocalCluster, daemonic workers: cold kernels)",
                dask_runs[False],
            ),
            (
                "`kpi-review batch --dask` (LocalCluster, `worker.daemon: false`: warm kernels)",
                dask_runs[True],
            ),
            ("papermill CLI + `nbconvert --no-input` per client", naive_runs),
        ):
            if runs:
                wall, cpu = (
                    statistics.median(r[0] for r in runs),
                    statistics.median(r[1] for r in runs),
                )
                print(
                    f"| {label} | {wall:.1f} s | {cpu:.1f} s | {wall / n:.2f} s | {cpu / n:.2f} s |"
                )
        if naive_runs:
            ratio = statistics.median(r[0] for r in naive_runs) / statistics.median(
                r[0] for r in batch_runs
            )
            print(f"\nspeed-up: {ratio:.2f}x (goal 4x)")
            print(
                f"identical reports (decisions.csv bytes and HTML text): "
                f"{same_reports(configs, tmp / 'batch0', tmp / 'naive0')} of {n}"
            )
        if args.dask:
            print(
                "identical to the pool's reports (decisions.csv bytes and HTML text): cold "
                f"{same_reports(configs, tmp / 'batch0', tmp / 'dask0-0' / RUN_DATE)} of {n}, warm "
                f"{same_reports(configs, tmp / 'batch0', tmp / 'dask1-0' / RUN_DATE)} of {n}"
            )
        print(f"median report size: {report_kb(tmp / 'batch0'):.0f} KB")
        print(
            "median per-stage seconds (batch.json):",
            ", ".join(f"{k} {v:.2f}" for k, v in stage_medians(tmp / "batch0").items())
            or "none recorded",
        )


if __name__ == "__main__":
    main()
