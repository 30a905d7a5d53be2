"""Validate a whole client: every source, every table, one report of hard errors and warnings.

:func:`validate_client` is what ``kpi-review validate`` prints; :func:`load_client`
(in :mod:`.canonical`) runs the same and raises :class:`~kpi_helpers.schema.DataError`
with every hard error at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import ClientConfig, load_config
from ..schema import DataError
from . import integrity
from .checks import check_table
from .generic import load_source

__all__ = ["ValidationReport", "collect", "validate_client"]


@dataclass
class ValidationReport:
    """The outcome of checking a client's data.

    Attributes
    ----------
    errors : list of str
        Hard problems: the client cannot be reviewed until they are fixed. Each
        names file, spreadsheet row, column, value found and the fix.
    warnings : list of str
        Soft problems the report's data-quality section lists.
    sources : list of dict
        One per input file: table, path, preset, sha256, format, encoding,
        delimiter, header_row, decimal, thousands, date_format, rows_in,
        rows_out, rows_dropped ({reason: count}), dropped (first rows set aside
        with their reason), currency, converted, vat_included, columns used.
    config_path : Path or None
        The ``client.yaml`` checked.
    """

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    config_path: Path | None = None

    @property
    def ok(self) -> bool:
        """True when there is no hard error."""
        return not self.errors

    def __str__(self) -> str:
        """The text ``kpi-review validate`` prints: errors, warnings, then one line per file.

        >>> print(ValidationReport(warnings=["a.csv: row 9 left out: totals row"]))
        OK: no errors, 1 warning(s)
        warning: a.csv: row 9 left out: totals row
        """
        head = (f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)" if self.errors
                else f"OK: no errors, {len(self.warnings)} warning(s)")
        lines = [head, *(f"error: {e}" for e in self.errors), *(f"warning: {w}" for w in self.warnings)]
        for s in self.sources:
            fmt = ", ".join(f"{k} {s[k]!r}" for k in ("preset", "format", "encoding", "delimiter", "decimal",
                                                      "thousands", "header_row") if s.get(k) not in (None, ""))
            dropped = ", ".join(f"{n} {why}" for why, n in s.get("rows_dropped", {}).items())
            lines.append(f"{s['path']} -> {s['table']}: {s.get('rows_in', 0)} rows in, {s.get('rows_out', 0)} out"
                         + (f" ({dropped} left out)" if dropped else "") + (f"; {fmt}" if fmt else "")
                         + ("; read from outside the client's folder (allowed)" if s.get("outside_folder") else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready form (for a manifest)."""
        return {"errors": list(self.errors), "warnings": list(self.warnings), "sources": list(self.sources)}


def collect(cfg: ClientConfig, folder: Path) -> tuple[dict[str, pd.DataFrame], ValidationReport]:
    """Load every source of a validated config; stack sources of the same table; run table checks.

    Returns the tables (index reset) and the report; raises nothing for bad data.
    """
    report = ValidationReport(config_path=folder / "client.yaml")
    parts: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    names: dict[str, list[str]] = {}
    for src in cfg.sources:
        res = load_source(src, cfg, folder)
        if not (folder / src.path).resolve().is_relative_to(folder.resolve()):
            res.info["outside_folder"] = True  # allowed (load_config refuses it otherwise): said in validate
        report.errors.extend(res.errors)
        report.warnings.extend(res.warnings)
        report.sources.append(res.info)
        names.setdefault(src.table, []).append(src.path)
        if res.frame is not None:
            parts.setdefault(src.table, []).append((f"{folder.name}/{src.path}", res.frame))
    report.warnings.extend(integrity.unify_names(parts))
    tables: dict[str, pd.DataFrame] = {}
    for table, labelled in parts.items():
        frames = [df for _label, df in labelled]
        df = frames[0].reset_index(drop=True) if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        errors, warnings = check_table(df, table, cfg.year, names[table])
        report.errors.extend(errors)
        report.warnings.extend(warnings)
        tables[table] = df
    errors, warnings = integrity.check_links(parts, cfg)
    report.errors.extend(errors)
    report.warnings.extend(warnings)
    return tables, report


def validate_client(path: str | Path, allow_outside=None) -> ValidationReport:
    """Check a client's configuration and data without making a report.

    Parameters
    ----------
    path : str or Path
        A ``client.yaml`` or its folder.
    allow_outside : list of paths, optional
        Folders or files outside the client's folder that may be read (``--allow-outside``;
        default: :data:`kpi_helpers.config.ALLOW_OUTSIDE_ENV`).

    Returns
    -------
    ValidationReport
        Never raises for bad input: problems with ``client.yaml`` itself are
        errors of the report too. ``str(report)`` is the text to print; exit
        with ``0 if report.ok else 1``.
    """
    try:
        cfg, folder = load_config(path, allow_outside)
    except DataError as exc:
        return ValidationReport(errors=list(exc.problems), config_path=Path(path))
    _, report = collect(cfg, folder)
    return report
