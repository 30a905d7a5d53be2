"""The canonical tables: columns, types, and validation with one error type.

Every loader produces these tables and every analysis reads only these. A
problem in user data raises :class:`DataError`, whose message names the file,
the row as a spreadsheet shows it (header = row 1), the column, the value found
and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["DataError", "Column", "TABLES", "CHANNELS", "COUNT_COLUMNS", "validate_table"]

#: The controlled channel vocabulary (DESIGN.md).
CHANNELS = (
    "organic_search", "paid_search", "social_organic", "social_paid", "email", "referral",
    "direct", "display", "events", "content", "affiliate", "other",
)

#: Counts and money that activity rows may carry; any may be absent.
COUNT_COLUMNS = (
    "spend", "impressions", "clicks", "visits", "visitors", "new_visitors", "pageviews", "bounces",
    "engaged_visits", "duration_s", "reach", "likes", "comments", "shares", "followers", "mentions",
    "leads", "mql", "sql", "opportunities", "customers", "orders", "revenue", "registrations",
    "attendees",
)


class DataError(ValueError):
    """Bad input data or configuration: the message says where and how to fix it."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "month" | "date" | "text" | "channel" | "number" | "count" | "score" | "bool"
    required: bool = True


def _cols(*specs: Column) -> dict[str, Column]:
    return {c.name: c for c in specs}


TABLES: dict[str, dict[str, Column]] = {
    "activity": _cols(
        Column("period", "month"), Column("channel", "channel"), Column("tactic", "text"),
        Column("device", "text", False), Column("campaign", "text", False),
        *(Column(c, "number" if c in ("spend", "revenue", "duration_s") else "count", False) for c in COUNT_COLUMNS),
    ),
    "costs": _cols(
        Column("period", "month"), Column("channel", "channel", False), Column("tactic", "text", False),
        Column("cost_type", "text"), Column("flow", "text"), Column("amount", "number"),
    ),
    "deals": _cols(
        Column("deal_id", "text"), Column("created", "date"), Column("channel", "channel"),
        Column("tactic", "text"), Column("stage", "text"), Column("status", "text"),
        Column("closed", "date", False),
        Column("amount", "number", False), Column("customer_id", "text", False),
        Column("first_response_hours", "number", False),
    ),
    "orders": _cols(
        Column("order_id", "text"), Column("customer_id", "text"), Column("date", "date"),
        Column("amount", "number"), Column("margin", "number", False),
    ),
    "customers": _cols(
        Column("customer_id", "text"), Column("acquired", "date"), Column("channel", "channel"),
        Column("tactic", "text", False), Column("churned", "date", False),
    ),
    "survey": _cols(
        Column("respondent_id", "text"), Column("date", "date"), Column("nps", "score"),
        Column("csat", "number", False), Column("channel", "channel", False),
    ),
}

#: Deal stages in funnel order (the furthest stage a lead reached).
DEAL_STAGES = ("lead", "mql", "sql", "opportunity", "won")
#: Deal status: still open, or closed won / lost.
DEAL_STATUSES = ("open", "won", "lost")

_MAX_LISTED = 20


def _where(file: str, idx, column: str, value) -> str:
    # Spreadsheet row: the header is row 1, the first data row is row 2.
    return f'{file}, row {int(idx) + 2}, column "{column}": {str(value)!r}'


def validate_table(df: pd.DataFrame, table: str, file: str) -> pd.DataFrame:
    """Check columns and types of one canonical table; return it with proper dtypes.

    Raises :class:`DataError` listing every problem found (up to 20 per column).
    Extra columns are dropped, so personal data a CRM export carries never
    travels further than the loader.
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
        converted, bad = _convert(raw, col.kind, col.required)
        for idx in bad.index[bad][:_MAX_LISTED]:
            problems.append(f"{_where(file, idx, name, raw.loc[idx])} {_EXPECTED[col.kind]}")
        out[name] = converted
    if problems:
        raise DataError(problems)
    return out.reset_index(drop=True)


_EXPECTED = {
    "month": "is not a month (expected YYYY-MM or YYYY-MM-DD)",
    "date": "is not a date (expected YYYY-MM-DD)",
    "number": "is not a number (use a plain number such as 1234.5: no currency signs or thousands separators)",
    "count": "is not a non-negative count (use a plain whole number such as 1234)",
    "score": "is not an NPS score (expected a whole number from 0 to 10)",
    "channel": f"is not a known channel (use one of: {', '.join(CHANNELS)}; or map it in client.yaml channel_map)",
    "text": "is empty (every row needs a value here)",
    "bool": "is not true/false",
}


def _convert(raw: pd.Series, kind: str, required: bool) -> tuple[pd.Series, pd.Series]:
    """Convert a column to its canonical dtype; return (values, mask of bad cells)."""
    present = raw.notna() & (raw.astype("string").str.strip() != "")
    if kind in ("month", "date"):
        values = pd.to_datetime(raw.where(present), errors="coerce", format="ISO8601")
        if kind == "month":
            values = values.dt.to_period("M").dt.to_timestamp()
        return values, present & values.isna()
    if kind in ("number", "count", "score"):
        values = pd.to_numeric(raw.where(present), errors="coerce").astype("float64")
        bad = present & values.isna()
        if kind == "count":
            bad |= present & (values < 0)
        if kind == "score":
            bad |= present & ((values < 0) | (values > 10) | (values % 1 != 0))
        return values, bad
    text = raw.astype("string").str.strip()
    if kind == "channel":
        return text.where(present), present & ~text.isin(CHANNELS)
    return text.where(present), (~present if required else pd.Series(False, index=raw.index))
