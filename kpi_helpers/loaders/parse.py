"""Locale-aware parsing of cells: numbers with decimal commas and grouped thousands, percentages,
durations, dates in many formats.

Each parser returns a column whose cells are parsed values where parsing worked and
the **original text** where it did not, so that validation reports the value as the
user sees it in the file. A column that parses completely comes back as ``float64`` or
``datetime64``; it costs one vectorised pass, which matters for million-row files.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

__all__ = ["is_blank", "parse_dates", "parse_duration", "parse_numbers", "parse_percent"]

_SPACES = "  \u202f\u2009"
_MINUS = "−"


def is_blank(col: pd.Series) -> pd.Series:
    """Cells that hold nothing: missing, or only spaces."""
    if col.dtype == object:
        return col.map(
            lambda v: (
                v is None
                or (isinstance(v, float) and math.isnan(v))
                or (isinstance(v, str) and not v.strip())
            )
        ).astype(bool)
    if pd.api.types.is_string_dtype(col.dtype):
        # Cells of spaces only are found later, among the few cells that fail to parse (see _merge):
        # stripping five million cells up front costs more than the rest of the parse.
        return (col.isna() | col.eq("")).astype(bool)
    return col.isna()


def _split_typed(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(mask of cells already typed by a spreadsheet, the text cells as ``str``)."""
    if col.dtype == object:
        typed = col.map(
            lambda v: (
                isinstance(v, (int, float, np.number, dt.date, dt.time, dt.timedelta))
                and not isinstance(v, bool)
            )
        ).astype(bool)
        text = col.where(~typed).map(
            lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        )
        return typed, text.astype("str")
    if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype):
        return pd.Series(True, index=col.index), pd.Series("", index=col.index, dtype="str")
    return pd.Series(False, index=col.index), col.fillna("").astype("str")


def _merge(col: pd.Series, parsed: pd.Series, ok: pd.Series, blank: pd.Series) -> pd.Series:
    """Parsed values where ok, NaN where blank (or only spaces), the original cell elsewhere."""
    bad = ~ok & ~blank
    if bad.any():
        spaces = col[bad].map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        if spaces.any():
            blank = blank.copy()
            blank[spaces.index[spaces.to_numpy()]] = True
            bad &= ~blank
    if not bad.any():
        return parsed.where(~blank)
    out = parsed.astype(object).where(ok, None)
    out[bad] = col[bad]
    return out


def parse_numbers(
    col: pd.Series, decimal: str = ".", thousands: str = "", na_values=()
) -> pd.Series:
    """Numbers written with a decimal comma and/or grouped thousands -> ``float64``.

    Spaces of every width group thousands when ``thousands`` is a space; a
    trailing currency sign or code is not accepted (the value is left for
    validation to report).

    >>> parse_numbers(pd.Series(["1 234,5", "−7", "", "12,5 ₽"]), ",", " ").tolist()
    [1234.5, -7.0, None, '12,5 ₽']
    """
    blank = is_blank(col)
    typed, text = _split_typed(col)
    if na_values:
        blank |= text.str.strip().isin(list(na_values))
    if typed.all():
        return pd.to_numeric(col, errors="coerce").astype("float64").where(~blank)
    s = _normalise_number(
        text, decimal, thousands
    )  # one pass; to_numeric ignores surrounding spaces
    parsed = pd.to_numeric(s.where(~blank), errors="coerce").astype("float64")
    retry = parsed.isna() & ~blank & ~typed
    if retry.any():  # the rare odd cell: a Unicode minus, narrow spaces, text around the number
        again = _normalise_number(
            text[retry].str.strip().str.replace(_MINUS, "-", regex=False), decimal, thousands
        )
        parsed[retry] = pd.to_numeric(again, errors="coerce").astype("float64")
    if typed.any():
        parsed[typed] = pd.to_numeric(col[typed], errors="coerce").astype("float64")
    ok = parsed.notna() & ~blank & np.isfinite(parsed.fillna(0))
    return _merge(col, parsed, ok, blank)


def _normalise_number(text: pd.Series, decimal: str, thousands: str) -> pd.Series:
    """One ``str.translate`` pass: drop the thousands separator(s), turn a decimal comma into a
    point."""
    table = {ord(c): None for c in (_SPACES if thousands == " " else thousands)}
    if decimal == ",":
        table[ord(",")] = "."
    return text.str.translate(table) if table else text


def parse_percent(
    col: pd.Series, decimal: str = ".", thousands: str = "", na_values=()
) -> pd.Series:
    """Shares written as ``45,2 %``, ``45.2`` or (spreadsheet-typed) ``0.452`` -> fractions.

    Text is read as per cent (Yandex.Metrica and most exports write 0-100);
    numbers typed by a spreadsheet are taken as fractions when none exceeds 1.

    >>> parse_percent(pd.Series(["45,2 %", "5"]), ",").round(3).tolist()
    [0.452, 0.05]
    """
    typed, text = _split_typed(col)
    stripped = text.str.replace(r"\s*%\s*$", "", regex=True)
    numbers = parse_numbers(stripped.where(~typed, col), decimal, thousands, na_values)
    if numbers.dtype != "float64":
        return numbers
    if typed.any() and (numbers[typed].dropna() <= 1).all():
        return numbers.where(typed, numbers / 100)
    return numbers / 100


_HMS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def parse_duration(col: pd.Series, decimal: str = ".", na_values=()) -> pd.Series:
    """Durations ``h:mm:ss``, ``m:ss`` or seconds -> seconds.

    >>> parse_duration(pd.Series(["0:01:23", "1:05", "83,5"]), ",").tolist()
    [83.0, 65.0, 83.5]
    """
    blank = is_blank(col)
    typed, text = _split_typed(col)
    parts = text.str.strip().str.extract(_HMS)
    clock = parts[1].notna()
    secs = (
        parts[0].astype("float64").fillna(0) * 3600
        + parts[1].astype("float64") * 60
        + pd.to_numeric(parts[2].str.replace(",", "."), errors="coerce")
    )
    plain = parse_numbers(text.where(~clock, ""), decimal, "", na_values)
    plain = pd.to_numeric(plain, errors="coerce")
    parsed = secs.where(clock, plain).astype("float64")
    if typed.any():
        parsed[typed] = (
            col[typed]
            .map(
                lambda v: (
                    v.hour * 3600 + v.minute * 60 + v.second
                    if isinstance(v, dt.time)
                    else v.total_seconds()
                    if isinstance(v, dt.timedelta)
                    else float(v)
                )
            )
            .astype("float64")
        )
    ok = parsed.notna() & ~blank
    return _merge(col, parsed, ok, blank)


_RU_MONTHS = {
    "январ": "Jan",
    "феврал": "Feb",
    "март": "Mar",
    "апрел": "Apr",
    "ма": "May",
    "июн": "Jun",
    "июл": "Jul",
    "август": "Aug",
    "сентябр": "Sep",
    "октябр": "Oct",
    "ноябр": "Nov",
    "декабр": "Dec",
}
_RU_MONTH_RE = re.compile(
    r"\b(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*\.?",
    re.IGNORECASE,
)


def english_months(text: pd.Series) -> pd.Series:
    """Russian month names -> English abbreviations, so ``январь 2025`` reads as ``Jan 2025``.

    >>> english_months(pd.Series(["январь 2025", "15 мая 2025"])).tolist()
    ['Jan 2025', '15 May 2025']
    """
    if not text.str.contains(r"[а-яА-Я]", regex=True).any():
        return text
    return text.str.replace(_RU_MONTH_RE, lambda m: _RU_MONTHS[m.group(1).lower()], regex=True)


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    """``pd.to_datetime`` with ``fmt``; formats without pandas' fast ISO path are parsed once per
    distinct value (a year of daily rows has 365 of them, however many rows there are)."""
    if fmt == "ISO8601" or len(text) < 50_000:
        return pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[us]")
    codes, uniques = pd.factorize(text)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format=fmt, errors="coerce").astype(
        "datetime64[us]"
    )
    values = parsed.to_numpy()[codes]
    values[codes < 0] = np.datetime64("NaT")
    return pd.Series(values, index=text.index)


def parse_dates(col: pd.Series, fmt: str | None) -> pd.Series:
    """Dates in ``fmt`` (a strftime format, ``"ISO8601"``, or None for ISO) -> ``datetime64``.

    >>> parse_dates(pd.Series(["31.01.2025", "", "2025-02-01"]), "%d.%m.%Y").tolist()
    [Timestamp('2025-01-31 00:00:00'), None, '2025-02-01']
    """
    blank = is_blank(col)
    typed, text = _split_typed(col)
    if typed.all():
        return pd.to_datetime(col, errors="coerce").astype("datetime64[us]").where(~blank)
    parsed = _to_datetime(text.where(~blank & ~typed), fmt or "ISO8601")
    retry = parsed.isna() & ~blank & ~typed
    if retry.any():  # spaces around the date, or Russian month names
        again = english_months(text[retry].str.strip())
        parsed[retry] = pd.to_datetime(again, format=fmt or "ISO8601", errors="coerce").astype(
            "datetime64[us]"
        )
    if typed.any():
        parsed[typed] = pd.to_datetime(
            col[typed].map(lambda v: v if isinstance(v, dt.date) else None), errors="coerce"
        )
    ok = parsed.notna() & ~blank
    return _merge(col, parsed, ok, blank)
