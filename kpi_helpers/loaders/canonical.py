"""Load a client: ``client.yaml`` and every source it names -> validated canonical tables.

The entry point is :func:`load_client`; :func:`read_table` reads one canonical file
(kept for notebooks and tests that build a table by hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import ClientConfig, Source, load_config
from ..core.schema import DataError
from .generic import load_source
from .validate import collect

__all__ = ["ClientData", "load_client", "read_table"]


@dataclass
class ClientData:
    """A client's validated configuration and canonical tables.

    ``tables`` maps a table name (activity, costs, deals, orders, customers,
    survey) to its DataFrame; tables the client has no source for are absent.
    ``inputs`` records each input file for the manifest: table, path, sha256,
    rows (rows out), and what the loader detected and did (preset, format,
    encoding, delimiter, decimal, header_row, rows_in, rows_dropped, currency ...;
    see :class:`~kpi_helpers.loaders.ValidationReport`). ``warnings`` lists the
    soft problems found and what was derived (for the report's data-quality section).
    ``derived`` maps each activity column counted from another table to that table;
    ``by_construction`` maps a stage KPI whose rate the recording fixes (not evidence)
    to the reason (:mod:`.derive`).
    """

    config: ClientConfig
    folder: Path
    tables: dict[str, pd.DataFrame]
    inputs: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)
    by_construction: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        tables = self.__dict__.get("tables", {})
        if name in ("activity", "costs", "deals", "orders", "customers", "survey"):
            return tables.get(name)
        raise AttributeError(name)


def read_table(
    path: Path, table: str, sheet=None, channel_map: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read and validate one canonical file (CSV in any encoding and delimiter, or XLSX).

    Raises :class:`~kpi_helpers.core.schema.DataError` listing every problem.
    """
    path = Path(path)
    cfg = ClientConfig(
        name=path.stem,
        year=2000,
        channel_map=channel_map or {},
        sources=[Source(table="activity", path="-")],
    )
    res = load_source(Source(table=table, path=path.name, sheet=sheet), cfg, path.parent)
    if res.errors:
        raise DataError(res.errors)
    return res.frame.reset_index(drop=True)


def load_client(path: str | Path, allow_outside=None) -> ClientData:
    """Load a client: validate ``client.yaml`` and every source it names.

    Sources feeding the same table are stacked. Soft problems go to
    ``ClientData.warnings``; hard ones raise. ``allow_outside``: folders or files outside
    the client's folder that may be read (see :func:`kpi_helpers.loaders.config.load_config`).

    Raises
    ------
    DataError
        Listing every problem of every file, each with file, spreadsheet row,
        column, value and the fix.
    """
    cfg, folder = load_config(path, allow_outside)
    tables, report = collect(cfg, folder)
    if report.errors:
        raise DataError(report.errors)
    return ClientData(
        config=cfg,
        folder=folder,
        tables=tables,
        inputs=report.sources,
        warnings=report.warnings,
        derived=report.derived.columns,
        by_construction=report.derived.by_construction,
    )
