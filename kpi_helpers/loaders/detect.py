"""Detection of a file's format: kind, text encoding, delimiter, header row, number and date
formats.

Every function here looks at a sample and returns its choice; the reader reports
each choice (``ValidationReport.sources``) and ``client.yaml`` can override any of
them per source (``encoding``, ``delimiter``, ``header_row``, ``decimal``,
``thousands``, ``date_format``).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter

import pandas as pd

__all__ = [
    "SAMPLE_BYTES",
    "detect_date_format",
    "detect_delimiter",
    "detect_encoding",
    "detect_header",
    "detect_number_format",
    "sniff_kind",
]

#: How much of a text file the detectors read.
SAMPLE_BYTES = 1 << 20

_HTML = re.compile(
    rb"^\s*(<!doctype\s+html|<html|<table|<head|<body|<\?xml[^>]*>\s*<html|<meta)", re.IGNORECASE
)


def sniff_kind(head: bytes) -> str:
    """The file's real format from its first bytes, whatever its name says.

    Returns one of ``"empty"``, ``"xlsx"`` (a zip container), ``"xls"`` (the old
    binary Excel format), ``"html"``, ``"binary"`` or ``"text"``.

    >>> (sniff_kind(b""), sniff_kind(b"PK\\x03\\x04rest"),
    ...  sniff_kind(b"\\xef\\xbb\\xbf<!DOCTYPE html><html>"))
    ('empty', 'xlsx', 'html')
    >>> sniff_kind(b"period,channel\\n2025-01,email\\n")
    'text'
    """
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if _HTML.match(body[:2048]):
        return "html"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return "text"
    if b"\x00" in head[:4096]:
        return "binary"
    return "text"


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * len(sample) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(sample) / 2 and odd == 0:
        return "utf-16-be"
    return None


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """The text encoding of a sample: a BOM, else UTF-8 if it decodes, else a Cyrillic or Western
    code page.

    ``complete`` says whether the sample is the whole file (else a multi-byte
    character cut at the end is not an error).

    >>> detect_encoding("Визиты;Отказы\\n".encode("cp1251"), complete=True)
    'cp1251'
    >>> (detect_encoding("\\ufeffВизиты".encode("utf-8"), complete=True),
    ...  detect_encoding(b"a,b", complete=True))
    ('utf-8-sig', 'utf-8')
    >>> detect_encoding("Café,Crème".encode("cp1252"), complete=True)
    'cp1252'
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if bare := _utf16_without_bom(sample):
        return bare
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    high = [b for b in sample if b >= 0x80]
    cyrillic = sum(1 for b in high if b >= 0xC0 or b in (0xA8, 0xB8))
    # Russian words are runs of high bytes; accented Latin letters stand alone between ASCII ones.
    in_runs = sum(
        1
        for i, b in enumerate(sample)
        if b >= 0x80
        and ((i > 0 and sample[i - 1] >= 0x80) or (i + 1 < len(sample) and sample[i + 1] >= 0x80))
    )
    if high and cyrillic >= 0.7 * len(high) and in_runs >= 0.5 * len(high):
        lower_cp1251 = sum(1 for b in high if b >= 0xE0)
        # Russian text is mostly lower case: cp1251 puts it in E0-FF, KOI8-R in C0-DF.
        return "cp1251" if lower_cp1251 >= (len(high) - lower_cp1251) else "koi8-r"
    return "cp1252"


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits most lines into the same number (> 1) of fields.

    >>> detect_delimiter(["a;b;c", "1,5;2;3", "4;5,5;6"])
    ';'
    >>> detect_delimiter(["Report (2025)", "Date\\tClicks", "2025-01-01\\t5"])
    '\\t'

    Columns aligned with runs of spaces (no delimiter character splits the lines)
    give ``"whitespace"``:

    >>> detect_delimiter([" customer_id  date  dollar_value", " 00001 19970101   11.77"])
    'whitespace'
    """
    best, best_score = ",", (0.0, 0)
    for delim in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        width, n = Counter(counts).most_common(1)[0]
        score = (n / len(lines), width)
        if score > best_score:
            best, best_score = delim, score
    if best_score[0] < 0.5 and lines:
        widths = [len(ln.split()) for ln in lines if len(ln.split()) > 1]
        if widths:
            width, n = Counter(widths).most_common(1)[0]
            if n / len(lines) >= 0.8 and (n / len(lines), width) > best_score:
                return "whitespace"
    return best


def detect_header(rows: list[list[str]], known) -> int | None:
    """Index of the header among the first rows: the row naming most known columns.

    ``known(cell) -> bool`` says whether a cell names a column the source can use.
    Falls back to the first row of two or more non-empty text cells at least as
    wide as most rows below it. Rows starting with ``#`` are comments.

    >>> rows = [["Report"], ["period", "channel"], ["2025-01", "email"]]
    >>> detect_header(rows, {"period", "channel"}.__contains__)
    1
    """
    scores = []
    for i, row in enumerate(rows):
        cells = [c.strip() for c in row if c is not None and str(c).strip()]
        if not cells or cells[0].startswith("#"):
            scores.append(-1)
            continue
        scores.append(sum(bool(known(c)) for c in cells))
    top = max(scores, default=-1)
    if top >= 1:
        return scores.index(top)
    widths = Counter(
        sum(bool(str(c).strip()) for c in r) for r in rows if any(str(c).strip() for c in r)
    )
    if not widths:
        return None
    usual = widths.most_common(1)[0][0]
    for i, row in enumerate(rows):
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        if (
            len(cells) >= max(2, usual)
            and not cells[0].startswith("#")
            and not any(_is_number(c) for c in cells)
        ):
            return i
    # Nothing looks like a header: take the first row, so the missing-column message can show what
    # is there.
    return next((i for i, s in enumerate(scores) if s >= 0), None)


_NUM = re.compile(r"^[-−+]?[\d  \u202f.,']*\d[\d  \u202f.,']*%?$")


def _is_number(text: str) -> bool:
    return bool(_NUM.match(text.strip()))


def detect_number_format(values: pd.Series) -> tuple[str, str]:
    """Decimal mark and thousands separator that fit a sample of number cells.

    Returns ``(decimal, thousands)``; thousands is ``""`` when no grouping is seen.

    >>> detect_number_format(pd.Series(["1 234,50", "17,2", "3"]))
    (',', ' ')
    >>> detect_number_format(pd.Series(["1,234.50", "17.2"]))
    ('.', ',')
    >>> detect_number_format(pd.Series(["1.234,50", "2.000.000"]))
    (',', '.')
    >>> detect_number_format(pd.Series(["12", "13.5"]))
    ('.', '')
    """
    text = values.dropna().astype(str).str.strip()
    text = text[text.str.contains(r"\d", regex=True)].head(2000)
    if text.empty:
        return ".", ""

    def has(pattern):
        return int(text.str.contains(pattern, regex=True).sum())

    space = has(r"\d[  \u202f]\d{3}(?:\D|$)")
    comma_dec = has(r"\d,(?:\d{1,2}|\d{4,})%?$") + has(r"\.\d{3},\d+$")
    dot_dec = has(r"\d\.(?:\d{1,2}|\d{4,})%?$") + has(r",\d{3}\.\d+$")
    comma_groups = has(r"^[-−]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$") + has(r",\d{3}\.\d+$")
    dot_groups = has(r"^[-−]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?$") + has(r"\.\d{3},\d+$")
    decimal = "," if comma_dec > dot_dec or (dot_groups and not comma_groups) else "."
    if space:
        thousands = " "
    elif decimal == "," and dot_groups:
        thousands = "."
    elif decimal == "." and comma_groups:
        thousands = ","
    else:
        thousands = ""
    return decimal, thousands


#: Date formats tried, most common first; ISO 8601 (with or without time, or a month) is
#: ``"ISO8601"``.
DATE_FORMATS = (
    "ISO8601",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%Y%m%d",
    "%Y%m",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%b %Y",
    "%B %Y",
    "%m.%Y",
    "%b %d, %Y %I:%M %p",
)


def detect_date_format(values: pd.Series) -> tuple[str | None, float, list[str]]:
    """The date format that parses most of a sample of date cells.

    Returns ``(format, share parsed, other formats that parse everything but
    give different dates)``: a non-empty third item means the sample is
    ambiguous (``03/04/2025``: March or April?).

    >>> detect_date_format(pd.Series(["31.01.2025", "01.02.2025"]))[:2]
    ('%d.%m.%Y', 1.0)
    >>> detect_date_format(pd.Series(["03/04/2025", "05/06/2025"]))
    ('%d/%m/%Y', 1.0, ['%m/%d/%Y'])
    >>> detect_date_format(pd.Series(["январь 2025", "февраль 2025"]))
    ('%b %Y', 1.0, [])
    """
    from .parse import english_months

    sample = values.dropna().astype(str).str.strip()
    sample = english_months(sample[sample != ""].drop_duplicates().head(500))
    if sample.empty:
        return None, 0.0, []
    digits_only = sample.str.fullmatch(r"\d{6}(\d{2})?").all()
    iso_ambiguous = sample.str.fullmatch(r"\d{6,8}").any()

    def attempt(fmt, cells):
        if fmt in ("%Y%m%d", "%Y%m") and not digits_only:
            return None
        parsed = pd.to_datetime(cells, format=fmt, errors="coerce")
        if fmt == "ISO8601" and iso_ambiguous:
            parsed[:] = pd.NaT  # 20250101 is GA4's %Y%m%d, not an ISO week or ordinal date
        return parsed.notna().mean(), parsed

    # Most columns hold one format throughout: a format that fails on one of the first cells cannot
    # parse them all, so only the formats that read the first 20 are tried on the whole sample. When
    # none of those reads everything, every format is tried (the best may then read most cells).
    head = sample.head(20)
    formats = [f for f in dict.fromkeys(DATE_FORMATS) if (r := attempt(f, head)) and r[0] == 1.0]
    results = {f: r for f in formats if (r := attempt(f, sample))}
    if not any(share == 1.0 for share, _ in results.values()):
        results = {f: r for f in dict.fromkeys(DATE_FORMATS) if (r := attempt(f, sample))}
    best = max(results, key=lambda f: results[f][0])
    share, parsed = results[best]
    if share == 0:
        return None, 0.0, []
    rivals = [
        f
        for f, (s, p) in results.items()
        if f != best and s == 1.0 and share == 1.0 and not p.equals(parsed)
    ]
    return best, float(share), rivals
