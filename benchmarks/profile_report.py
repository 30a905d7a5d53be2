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
import os
import pstats
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "kpi_helpers" / "notebooks" / "annual_review.ipynb"


def notebook_cells() -> list[str]:
    """The notebook's code cells after the parameters and the first (imports + build) cell."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", [])
    ]
    return code[1:]


def _inline_kwargs() -> dict:
    """The inline backend's ``print_figure`` keywords (its default, ``bbox_inches="tight"``, unless
    changed)."""
    from matplotlib_inline.config import InlineBackend

    return dict(InlineBackend.instance().print_figure_kwargs)


def run(client: str, out: Path) -> dict[str, float]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure

    stages, t = {}, time.process_time()
    import kpi_helpers as kh
    from kpi_helpers.report import plots, export as report, show

    stages["imports"], t = time.process_time() - t, time.process_time()
    plots.use_report_style()
    rv = kh.build_review(
        str(ROOT / "kpi_helpers" / "demo_data" / client / "client.yaml"), run_date="2026-01-31"
    )
    stages["build"], t = time.process_time() - t, time.process_time()
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
        t0 = time.process_time()
        exec(src, names)  # noqa: S102 - the repository's own notebook
        kind = (
            "charts"
            if src.lstrip().startswith("ax = plots.")
            else "write"
            if "write_outputs(" in src
            else "show"
        )
        if (
            kind == "charts"
        ):  # what the inline backend does after the cell: each open figure to a PNG, then closed
            for num in plt.get_fignums():
                print_figure(plt.figure(num), "png", **_inline_kwargs())
            plt.close("all")
        stages[kind] = stages.get(kind, 0.0) + time.process_time() - t0
    return stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", default="northwind-home")
    ap.add_argument(
        "--profile", type=int, default=0, help="print this many cProfile entries (cumulative)"
    )
    ap.add_argument(
        "--warm",
        action="store_true",
        help="import what a batch kernel's fork server preloads (kernel.WARM_MODULES) first",
    )
    ap.add_argument(
        "--sort", default="tottime", help="cProfile sort key (tottime, cumulative, ...)"
    )
    ap.add_argument(
        "--blas-threads",
        action="store_true",
        help="leave BLAS its default threads (the batch's kernels get one: kernel.ONE_CORE_ENV)",
    )
    args = ap.parse_args()
    if not args.blas_threads:  # before numpy is imported, as in a batch kernel
        for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(key, "1")
    if args.warm:
        import importlib

        from kpi_helpers.run.kernel import WARM_MODULES

        for name in WARM_MODULES:
            importlib.import_module(name)
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
        pstats.Stats(prof).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
