"""Read a file as delivered into a raw grid: header names as columns, sheet rows as the index.

CSV and other delimited text (any encoding, any of ``, ; TAB |``), XLSX (typed
cells kept: numbers stay numbers, dates stay dates), and HTML tables saved under a
``.xls`` or ``.csv`` name (what some CRMs call an Excel export). Rows above the
header (report titles, GA4's ``#`` comment lines) are skipped and counted. The
file is only read, never written.
"""

from __future__ import annotations

import codecs
import csv
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..i18n import _
from ..schema import DataError
from .detect import (
    SAMPLE_BYTES,
    detect_delimiter,
    detect_encoding,
    detect_header,
    sniff_kind,
)

__all__ = ["RawTable", "read_raw"]

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass
class RawTable:
    """A file's cells under its header row.

    ``frame`` holds the cells (``str`` for text files, Python objects for XLSX)
    with the header's names as columns and the spreadsheet row of each record
    as the index; ``info`` what was detected or configured (format, encoding,
    delimiter, sheet, header_row); ``notes`` soft problems met while reading.
    """

    frame: pd.DataFrame
    info: dict
    notes: list[str] = field(default_factory=list)


def read_raw(path: Path, label: str, known, *, encoding=None, delimiter=None, header_row=None,
             sheet=None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`; ``known(cell) -> bool`` helps find the header row.

    Raises :class:`DataError` for a file that cannot be read as a table (empty,
    old binary ``.xls``, a web page without a table, undecodable text, a
    broken workbook), naming the file and the fix.
    """
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        complete = not fh.read(1)
    kind = sniff_kind(head)
    if kind == "empty" or (kind == "text" and not head.strip(b" \t\r\n\x00\xef\xbb\xbf")):
        raise DataError(f"{label}: the file is empty (0 bytes of data); export it again from its source")
    if kind == "xls":
        raise DataError(f"{label}: this is an old binary Excel file (.xls); open it in Excel or LibreOffice and "
                        f"save it as .xlsx or CSV UTF-8")
    if kind == "binary":
        raise DataError(f"{label}: this is not a text table (binary content); export the data as CSV or XLSX")
    notes: list[str] = []
    suffix = path.suffix.lower()
    if kind == "xlsx":
        if suffix not in (".xlsx", ".xlsm"):
            notes.append(_("{file}: the file is an Excel workbook despite its '{suffix}' name; read as XLSX").format(
                file=label, suffix=suffix))
        grid, info = _xlsx_grid(path, label, sheet)
        return _from_grid(grid, info, label, known, header_row, notes)
    if kind == "html":
        grid = _html_grid(head if complete else path.read_bytes(), label)
        notes.append(_("{file}: the file is a web page holding a table (not a real {kind}); its table was read")
                     .format(file=label, kind=suffix or "CSV"))
        return _from_grid(grid, {"format": "html"}, label, known, header_row, notes)
    if suffix in (".xlsx", ".xlsm"):
        notes.append(_("{file}: named '{suffix}' but holds delimited text; read as CSV").format(file=label, suffix=suffix))
    return _read_text(path, head, complete, label, known, encoding, delimiter, header_row, notes)


def _decode_sample(head: bytes, complete: bool, encoding: str, label: str, configured: bool) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
    except UnicodeDecodeError as exc:
        guess = detect_encoding(head, complete=complete)
        how = "set in client.yaml" if configured else "detected"
        raise DataError(f"{label}: cannot be decoded as {encoding} ({how}): byte {exc.start} is not valid "
                        f"{encoding}; the file looks like {guess}: set `encoding: {guess}` for this source "
                        f"in client.yaml, or save the file as CSV UTF-8") from None


def _read_text(path, head, complete, label, known, encoding, delimiter, header_row, notes) -> RawTable:
    enc = encoding or detect_encoding(head, complete=complete)
    text = _decode_sample(head, complete, enc, label, encoding is not None)
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = lines[:200]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip("\ufeff").startswith("#")]
    delim = delimiter or detect_delimiter(body[:100] or lines[:1])
    records, starts = [], []
    if delim == "whitespace":  # columns aligned with runs of spaces (e.g. CDNOW_master.txt)
        records, starts = [ln.lstrip("\ufeff").split() for ln in lines], list(range(len(lines)))
    else:
        reader = csv.reader(lines, delimiter=delim)
        line_no = 0
        for rec in reader:
            starts.append(line_no)
            records.append([c.lstrip("\ufeff") for c in rec] if not records else rec)
            line_no = reader.line_num
    if header_row is not None:
        if header_row > len(records):
            raise DataError(f"{label}: header_row {header_row} is below the rows read ({len(records)}); "
                            f"check header_row in client.yaml")
        idx = header_row - 1
    else:
        idx = detect_header(records, known)
        if idx is None:
            raise DataError(f"{label}: no header row found (a row naming the columns); "
                            f"set header_row for this source in client.yaml")
    sep = r"\s+" if delim == "whitespace" else delim
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(path, sep=sep, encoding=enc, skiprows=starts[idx], header=0, dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False, index_col=False,
                                engine="c", quoting=csv.QUOTE_MINIMAL)
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            raise pd.errors.ParserError("a row has more fields than the header")
    except UnicodeDecodeError as exc:
        guess = "cp1251" if enc.startswith("utf") else "utf-8"
        raise DataError(f"{label}: cannot be decoded as {enc} past the first {SAMPLE_BYTES // 1024} KiB "
                        f"({exc.reason} at byte {exc.start}); set `encoding:` for this source in client.yaml "
                        f"(e.g. {guess}) or save the file as CSV UTF-8") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: the file is empty (no header and no rows)") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{label}: cannot be read as a table with delimiter {delim!r} "
                        f"({str(exc).strip()}); a value may hold the delimiter without quotes, or the "
                        f"delimiter is wrong: set `delimiter:` for this source in client.yaml") from None
    frame.columns = [str(c).lstrip("\ufeff").strip() for c in frame.columns]
    frame.index = pd.RangeIndex(idx + 2, idx + 2 + len(frame))
    info = {"format": "csv", "encoding": enc, "encoding_detected": encoding is None,
            "delimiter": _DELIMITER_NAMES.get(delim, delim), "delimiter_detected": delimiter is None,
            "header_row": idx + 1, "header_row_detected": header_row is None}
    return RawTable(frame, info, notes)


def _xlsx_grid(path: Path, label: str, sheet) -> tuple[list[list], dict]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise DataError(f"{label}: cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}); "
                        f"open and save it again in Excel, or export CSV") from None
    try:
        names = wb.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise DataError(f"{label}: no sheet number {sheet} (sheets are counted from 0: "
                                f"{', '.join(f'{i} {n!r}' for i, n in enumerate(names))})")
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            raise DataError(f"{label}: no sheet {sheet!r}; the workbook has {', '.join(map(repr, names))}")
        ws = wb[name]
        grid = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    except DataError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise DataError(f"{label}: the workbook is damaged ({type(exc).__name__}: {exc}); "
                        f"open and save it again in Excel, or export CSV") from None
    finally:
        wb.close()
    return grid, {"format": "xlsx", "sheet": name, "sheets": len(names)}


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_grid(raw: bytes, label: str) -> list[list[str]]:
    enc = detect_encoding(raw[:SAMPLE_BYTES], complete=True)
    parser = _Tables()
    parser.feed(raw.decode(enc, errors="replace"))
    parser.close()
    tables = [t for t in parser.tables if len(t) >= 2]
    if not tables:
        raise DataError(f"{label}: this is a web page (HTML), not a CSV or XLSX export, and it holds no table "
                        f"(perhaps a login or error page was saved instead of the data); export the file again")
    return max(tables, key=len)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _from_grid(grid, info, label, known, header_row, notes) -> RawTable:
    while grid and all(_blank(c) for c in grid[-1]):
        grid.pop()
    if not grid:
        raise DataError(f"{label}: the sheet is empty (no header and no rows)")
    if header_row is not None:
        if header_row > len(grid):
            raise DataError(f"{label}: header_row {header_row} is below the last row ({len(grid)})")
        idx = header_row - 1
    else:
        as_text = [["" if _blank(c) else str(c) for c in row] for row in grid[:200]]
        idx = detect_header(as_text, known)
        if idx is None:
            raise DataError(f"{label}: no header row found (a row naming the columns); "
                            f"set header_row for this source in client.yaml")
    header = ["" if _blank(c) else str(c).strip() for c in grid[idx]]
    width = max(len(header), max((len(r) for r in grid[idx + 1:]), default=0))
    header += [""] * (width - len(header))
    names, seen = [], {}
    for i, h in enumerate(header):
        h = h or f"column {i + 1}"
        seen[h] = seen.get(h, 0) + 1
        names.append(h if seen[h] == 1 else f"{h}.{seen[h] - 1}")
    body = [list(r) + [None] * (width - len(r)) for r in grid[idx + 1:]]
    frame = pd.DataFrame(body, columns=names, index=pd.RangeIndex(idx + 2, idx + 2 + len(body)), dtype=object)
    info = info | {"header_row": idx + 1, "header_row_detected": header_row is None}
    return RawTable(frame, info, notes)
