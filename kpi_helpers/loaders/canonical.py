"""Canonical CSV / XLSX files -> validated canonical tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import ClientConfig, load_config
from ..schema import DataError, validate_table

__all__ = ["ClientData", "load_client", "read_table"]


@dataclass
class ClientData:
    """A client's validated configuration and canonical tables.

    ``tables`` maps a table name (activity, costs, deals, orders, customers,
    survey) to its DataFrame; tables the client has no source for are absent.
    ``inputs`` records each input file with its SHA-256 and row count (for the
    manifest).
    """

    config: ClientConfig
    folder: Path
    tables: dict[str, pd.DataFrame]
    inputs: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        tables = self.__dict__.get("tables", {})
        if name in ("activity", "costs", "deals", "orders", "customers", "survey"):
            return tables.get(name)
        raise AttributeError(name)


def read_table(path: Path, table: str, sheet=None, channel_map: dict[str, str] | None = None) -> pd.DataFrame:
    """Read one canonical file (CSV in UTF-8, with or without BOM, or XLSX) and validate it."""
    if not path.is_file():
        raise DataError(f"{path}: file not found (check the source's path in client.yaml; it is relative to client.yaml)")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=sheet or 0, dtype=str)
        else:
            df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read as a table ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if channel_map and "channel" in df.columns:
        df["channel"] = df["channel"].map(lambda v: channel_map.get(v, v))
    return validate_table(df, table, str(path))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_client(path: str | Path) -> ClientData:
    """Load a client: validate ``client.yaml`` and every canonical table it names.

    Raises :class:`~kpi_helpers.schema.DataError` listing every problem of
    every file, each with file, spreadsheet row, column, value and the fix.
    """
    cfg, folder = load_config(path)
    tables: dict[str, pd.DataFrame] = {}
    inputs: list[dict] = []
    problems: list[str] = []
    for src in cfg.sources:
        file = folder / src.path
        try:
            tables[src.table] = read_table(file, src.table, src.sheet, cfg.channel_map)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        inputs.append({"table": src.table, "path": src.path, "sha256": _sha256(file), "rows": len(tables[src.table])})
    if problems:
        raise DataError(problems)
    return ClientData(config=cfg, folder=folder, tables=tables, inputs=inputs)
