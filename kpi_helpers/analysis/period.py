"""The reviewed period: a whole year, or its first months compared like for like with last year's.

When the reviewed year's data end before December (an export taken in July), or the user passes
``--as-of YYYY-MM-DD``, the review covers January to the last complete month and compares it with
the same months of last year: every table is cut at that month in both years before anything is
summed, so every number of the report (headline, scorecard, tests, decisions, targets) is like for
like. Targets given as an absolute value for a count or money KPI are judged pro rata
(months / 12); rates and targets set as a change on last year need no scaling.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from ..core import i18n
from ..core.i18n import _
from ..loaders import ClientData
from ..core.schema import DATE_COLUMNS, DataError

__all__ = ["ReviewPeriod", "review_period", "restrict", "to_fiscal", "first_month"]


@dataclass(frozen=True)
class ReviewPeriod:
    """``year`` reviewed from its first month to its ``last_month`` (12: the whole year); ``as_of``
    when
    given. Months are counted in the review's year: with ``first_month`` 4 (a fiscal year from
    April),
    month 1 is April of ``year`` and month 12 March of ``year + 1``."""

    year: int
    last_month: int = 12
    as_of: dt.date | None = None
    first_month: int = 1

    def real_month(self, month: int, year: int | None = None) -> tuple[int, int]:
        """(calendar year, calendar month) of month ``month`` (1-12) of the review's ``year``."""
        year = self.year if year is None else year
        index = (month - 1) + (self.first_month - 1)
        return year + index // 12, index % 12 + 1

    @property
    def partial(self) -> bool:
        return self.last_month < 12

    @property
    def fraction(self) -> float:
        """Share of a year the period covers (for pro-rata targets)."""
        return self.last_month / 12

    def label(self, year: int | None = None) -> str:
        """ "2025", "January–June 2025" for a part year, "April 2025 – March 2026" for a fiscal
        year, in the
        report language and calendar."""
        year = self.year if year is None else year
        (y1, m1), (y2, m2) = self.real_month(1, year), self.real_month(self.last_month, year)
        if not self.partial and self.first_month == 1:
            return i18n.digits(str(year))
        if (
            i18n.calendar() == "solar_hijri"
        ):  # Gregorian months do not match Solar Hijri ones: give the dates
            end = dt.date(y2, m2, calendar.monthrange(y2, m2)[1])
            return _("{first} – {last}").format(
                first=i18n.date_text(dt.date(y1, m1, 1)), last=i18n.date_text(end)
            )
        if y1 == y2:
            return _("{first}–{last} {year}").format(
                first=i18n.month_name(m1, y1),
                last=i18n.month_name(m2, y2),
                year=i18n.digits(str(y1)),
            )
        return _("{first} {first_year} – {last} {last_year}").format(
            first=i18n.month_name(m1, y1),
            first_year=i18n.digits(str(y1)),
            last=i18n.month_name(m2, y2),
            last_year=i18n.digits(str(y2)),
        )

    def comparison(self) -> str:
        """ "January–June 2025 against January–June 2024" (the first screen's statement of the
        period)."""
        return _("{period} against {previous}").format(
            period=self.label(), previous=self.label(self.year - 1)
        )


def first_month(fiscal_year_start: str) -> int:
    """The month a fiscal year starts in, from ``client.yaml``'s ``fiscal_year_start`` ("MM-01")."""
    return int(fiscal_year_start.split("-")[0])


def to_fiscal(data: ClientData, first: int) -> ClientData:
    """The client's tables with every date moved back ``first - 1`` months, so that the fiscal year
    that
    starts in month ``first`` of year Y is calendar year Y for the rest of the review (whose every
    grouping is by calendar year and month); labels move them forward again
    (:meth:`ReviewPeriod.label`,
    :func:`kpi_helpers.analysis.annual.build_review`). A deal's sales cycle is measured before the
    move, so that
    months of different lengths do not change it."""
    if first == 1:
        return data
    offset = pd.DateOffset(months=first - 1)
    tables = {}
    for name, df in data.tables.items():
        df = df.copy()
        if name == "deals" and "closed" in df:
            df["sales_cycle_days"] = (df["closed"] - df["created"]).dt.days
        for col in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[col]):
                df[col] = df[col] - offset
        tables[name] = df
    return replace(data, tables=tables)


def _last_month_with_data(data: ClientData, year: int) -> int:
    last = 0
    for name, col in DATE_COLUMNS.items():
        t = data.tables.get(name)
        if t is not None and len(t):
            d = t[col]
            in_year = d[d.dt.year == year]
            if len(in_year):
                last = max(last, int(in_year.dt.month.max()))
    return last or 12


def review_period(
    data: ClientData, year: int, as_of: str | dt.date | None = None, *, first_month: int = 1
) -> ReviewPeriod:
    """The period to review: up to ``as_of`` (its month counts when ``as_of`` is its last day), else
    up to
    the last month of ``year`` that any table has rows in.

    >>> from types import SimpleNamespace
    >>> dates = pd.to_datetime(["2024-03-02", "2025-06-30"])
    >>> d = SimpleNamespace(tables={"orders": pd.DataFrame({"date": dates})})
    >>> review_period(d, 2025).last_month
    6
    >>> (review_period(d, 2025, "2025-04-15").last_month,
    ...  review_period(d, 2025, "2025-04-30").last_month)
    (3, 4)
    """
    if as_of is None:
        return ReviewPeriod(year, _last_month_with_data(data, year), first_month=first_month)
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    # the as-of date in the review's months (data already shifted to the fiscal year, see to_fiscal)
    shifted = (pd.Timestamp(as_of) - pd.DateOffset(months=first_month - 1)).date()
    if shifted.year > year:
        return ReviewPeriod(year, 12, as_of, first_month)
    whole = as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]
    month = shifted.month if whole else shifted.month - 1
    if shifted.year < year or month < 1:
        y, m = ReviewPeriod(year, first_month=first_month).real_month(1)
        raise DataError(
            f"--as-of {as_of.isoformat()} leaves no complete month of the reviewed year {year}: "
            f"give a date at or after the end of its first month ({y}-{m:02d}), or review an "
            "earlier "
            f"year with --year"
        )
    return ReviewPeriod(year, month, as_of, first_month)


def restrict(data: ClientData, period: ReviewPeriod) -> ClientData:
    """The client's tables cut like for like: rows after ``last_month`` of the reviewed year and of
    the
    year before are left out, as are rows after the reviewed year; earlier history stays
    (cohorts)."""
    if not period.partial and period.as_of is None:
        return data
    tables = {}
    for name, df in data.tables.items():
        d = df[DATE_COLUMNS[name]]
        y, m = d.dt.year, d.dt.month
        late = ((y == period.year) | (y == period.year - 1)) & (m > period.last_month) | (
            y > period.year
        )
        tables[name] = df[~late.fillna(False)].reset_index(drop=True)
    notes = list(data.warnings)
    if period.partial:
        notes.insert(
            0,
            _(
                "Part year: {comparison}. Every table is cut after {month} in both years so that "
                "the "
                "comparison is like for like; absolute targets for counts and money are judged pro "
                "rata "
                "({months}/12)."
            ).format(
                comparison=period.comparison(),
                month=i18n.month_name(period.real_month(period.last_month)[1]),
                months=i18n.digits(str(period.last_month)),
            ),
        )
    return replace(data, tables=tables, warnings=notes)
