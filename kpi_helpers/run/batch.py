"""Run the annual-review notebook for one client or many through papermill.

The recipe for one client (:func:`run_client`): resolve paths → check the rerun
rule → execute the notebook with papermill into a temporary folder, under a
wall-clock deadline → export the code-free HTML → write the manifest → rename
the folder into place. A failed client leaves its manifest, ``run.log`` and the
partly executed notebook, never an HTML that could pass for a report.

Many clients (:func:`run_batch`) run in separate processes
(``concurrent.futures.ProcessPoolExecutor``, ``workers`` of them), or on a Dask
cluster through its executor interface (``dask=ADDRESS``); each report gets
its own kernel running this environment's interpreter, forked from a fork server
that has already imported the stack (:class:`kpi_helpers.run.kernel.ForkedKernel`;
a retry after a failed start, and daemonic Dask workers, start a new Python). A client that fails,
whose kernel dies or that times out is recorded and does not stop the others.

This module never imports the analysis modules: the notebook does.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import sys
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

import nbformat
import papermill as pm
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from tqdm import tqdm

from ..loaders.config import load_config
from .kernel import KERNEL_NAME, kernel_manager_for
from ..report.export import export_html, report_title, write_index
from ..core.resources import notebook_path
from ..core.runs import find_previous, resolve_previous
from ..core.schema import DataError

__all__ = ["RunOptions", "run_client", "run_batch", "DEFAULT_NOTEBOOK"]

DEFAULT_NOTEBOOK = notebook_path()
_PACKAGES = (
    "kpi-helpers",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "papermill",
    "nbconvert",
)
_START_FAILURES = ("DeadKernelError", "RuntimeError", "TimeoutError")


@dataclass
class RunOptions:
    out: Path = Path("reports")
    run_date: str = field(default_factory=lambda: dt.date.today().isoformat())
    year: int | None = None
    as_of: str | None = None  # YYYY-MM-DD: review the year up to this date
    language: str | None = None
    timeout: int | None = 900  # wall-clock seconds per client
    force: bool = False
    notebook: Path = DEFAULT_NOTEBOOK
    pdf: bool = False  # also print annual_review.pdf beside the HTML (headless Chromium)
    # batch: compare each client with comparable clients (kpi_helpers.analysis.benchmarks)
    benchmark: bool = False
    min_clients: int = 5  # benchmark: clients of one business type needed before a KPI is compared
    benchmarks: str | None = (
        None  # the peer table's path, set by run_batch; the only thing notebooks see
    )
    previous: Path | None = (
        None  # last year's review folder (or a run date's folder holding <slug>/)
    )
    # fork each kernel from a server that has imported the stack
    # (kpi_helpers.run.kernel.ForkedKernel)
    warm: bool = True


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _file_hashes(config_path: Path) -> list[dict]:
    """SHA-256 of client.yaml and every source it names (row counts come from the notebook's
    summary); a
    client.yaml that fails to load (e.g. naming a file outside its folder) gets only its own
    hash."""
    files = [config_path]
    try:
        cfg, folder = load_config(config_path)
        files += [folder / s.path for s in cfg.sources]
    except DataError:
        pass
    out = []
    for (
        f
    ) in files:  # only files load_config accepted: inside the client's folder or explicitly allowed
        try:
            if f.is_file():
                out.append({"path": str(f), "sha256": hashlib.sha256(f.read_bytes()).hexdigest()})
        except OSError:  # unreadable: the loader reports it with the file named
            continue
    return out


# long: the per-client recipe (check, execute, export, sidecars, manifest) with its error handling,
# in one sequence
def run_client(config_path: str | Path, opts: RunOptions) -> dict:
    """Run one client; return its manifest (``status`` is ok, failed or skipped)."""
    config_path = Path(config_path).resolve()
    if config_path.is_dir():
        config_path = config_path / "client.yaml"
    slug, name, error, year = config_path.parent.name, None, None, opts.year
    try:
        cfg, _ = load_config(config_path)
        slug, name, year = cfg.slug or slug, cfg.name, opts.year or cfg.year
    except DataError as exc:
        error = str(exc)
    run_dir = Path(opts.out).resolve() / opts.run_date
    final = run_dir / slug
    manifest = {
        "client": name or slug,
        "slug": slug,
        "client_config": str(config_path),
        "status": "running",
        "parameters": {
            "year": opts.year,
            "run_date": opts.run_date,
            "as_of": opts.as_of,
            "language": opts.language,
            "notebook": str(opts.notebook),
            "timeout": opts.timeout,
            "pdf": opts.pdf,
            "previous": _previous(opts, slug, year),
        },
        "inputs": _file_hashes(config_path),
        "versions": _versions(),
        "started": _now(),
        "finished": None,
        "error": None,
        "attempts": 0,
    }
    if (final / "annual_review.html").exists() and not opts.force:
        return manifest | {
            "status": "skipped",
            "finished": _now(),
            "error": f"{final} already holds a report; use --force to replace it",
        }
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = run_dir / f".{slug}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        if error:
            raise DataError(error)
        started = time.perf_counter()
        manifest["attempts"] = _execute_with_retry(
            config_path, tmp, opts, manifest["parameters"]["previous"]
        )
        executed = time.perf_counter()
        summary = json.loads((tmp / "summary.json").read_text(encoding="utf-8"))
        export_html(
            tmp / "annual_review.ipynb",
            tmp / "annual_review.html",
            summary.get("language", "en"),
            summary,
        )
        manifest["stages"] = _stages(tmp / "annual_review.ipynb", executed - started) | {
            "export": round(time.perf_counter() - executed, 2)
        }
        if opts.pdf:
            _print_pdf(tmp, summary)
        manifest["status"], manifest["inputs_loaded"] = "ok", summary.get("inputs", [])
    except Exception as exc:  # noqa: BLE001 - any failure of one client is recorded, the batch goes on
        manifest["status"], manifest["error"] = "failed", _describe(exc)
        with (tmp / "run.log").open("a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(exc)))
        (tmp / "annual_review.html").unlink(missing_ok=True)
    manifest["finished"] = _now()
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    _move_into_place(tmp, final, keep_existing=manifest["status"] != "ok")
    return manifest


def _stage_of(source: str) -> str:
    if "build_review(" in source:
        return "imports_build"
    if source.lstrip().startswith("ax = plots."):
        return "charts"
    if "write_outputs(" in source:
        return "write"
    return "show"


def _stages(notebook: Path, execute_seconds: float) -> dict[str, float]:
    """Seconds per stage of one client, from the cell durations papermill records: starting the
    kernel (what
    executing took beyond its cells), imports and ``build_review`` (one cell), tables and text
    (``show``),
    charts, writing the sidecars; the runner adds the HTML export. A slow client explains itself."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    out = dict.fromkeys(("kernel_start", "imports_build", "show", "charts", "write"), 0.0)
    for cell in cells:
        took = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
        if cell["cell_type"] == "code" and took:
            stage = _stage_of("".join(cell["source"]))
            out[stage] += took
    out["kernel_start"] = max(0.0, execute_seconds - sum(out.values()))
    return {k: round(v, 2) for k, v in out.items()}


def _print_pdf(tmp: Path, summary: dict) -> None:
    """``annual_review.pdf`` beside the HTML, its footer in the report's language."""
    from ..core import i18n
    from ..report.pdf import html_to_pdf

    with i18n.using(i18n.TextContext.of(summary.get("language", "en"))):
        html_to_pdf(tmp / "annual_review.html", tmp / "annual_review.pdf", report_title(summary))


def _previous(opts: RunOptions, slug: str, year: int | None) -> str | None:
    """Last year's review for the notebook: ``--previous``, else the latest run under ``--out`` that
    reviewed
    ``year - 1`` for this client (see :func:`kpi_helpers.analysis.previous.find_previous`), else
    None."""
    if opts.previous is not None:
        return str(resolve_previous(Path(opts.previous).resolve(), slug))
    found = find_previous(Path(opts.out).resolve(), slug, year) if year else None
    return str(found) if found else None


def _execute_with_retry(
    config_path: Path, tmp: Path, opts: RunOptions, previous: str | None = None
) -> int:
    """Execute; retry once when the kernel failed before running any cell. Returns the attempts
    made."""
    try:
        _execute(config_path, tmp, opts, previous)
        return 1
    except Exception as exc:
        if type(exc).__name__ not in _START_FAILURES or _cells_ran(tmp / "annual_review.ipynb"):
            raise
        with (tmp / "run.log").open("a", encoding="utf-8") as log:
            log.write(f"kernel failed to start ({_describe(exc)}); retrying once\n")
        _execute(
            config_path, tmp, opts, previous, warm=False
        )  # a cold kernel: a new Python, as before
        return 2


def _cells_ran(path: Path) -> bool:
    if not path.exists():
        return False
    nb = nbformat.read(path, as_version=4)
    return any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


class _SaveWhenDone(NotebookExecutionManager):
    """papermill's bookkeeping without its two saves per cell (each one serialises and validates the
    whole
    notebook, charts included: about a third of the runner's CPU per client). The notebook is
    written once,
    when the run ends: by papermill when it succeeds or a cell fails, by :meth:`notebook_complete`
    here when
    it stops otherwise (a timeout, a dead kernel), so a failed client still leaves its partly
    executed notebook."""

    _final = False

    def save(self, **kwargs):
        if self._final:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs):
        self._final = True
        super().notebook_complete(**kwargs)


class _Engine(NBClientEngine):
    """papermill's nbclient engine with :class:`_SaveWhenDone` (registered as ``kpi-review``)."""

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        **kwargs,
    ):
        nb_man = _SaveWhenDone(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=0,
        )
        nb_man.notebook_start()
        finished = False
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finished = True
        finally:
            nb_man.cleanup_pbar()
            if finished:  # papermill writes the notebook itself (a failed cell included)
                nb_man.output_path = None
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register("kpi-review", _Engine)


class _Deadline:
    """nbclient's ``timeout_func``: each cell may run until the client's wall-clock deadline."""

    def __init__(self, seconds: float | None):
        self.end = None if seconds is None else time.monotonic() + seconds

    def __call__(self, cell) -> int | None:
        if self.end is None:
            return None
        return max(1, int(self.end - time.monotonic()))


def _execute(
    config_path: Path, tmp: Path, opts: RunOptions, previous: str | None = None, warm: bool = True
) -> None:
    params = {
        "client_config": str(config_path),
        "year": opts.year,
        "run_date": opts.run_date,
        "language": opts.language,
        "as_of": opts.as_of,
        "output_dir": str(tmp),
        "previous": previous,
    }
    if opts.benchmarks:
        params["benchmarks"] = opts.benchmarks
    pm.execute_notebook(
        str(opts.notebook),
        str(tmp / "annual_review.ipynb"),
        parameters=params,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=kernel_manager_for(tmp / "run.log", warm and opts.warm),
        cwd=str(Path(opts.notebook).resolve().parent),
        progress_bar=False,
        log_output=False,
        timeout_func=_Deadline(opts.timeout),
        start_timeout=120,
        engine_name="kpi-review",
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pm.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}"
    name = type(exc).__name__
    if name == "CellTimeoutError":
        return (
            "timed out: the client took longer than its wall-clock limit (--timeout); "
            f"{str(exc).splitlines()[0]}"
        )
    if name == "DeadKernelError":
        return f"the kernel died while running the notebook ({str(exc).splitlines()[0]})"
    return f"{name}: {exc}"


def _move_into_place(tmp: Path, final: Path, keep_existing: bool) -> None:
    """Rename the finished folder into place; a failure never replaces a finished report."""
    if final.exists():
        if keep_existing and (final / "annual_review.html").exists():
            final = final.with_name(f"{final.name}.failed-{dt.datetime.now():%H%M%S}")
        else:
            shutil.rmtree(final)
    tmp.rename(final)


def _refuse_duplicate_slugs(configs) -> None:
    """Two clients with one slug would write the same report folder: refuse the batch up front."""
    seen: dict[str, str] = {}
    for c in configs:
        path = Path(c) / "client.yaml" if Path(c).is_dir() else Path(c)
        try:
            cfg, _folder = load_config(path)
            slug = cfg.slug or path.parent.name
        except DataError:
            continue  # reported as that client's failure
        if slug in seen:
            raise DataError(
                f"{seen[slug]} and {path} have the same slug {slug!r}: their reports would "
                "overwrite "
                f"each other; give one of them another `slug:` in client.yaml"
            )
        seen[slug] = str(path)


def _peer_table(configs, opts: RunOptions, workers: int, dask: str | None) -> Path:
    """The first pass of ``--benchmark``: every client's ratio KPIs (in the pool), aggregated into
    one peer
    table, the run's ``benchmarks.csv``. A client whose data fail here is reported by its own
    run."""
    from ..analysis.benchmarks import client_kpis, peer_table
    from ..report.export import spreadsheet_safe

    files = [Path(c) / "client.yaml" if Path(c).is_dir() else Path(c) for c in configs]
    executor, client = _executor(workers, dask)
    rows = []
    try:
        futures = [executor.submit(client_kpis, str(f), opts.year, opts.as_of) for f in files]
        for fut in futures:
            try:
                rows.append(fut.result())
            except Exception:  # noqa: BLE001 - its own run records the failure
                continue
    finally:
        executor.shutdown(wait=True)
        if client is not None:
            client.close()
    run_dir = Path(opts.out).resolve() / opts.run_date
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "benchmarks.csv"
    spreadsheet_safe(peer_table(rows, opts.min_clients)).to_csv(
        path, index=False, encoding="utf-8-sig"
    )
    return path


def _executor(workers: int, dask: str | None) -> tuple[Executor, object | None]:
    if dask:
        try:
            from distributed import Client
        except ImportError:
            raise RuntimeError(
                "--dask needs the dask extra: pip install 'kpi-helpers[dask]'"
            ) from None
        client = Client(dask)
        return client.get_executor(), client
    # A worker starts with the runner's modules imported (papermill, nbclient, nbconvert): frozen,
    # the collector does not walk them again at every full collection, client after client.
    return ProcessPoolExecutor(max_workers=workers, initializer=gc.freeze), None


# long: the pool or Dask cluster, the per-client futures and the index, in one sequence
def run_batch(
    configs: list[str | Path],
    opts: RunOptions,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = True,
) -> list[dict]:
    """Run every client in parallel, then write the run date's index; return the manifests in input
    order.

    ``workers`` defaults to the number of cores; ``dask`` is a scheduler address
    (``tcp://host:8786``) to run the same jobs on an existing Dask cluster.
    """
    workers = workers or os.cpu_count() or 1
    _refuse_duplicate_slugs(configs)
    if opts.benchmark:
        opts = replace(opts, benchmarks=str(_peer_table(configs, opts, workers, dask)))
    results: list[dict | None] = [None] * len(configs)
    if len(configs) == 1 and not dask:
        results = [run_client(configs[0], opts)]
    else:
        executor, client = _executor(workers, dask)
        try:
            futures = {executor.submit(run_client, str(c), opts): i for i, c in enumerate(configs)}
            bar = tqdm(
                as_completed(futures),
                total=len(futures),
                desc="clients",
                unit="client",
                disable=not progress,
                file=sys.stderr,
            )
            for fut in bar:
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died is one failed client
                    results[i] = {
                        "client": str(configs[i]),
                        "slug": Path(configs[i]).parent.name,
                        "status": "failed",
                        "error": f"the worker process failed: {_describe(exc)}",
                    }
                bar.set_postfix_str(f"{results[i]['slug']}: {results[i]['status']}")
        finally:
            executor.shutdown(wait=True)
            if client is not None:
                client.close()
    if progress:
        for r in results:
            print(
                f"{r['slug']}: {r['status']}"
                + (f": {r['error'].splitlines()[0]}" if r.get("error") else ""),
                file=sys.stderr,
            )
    run_dir = Path(opts.out) / opts.run_date
    if run_dir.exists():
        write_index(run_dir, opts.language or "en")
    return results
