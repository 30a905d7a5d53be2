"""The canonical tables: columns, types, and validation with one error type.

Every loader produces these tables and every analysis reads only these. A
problem in user data raises :class:`DataError`, whose message names the file,
the row as a spreadsheet shows it (header = row 1), the column, the value found
and what to do about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CHANNELS",
    "COUNT_COLUMNS",
    "DATE_COLUMNS",
    "DEAL_STAGES",
    "DEAL_STATUSES",
    "MONEY_COLUMNS",
    "TABLES",
    "Column",
    "DataError",
    "excerpt",
    "validate_table",
]

#: The controlled channel vocabulary (DESIGN.md).
CHANNELS = (
    "organic_search",
    "paid_search",
    "social_organic",
    "social_paid",
    "email",
    "referral",
    "direct",
    "display",
    "events",
    "content",
    "affiliate",
    "other",
)

#: Counts and money that activity rows may carry; any may be absent.
COUNT_COLUMNS = (
    "spend",
    "impressions",
    "clicks",
    "visits",
    "visitors",
    "new_visitors",
    "pageviews",
    "bounces",
    "engaged_visits",
    "duration_s",
    "reach",
    "likes",
    "comments",
    "shares",
    "followers",
    "mentions",
    "leads",
    "mql",
    "sql",
    "opportunities",
    "customers",
    "orders",
    "revenue",
    "registrations",
    "attendees",
    "conversions",
    "sends",
    "opens",
    "subscriptions",
    "unsubscribes",
)


class DataError(ValueError):
    """Bad input data or configuration: the message says where and how to fix it."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Column:
    name: str
    # "month" | "date" | "text" | "channel" | "number" | "amount" | "count" | "score" | "stage" |
    # "status"
    kind: str
    required: bool = True


def _cols(*specs: Column) -> dict[str, Column]:
    return {c.name: c for c in specs}


#: Deal stages in funnel order (the furthest stage a lead reached).
DEAL_STAGES = ("lead", "mql", "sql", "opportunity", "won")
#: Deal status: still open, or closed won / lost.
DEAL_STATUSES = ("open", "won", "lost")

TABLES: dict[str, dict[str, Column]] = {
    "activity": _cols(
        Column("period", "month"),
        Column("channel", "channel"),
        Column("tactic", "text"),
        Column("device", "text", False),
        Column("campaign", "text", False),
        *(
            Column(
                c,
                {"spend": "amount", "duration_s": "amount", "revenue": "number"}.get(c, "count"),
                False,
            )
            for c in COUNT_COLUMNS
        ),
    ),
    "costs": _cols(
        Column("period", "month"),
        Column("channel", "channel", False),
        Column("tactic", "text", False),
        Column("cost_type", "text"),
        Column("flow", "text"),
        Column("amount", "amount"),
    ),
    "deals": _cols(
        Column("deal_id", "text"),
        Column("created", "date"),
        Column("channel", "channel"),
        Column("tactic", "text"),
        Column("stage", "stage"),
        Column("status", "status"),
        Column("closed", "date", False),
        Column("amount", "amount", False),
        Column("customer_id", "text", False),
        Column("first_response_hours", "amount", False),
    ),
    "orders": _cols(
        Column("order_id", "text"),
        Column("customer_id", "text"),
        Column("date", "date"),
        Column("amount", "number"),
        Column("margin", "number", False),
    ),
    "customers": _cols(
        Column("customer_id", "text"),
        Column("acquired", "date"),
        Column("channel", "channel"),
        Column("tactic", "text", False),
        Column("churned", "date", False),
    ),
    "survey": _cols(
        Column("respondent_id", "text"),
        Column("date", "date"),
        Column("nps", "score"),
        Column("csat", "number", False),
        Column("channel", "channel", False),
    ),
}

#: Money columns per table (converted between currencies and tax bases by the loaders).
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "activity": ("spend", "revenue"),
    "costs": ("amount",),
    "deals": ("amount",),
    "orders": ("amount", "margin"),
    "customers": (),
    "survey": (),
}
#: The date (or month) column that places a row in time, per table.
DATE_COLUMNS: dict[str, str] = {
    "activity": "period",
    "costs": "period",
    "deals": "created",
    "orders": "date",
    "customers": "acquired",
    "survey": "date",
}

_MAX_LISTED = 20


def excerpt(value, limit: int = 60) -> str:
    r"""A short, escaped, one-line quotation of a value for messages (at most ``limit`` characters
    of it).

    >>> print(excerpt("line one\nline two"), excerpt("x" * 100, 5))
    'line one\nline two' 'xxxxx…'
    """
    text = str(value)
    return repr(text[:limit] + "…") if len(text) > limit else repr(text)


def _where(file: str, row, column: str, value) -> str:
    return f'{file}, row {int(row)}, column "{column}": {excerpt(value)}'


def validate_table(
    df: pd.DataFrame,
    table: str,
    file: str,
    *,
    row_base: int = 2,
    keep_index: bool = False,
    original: pd.DataFrame | None = None,
    stripped: bool = False,
) -> pd.DataFrame:
    """Check columns and types of one canonical table; return it with proper dtypes.

    Parameters
    ----------
    df : DataFrame
        The table as read (cells as text, or already numbers / datetimes).
    table : str
        One of :data:`TABLES`.
    file : str
        The file name used in messages.
    row_base : int, default 2
        Spreadsheet row of index label 0: with the default ``RangeIndex`` the
        header is row 1 and the first data row is row 2. Loaders that keep the
        sheet row as the index pass 0.
    keep_index : bool, default False
        Keep the input's index (the loaders' sheet rows) instead of resetting it.
    original : DataFrame, optional
        The cells as the file wrote them (same index and column names), quoted in
        messages when ``df`` holds values a loader already parsed.
    stripped : bool, default False
        Text columns of ``string`` dtype are already stripped, with blanks as
        missing (the loaders' output): skips a pass over every cell.

    Raises
    ------
    DataError
        Listing every problem found (up to 20 per column), each with file,
        spreadsheet row, column, value and the fix. Extra columns are dropped,
        so personal data a CRM export carries never travels further than the
        loader.

    Examples
    --------
    >>> df = pd.DataFrame({"order_id": ["A1"], "customer_id": ["C1"], "date": ["2025-01-31"],
    ...                    "amount": ["12.5"], "email": ["ann@example.com"]})
    >>> validate_table(df, "orders", "orders.csv").dtypes.astype(str).to_dict()
    {'order_id': 'string', 'customer_id': 'string', 'date': 'datetime64[us]', 'amount': 'float64'}
    """
    spec = TABLES[table]
    problems: list[str] = []
    missing = [c.name for c in spec.values() if c.required and c.name not in df.columns]
    if missing:
        raise DataError(
            f"{file}: table {table!r} lacks required column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, df.columns)) or 'no columns'}. "
            f"Rename the columns in the file or map them in client.yaml."
        )
    out = pd.DataFrame(index=df.index)
    for name, col in spec.items():
        if name not in df.columns:
            continue
        raw = df[name]
        converted, bad = _convert(raw, col.kind, col.required, stripped)
        shown = original[name] if original is not None and name in original.columns else raw
        for idx in bad.index[bad.to_numpy()][:_MAX_LISTED]:
            value = shown.loc[idx]
            problems.append(
                f"{_where(file, idx + row_base, name, value)} {_expected(col.kind, value)}"
            )
        if (n := int(bad.sum())) > _MAX_LISTED:
            problems.append(f'{file}, column "{name}": {n - _MAX_LISTED} more such rows not listed')
        out[name] = converted
    if problems:
        raise DataError(problems)
    return out if keep_index else out.reset_index(drop=True)


_EXPECTED = {
    "month": "is not a month (expected YYYY-MM or YYYY-MM-DD)",
    "date": "is not a date (expected YYYY-MM-DD)",
    "number": "is not a number (use a plain number such as 1234.5: no currency signs or thousands "
    "separators)",
    "amount": "is not a number of 0 or more (use a plain number such as 1234.5: no currency signs "
    "or thousands "
    "separators; a negative amount needs correcting at its source)",
    "count": "is not a non-negative count (use a plain whole number such as 1234)",
    "score": "is not an NPS score (expected a whole number from 0 to 10)",
    "channel": f"is not a known channel (use one of: {', '.join(CHANNELS)}; or map it in "
    "client.yaml channel_map)",
    "stage": f"is not a deal stage (use one of: {', '.join(DEAL_STAGES)}; or map the CRM's stages "
    "with stage_map)",
    "status": f"is not a deal status (use one of: {', '.join(DEAL_STATUSES)}; or map the CRM's "
    "stages with stage_map)",
    "text": "is empty (every row needs a value here)",
}


def _expected(kind: str, value) -> str:
    """What was expected, plus a hint when the value looks like a locale-formatted number."""
    text = _EXPECTED[kind]
    if kind in ("number", "amount", "count") and isinstance(value, str):
        v = value.strip()
        # Offer only a declaration that reads the value: never a decimal comma for 2,014 (a year or
        # a count).
        if re.fullmatch(r"[-−]?\d{1,3}(,\d{3})+(\.\d+)?", v):
            text += (
                ' (this looks like commas between thousands: set `thousands: ","` for this '
                "source in client.yaml)"
            )
        elif re.fullmatch(r"[-−]?\d{1,3}([  \u202f]\d{3})+([.,]\d+)?\D{0,6}", v) or re.fullmatch(
            r"[-−]?\d+,(\d{1,2}|\d{4,})", v
        ):
            text += (
                ' (this looks like a decimal comma or spaces between thousands: set `decimal: ","` '
                "and "
                '`thousands: " "` for this source in client.yaml)'
            )
    return text


def _convert(
    raw: pd.Series, kind: str, required: bool, stripped: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Convert a column to its canonical dtype; return (values, mask of bad cells)."""
    clean = stripped and isinstance(raw.dtype, pd.StringDtype) and raw.dtype.na_value is pd.NA
    if (
        pd.api.types.is_datetime64_any_dtype(raw.dtype)
        or pd.api.types.is_numeric_dtype(raw.dtype)
        or clean
    ):
        present = raw.notna()
    else:
        present = raw.notna() & (raw.astype("string").str.strip() != "").fillna(False)
    if kind in ("month", "date"):
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            values = raw.astype("datetime64[us]")
        else:
            values = pd.to_datetime(raw.where(present), errors="coerce", format="ISO8601")
        if kind == "month":
            values = values.dt.to_period("M").dt.to_timestamp()
        return values, present & values.isna()
    if kind in ("number", "amount", "count", "score"):
        values = pd.to_numeric(raw.where(present), errors="coerce").astype("float64")
        bad = present & (values.isna() | np.isinf(values))
        if kind in ("count", "amount"):
            bad |= present & (values < 0)
        if kind == "score":
            bad |= present & ((values < 0) | (values > 10) | (values % 1 != 0))
        return values, bad
    text = raw if clean else raw.astype("string").str.strip().where(present)
    vocabulary = {"channel": CHANNELS, "stage": DEAL_STAGES, "status": DEAL_STATUSES}.get(kind)
    if vocabulary is not None:
        return text, (present & ~text.isin(vocabulary)) | (~present if required else False)
    return text, (~present if required else pd.Series(False, index=raw.index))
