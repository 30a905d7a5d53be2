"""One source file -> one validated canonical table, with a record of everything done to it.

The recipe, the same for a canonical file, a platform preset and a hand-made
``columns:`` map: read the file as delivered (:mod:`.readers`), map its headers
(:mod:`.mapping`), set aside rows that are not data (blank, totals, footers, exact
duplicates), parse numbers and dates in the file's own format (:mod:`.parse`),
derive counts from rates, map channels and CRM stages, convert money
(:mod:`.money`), then validate types (:func:`kpi_helpers.core.schema.validate_table`) and
row-level consistency (:mod:`.checks`). Hard problems are collected, never raised one
at a time; soft ones become warnings.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.i18n import _
from ..core.schema import DEAL_STAGES, TABLES, DataError, excerpt, validate_table
from . import checks
from .detect import detect_date_format
from .mapping import Resolver, duplicate_rows, non_data_rows
from .money import convert_money
from .numbers import MAX_EXACT, ambiguity_message, number_marks, too_large
from .parse import is_blank, parse_dates, parse_duration, parse_numbers, parse_percent
from .presets import PRESETS

__all__ = ["SourceResult", "load_source", "sha256", "source_label"]

_ID_COLUMNS = {
    "deals": "deal_id",
    "orders": "order_id",
    "customers": "customer_id",
    "survey": "respondent_id",
}
_LABELS = (
    "channel",
    "tactic",
    "campaign",
    "deal_id",
    "order_id",
    "customer_id",
    "respondent_id",
    "cost_type",
)
_MAX_LISTED = 20


@dataclass
class SourceResult:
    """What loading one source gave: the table (index = spreadsheet rows) or None, and the
    record."""

    table: str
    frame: pd.DataFrame | None = None
    info: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_label(folder: Path, path: str) -> str:
    """A file as the analyst knows it: the client folder and the path in client.yaml, normalised.

    >>> source_label(Path("clients/cdnow"), "data//CDNOW_master.txt")
    'cdnow/data/CDNOW_master.txt'
    """
    name = folder.name or Path(folder).resolve().name
    return posixpath.normpath(path if os.path.isabs(path) else f"{name}/{path}")


def load_source(src, cfg, folder: Path) -> SourceResult:
    """Load one ``client.yaml`` source; never raises for bad data (problems are in the result).

    Parameters
    ----------
    src : kpi_helpers.loaders.config.Source
    cfg : kpi_helpers.loaders.config.ClientConfig
    folder : Path
        The folder of ``client.yaml`` (source paths are relative to it).

    Returns
    -------
    SourceResult
        ``info`` holds table, path, sha256, preset, format, encoding, delimiter,
        header_row, decimal, thousands, date formats, rows_in, rows_out,
        rows_dropped ({reason: count}) and dropped (the first rows set aside with
        their reason), currency and VAT handling.
    """
    file = folder / src.path
    label = source_label(folder, src.path)
    res = SourceResult(src.table, info={"table": src.table, "path": src.path, "preset": src.preset})
    try:
        if not file.is_file():
            res.errors.append(
                f"{label}: file not found (check the source's path in client.yaml; "
                f"it is relative to client.yaml)"
            )
            return res
        res.info["sha256"] = sha256(file)
        res.info["bytes"] = file.stat().st_size
        res.frame = _load(src, cfg, folder, file, label, res)
    except DataError as exc:
        res.errors.extend(exc.problems)
        res.frame = None
    except OSError as exc:  # unreadable: permissions, a name too long, a file vanishing while read
        res.errors.append(
            f"{label}: cannot be read ({exc.strerror or type(exc).__name__}); check the file and "
            f"its path in client.yaml"
        )
        res.frame = None
    res.info.pop("_join_matched", None)  # left behind when loading stopped early
    if res.errors:
        res.frame = None
    res.info["rows"] = 0 if res.frame is None else len(res.frame)
    res.info["rows_out"] = res.info["rows"]
    return res


def _read(
    src, preset, resolver: Resolver, file: Path, label: str, res: SourceResult
) -> pd.DataFrame:
    """The file's cells as text below its header row; what the reader detected goes into ``res``."""
    from .readers import read_raw

    known = functools.cache(
        lambda cell: resolver.target(cell) is not None
    )  # the header search asks per cell
    raw = read_raw(
        file,
        label,
        known,
        encoding=src.encoding,
        delimiter=src.delimiter,
        header_row=src.header_row,
        sheet=src.sheet,
    )
    res.info.update(raw.info)
    res.warnings.extend(raw.notes)
    head = res.info.get("header_row", 1)
    if preset is None and res.info.get("header_row_detected") and head > 1:
        res.warnings.append(
            _(
                "{file}: the header is on row {row}; row(s) above it were skipped (titles, "
                "comments or "
                "a merged group header): set `header_row: {row}` for this source to confirm"
            ).format(file=label, row=head)
        )
    res.info["rows_in"] = len(raw.frame)
    return raw.frame


def _map_columns(
    frame: pd.DataFrame, src, preset, resolver: Resolver, label: str, res: SourceResult
):
    """The header -> canonical column mapping and the currency columns; refuses a source missing a
    column."""
    mapping, currencies, notes = resolver.mapping(frame.columns)
    res.warnings.extend(f"{label}: {n}" for n in notes)
    res.info["columns"] = dict(mapping)
    joined = set(_joined_columns(src))
    res.info["ignored"] = [str(h) for h in frame.columns if h not in mapping and h not in joined]
    _warn_ignored(frame, res.info["ignored"], src.table, set(mapping.values()), label, res)
    _require_columns(src, preset, resolver, mapping, list(frame.columns), label)
    return mapping, currencies


# long: one source's pipeline (read, join, map, drop, parse, fill, money, validate), step by step
def _load(src, cfg, folder: Path, file: Path, label: str, res: SourceResult) -> pd.DataFrame | None:
    """One source, read, joined, mapped, cleaned, parsed and checked (None when it has errors)."""
    preset = PRESETS.get(src.preset) if src.preset else None
    resolver = Resolver(src.table, {**src.columns, **_joined_columns(src)}, preset)
    frame = _read(src, preset, resolver, file, label, res)
    if src.join is not None:
        frame = _join(frame, src, folder, label, res)
    mapping, currencies = _map_columns(frame, src, preset, resolver, label, res)
    frame = _drop_rows(
        frame,
        mapping,
        src.table,
        preset is not None or bool(src.columns),
        label,
        res,
        distinct=src.row_id is not None,
    )
    if frame.empty:
        raise DataError(
            f"{label}: no data rows below the header (row {res.info.get('header_row', 1)}); "
            f"export the data again or check header_row"
        )
    out = frame[list(mapping)].rename(columns=mapping)
    original = out.copy(deep=False)
    na_values = preset.na_values if preset else ()
    out = _parse(out, src, preset, na_values, label, res)
    out = _fill(out, src, cfg, preset, label, res)
    out, money_errors, money_info = convert_money(
        out, src.table, src, cfg, preset, currencies, label
    )
    res.info.update(money_info)
    res.errors.extend(money_errors)
    if res.errors:
        return None
    typed = validate_table(
        out, src.table, label, row_base=0, keep_index=True, original=original, stripped=True
    )
    errors, warnings = checks.check_rows(
        typed, src.table, label, ids_unique=res.info.pop("_ids_unique", False)
    )
    res.errors.extend(errors)
    res.warnings.extend(warnings)
    return typed


def _joined_columns(src) -> dict[str, str]:
    """The joined file's mapped columns under the names they take in the joined frame
    ("file:header")."""
    if src.join is None:
        return {}
    name = Path(src.join.path).name
    return {f"{name}:{h}": t for h, t in src.join.columns.items()}


def _missing_column(label: str, column: str, headers, what: str) -> str:
    close = difflib.get_close_matches(column, [str(h) for h in headers], n=1, cutoff=0.5)
    return (
        f"{label}: no column {column!r} ({what}); found "
        f"{', '.join(map(str, headers)) or 'no columns'}"
        + (f". Did you mean {close[0]!r}?" if close else "")
    )


def _join_key(frame: pd.DataFrame, right: pd.DataFrame, j, label: str, jlabel: str) -> pd.Series:
    """The joined file's key, refused when a column is missing or a key is repeated."""
    problems = [
        _missing_column(lab, j.on, f.columns, "join.on, the key of the join")
        for f, lab in ((frame, label), (right, jlabel))
        if j.on not in f.columns
    ]
    problems += [
        _missing_column(jlabel, c, right.columns, "named in join.columns")
        for c in j.columns
        if c not in right.columns
    ]
    if problems:
        raise DataError(problems)
    key = _key(right[j.on])
    repeated = key.notna() & key.duplicated(keep=False)
    for value, rows in list(key[repeated].groupby(key[repeated]).groups.items())[:_MAX_LISTED]:
        problems.append(
            f'{jlabel}, rows {", ".join(map(str, rows))}, column "{j.on}": the key {value!r} is '
            f"repeated; a joined file needs one row per key: remove the repeats (or join the other "
            f"way round)"
        )
    if problems:
        raise DataError(problems)
    return key


# long: the join's file, keys, matches and warnings, in the order they are checked
def _join(frame: pd.DataFrame, src, folder: Path, label: str, res: SourceResult) -> pd.DataFrame:
    """Left-join the source's ``join`` file onto its rows by the key column; record what matched.

    Every row of the source stays (index: its sheet rows); the joined file's mapped columns come
    in as "file:header". Keys must be unique in the joined file; rows of the joined file whose key
    is not in the source are left out, with a warning.
    """
    from .readers import read_raw

    j = src.join
    jfile, jlabel = folder / j.path, source_label(folder, j.path)
    if not jfile.is_file():
        raise DataError(
            f"{jlabel}: file not found (check join.path of the source {label} in client.yaml; "
            f"it is relative to client.yaml)"
        )
    wanted = {j.on, *j.columns}
    raw = read_raw(
        jfile,
        jlabel,
        lambda cell: str(cell).strip() in wanted,
        encoding=j.encoding,
        delimiter=j.delimiter,
        sheet=j.sheet,
    )
    res.warnings.extend(raw.notes)
    right = raw.frame
    key = _join_key(frame, right, j, label, jlabel)
    right = right[key.notna()]
    right.index = key[key.notna()]
    left_key = _key(frame[j.on])
    matched = left_key.isin(right.index)
    extra = right[list(j.columns)].reindex(left_key.to_numpy())
    extra.index = frame.index
    extra.columns = list(_joined_columns(src))
    orphans = [*map(repr, right.index[~right.index.isin(left_key.dropna())])] + ["(blank)"] * int(
        key.isna().sum()
    )
    if orphans:
        res.warnings.append(
            _(
                "{joined}: {n} row(s) have a {key} not found in {file} and were left out (e.g. "
                "{ex})"
            ).format(
                joined=jlabel,
                n=len(orphans),
                key=repr(j.on),
                file=label,
                ex=", ".join(dict.fromkeys(orphans[:3])),
            )
        )
    _warn_ignored(
        right,
        [str(h) for h in right.columns if h not in wanted],
        src.table,
        set(j.columns.values()) | set(src.columns.values()),
        jlabel,
        res,
        key="join.columns",
    )
    res.info["join"] = {
        "path": j.path,
        "on": j.on,
        "sha256": sha256(jfile),
        "rows_in": len(raw.frame),
        "matched": int(matched.sum()),
        "unmatched": int((~matched).sum()),
        "left_out": len(orphans),
        "columns": dict(j.columns),
        "ignored": [str(h) for h in right.columns if h not in wanted],
    }
    res.info["_join_matched"] = matched
    return pd.concat([frame, extra], axis=1)


def _key(col: pd.Series) -> pd.Series:
    """Join keys as stripped text; blank cells are no key."""
    text = _text(col, ())
    return text.where(text.notna(), None).astype(object)


#: Headers that name money, counts or conversions: such a column left unused gets a warning.
_MEASURE = re.compile(
    r"spen[dt]|cost|amount|revenue|value|sale|price|conv|purchase|order|lead|click|impression|"
    r"visit|session|install|result|goal|registr|subscri|number|count|qty|quantit|"
    r"расход|стоимост|сумм|выручк|доход|конверс|заказ|лид|клик|показ|визит|количеств",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[-−+]?[\d  \u202f.,']*\d[\d  \u202f.,']*%?$")


def _warn_ignored(
    frame: pd.DataFrame,
    ignored: list[str],
    table: str,
    used: set[str],
    label: str,
    res: SourceResult,
    key: str = "columns",
) -> None:
    """Warn about unused columns whose name and numbers say money, a count or conversions."""
    measures = []
    for h in ignored:
        if not _MEASURE.search(str(h)):
            continue
        cells = frame[h].head(500).dropna().astype(str).str.strip()
        cells = cells[cells != ""]
        if len(cells) and cells.str.match(_NUMBER).mean() >= 0.8:
            measures.append(h)
    if measures:
        free = [
            c
            for c, spec in TABLES[table].items()
            if spec.kind in ("number", "amount", "count") and c not in used
        ]
        res.warnings.append(
            _(
                "{file}: column(s) {names} hold money, counts or conversions but feed no canonical "
                "column, so they are ignored; if they matter, map them in client.yaml with "
                "`{key}:` onto a column of {table} ({free})"
            ).format(
                file=label,
                names=", ".join(map(repr, measures)),
                table=table,
                key=key,
                free=", ".join(free[:8]) + (" …" if len(free) > 8 else "") or "none left",
            )
        )


def _require_columns(src, preset, resolver, mapping, headers, label) -> None:
    have = set(mapping.values()) | set(src.constants) | set(preset.constants if preset else ())
    have |= set(src.join.constants if src.join else ()) | ({src.row_id} if src.row_id else set())
    if preset is not None and preset.tactic_from and have & set(preset.tactic_from):
        have.add("tactic")
    if src.table == "deals" and "stage" in have:
        have.add("status")
    if src.table == "survey":
        have.add("respondent_id")
    missing = [c.name for c in TABLES[src.table].values() if c.required and c.name not in have]
    if not missing:
        return
    found = excerpt(", ".join(map(str, headers)), 200)[1:-1] if headers else "no columns"
    msg = (
        f"{label}: table {src.table!r} lacks required column(s) {', '.join(missing)}; "
        f"found {found}. "
        f"Rename the columns in the file or map them in client.yaml."
    )
    msg += resolver.suggest(missing, headers)
    if _ID_COLUMNS.get(src.table) in missing and src.table != "survey":
        msg += (
            f" If the export has no {_ID_COLUMNS[src.table]} (one record per row), set "
            f"`row_id: {_ID_COLUMNS[src.table]}` for this source to number the rows."
        )
    for h in headers:
        for delim in (";", "\t", ",", "|"):
            if str(h).count(delim) >= 2:
                name = {"\t": "\\t"}.get(delim, delim)
                msg += (
                    f" The header {excerpt(h)} holds {name!r}: the delimiter is probably {name!r}; "
                    f"set `delimiter: {name!r}` for this source."
                )
                break
        else:
            continue
        break
    raise DataError(msg)


# long: the kinds of non-data rows, each with the reason validate prints
def _drop_rows(frame, mapping, table, lenient, label, res, *, distinct=False) -> pd.DataFrame:
    """Set aside blank rows, totals, footers and exact copies (``distinct``: rows are records of
    their
    own, as with ``row_id``: identical rows are kept)."""
    blank = pd.Series(True, index=frame.index)
    for c in frame.columns:
        col = frame[c]
        blank &= (col.eq("") | col.isna()) if col.dtype != object else is_blank(col)
    labels = [h for h, t in mapping.items() if t in _LABELS]
    dropped = non_data_rows(frame, blank, labels, lenient=lenient)
    keep = ~frame.index.isin(list(dropped))
    id_col = next((h for h, t in mapping.items() if t == _ID_COLUMNS.get(table)), None)
    dups = {} if distinct else duplicate_rows(frame[keep] if len(dropped) else frame, id_col)
    if id_col is not None and not dups and getattr(dups, "ids_unique", False):
        res.info["_ids_unique"] = True  # spares check_rows a second pass over millions of ids
    for row, first in dups.items():
        dropped[row] = f"exact copy of row {first}"
    if dups:
        rows = sorted(dups)
        res.warnings.append(
            _(
                "{file}: {n} row(s) repeat an earlier row cell for cell and were left out (rows "
                "{rows})"
            ).format(
                file=label,
                n=len(rows),
                rows=", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else ""),
            )
        )
    shown: dict[str, list[int]] = {}
    for row, reason in sorted(dropped.items()):
        if reason.startswith(("totals", "summary", "footer", "below", "repeated")):
            shown.setdefault(reason, []).append(row)
    for reason, rows in shown.items():
        where = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
        res.warnings.append(
            _("{file}: {where} left out: {reason}").format(file=label, where=where, reason=reason)
        )
    counts: dict[str, int] = {}
    for reason in dropped.values():
        key = reason.split(" (")[0].split(" of row")[0]
        counts[key] = counts.get(key, 0) + 1
    res.info["rows_dropped"] = counts
    res.info["dropped"] = [{"row": r, "reason": why} for r, why in sorted(dropped.items())[:100]]
    return frame[~frame.index.isin(list(dropped))] if dropped else frame


_KINDS = {
    "bounce_rate": "percent",
    "page_depth": "number",
    "avg_duration": "duration",
    "currency": "text",
    "won_flag": "text",
}


def _kind(table: str, col: str) -> str:
    return _KINDS.get(col) or TABLES[table][col].kind


# long: one pass per column kind, in the order the cells must be cleaned
def _parse(out, src, preset, na_values, label, res) -> pd.DataFrame:
    kinds = {c: _kind(src.table, c) for c in out.columns}
    numeric = [
        c
        for c, k in kinds.items()
        if k in ("number", "amount", "count", "score", "percent", "duration")
    ]
    if numeric:  # every number cell of the file decides its marks, not a sample
        marks = number_marks(
            pd.concat([_text_cells(out[c]) for c in numeric], ignore_index=True),
            src.decimal,
            src.thousands,
        )
        decimal, thousands = marks.decimal, marks.thousands
        res.info.update(
            decimal=decimal,
            thousands=thousands,
            decimal_detected=src.decimal is None,
            thousands_detected=src.thousands is None,
        )
        if marks.ambiguous:
            _report_ambiguous(
                out,
                [c for c in numeric if kinds[c] != "duration"],
                kinds,
                marks.ambiguous,
                label,
                res,
            )
    formats = {}
    for c, kind in kinds.items():
        col = out[c]
        if kind in ("number", "amount", "count", "score"):
            out[c] = _report_too_large(
                parse_numbers(col, decimal, thousands, na_values), col, c, label, res
            )
        elif kind == "percent":
            out[c] = _report(
                parse_percent(col, decimal, thousands, na_values),
                col,
                c,
                label,
                res,
                "is not a percentage (e.g. 45.2 or 45,2 %)",
            )
        elif kind == "duration":
            out[c] = _report(
                parse_duration(col, decimal, na_values),
                col,
                c,
                label,
                res,
                "is not a duration (h:mm:ss, m:ss or seconds)",
            )
        elif kind in ("month", "date"):
            out[c], formats[c] = _parse_date_column(col, c, src, preset, label, res)
        else:
            out[c] = _report_control_characters(_text(col, na_values), c, label, res)
    if formats:
        res.info["date_format"] = formats
    return out


def _text_cells(col: pd.Series) -> pd.Series:
    """The cells of a column written as text (spreadsheet-typed numbers carry no marks)."""
    return col[col.map(lambda v: isinstance(v, str))] if col.dtype == object else col


def _listed(mask: pd.Series) -> list:
    return list(mask.index[mask.to_numpy(dtype=bool)][:_MAX_LISTED])


def _report_ambiguous(out, numeric, kinds, mark, label, res) -> None:
    for c in numeric:
        text = _text_cells(out[c]).astype(str).str.strip()
        hit = text.str.match(rf"^[-−+]?[1-9]\d{{0,2}}{re.escape(mark)}\d{{3}}%?$").fillna(False)
        if hit.any():
            row = hit.index[hit.to_numpy(dtype=bool)][0]
            more = int(hit.sum()) - 1
            res.errors.append(
                ambiguity_message(label, int(row), c, text.loc[row], mark, kinds[c] == "count")
                + (f" ({more} more such rows in this column)" if more else "")
            )


def _report_too_large(parsed: pd.Series, col, name, label, res) -> pd.Series:
    big = too_large(parsed)
    for r in _listed(big):
        res.errors.append(
            f'{label}, row {int(r)}, column "{name}": {excerpt(col.loc[r])} is too large to add up '
            f"exactly (above {MAX_EXACT:,.0f}); correct the cell or check the export's units"
        )
    return parsed


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _report_control_characters(text: pd.Series, name, label, res) -> pd.Series:
    """A NUL or other control character in a name: the export is damaged, and no spreadsheet could
    hold it."""
    if not re.search(
        _CONTROL, "\n".join(text.dropna().to_numpy(dtype=object).tolist())
    ):  # one C-speed search
        return text
    bad = text.str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
    for r in _listed(bad):
        char = re.search(_CONTROL, text.loc[r]).group()
        res.errors.append(
            f'{label}, row {int(r)}, column "{name}": {excerpt(text.loc[r])} holds the control '
            f"character {char!r} (byte {ord(char)}), which is not text; delete it in the file or "
            f"export the data again"
        )
    return text


def _report(parsed, col, name, label, res, expected) -> pd.Series:
    if parsed.dtype == object:
        bad = parsed.map(lambda v: isinstance(v, str))
        for r in parsed.index[bad.to_numpy()][:_MAX_LISTED]:
            res.errors.append(
                f'{label}, row {int(r)}, column "{name}": {excerpt(col.loc[r])} {expected}'
            )
        parsed = pd.to_numeric(parsed.where(~bad), errors="coerce")
    return parsed


def _parse_date_column(col, name, src, preset, label, res) -> tuple[pd.Series, str | None]:
    fmt = src.date_format or (preset.date_format if preset else None)
    if fmt is None:
        texts = col[col.map(lambda v: isinstance(v, str))] if col.dtype == object else col
        if len(texts) == 0:
            return parse_dates(col, None), "spreadsheet dates"
        fmt, _share, rivals = detect_date_format(texts)
        if rivals:
            res.errors.append(
                f'{label}, column "{name}": dates such as {excerpt(texts.iloc[0])} read as {fmt} '
                "or as "
                f'{rivals[0]} give different dates; set `date_format: "{fmt}"` (or '
                f'"{rivals[0]}") for this source in client.yaml'
            )
            return col, fmt
        if fmt is None:
            return col, None  # validation reports each cell
    parsed = parse_dates(col, fmt)
    if parsed.dtype == object:
        bad = parsed.map(lambda v: isinstance(v, str))
        for r in parsed.index[bad.to_numpy()][:_MAX_LISTED]:
            res.errors.append(
                f'{label}, row {int(r)}, column "{name}": {excerpt(col.loc[r])} is not a date in '
                "this "
                f"file's format {fmt} (the other rows use it); correct the cell, or set "
                f"`date_format:` for this source in client.yaml"
            )
        if int(bad.sum()) > _MAX_LISTED:
            res.errors.append(
                f'{label}, column "{name}": {int(bad.sum()) - _MAX_LISTED} more such rows not '
                "listed"
            )
        parsed = pd.to_datetime(parsed.where(~bad), errors="coerce")
    return parsed, fmt


def _text(col: pd.Series, na_values) -> pd.Series:
    if col.dtype == object:
        col = col.map(
            lambda v: (
                None
                if v is None or (isinstance(v, float) and math.isnan(v))
                else str(int(v))
                if isinstance(v, float) and v.is_integer()
                else str(v)
            )
        )
    text = col.astype("string").str.strip()
    blank = text.eq("").fillna(False)
    if na_values:
        blank |= text.isin(list(na_values))
    return text.mask(blank) if blank.any() else text


def _derive_counts(out: pd.DataFrame, preset) -> None:
    """Counts an export gives as rates per visit (bounce rate, pages and seconds per visit), as
    counts."""

    def num(c):
        return pd.to_numeric(out[c], errors="coerce")

    if "visits" not in out:
        return
    visits = num("visits")
    for rate, target, digits in (
        ("bounce_rate", "bounces", 0),
        ("page_depth", "pageviews", 0),
        ("avg_duration", "duration_s", 1),
    ):
        if rate in out and target not in out:
            out[target] = (visits * num(rate)).round(digits)
    if (
        preset is not None
        and preset.bounces_from_engaged
        and "engaged_visits" in out
        and "bounces" not in out
    ):
        out["bounces"] = (visits - num("engaged_visits")).clip(lower=0)


def _constants(out: pd.DataFrame, src, preset, res) -> None:
    """The tactic fall-back column, the preset's and client.yaml's constants, and the join's
    constants."""
    source = next((c for c in preset.tactic_from if c in out), None) if preset is not None else None
    if (
        source is not None
    ):  # no tactic, or a blank one (e.g. no UTM campaign): the channel's own label
        out["tactic"] = (
            out[source]
            if "tactic" not in out
            else out["tactic"]
            .fillna(out[source])
            .mask(out["tactic"].astype("string").str.strip().eq("").fillna(False), out[source])
        )
    for name, value in {**(preset.constants if preset else {}), **src.constants}.items():
        if name in src.constants or name not in out:
            out[name] = value
    matched = res.info.pop("_join_matched", None)
    if matched is not None:  # the join's constants: only rows found in the joined file
        rows = matched.reindex(out.index, fill_value=False).to_numpy(dtype=bool)
        for name, value in src.join.constants.items():
            out[name] = (
                out[name].astype(object)
                if name in out
                else pd.Series(None, index=out.index, dtype=object)
            )
            out.loc[rows, name] = value


def _row_ids(out: pd.DataFrame, src, label, res) -> None:
    """``row_id:`` ids made from the file name and row, and the survey's respondent fall-back."""
    if src.row_id is not None:
        if src.row_id in out:
            res.errors.append(
                f"{label}: row_id: {src.row_id} makes ids, but the file already maps a column onto "
                f"{src.row_id!r}; remove row_id or that column's mapping"
            )
        else:
            name = Path(src.path).name
            out[src.row_id] = pd.Series(
                [f"{name}:{r}" for r in out.index], index=out.index, dtype="string"
            )
            res.info["row_id"] = (
                f"{src.row_id} made from the file name and spreadsheet row (e.g. {name}:2)"
            )
    if src.table == "survey" and "respondent_id" not in out:
        out["respondent_id"] = pd.Series(
            [f"row {r}" for r in out.index], index=out.index, dtype="string"
        )
        res.info["respondent_id"] = "the file has no respondent id: the spreadsheet row is used"


def _fill(out, src, cfg, preset, label, res) -> pd.DataFrame:
    """Derived counts, constants, tactic and respondent fall-backs, channel and stage maps."""
    _derive_counts(out, preset)
    _constants(out, src, preset, res)
    _row_ids(out, src, label, res)
    if "channel" in out:
        out["channel"] = _map_channels(out["channel"], src, cfg, preset, label, res)
    if src.table == "deals" and "stage" in out:
        out = _map_stages(out, src, cfg, preset, label, res)
    return out.drop(columns=[c for c in _KINDS if c in out and c != "currency"])


def _lookup(values: pd.Series, table: dict[str, str]) -> pd.Series:
    folded = {str(k).casefold().strip(): v for k, v in table.items()}
    return values.map(
        lambda v: (
            None
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            else table.get(v, folded.get(str(v).casefold().strip()))
        )
    )


def _map_channels(channel, src, cfg, preset, label, res) -> pd.Series:
    from ..core.schema import CHANNELS

    table = {**(preset.channel_map if preset else {}), **cfg.channel_map, **src.channel_map}
    mapped = (
        _lookup(channel, table) if table else pd.Series(None, index=channel.index, dtype=object)
    )
    out = channel.astype(object).where(mapped.isna(), mapped)
    unknown = ~out.isin(CHANNELS)
    if src.unknown_channels == "other" and unknown.any():
        names = (
            out[unknown]
            .fillna("(blank)")
            .astype(str)
            .str.strip()
            .replace("", "(blank)")
            .value_counts()
        )
        res.warnings.append(
            _(
                "{file}: channel(s) {names} are not in channel_map and were counted as 'other'"
            ).format(
                file=label,
                names=", ".join(
                    _("{name} ({n} rows)").format(name=repr(k), n=v) for k, v in names.items()
                ),
            )
        )
        out = out.mask(unknown, "other")
    return out.astype("string")


def _map_stages(out, src, cfg, preset, label, res) -> pd.DataFrame:
    table = {**(preset.stage_map if preset else {}), **cfg.stage_map, **src.stage_map}
    raw = out["stage"]
    known = raw.isin(DEAL_STAGES) | raw.isin(["lost"])
    mapped = _lookup(raw, table).where(~known, raw)
    blank = raw.isna() | (raw.astype("string").str.strip() == "").fillna(True)
    unknown = mapped.isna() & ~blank
    for value, n in raw[unknown].value_counts().head(_MAX_LISTED).items():
        rows = raw.index[(raw == value).fillna(False).to_numpy(dtype=bool)][:5].tolist()
        res.errors.append(
            f'{label}, column "stage": {excerpt(value)} (rows {", ".join(map(str, rows))}'
            f"{f' and {n - len(rows)} more' if n > len(rows) else ''}) is not a stage this source "
            f"knows; map it in client.yaml, e.g. `stage_map: {{{value!r}: sql}}` (stages lead, "
            "mql, "
            f"sql, opportunity, won; 'lost' or e.g. 'sql/lost' for lost deals)"
        )
    text = mapped.astype("string")
    stage = text.str.split("/", n=1).str[0]
    given = text.str.split("/", n=1).str[1].astype("string")
    is_lost = (stage == "lost").fillna(False)
    stage = stage.mask(is_lost, "lead")
    default = np.where(is_lost, "lost", np.where((stage == "won").fillna(False), "won", "open"))
    status = given.fillna(pd.Series(default, index=out.index, dtype="string"))
    out = out.assign(stage=stage.astype("string"))
    derived = status.where(~blank).astype("string")
    out["status"] = (
        derived if "status" not in out else out["status"].astype("string").fillna(derived)
    )
    return out
