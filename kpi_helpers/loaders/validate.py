"""Validate a whole client: every source, every table, one report of hard errors and warnings.

:func:`validate_client` is what ``kpi-review validate`` prints; :func:`load_client`
(in :mod:`.canonical`) runs the same and raises :class:`~kpi_helpers.core.schema.DataError`
with every hard error at once.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..metrics.catalog import REGISTRY
from .config import ClientConfig, load_config
from ..core.schema import COUNT_COLUMNS, DataError
from . import integrity
from .derive import Derived, derive_tables
from .checks import check_table
from .generic import load_source

__all__ = ["ValidationReport", "collect", "kpi_reach", "validate_client"]

#: What a table lets the review count besides its own rows (the review derives these from it):
#: deals give leads, stages and won customers; orders give revenue and buying customers.
_PROVIDES = {
    "deals": ("deals", "leads", "mql", "sql", "opportunities", "customers"),
    "orders": ("orders", "revenue", "customers"),
    "customers": ("customers",),
    "costs": ("costs",),
    "survey": ("survey",),
}
#: KPI inputs met by another column: without a costs table the ad spend is the cost; a KPI's
#: "goals" are the platform's conversions; "users" are visitors.
_STANDS_IN = {"costs": ("spend",), "goals": ("conversions",), "users": ("visitors",)}
#: How a missing input is named in "out of reach" lines.
_NO = {"costs": "no costs and no spend", "revenue": "no revenue", "deals": "no deals"}


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
        with their reason), currency, converted, vat_included, columns used
        (export header -> canonical), ignored (headers not used), join (the
        joined file: path, on, rows_in, matched, unmatched, left_out, columns,
        ignored) and row_id.
    kpis : dict
        What the data make possible (:func:`kpi_reach`): ``possible`` {section:
        [KPI ids]} and ``out_of_reach`` [{"missing": input, "kpis": [ids]}].
    config_path : Path or None
        The ``client.yaml`` checked.
    """

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    config_path: Path | None = None
    kpis: dict = field(default_factory=dict)
    derived: Derived | None = (
        None  # loaders.derive: columns counted from other tables, stages fixed by recording
    )

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
        head = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
            if self.errors
            else f"OK: no errors, {len(self.warnings)} warning(s)"
        )
        lines = [
            head,
            *(f"error: {e}" for e in self.errors),
            *(f"warning: {w}" for w in self.warnings),
        ]
        for s in self.sources:
            fmt = ", ".join(
                f"{k} {s[k]!r}"
                for k in (
                    "preset",
                    "format",
                    "encoding",
                    "delimiter",
                    "decimal",
                    "thousands",
                    "header_row",
                )
                if s.get(k) not in (None, "")
            )
            dropped = ", ".join(f"{n} {why}" for why, n in s.get("rows_dropped", {}).items())
            lines.append(
                f"{posixpath.normpath(s['path'])} -> {s['table']}: {s.get('rows_in', 0)} rows in, "
                f"{s.get('rows_out', 0)} out"
                + (f" ({dropped} left out)" if dropped else "")
                + (f"; {fmt}" if fmt else "")
                + (
                    "; read from outside the client's folder (allowed)"
                    if s.get("outside_folder")
                    else ""
                )
            )
            lines += _columns_lines(s)
        lines += _reach_lines(self.kpis)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready form (for a manifest)."""
        return {
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "sources": list(self.sources),
            "kpis": dict(self.kpis),
        }


def _columns_lines(s: dict) -> list[str]:
    """'  used: ...' and '  ignored: ...' for one file (and its joined file)."""
    lines: list[str] = []
    if "ignored" not in s:  # the file could not be read
        return lines
    if s.get("columns"):
        lines.append("  columns used: " + ", ".join(f"{h} -> {t}" for h, t in s["columns"].items()))
    if s.get("row_id"):
        lines.append(f"  {s['row_id']}")
    lines.append("  columns ignored: " + (", ".join(s.get("ignored", [])) or "none"))
    if j := s.get("join"):
        lines.append(
            f"  joined {posixpath.normpath(j['path'])} on {j['on']}: {j['rows_in']} rows, "
            f"{j['matched']} "
            f"rows matched, {j['unmatched']} without a match"
            + (
                f", {j['left_out']} rows of the joined file left out (key not found)"
                if j["left_out"]
                else ""
            )
        )
        lines.append("  joined columns ignored: " + (", ".join(j["ignored"]) or "none"))
    return lines


def _reach_lines(kpis: dict) -> list[str]:
    if not kpis:
        return []
    lines = ["KPIs the data make possible:"]
    lines += [
        f"  {section}: {', '.join(REGISTRY[k].label for k in ids)}"
        for section, ids in kpis["possible"].items()
    ]
    lines += [] if kpis["possible"] else ["  none"]
    if kpis["out_of_reach"]:
        lines.append("KPIs out of reach:")
        lines += [
            f"  {_NO.get(r['missing'], 'no ' + r['missing'])}: "
            f"{', '.join(REGISTRY[k].label for k in r['kpis'])} n/a"
            for r in kpis["out_of_reach"]
        ]
    return lines


def available_inputs(tables: dict[str, pd.DataFrame]) -> set[str]:
    """The KPI inputs (:attr:`kpi_helpers.metrics.catalog.KPI.inputs`) a client's tables hold.

    >>> sorted(available_inputs({"orders": pd.DataFrame({"order_id": ["1"]})}))
    ['customers', 'orders', 'revenue']
    """
    have = set()
    for table, df in tables.items():
        have |= {table, *_PROVIDES.get(table, ())}
        if table == "deals" and "amount" in df and df["amount"].notna().any():
            have.add("revenue")
        if table == "activity":
            have |= {c for c in (*COUNT_COLUMNS, "device") if c in df and df[c].notna().any()}
    have |= {need for need, columns in _STANDS_IN.items() if have & set(columns)}
    return have


def kpi_reach(tables: dict[str, pd.DataFrame]) -> dict:
    """Which KPIs of the registry the tables make possible, and which are out of reach and why.

    Returns ``{"possible": {section: [KPI ids]}, "out_of_reach": [{"missing": input, "kpis":
    [ids]}]}``:
    one entry per missing input with every KPI that needs it (a KPI lacking two inputs is in both),
    the inputs that block most KPIs first.

    >>> reach = kpi_reach({"orders": pd.DataFrame({"order_id": ["1"]})})
    >>> "roi" in next(r["kpis"] for r in reach["out_of_reach"] if r["missing"] == "costs")
    True
    """
    have = available_inputs(tables)
    possible: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for k in REGISTRY.values():
        lack = [i for i in k.inputs if i not in have]
        for i in lack:
            missing.setdefault(i, []).append(k.id)
        if not lack:
            possible.setdefault(k.section, []).append(k.id)
    out = [
        {"missing": m, "kpis": ids}
        for m, ids in sorted(missing.items(), key=lambda kv: -len(kv[1]))
    ]
    return {"possible": possible, "out_of_reach": out}


# long: every source loaded, stacked per table and checked, in the order validate reports them
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
            res.info["outside_folder"] = (
                True  # allowed (load_config refuses it otherwise): said in validate
            )
        report.errors.extend(res.errors)
        report.warnings.extend(res.warnings)
        report.sources.append(res.info)
        names.setdefault(src.table, []).append(posixpath.normpath(src.path))
        if res.frame is not None:
            parts.setdefault(src.table, []).append((f"{folder.name}/{src.path}", res.frame))
    report.warnings.extend(integrity.unify_names(parts))
    tables: dict[str, pd.DataFrame] = {}
    for table, labelled in parts.items():
        frames = [df for _label, df in labelled]
        df = (
            frames[0].reset_index(drop=True)
            if len(frames) == 1
            else pd.concat(frames, ignore_index=True)
        )
        errors, warnings = check_table(
            df, table, cfg.year, names[table], first_month=int(cfg.fiscal_year_start[:2])
        )
        report.errors.extend(errors)
        report.warnings.extend(warnings)
        tables[table] = df
    errors, warnings = integrity.check_links(parts, cfg)
    report.errors.extend(errors)
    report.warnings.extend(warnings)
    report.kpis = kpi_reach(tables)
    if report.errors:
        return tables, report
    report.derived = derive_tables(
        tables
    )  # what the missing tables would hold, said in validate too
    report.warnings.extend(report.derived.notes)
    return report.derived.tables, report


def validate_client(path: str | Path, allow_outside=None) -> ValidationReport:
    """Check a client's configuration and data without making a report.

    Parameters
    ----------
    path : str or Path
        A ``client.yaml`` or its folder.
    allow_outside : list of paths, optional
        Folders or files outside the client's folder that may be read (``--allow-outside``;
        default: :data:`kpi_helpers.loaders.config.ALLOW_OUTSIDE_ENV`).

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
