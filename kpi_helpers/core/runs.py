"""Earlier runs under a reports folder (``<out>/<run date>/<slug>/``), read as data; no analysis
imports, so
the batch runner (:mod:`kpi_helpers.run.batch`) can use it."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["find_previous", "resolve_previous"]


def _summary(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def find_previous(out: str | Path, slug: str, year: int) -> Path | None:
    """The latest run folder under ``out`` (``out/<run date>/<slug>``) whose ``summary.json``
    reviewed
    ``year - 1`` for ``slug`` and that holds a ``decisions.csv``; None when there is none."""
    found = []
    for folder in Path(out).glob(f"*/{slug}"):
        s = _summary(folder)
        if (
            s
            and s.get("slug") == slug
            and s.get("year") == year - 1
            and (folder / "decisions.csv").is_file()
        ):
            found.append((s.get("run_date") or folder.parent.name, folder.parent.name, folder))
    return max(found)[2] if found else None


def resolve_previous(path: str | Path, slug: str) -> Path:
    """``--previous DIR``: a review's folder, or a run date's folder holding ``<slug>/``."""
    path = Path(path)
    return path / slug if (path / slug / "summary.json").is_file() else path
