"""Checks across a client's tables and files, after each file has loaded on its own.

- **Names** (:func:`unify_names`): tactic names that differ only by look-alike letters (Cyrillic
  ``а`` for Latin ``a``), case or spacing are one tactic: they are merged under the spelling most
  rows use, with a warning naming each variant and its first rows.
- **Links** (:func:`check_links`): orders and won deals whose ``customer_id`` is not in customers,
  orders dated before their customer was acquired (warnings with counts and first rows); the same
  customer in two files, a reviewed year the activity does not cover, an override naming a tactic
  the data do not have (errors).

Each takes the loaded sources as ``{table: [(file label, frame)]}`` (frame index = spreadsheet
rows).
"""

from __future__ import annotations

import difflib
import unicodedata

import pandas as pd

from ..core.i18n import _
from ..core.schema import DataError, excerpt

__all__ = ["check_links", "check_overrides", "name_key", "unify_names"]

# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables for these scripts, the
# common subset).
_LOOKALIKE = str.maketrans(
    "аеорсухкмтнвіјѕԁɡһӏАВЕКМНОРСТУХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριν",
    "aeopcyxkmthbijsdghlABEKMHOPCTYXIJSABEZHIKMNOPTYXaopiv",
)
_LISTED = 5


def name_key(name: str) -> str:
    """What two spellings of one name share: look-alikes made Latin, case and spacing ignored.

    >>> name_key(" Sеarch  A") == name_key("search a")   # the first 'е' is Cyrillic
    True
    """
    text = unicodedata.normalize("NFKC", str(name)).translate(_LOOKALIKE)
    return " ".join(text.casefold().split())


def _rows(index) -> str:
    rows = [str(int(r)) for r in list(index)[:_LISTED]]
    return ", ".join(rows) + (
        f" and {len(index) - len(rows)} more" if len(index) > len(rows) else ""
    )


def _odd_letters(variant: str, canonical: str) -> str:
    odd = sorted({c for c in variant if ord(c) > 127 and c not in canonical})
    return "; ".join(f"{c!r} is {unicodedata.name(c, 'U+%04X' % ord(c)).title()}" for c in odd)


# long: the spellings of one name gathered across every table and file in one pass
def unify_names(
    parts: dict[str, list[tuple[str, pd.DataFrame]]], column: str = "tactic"
) -> list[str]:
    """Merge spellings of one name in ``column`` across every table and file (frames are changed in
    place)."""
    counts: dict[str, int] = {}
    for frames in parts.values():
        for _label, df in frames:
            if column in df:
                for name, n in df[column].dropna().value_counts().items():
                    counts[name] = counts.get(name, 0) + int(n)
    groups: dict[str, list[str]] = {}
    for name in sorted(counts, key=lambda k: (-counts[k], k)):
        groups.setdefault(name_key(name), []).append(name)
    rename = {v: names[0] for names in groups.values() if len(names) > 1 for v in names[1:]}
    if not rename:
        return []
    warnings = []
    for variant, canonical in rename.items():
        where = []
        for frames in parts.values():
            for label, df in frames:
                if column in df:
                    hit = df[column].eq(variant).fillna(False).to_numpy(dtype=bool)
                    if hit.any():
                        where.append(
                            _("{file} rows {rows}").format(file=label, rows=_rows(df.index[hit]))
                        )
                        df.loc[hit, column] = canonical
        odd = _odd_letters(variant, canonical)
        warnings.append(
            _(
                "{column} {variant} ({n} rows: {where}) differs from {canonical} ({m} rows) "
                "only by "
                "look-alike letters, case or spacing{letters}: read as {canonical}; correct the "
                "spelling at "
                "the source"
            ).format(
                column=column,
                variant=excerpt(variant),
                n=counts[variant],
                where="; ".join(where),
                canonical=excerpt(canonical),
                m=counts[canonical],
                letters=f" ({odd})" if odd else "",
            )
        )
    return warnings


def _stack(parts, table: str, columns: tuple[str, ...]) -> pd.DataFrame | None:
    """The ``columns`` of every source of ``table``, with each row's file and spreadsheet row."""
    frames = [
        df[[c for c in columns if c in df]].assign(_file=label, _row=df.index)
        for label, df in parts.get(table, [])
    ]
    return pd.concat(frames, ignore_index=True) if frames else None


def _first(df: pd.DataFrame, mask: pd.Series) -> str:
    hit = df[mask.to_numpy(dtype=bool)]
    by_file = [
        _("{file} rows {rows}").format(file=file, rows=_rows(g["_row"]))
        for file, g in hit.groupby("_file", sort=False)
    ]
    return "; ".join(by_file)


def check_links(
    parts: dict[str, list[tuple[str, pd.DataFrame]]], cfg
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the checks across tables and files (see the module docstring)."""
    errors: list[str] = []
    warnings: list[str] = []
    customers = _stack(parts, "customers", ("customer_id", "acquired"))
    if customers is not None:
        dup = customers["customer_id"].duplicated(keep=False) & customers["customer_id"].notna()
        if dup.any() and customers.loc[dup, "_file"].nunique() > 1:
            errors.append(
                f"customers: {int(dup.sum())} rows share a customer_id across files "
                f"({_first(customers, dup)}; "
                f"e.g. {excerpt(customers.loc[dup, 'customer_id'].iloc[0])}); each customer must "
                "appear "
                f"once: keep one row per customer"
            )
        orders = _stack(parts, "orders", ("customer_id", "date"))
        if orders is not None:
            warnings += _order_links(orders, customers)
        deals = _stack(parts, "deals", ("customer_id", "status"))
        if deals is not None and "customer_id" in deals:
            warnings += _deal_links(deals, set(customers["customer_id"].dropna()))
    activity = _stack(parts, "activity", ("period", "channel", "tactic"))
    if activity is not None:
        errors += _year_covered(activity, cfg.year)
        errors += check_overrides(cfg, activity)
    return errors, warnings


def _order_links(orders: pd.DataFrame, customers: pd.DataFrame) -> list[str]:
    """Orders of customers the customers table does not hold, and orders dated before the
    acquisition."""
    out = []
    acquired = customers.drop_duplicates("customer_id").set_index("customer_id")["acquired"]
    unknown = orders["customer_id"].notna() & ~orders["customer_id"].isin(
        set(customers["customer_id"].dropna())
    )
    if unknown.any():
        out.append(
            _(
                "orders: {n} order(s) name a customer_id that is not in customers ({rows}; e.g. "
                "{example}): they count in revenue but not in customer KPIs (lifetime value, "
                "cohorts); add the customers or correct the ids"
            ).format(
                n=int(unknown.sum()),
                rows=_first(orders, unknown),
                example=excerpt(orders.loc[unknown, "customer_id"].iloc[0]),
            )
        )
    early = (orders["date"] < orders["customer_id"].map(acquired)).fillna(False)
    if early.any():
        o = orders[early.to_numpy(dtype=bool)].iloc[0]
        out.append(
            _(
                "orders: {n} order(s) are dated before their customer was acquired ({rows}; e.g. "
                "customer {customer} ordered on {ordered}, acquired {acquired}); check the "
                "acquisition dates in customers"
            ).format(
                n=int(early.sum()),
                rows=_first(orders, early),
                customer=excerpt(o["customer_id"]),
                ordered=f"{o['date']:%Y-%m-%d}",
                acquired=f"{acquired[o['customer_id']]:%Y-%m-%d}",
            )
        )
    return out


def _deal_links(deals: pd.DataFrame, known: set) -> list[str]:
    """Won deals naming a customer the customers table does not hold."""
    won = (deals["status"] == "won").fillna(False)
    unknown = won & deals["customer_id"].notna() & ~deals["customer_id"].isin(known)
    if not unknown.any():
        return []
    return [
        _(
            "deals: {n} won deal(s) name a customer_id that is not in customers ({rows}; "
            "e.g. {example}); add the customers or correct the ids"
        ).format(
            n=int(unknown.sum()),
            rows=_first(deals, unknown),
            example=excerpt(deals.loc[unknown, "customer_id"].iloc[0]),
        )
    ]


def _year_covered(activity: pd.DataFrame, year: int) -> list[str]:
    periods = activity["period"].dropna()
    if periods.empty or (periods.dt.year == year).any():
        return []
    files = ", ".join(dict.fromkeys(activity["_file"]))
    return [
        f"activity ({files}): no rows in the reviewed year {year} (the rows run from "
        f"{periods.min():%Y-%m} to "
        f"{periods.max():%Y-%m}); set `year:` in client.yaml (or pass --year to run), or add that "
        "year's data"
    ]


def check_overrides(cfg, activity: pd.DataFrame) -> list[str]:
    """An override must name a channel and tactic present in activity (else it would silently do
    nothing)."""
    problems = []
    for i, ov in enumerate(cfg.overrides):
        tactics = sorted(
            set(activity.loc[(activity["channel"] == ov.channel).fillna(False), "tactic"].dropna())
        )
        if ov.tactic not in tactics:
            near = difflib.get_close_matches(ov.tactic, tactics, n=1)
            problems.append(
                f"client.yaml, field overrides.{i}: no tactic {excerpt(ov.tactic)} under channel "
                f"{ov.channel!r} in activity"
                + (
                    f"; did you mean {near[0]!r}?"
                    if near
                    else f" (its tactics: {excerpt(', '.join(tactics), 120)})"
                    if tactics
                    else " (the channel has no rows)"
                )
                + "; correct the override or remove it"
            )
    return problems


def raise_for_overrides(cfg, activity: pd.DataFrame) -> None:
    """:func:`check_overrides` as an exception (for a review built from hand-made tables)."""
    if problems := check_overrides(cfg, activity):
        raise DataError(problems)
