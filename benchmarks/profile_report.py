"""Where one report's time goes, in one process: imports, ``build_review``, the notebook's
show/plots calls,
the sidecars. Prints seconds per stage and, with ``--profile``, the top cProfile entries of the
whole run.

    .venv/bin/python benchmarks/profile_report.py [--client northwind-home] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "annual_review.ipynb"


def notebook_cells() -> list[str]:
    """The notebook's code cells after the parameters and the first (imports + build) cell."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", [])
    ]
    return code[1:]


def run(client: str, out: Path) -> dict[str, float]:
    import matplotlib

    matplotlib.use("Agg")
    stages, t = {}, time.perf_counter()
    import kpi_helpers as kh
    from kpi_helpers.report import plots, export as report, show

    stages["imports"], t = time.perf_counter() - t, time.perf_counter()
    plots.use_report_style()
    rv = kh.build_review(
        str(ROOT / "data" / "demo" / client / "client.yaml"), run_date="2026-01-31"
    )
    stages["build"], t = time.perf_counter() - t, time.perf_counter()
    names = {
        "kh": kh,
        "plots": plots,
        "report": report,
        "show": show,
        "rv": rv,
        "benchmarks": None,
        "output_dir": str(out),
    }
    for src in notebook_cells():
        t0 = time.perf_counter()
        exec(src, names)  # noqa: S102 - the repository's own notebook
        kind = (
            "charts"
            if src.lstrip().startswith("ax = plots.")
            else "write"
            if "write_outputs(" in src
            else "show"
        )
        stages[kind] = stages.get(kind, 0.0) + time.perf_counter() - t0
        if kind == "charts":
            matplotlib.pyplot.close("all")
    return stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", default="northwind-home")
    ap.add_argument(
        "--profile", type=int, default=0, help="print this many cProfile entries (cumulative)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prof = cProfile.Profile() if args.profile else None
        if prof:
            prof.enable()
        stages = run(args.client, Path(tmp))
        if prof:
            prof.disable()
    print(
        ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()),
        f"(total {sum(stages.values()):.2f} s)",
    )
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
