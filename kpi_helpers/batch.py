"""Run the annual-review notebook for one client or many through papermill.

A client's report is executed into a temporary folder and renamed into place
only when complete; a failed client leaves its manifest, log and the partly
executed notebook, never an HTML that could pass for a report. This module
never imports the analysis modules: the notebook does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import papermill as pm

from .config import load_config
from .kernel import KERNEL_NAME, kernel_manager_for
from .report import export_html, write_index
from .schema import DataError

__all__ = ["RunOptions", "run_client", "run_batch", "DEFAULT_NOTEBOOK"]

DEFAULT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "annual_review.ipynb"
_PACKAGES = ("kpi-helpers", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill", "nbconvert")


@dataclass
class RunOptions:
    out: Path = Path("reports")
    run_date: str = field(default_factory=lambda: dt.date.today().isoformat())
    year: int | None = None
    language: str | None = None
    timeout: int | None = 600
    force: bool = False
    notebook: Path = DEFAULT_NOTEBOOK


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _file_hashes(config_path: Path) -> list[dict]:
    """SHA-256 of client.yaml and every source it names (rows are filled from the notebook's summary)."""
    files = [config_path]
    try:
        cfg, folder = load_config(config_path)
        files += [folder / s.path for s in cfg.sources]
    except DataError:
        pass
    out = []
    for f in files:
        if f.is_file():
            out.append({"path": str(f), "sha256": hashlib.sha256(f.read_bytes()).hexdigest()})
    return out


def run_client(config_path: str | Path, opts: RunOptions) -> dict:
    """Run one client; return its manifest (``status`` is ok, failed or skipped)."""
    config_path = Path(config_path).resolve()
    if config_path.is_dir():
        config_path = config_path / "client.yaml"
    started = dt.datetime.now(dt.UTC)
    slug, name, error = config_path.parent.name, None, None
    try:
        cfg, _ = load_config(config_path)
        slug, name = cfg.slug or slug, cfg.name
    except DataError as exc:
        error = str(exc)
    run_dir = Path(opts.out).resolve() / opts.run_date
    final = run_dir / slug
    manifest = {
        "client": name or slug, "slug": slug, "client_config": str(config_path), "status": "running",
        "parameters": {"year": opts.year, "run_date": opts.run_date, "language": opts.language,
                       "notebook": str(opts.notebook), "timeout": opts.timeout},
        "inputs": _file_hashes(config_path), "versions": _versions(),
        "started": started.isoformat(timespec="seconds"), "finished": None, "error": None,
    }
    if (final / "annual_review.html").exists() and not opts.force:
        return manifest | {"status": "skipped", "error": f"{final} already holds a report; use --force to replace it",
                           "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = run_dir / f".{slug}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        if error:
            raise DataError(error)
        _execute(config_path, tmp, opts)
        export_html(tmp / "annual_review.ipynb", tmp / "annual_review.html")
        manifest["status"] = "ok"
        summary = json.loads((tmp / "summary.json").read_text(encoding="utf-8"))
        manifest["inputs_loaded"] = summary.get("inputs", [])
    except Exception as exc:  # noqa: BLE001 - any failure of one client is recorded, the batch goes on
        manifest["status"], manifest["error"] = "failed", _describe(exc)
        with (tmp / "run.log").open("a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(exc)))
        (tmp / "annual_review.html").unlink(missing_ok=True)
    manifest["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _move_into_place(tmp, final, keep_existing=manifest["status"] != "ok")
    return manifest


def _execute(config_path: Path, tmp: Path, opts: RunOptions) -> None:
    params = {"client_config": str(config_path), "year": opts.year, "run_date": opts.run_date,
              "language": opts.language, "output_dir": str(tmp)}
    pm.execute_notebook(
        str(opts.notebook), str(tmp / "annual_review.ipynb"), parameters=params,
        kernel_name=KERNEL_NAME, kernel_manager_class=kernel_manager_for(tmp / "run.log"),
        cwd=str(Path(opts.notebook).resolve().parent), progress_bar=False, log_output=False,
        execution_timeout=opts.timeout,
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pm.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def _move_into_place(tmp: Path, final: Path, keep_existing: bool) -> None:
    """Rename the finished folder into place; a failure never replaces a finished report."""
    if final.exists():
        if keep_existing and (final / "annual_review.html").exists():
            final = final.with_name(f"{final.name}.failed-{dt.datetime.now():%H%M%S}")
        else:
            shutil.rmtree(final)
    tmp.rename(final)


def run_batch(configs: list[str | Path], opts: RunOptions, progress: bool = True) -> list[dict]:
    """Run every client one after another, then write the run date's index; return the manifests."""
    results = []
    for i, cfg in enumerate(configs, 1):
        if progress:
            print(f"[{i}/{len(configs)}] {cfg} ...", end=" ", flush=True, file=sys.stderr)
        res = run_client(cfg, opts)
        results.append(res)
        if progress:
            print(res["status"] + (f": {res['error'].splitlines()[0]}" if res.get("error") else ""), file=sys.stderr)
    run_dir = Path(opts.out) / opts.run_date
    if run_dir.exists():
        write_index(run_dir)
    return results
