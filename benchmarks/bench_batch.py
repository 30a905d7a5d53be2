"""Batch benchmark: `kpi-review batch` against the naive loop a user would otherwise write.

20 demo-sized clients (copies of the three demo clients under new slugs) are run

- by ``kpi-review batch`` (parallel processes, default workers = cores), and
- by the naive loop: for each client, the ``papermill`` command line, then
  ``jupyter nbconvert --to html --no-input``,

side by side, on the same machine. Both must produce the same reports: the same
``decisions.csv`` and the same HTML text apart from the run timestamps. Prints
both wall times, the median seconds per report and the speed-up (floor: 1.8).

    .venv/bin/python benchmarks/bench_batch.py [--clients 20]
"""

from __future__ import annotations

import argparse
import html
import re
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
    demos = sorted(p for p in (ROOT / "kpi_helpers" / "demo_data").iterdir() if (p / "client.yaml").is_file())
    out = []
    for i in range(n):
        src = demos[i % len(demos)]
        dst = where / f"{src.name}-{i:02d}"
        shutil.copytree(src, dst)
        cfg = dst / "client.yaml"
        cfg.write_text(re.sub(r"^slug: .*$", f"slug: {dst.name}", cfg.read_text(), flags=re.M))
        out.append(cfg)
    return out


def run_batch(configs: list[Path], out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([BIN / "kpi-review", "batch", *configs, "--out", out, "--run-date", RUN_DATE],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def run_naive(configs: list[Path], out: Path) -> tuple[float, list[float]]:
    per = []
    t0 = time.perf_counter()
    for cfg in configs:
        s = time.perf_counter()
        folder = out / cfg.parent.name
        folder.mkdir(parents=True)
        nb = folder / "annual_review.ipynb"
        subprocess.run([BIN / "papermill", ROOT / "kpi_helpers" / "notebooks" / "annual_review.ipynb", nb, "-k", "kpi-review",
                        "--cwd", ROOT / "kpi_helpers" / "notebooks", "-p", "client_config", cfg, "-p", "run_date", RUN_DATE,
                        "-p", "output_dir", folder], check=True, capture_output=True)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", nb], check=True,
                       capture_output=True)
        per.append(time.perf_counter() - s)
    return time.perf_counter() - t0, per


def text_of(page: Path) -> str:
    """Visible text of a report without markup, styles or the timestamps that differ between runs."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    body = re.sub(r"<nav class=\"kr-toc\".*?</nav>", " ", body, flags=re.S)  # the batch adds a contents list
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    return " ".join(text.split())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        configs = make_clients(args.clients, tmp / "clients")
        batch_s = run_batch(configs, tmp / "batch")
        naive_s, per = run_naive(configs, tmp / "naive")
        same = 0
        for cfg in configs:
            a, b = tmp / "batch" / RUN_DATE / cfg.parent.name, tmp / "naive" / cfg.parent.name
            if (a / "decisions.csv").read_bytes() == (b / "decisions.csv").read_bytes() and \
                    text_of(a / "annual_review.html") == text_of(b / "annual_review.html"):
                same += 1
        print(f"clients: {args.clients}")
        print(f"kpi-review batch: {batch_s:.1f} s ({batch_s / args.clients:.2f} s per report)")
        print(f"naive loop (papermill CLI + nbconvert CLI): {naive_s:.1f} s "
              f"(median {statistics.median(per):.2f} s per report)")
        print(f"speed-up: {naive_s / batch_s:.2f}x (floor 1.8x): {'PASS' if naive_s / batch_s >= 1.8 else 'FAIL'}")
        print(f"identical reports (decisions.csv bytes and HTML text): {same} of {args.clients}")


if __name__ == "__main__":
    main()
