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
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..core.i18n import _
from ..core.schema import DataError, excerpt
from .detect import SAMPLE_BYTES, detect_delimiter, detect_encoding, detect_header, sniff_kind

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


# long: the file kinds (CSV, XLSX, HTML saved as .xls, empty) told apart in one place
def read_raw(
    path: Path, label: str, known, *, encoding=None, delimiter=None, header_row=None, sheet=None
) -> RawTable:
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
        raise DataError(
            f"{label}: the file is empty (0 bytes of data); export it again from its source"
        )
    if kind == "xls":
        raise DataError(
            f"{label}: this is an old binary Excel file (.xls); open it in Excel or LibreOffice "
            "and "
            f"save it as .xlsx or CSV UTF-8"
        )
    if kind == "binary":
        raise DataError(
            f"{label}: this is not a text table (binary content); export the data as CSV or XLSX"
        )
    notes: list[str] = []
    suffix = path.suffix.lower()
    if kind == "xlsx":
        if suffix not in (".xlsx", ".xlsm"):
            notes.append(
                _(
                    "{file}: the file is an Excel workbook despite its '{suffix}' name; read as "
                    "XLSX"
                ).format(file=label, suffix=suffix)
            )
        grid, info = _xlsx_grid(path, label, sheet)
        return _from_grid(grid, info, label, known, header_row, notes)
    if kind == "html":
        grid = _html_grid(head if complete else path.read_bytes(), label)
        notes.append(
            _(
                "{file}: the file is a web page holding a table (not a real {kind}); its table was "
                "read"
            ).format(file=label, kind=suffix or "CSV")
        )
        return _from_grid(grid, {"format": "html"}, label, known, header_row, notes)
    if suffix in (".xlsx", ".xlsm"):
        notes.append(
            _("{file}: named '{suffix}' but holds delimited text; read as CSV").format(
                file=label, suffix=suffix
            )
        )
    try:
        return _read_text(
            path, head, complete, label, known, encoding, delimiter, header_row, notes
        )
    except (
        csv.Error
    ) as exc:  # e.g. a cell of over 128 KiB, mostly an unclosed quote swallowing the rest
        raise DataError(
            f"{label}: cannot be read as a table ({exc}); a quote may be left open, or a cell "
            "holds "
            f"a whole document: check the file, or export it again"
        ) from None


def _decode_sample(head: bytes, complete: bool, encoding: str, label: str, configured: bool) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
    except UnicodeDecodeError as exc:
        body = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
        guess = detect_encoding(body, complete=complete)
        how = "set in client.yaml" if configured else "detected"
        if body is not head and guess != "utf-8":
            raise DataError(
                f"{label}: mixed encodings: the file starts with a UTF-8 byte-order mark but its "
                "text "
                f"is not UTF-8 (byte {exc.start}); it looks like {guess}: set `encoding: {guess}` "
                "for "
                "this source in client.yaml (the mark is then ignored), or save the file as CSV "
                "UTF-8"
            ) from None
        if (
            codecs.lookup(guess).name == codecs.lookup(encoding).name
        ):  # never offer the encoding that just failed
            raise DataError(
                f"{label}: cannot be decoded as {encoding} ({how}): byte {exc.start} is not valid "
                f"{encoding}, and no other encoding fits the whole file; save it as CSV UTF-8"
            ) from None
        raise DataError(
            f"{label}: cannot be decoded as {encoding} ({how}): byte {exc.start} is not valid "
            f"{encoding}; the file looks like {guess}: set `encoding: {guess}` for this source "
            f"in client.yaml, or save the file as CSV UTF-8"
        ) from None


_MULTI_BYTE = {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}
_UTF8_PAIR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]")


def _refuse_utf8_further_on(path: Path, head: bytes, enc: str, label: str) -> None:
    """A single-byte code page decodes any bytes, so UTF-8 rows appended to a cp1251 file would read
    as
    mojibake without an error: look for UTF-8 letters past the sample when the sample has none."""
    if _UTF8_PAIR.search(head):
        return
    with path.open("rb") as fh:
        fh.seek(len(head))
        while chunk := fh.read(SAMPLE_BYTES):
            if (m := _UTF8_PAIR.search(chunk)) and _is_utf8_letter(
                chunk[m.start() : m.start() + 2]
            ):
                raise DataError(
                    f"{label}: mixed encodings: the first {SAMPLE_BYTES // 1024} KiB are {enc}, "
                    "but "
                    "further on the text is UTF-8 (e.g. "
                    f"{chunk[m.start() : m.start() + 2].decode()!r}); "
                    f"no single encoding reads the file: export it again as CSV UTF-8"
                )


def _is_utf8_letter(pair: bytes) -> bool:
    try:
        return pair.decode("utf-8").isalpha()
    except UnicodeDecodeError:
        return False


def _foreign_bom(head: bytes, encoding: str) -> str:
    """The text a UTF-8 byte-order mark becomes when the file is read in another (single-byte)
    encoding."""
    if not head.startswith(codecs.BOM_UTF8) or codecs.lookup(encoding).name.startswith("utf"):
        return ""
    return codecs.BOM_UTF8.decode(encoding, errors="replace")


def _records(lines: list[str], delim: str) -> tuple[list[list[str]], list[int]]:
    """The sample's records and the line each starts on (a quoted field may span lines)."""
    if delim == "whitespace":  # columns aligned with runs of spaces (e.g. CDNOW_master.txt)
        return [ln.lstrip("\ufeff").split() for ln in lines], list(range(len(lines)))
    records, starts, line_no = [], [], 0
    reader = csv.reader(lines, delimiter=delim)
    for rec in reader:
        starts.append(line_no)
        records.append([c.lstrip("\ufeff") for c in rec] if not records else rec)
        line_no = reader.line_num
    return records, starts


def _header_index(records: list[list[str]], header_row: int | None, known, label: str) -> int:
    """The 0-based record holding the column names: ``header_row`` from client.yaml, else
    detected."""
    if header_row is not None:
        if header_row > len(records):
            raise DataError(
                f"{label}: header_row {header_row} is below the rows read ({len(records)}); "
                f"check header_row in client.yaml"
            )
        return header_row - 1
    idx = detect_header(records, known)
    if idx is None:
        raise DataError(
            f"{label}: no header row found (a row naming the columns); "
            f"set header_row for this source in client.yaml"
        )
    return idx


# long: three parser errors, each translated into a message naming the fix
def _read_frame(
    path, sep: str, enc: str, skip: int, text: str, label: str, delim: str
) -> pd.DataFrame:
    """The whole file read as text columns from the header on; pandas' errors become
    :class:`DataError`."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                sep=sep,
                encoding=enc,
                skiprows=skip,
                header=0,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
                quoting=csv.QUOTE_MINIMAL,
            )
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            raise pd.errors.ParserError("a row has more fields than the header")
    except UnicodeDecodeError as exc:
        if (
            not text.isascii()
        ):  # the first MiB already holds letters in enc: the file mixes two encodings
            raise DataError(
                f"{label}: mixed encodings: the first {SAMPLE_BYTES // 1024} KiB are {enc} with "
                f"non-ASCII letters, but further on the bytes are not {enc} ({exc.reason}); no "
                "single "
                f"encoding reads the file: export it again as CSV UTF-8"
            ) from None
        guess = "cp1251" if enc.startswith("utf") else "utf-8"
        raise DataError(
            f"{label}: cannot be decoded as {enc} past the first {SAMPLE_BYTES // 1024} KiB "
            f"({exc.reason} at byte {exc.start}); set `encoding:` for this source in client.yaml "
            f"(e.g. {guess}) or save the file as CSV UTF-8"
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{label}: the file is empty (no header and no rows)") from None
    except pd.errors.ParserError as exc:
        raise DataError(
            f"{label}: cannot be read as a table with delimiter {delim!r} "
            f"({str(exc).strip()}); a value may hold the delimiter without quotes, or the "
            f"delimiter is wrong: set `delimiter:` for this source in client.yaml"
        ) from None
    return frame


def _read_text(
    path, head, complete, label, known, encoding, delimiter, header_row, notes
) -> RawTable:
    enc = encoding or detect_encoding(head, complete=complete)
    text = _decode_sample(head, complete, enc, label, encoding is not None)
    lines = text.splitlines()
    if not complete and lines:
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = lines[:200]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip("\ufeff").startswith("#")]
    delim = delimiter or detect_delimiter(body[:100] or lines[:1])
    records, starts = _records(lines, delim)
    if bom := _foreign_bom(
        head, enc
    ):  # a UTF-8 byte-order mark decoded as another encoding's letters
        records[0][0] = records[0][0].removeprefix(bom) if records and records[0] else ""
    idx = _header_index(records, header_row, known, label)
    _refuse_duplicate_headers(records[idx], known, label, idx + 1)
    frame = _read_frame(
        path, r"\s+" if delim == "whitespace" else delim, enc, starts[idx], text, label, delim
    )
    if not complete and codecs.lookup(enc).name not in _MULTI_BYTE:
        _refuse_utf8_further_on(path, head, enc, label)
    frame.columns = [
        str(c).lstrip("\ufeff").removeprefix(bom or "\ufeff").strip() for c in frame.columns
    ]
    frame.index = pd.RangeIndex(idx + 2, idx + 2 + len(frame))
    info = {
        "format": "csv",
        "encoding": enc,
        "encoding_detected": encoding is None,
        "delimiter": _DELIMITER_NAMES.get(delim, delim),
        "delimiter_detected": delimiter is None,
        "header_row": idx + 1,
        "header_row_detected": header_row is None,
    }
    return RawTable(frame, info, notes)


#: A workbook unpacking to more than this is refused before it is parsed (a zip bomb, or a sheet's
#: used range stretched to its last cell by formatting).
MAX_XLSX_UNPACKED = 1 << 30
#: Blank rows after which cells further down are strays (a note, a cell typed by mistake), not part
#: of the table.
MAX_BLANK_GAP = 1000
#: Columns right of the header's last name beyond which cells are strays.
MAX_EXTRA_COLUMNS = 50


def _open_workbook(path: Path, label: str, data_only: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise DataError(
                f"{label}: the workbook unpacks to {unpacked / 2**30:.1f} GiB, more than the "
                f"{MAX_XLSX_UNPACKED / 2**30:.0f} GiB a table export needs; export the data as CSV"
            )
        return load_workbook(path, read_only=True, data_only=data_only)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        raise DataError(
            f"{label}: cannot be opened as an Excel workbook ({type(exc).__name__}: "
            f"{excerpt(exc, 200)}); open and save it again in Excel, or export CSV"
        ) from None


def _sheet_name(wb, label: str, sheet) -> str:
    names, tables = wb.sheetnames, [ws.title for ws in wb.worksheets]  # chart sheets hold no cells
    if sheet is None:
        if not tables:
            raise DataError(
                f"{label}: the workbook has only chart sheets, no sheet of cells; export the data"
            )
        return tables[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise DataError(
                f"{label}: no sheet number {sheet} (sheets are counted from 0: "
                f"{', '.join(f'{i} {n!r}' for i, n in enumerate(names))})"
            )
        sheet = names[sheet]
    if sheet in tables:
        return sheet
    if sheet in names:
        raise DataError(
            f"{label}: sheet {sheet!r} is a chart, not cells; name a sheet of data: "
            f"{', '.join(map(repr, tables)) or 'the workbook has none'}"
        )
    raise DataError(f"{label}: no sheet {sheet!r}; the workbook has {', '.join(map(repr, names))}")


def _sheet_rows(ws) -> tuple[list[list], tuple[int, int] | None]:
    """The sheet's rows, trailing blank cells cut (so memory follows the cells, not the used range
    the file
    declares); rows after a gap of more than MAX_BLANK_GAP blank rows are left out. Returns (rows,
    first
    stray cell as (row, column) or None)."""
    ws.reset_dimensions()  # a stated range of A1:XFD1048576 would make every row 16 384 cells wide
    rows: list[list] = []
    gap, stray, seen = 0, None, False
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = list(row)
        while cells and _blank(cells[-1]):
            cells.pop()
        if not cells:
            gap += 1
            if gap <= MAX_BLANK_GAP or not seen:
                rows.append(cells)
            continue
        if gap > MAX_BLANK_GAP and seen:
            stray = stray or (number, next(i for i, c in enumerate(cells, 1) if not _blank(c)))
            continue
        gap, seen = 0, True
        rows.append(cells)
    return rows, stray


def _formulas_without_values(path: Path, label: str, name: str, grid: list[list]) -> list[str]:
    """Cells holding a formula whose result the file does not carry (a workbook written by a
    program, never
    opened in Excel): read as data they would be empty, so they are reported."""
    with zipfile.ZipFile(path) as zf:
        sheets = [i for i in zf.namelist() if i.startswith("xl/worksheets/") and i.endswith(".xml")]
        if not any(b"<f" in zf.read(i) for i in sheets):
            return []
    from openpyxl.utils import get_column_letter

    wb = _open_workbook(path, label, data_only=False)
    try:
        found = []
        ws = wb[name]
        ws.reset_dimensions()
        for r, row in enumerate(ws.iter_rows(max_row=len(grid), values_only=True)):
            for c, v in enumerate(row):
                formula = (isinstance(v, str) and v.startswith("=")) or type(v).__name__ in (
                    "ArrayFormula",
                    "DataTableFormula",
                )
                if formula and (c >= len(grid[r]) or grid[r][c] is None):
                    found.append(f"{get_column_letter(c + 1)}{r + 1}")
    finally:
        wb.close()
    return found


def _xlsx_grid(path: Path, label: str, sheet) -> tuple[list[list], dict]:
    wb = _open_workbook(path, label, data_only=True)
    try:
        name = _sheet_name(wb, label, sheet)
        grid, stray = _sheet_rows(wb[name])
        sheets = len(wb.sheetnames)
    except DataError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise DataError(
            f"{label}: the workbook is damaged ({type(exc).__name__}: {excerpt(exc, 200)}); "
            f"open and save it again in Excel, or export CSV"
        ) from None
    finally:
        wb.close()
    cells = _formulas_without_values(path, label, name, grid)
    if cells:
        raise DataError(
            f"{label}: {len(cells)} formula cell(s) carry no calculated value "
            f"({', '.join(cells[:5])}"
            f"{' …' if len(cells) > 5 else ''}): the workbook was written by a program and never "
            f"calculated, so they would read as empty; open and save it in Excel (or LibreOffice), "
            f"or export CSV"
        )
    return grid, {"format": "xlsx", "sheet": name, "sheets": sheets, "_stray": stray}


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
        raise DataError(
            f"{label}: this is a web page (HTML), not a CSV or XLSX export, and it holds no table "
            f"(perhaps a login or error page was saved instead of the data); export the file again"
        )
    return max(tables, key=len)


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _refuse_duplicate_headers(header: list[str], known, label: str, row: int) -> None:
    """Two columns under one name the source uses: which one holds the data cannot be guessed."""
    from openpyxl.utils import get_column_letter

    names = [str(h).strip() for h in header]
    for h in dict.fromkeys(n for n in names if n and names.count(n) > 1 and known(n)):
        cols = [get_column_letter(i + 1) for i, n in enumerate(names) if n == h]
        raise DataError(
            f"{label}, row {row}: the header {excerpt(h)} names {len(cols)} columns "
            f"({', '.join(cols)}); "
            f"each column needs its own name: rename or delete the extra one(s)"
        )


# long: a worksheet's grid to a table: trailing blanks, header row, strays, each with its message
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
            raise DataError(
                f"{label}: no header row found (a row naming the columns); "
                f"set header_row for this source in client.yaml"
            )
    header = ["" if _blank(c) else str(c).strip() for c in grid[idx]]
    _refuse_duplicate_headers(header, known, label, idx + 1)
    named = max((i + 1 for i, h in enumerate(header) if h), default=0)
    width = min(
        max(len(header), max((len(r) for r in grid[idx + 1 :]), default=0)),
        named + MAX_EXTRA_COLUMNS,
    )
    stray = info.pop("_stray", None)
    for n, r in enumerate(grid[idx + 1 :], start=idx + 2):
        if len(r) > width:
            stray = stray or (
                n,
                width + 1 + next(i for i, c in enumerate(r[width:]) if not _blank(c)),
            )
            del r[width:]
    if stray:
        from openpyxl.utils import get_column_letter

        cell = f"{get_column_letter(min(stray[1], 16384))}{stray[0]}"
        notes.append(
            _("{file}: cell {cell} lies far below or right of the table and was ignored").format(
                file=label, cell=cell
            )
        )
    header = header[:width] + [""] * (width - len(header))
    names, seen = [], {}
    for i, h in enumerate(header):
        h = h or f"column {i + 1}"
        seen[h] = seen.get(h, 0) + 1
        names.append(h if seen[h] == 1 else f"{h}.{seen[h] - 1}")
    body = [list(r) + [None] * (width - len(r)) for r in grid[idx + 1 :]]
    frame = pd.DataFrame(
        body, columns=names, index=pd.RangeIndex(idx + 2, idx + 2 + len(body)), dtype=object
    )
    info = info | {"header_row": idx + 1, "header_row_detected": header_row is None}
    return RawTable(frame, info, notes)
