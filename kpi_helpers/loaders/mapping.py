"""Which export column feeds which canonical column, and which rows are not data.

Used by :mod:`kpi_helpers.loaders.generic` for every source: a canonical file (its
headers are the canonical names), a preset (the platform's aliases), or a hand-made
``columns:`` map in ``client.yaml``, in that order of precedence.
"""

from __future__ import annotations

import difflib
import math
import re

import pandas as pd

from ..core.i18n import _
from ..core.schema import TABLES
from .presets import EXTRA_COLUMNS, Preset, header_currency, normalise_header

__all__ = ["Resolver", "duplicate_rows", "non_data_rows"]


class Resolver:
    """Map an export's headers onto target columns for one source.

    Parameters
    ----------
    table : str
        The canonical table the source feeds.
    columns : dict
        The source's ``columns:`` map (export header -> target), first in precedence.
    preset : Preset or None
        The source's preset, second in precedence.

    Examples
    --------
    >>> r = Resolver("activity", {"Kanal": "channel"}, None)
    >>> r.target("Kanal"), r.target(" Period "), r.target("e-mail")
    ('channel', 'period', None)
    """

    def __init__(self, table: str, columns: dict[str, str], preset: Preset | None):
        self.table, self.preset = table, preset
        self.user = {normalise_header(k): v for k, v in columns.items()}
        self.canonical = {normalise_header(c): c for c in (*TABLES[table], *EXTRA_COLUMNS)}

    def target(self, header) -> str | None:
        return self._resolve(header)[0]

    def _resolve(self, header) -> tuple[str | None, tuple]:
        """(target, precedence key: lower wins when two headers feed one target)."""
        norm = normalise_header(header)
        if norm in self.user:
            return self.user[norm], (0, 0)
        if self.preset is not None:
            for target, aliases in self.preset.columns.items():
                for rank, alias in enumerate(aliases):
                    hit = (
                        re.search(alias[3:], norm)
                        if alias.startswith("re:")
                        else normalise_header(alias) == norm
                    )
                    if hit:
                        return target, (1, rank)
        if norm in self.canonical:
            return self.canonical[norm], (2, 0)
        return None, (9, 0)

    def mapping(self, headers) -> tuple[dict[str, str], dict[str, str | None], list[str]]:
        """(header -> target for the headers used, target -> currency named in its header,
        notes)."""
        best: dict[str, tuple] = {}
        notes = []
        for pos, h in enumerate(headers):
            target, key = self._resolve(h)
            if target is None:
                continue
            if target in best:
                kept = min(best[target], (key, pos, h))
                dropped = max(best[target], (key, pos, h))
                notes.append(
                    _(
                        "columns {kept} and {dropped} both map onto {target}: {kept} is used (map "
                        "the "
                        "other in `columns:` to choose)"
                    ).format(kept=repr(kept[2]), dropped=repr(dropped[2]), target=repr(target))
                )
                best[target] = kept
            else:
                best[target] = (key, pos, h)
        mapping = {h: t for t, (_, _, h) in sorted(best.items(), key=lambda kv: kv[1][1])}
        currencies = {t: header_currency(h)[1] for h, t in mapping.items()}
        return mapping, currencies, notes

    def suggest(self, missing: list[str], headers) -> str:
        """A hint naming headers that look like misspellings of the missing columns.

        >>> Resolver("activity", {}, None).suggest(["channel"], ["period", "chanel", "tactic"])
        " Misspelt? 'chanel' looks like 'channel' (map it: columns: {'chanel': channel})."
        """
        by_norm = {normalise_header(h): h for h in headers if self.target(h) is None}
        pairs = {}
        for col in missing:
            aliases = self.preset.columns.get(col, ()) if self.preset else ()
            for name in (col, *(a for a in aliases if not a.startswith("re:"))):
                close = difflib.get_close_matches(
                    normalise_header(name), list(by_norm), n=1, cutoff=0.75
                )
                if close:
                    pairs[col] = by_norm[close[0]]
                    break
        if not pairs:
            return ""
        return (
            " Misspelt? "
            + "; ".join(f"{h!r} looks like {c!r}" for c, h in pairs.items())
            + " (map it: columns: {"
            + ", ".join(f"{h!r}: {c}" for c, h in pairs.items())
            + "})."
        )


_TOTALS = re.compile(
    r"^(итого|итог|всего|total|totals|grand total|sum|summe|сумма|всего по|total rows)\b|^total:",
    re.IGNORECASE,
)


def _first_text(row: pd.Series) -> str:
    for v in row:
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip():
            return str(v).strip()
    return ""


def non_data_rows(
    raw: pd.DataFrame, blank: pd.Series, label_cols: list[str], *, lenient: bool
) -> dict[int, str]:
    """Rows that are not data: blank rows, a second block after a ``#`` line, footers, totals,
    repeated headers. Returns {sheet row: reason}.

    Only the first three and last twelve rows are searched for totals, summaries and
    footers (where exports put them), so a million-row file costs nothing extra.
    ``lenient`` (preset and mapped sources) also drops a first or last row whose label
    columns are all empty (a summary row, e.g. Meta Ads Manager's).
    """
    dropped = {int(r): "blank row" for r in raw.index[blank.to_numpy()]}
    idx = raw.index[~blank.to_numpy()]
    if len(idx) == 0:
        return dropped
    edge = list(dict.fromkeys([*idx[:3], *idx[-12:]]))
    _second_block(raw, idx, edge, dropped)
    _footer(raw, idx, dropped)
    header = [normalise_header(c) for c in raw.columns]
    for r in edge:
        if r in dropped:
            continue
        row = raw.loc[r]
        text = _first_text(row)
        if _TOTALS.match(text):
            dropped[int(r)] = f"totals row ({text[:40]!r})"
        elif [normalise_header(v) if not _is_blank_cell(v) else "" for v in row] == header:
            dropped[int(r)] = "repeated header row"
        elif (
            lenient
            and label_cols
            and (r == idx[0] or r == idx[-1])
            and all(_is_blank_cell(row[c]) for c in label_cols)
        ):
            dropped[int(r)] = "summary row (no label in " + ", ".join(map(repr, label_cols)) + ")"
    return dropped


def _second_block(raw: pd.DataFrame, idx: pd.Index, edge: list, dropped: dict[int, str]) -> None:
    """Rows from a ``#`` line near the top or bottom on: a second block below the table."""
    first_col = raw.columns[0]
    if not (raw[first_col].dtype == object or pd.api.types.is_string_dtype(raw[first_col].dtype)):
        return
    hashes = raw.loc[edge, first_col].astype(str).str.lstrip().str.startswith("#")
    if hashes.any():
        start = hashes.index[hashes.to_numpy()][0]
        if start != idx[0]:
            for r in idx[idx >= start]:
                dropped[int(r)] = "below the table (a second block after a '#' comment line)"


def _footer(raw: pd.DataFrame, idx: pd.Index, dropped: dict[int, str]) -> None:
    """Trailing rows with at most one filled cell (copyright lines, "Total rows: N", "Generated
    by")."""
    for r in reversed(idx):
        if r in dropped:
            continue
        filled = int((~raw.loc[r].map(_is_blank_cell)).sum())
        if filled > 1 or len(raw.columns) <= 2:
            break
        dropped[int(r)] = "footer below the table"


def _is_blank_cell(v) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


class _Duplicates(dict):
    """{sheet row: the earlier row it copies}; ``ids_unique`` says no id was seen twice."""

    ids_unique = False


def duplicate_rows(raw: pd.DataFrame, id_col: str | None) -> _Duplicates:
    """Rows that repeat an earlier row cell for cell: {sheet row: the earlier row it copies}.

    With an id column only rows sharing an id are compared, which keeps a
    five-million-row orders file fast.
    """
    found = _Duplicates()
    if len(raw) < 2:
        found.ids_unique = True
        return found
    if id_col is not None:
        shared = raw[id_col].duplicated(keep=False).to_numpy()
        found.ids_unique = not shared.any()
        cand = raw[shared]
    else:
        cand = raw
    if cand.empty:
        return found
    key = cand.astype(str)
    dup = key.duplicated(keep="first")
    if not dup.any():
        return found
    first = key.drop_duplicates(keep="first")
    lookup = {tuple(v): int(i) for i, v in zip(first.index, first.itertuples(index=False))}
    found.update(
        {
            int(i): lookup[tuple(v)]
            for i, v in zip(key.index[dup.to_numpy()], key[dup.to_numpy()].itertuples(index=False))
        }
    )
    return found
