"""Consistency checks on validated canonical tables, beyond column types.

Row level (one source): funnel inversions (SQL above MQL above leads, customers
above leads, bounces above visits ...), deals won at a stage other than won,
deals closed before they were created, negative order amounts (refunds).
Table level (every source of a table stacked): months of the reviewed year with no
rows, rows dated outside the review's two years, ids used twice across files.

Each returns ``(errors, warnings)``: lists of strings naming file, spreadsheet row
and column.
"""

from __future__ import annotations

import pandas as pd

from ..core.i18n import _
from ..core.schema import DATE_COLUMNS, excerpt

__all__ = ["FUNNEL_PAIRS", "check_rows", "check_table"]

#: (smaller, larger) activity columns: a row where the first exceeds the second is inconsistent.
FUNNEL_PAIRS = (
    ("mql", "leads"),
    ("sql", "mql"),
    ("sql", "leads"),
    ("opportunities", "sql"),
    ("customers", "leads"),
    ("bounces", "visits"),
    ("engaged_visits", "visits"),
    ("new_visitors", "visitors"),
    ("clicks", "impressions"),
    ("opens", "sends"),
)
_LISTED = 5


def _rows(mask: pd.Series) -> str:
    rows = [str(int(r)) for r in mask.index[mask.to_numpy()][:_LISTED]]
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def check_rows(
    df: pd.DataFrame, table: str, label: str, *, ids_unique: bool = False
) -> tuple[list[str], list[str]]:
    """Row-level consistency of one source's table (index = spreadsheet rows).

    ``ids_unique`` tells that the caller already found every id distinct.

    >>> df = pd.DataFrame({"leads": [10.0, 5.0], "mql": [4.0, 6.0]}, index=[2, 3])
    >>> print(*check_rows(df, "activity", "a.csv")[1])  # doctest: +NORMALIZE_WHITESPACE
    a.csv: mql exceeds leads in 1 row(s) (rows 3): a funnel stage cannot hold more than the one
    before it;
    check the export or its date ranges
    """
    errors: list[str] = []
    warnings: list[str] = []
    if table == "activity":
        _funnel_order(df, label, warnings)
    if table == "deals":
        _deal_rows(df, label, errors, warnings)
    if not ids_unique:
        _duplicate_ids(df, table, label, errors, warnings)
    if table == "orders":
        neg = (df["amount"] < 0).fillna(False)
        if neg.any():
            warnings.append(
                _(
                    "{file}: {n} order(s) with a negative amount ({rows}), read as refunds that "
                    "reduce "
                    "revenue"
                ).format(file=label, n=int(neg.sum()), rows=_rows(neg))
            )
    return errors, warnings


def _funnel_order(df: pd.DataFrame, label: str, warnings: list[str]) -> None:
    """A later funnel stage larger than the one before it, in any row."""
    for small, large in FUNNEL_PAIRS:
        if small in df and large in df:
            bad = (df[small] > df[large]).fillna(False)
            if bad.any():
                warnings.append(
                    _(
                        "{file}: {small} exceeds {large} in {n} row(s) (rows {rows}): a funnel "
                        "stage "
                        "cannot hold more than the one before it; check the export or its date "
                        "ranges"
                    ).format(
                        file=label, small=small, large=large, n=int(bad.sum()), rows=_rows(bad)
                    )
                )


def _deal_rows(df: pd.DataFrame, label: str, errors: list[str], warnings: list[str]) -> None:
    """Stage and status that disagree; deals closed before they were created."""
    won = (df["status"] == "won").fillna(False)
    stage_won = (df["stage"] == "won").fillna(False)
    bad = won != stage_won
    if bad.any():
        errors.append(
            f'{label}, column "stage"/"status": stage and status disagree in {int(bad.sum())} '
            "row(s) "
            f"({_rows(bad)}): a won deal has stage won and status won; correct the rows or the "
            f"stage_map"
        )
    if "closed" in df:
        early = (df["closed"] < df["created"]).fillna(False)
        if early.any():
            warnings.append(
                _(
                    "{file}: {n} deal(s) closed before they were created ({rows}); their sales "
                    "cycle is left out"
                ).format(file=label, n=int(early.sum()), rows=_rows(early))
            )


def _duplicate_ids(
    df: pd.DataFrame, table: str, label: str, errors: list[str], warnings: list[str]
) -> None:
    """Ids that appear twice: an error for deals and customers, lines of one order, or separate
    responses."""
    id_col, severe = {
        "deals": ("deal_id", True),
        "customers": ("customer_id", True),
        "orders": ("order_id", False),
        "survey": ("respondent_id", False),
    }.get(table, (None, False))
    if id_col is None:
        return
    dup = df[id_col].duplicated(keep=False) & df[id_col].notna()
    if not dup.any():
        return
    msg = (
        f'{label}, column "{id_col}": {int(dup.sum())} rows share an id with another row '
        f"({_rows(dup)}; "
        f"e.g. {excerpt(df.loc[dup, id_col].iloc[0])})"
    )
    if severe:
        errors.append(msg + f"; each {id_col} must appear once: merge or correct the rows")
    else:
        warnings.append(
            _(
                '{file}, column "{column}": {n} rows share an id with another row ({rows}); '
                "{treatment}"
            ).format(
                file=label,
                column=id_col,
                n=int(dup.sum()),
                rows=_rows(dup),
                treatment=_("read as lines of one order")
                if table == "orders"
                else _("each row is counted as a response"),
            )
        )


# long: the table-level checks in the order validate lists them, each a short message
def check_table(
    df: pd.DataFrame, table: str, year: int, sources: list[str], *, first_month: int = 1
) -> tuple[list[str], list[str]]:
    """Table-level checks on every source of one table stacked (``sources``: their file names).

    ``first_month`` > 1: the reviewed year is a fiscal year from that month of ``year`` (its months
    and
    the two years compared are counted so).

    >>> df = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-03-01", "2023-05-01"])})
    >>> check_table(df, "activity", 2025, ["a.csv"])[1][0][:59]
    'activity (a.csv): no rows for 10 month(s) of 2025: 2025-02,'
    """
    errors: list[str] = []
    warnings: list[str] = []
    where = f"{table} ({', '.join(sources)})"
    date = df[DATE_COLUMNS[table]]
    months = pd.date_range(pd.Timestamp(year, first_month, 1), periods=12, freq="MS").strftime(
        "%Y-%m"
    )
    name = (lambda y: str(y)) if first_month == 1 else (lambda y: f"{y}/{(y + 1) % 100:02d}")  # noqa: E731
    if table in ("activity", "costs"):
        have = set(date.dropna().dt.strftime("%Y-%m"))
        missing = [m for m in months if m not in have]
        if missing:
            warnings.append(
                _(
                    "{where}: no rows for {n} month(s) of {year}: {months}; KPIs of the year leave "
                    "those "
                    "months out"
                ).format(where=where, n=len(missing), year=name(year), months=", ".join(missing))
            )
    review_year = (
        (date - pd.DateOffset(months=first_month - 1)).dt.year if first_month > 1 else date.dt.year
    )
    if table in ("activity", "costs", "deals", "survey"):
        outside = ((review_year < year - 1) | (review_year > year)).fillna(False)
    # orders and customers keep their history (cohorts, lifetime value); only the future is odd
    else:
        outside = (review_year > year).fillna(False)
    if outside.any():
        warnings.append(
            _(
                "{where}: {n} row(s) dated outside {prev}-{year} ({first} to {last}); they are "
                "kept, but "
                "the review compares only {prev} and {year}"
            ).format(
                where=where,
                n=int(outside.sum()),
                prev=name(year - 1),
                year=name(year),
                first=f"{date[outside].min():%Y-%m-%d}",
                last=f"{date[outside].max():%Y-%m-%d}",
            )
        )
    ids = {"deals": "deal_id", "orders": "order_id", "survey": "respondent_id"}.get(table)
    if ids and len(sources) > 1:
        dup = df[ids].duplicated(keep=False) & df[ids].notna()
        if dup.any():
            errors.append(
                f"{where}: {int(dup.sum())} rows share a {ids} across files (e.g. "
                f"{excerpt(df.loc[dup, ids].iloc[0])}); each {ids} must appear once"
            )
    return errors, warnings
