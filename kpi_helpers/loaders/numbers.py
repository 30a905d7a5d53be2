"""Which marks a file's numbers use, decided on every number cell, and the checks that keep numbers
honest.

:func:`number_marks` looks at every distinct number cell of a file (not a sample), so a
French file whose first thousand numbers are whole still gets its decimal comma. A file
whose only marks are a single ``,`` or ``.`` before exactly three digits (``1,084``,
``1.084``) is ambiguous (1.084 or 1084?): it is reported, never guessed, with the
declarations (``decimal:`` / ``thousands:``) that read it either way.
:func:`too_large` finds values beyond exact float arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

__all__ = ["MAX_EXACT", "Marks", "ambiguity_message", "number_marks", "too_large"]

#: Above 2**53 a float no longer holds every whole number: sums of such values are silently wrong
#: (and 1e308 overflows to infinity). No marketing figure comes near it.
MAX_EXACT = float(2**53)

_SPACE = "  \u202f\u2009"
_AMBIGUOUS = re.compile(
    r"^[-−+]?\d{1,3}([.,])\d{3}%?$"
)  # on shapes; a leading 0 decided it already


@dataclass(frozen=True)
class Marks:
    decimal: str
    thousands: str
    ambiguous: str | None = (
        None  # the mark ("," or ".") that could be either, when nothing in the file decides
    )


def _evidence(shapes: pd.Series, zeros: pd.Series, mark: str) -> tuple[bool, bool, bool]:
    """(``mark`` is a decimal mark somewhere, ``mark`` groups thousands somewhere, ``mark`` appears
    at all)."""
    m, other = re.escape(mark), re.escape("." if mark == "," else ",")

    def has(pattern):
        return bool(shapes.str.contains(pattern, regex=True).any())

    decimal = (
        has(rf"\d{m}(?:\d{{1,2}}|\d{{4,}})%?$")
        or bool(zeros.str.contains(rf"^[-−+]?0{m}\d").any())
        or has(rf"{other}\d{{3}}{m}\d")
        or has(rf"[{_SPACE}']\d{{3}}{m}\d")
    )
    groups = has(rf"\d{m}\d{{3}}{m}\d{{3}}(?!\d)") or has(rf"{m}\d{{3}}{other}\d")
    return decimal, groups, has(m)


_DIGITS = str.maketrans("0123456789", "9999999999")


def number_marks(
    values: pd.Series, decimal: str | None = None, thousands: str | None = None
) -> Marks:
    """The decimal mark and thousands separator that fit every number cell in ``values`` (text
    cells).

    Declared marks win; a mark left out is decided by the cells. The patterns run on each cell's
    shape (digits as 9: ``1 234,50`` -> ``9 999,99``), of which a file has few, so every cell counts
    at the cost of one pass.

    >>> number_marks(pd.Series(["3"] * 3000 + ["1 234,5"]))
    Marks(decimal=',', thousands=' ', ambiguous=None)
    >>> number_marks(pd.Series(["1,084", "2,014", "17"]))
    Marks(decimal='.', thousands='', ambiguous=',')
    >>> number_marks(pd.Series(["1,084", "12.5"]))
    Marks(decimal='.', thousands=',', ambiguous=None)
    >>> number_marks(pd.Series(["1.084", "7", "0.084"]))
    Marks(decimal='.', thousands='', ambiguous=None)
    >>> number_marks(pd.Series(["1.084", "7"]), decimal=",")
    Marks(decimal=',', thousands='.', ambiguous=None)
    """
    text = pd.Series(pd.unique(values.dropna().astype(str)), dtype=object).astype(str)
    counts = text.str.translate(_DIGITS).value_counts()
    counts = counts.groupby(
        counts.index.str.strip()
    ).sum()  # strip the few shapes, not the many cells
    shapes = pd.Series(counts.index, dtype=object).astype(str)
    shapes = shapes[shapes.str.contains(r"\d[.,'" + _SPACE + r"]\d", regex=True)]
    zeros = text[
        text.str.match(r"\s*[-−+]?0[.,]\d")
    ].str.strip()  # 0,084 can only be a decimal comma
    comma_dec, comma_grp, comma = _evidence(shapes, zeros, ",")
    dot_dec, dot_grp, dot = _evidence(shapes, zeros, ".")
    ambiguous = None
    if decimal is None:
        votes_comma, votes_dot = comma_dec or dot_grp, dot_dec or comma_grp
        if votes_comma != votes_dot:
            decimal = "," if votes_comma else "."
        elif (
            votes_comma
        ):  # both seen: the mark of the majority of cells; the others are reported one by one

            def n(pattern):
                return int(counts[counts.index.str.contains(pattern, regex=True)].sum())

            decimal = "," if n(r"\d,\d{1,2}$") > n(r"\d\.\d{1,2}$") else "."
        elif thousands in (",", "."):
            decimal = "." if thousands == "," else ","
        else:
            decimal = "."
            if thousands is None and shapes.str.match(_AMBIGUOUS).any():
                ambiguous = "," if shapes.str.match(r"^[-−+]?\d{1,3},\d{3}%?$").any() else "."
    if thousands is None:
        other = "." if decimal == "," else ","
        if shapes.str.contains(rf"\d[{_SPACE}]\d{{3}}(?:\D|$)", regex=True).any():
            thousands = " "
        elif shapes.str.contains(r"\d'\d{3}(?:\D|$)", regex=True).any():
            thousands = "'"
        elif ambiguous is None and (comma if other == "," else dot):
            thousands = other  # the mark that is not the decimal one can only group thousands
        else:
            thousands = ""
    return Marks(decimal, "" if thousands == decimal else thousands, ambiguous)


def ambiguity_message(
    label: str, row: int, column: str, value: str, mark: str, whole_only: bool
) -> str:
    """The error for an ambiguous number, offering only declarations that read it correctly.

    ``whole_only``: the column holds counts, so only the thousands reading can be right.
    """
    digits = re.sub(r"[^\d]", "", value)
    whole, fraction = f"{int(digits):d}", f"{int(digits[:-3])}.{digits[-3:]}"
    sign = "-" if value.strip().startswith(("-", "−")) else ""
    as_whole = '`thousands: ","`' if mark == "," else '`decimal: ","` and `thousands: "."`'
    as_fraction = '`decimal: ","`' if mark == "," else '`decimal: "."` and `thousands: ""`'
    msg = (
        f'{label}, row {row}, column "{column}": {value!r} is ambiguous: {sign}{whole} with '
        f"{mark!r} between "
        f"thousands, or {sign}{fraction} with {mark!r} as the decimal mark, and no other number in "
        "the file "
        f"tells which; declare it for this source in client.yaml: {as_whole} (reads {sign}{whole})"
    )
    if not whole_only:
        msg += f", or {as_fraction} (reads {sign}{fraction})"
    return msg


def too_large(values: pd.Series) -> pd.Series:
    """Mask of numbers whose magnitude exceeds :data:`MAX_EXACT` (cells that are not numbers are
    False)."""
    return pd.to_numeric(values, errors="coerce").abs().gt(MAX_EXACT).fillna(False).astype(bool)
