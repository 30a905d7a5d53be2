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

from . import i18n
from .i18n import _
from .loaders import ClientData
from .schema import DATE_COLUMNS, DataError

__all__ = ["ReviewPeriod", "review_period", "restrict"]


@dataclass(frozen=True)
class ReviewPeriod:
    """``year`` reviewed from January to ``last_month`` (12: the whole year); ``as_of`` when given."""

    year: int
    last_month: int = 12
    as_of: dt.date | None = None

    @property
    def partial(self) -> bool:
        return self.last_month < 12

    @property
    def fraction(self) -> float:
        """Share of a year the period covers (for pro-rata targets)."""
        return self.last_month / 12

    def label(self, year: int | None = None) -> str:
        """"2025", or "January–June 2025" for a part year, in the report language and calendar."""
        year = self.year if year is None else year
        if not self.partial:
            return i18n.digits(str(year))
        return _("{first}–{last} {year}").format(first=i18n.month_name(1, year), last=i18n.month_name(self.last_month, year),
                                                year=i18n.digits(str(year)))

    def comparison(self) -> str:
        """"January–June 2025 against January–June 2024" (the first screen's statement of the period)."""
        return _("{period} against {previous}").format(period=self.label(), previous=self.label(self.year - 1))


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


def review_period(data: ClientData, year: int, as_of: str | dt.date | None = None) -> ReviewPeriod:
    """The period to review: up to ``as_of`` (its month counts when ``as_of`` is its last day), else up to
    the last month of ``year`` that any table has rows in.

    >>> from types import SimpleNamespace
    >>> d = SimpleNamespace(tables={"orders": pd.DataFrame({"date": pd.to_datetime(["2024-03-02", "2025-06-30"])})})
    >>> review_period(d, 2025).last_month
    6
    >>> review_period(d, 2025, "2025-04-15").last_month, review_period(d, 2025, "2025-04-30").last_month
    (3, 4)
    """
    if as_of is None:
        return ReviewPeriod(year, _last_month_with_data(data, year))
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if as_of.year > year:
        return ReviewPeriod(year, 12, as_of)
    month = as_of.month if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1] else as_of.month - 1
    if as_of.year < year or month < 1:
        raise DataError(f"--as-of {as_of.isoformat()} leaves no complete month of the reviewed year {year}: "
                        f"give a date at or after {year}-01-31, or review an earlier year with --year")
    return ReviewPeriod(year, month, as_of)


def restrict(data: ClientData, period: ReviewPeriod) -> ClientData:
    """The client's tables cut like for like: rows after ``last_month`` of the reviewed year and of the
    year before are left out, as are rows after the reviewed year; earlier history stays (cohorts)."""
    if not period.partial and period.as_of is None:
        return data
    tables = {}
    for name, df in data.tables.items():
        d = df[DATE_COLUMNS[name]]
        y, m = d.dt.year, d.dt.month
        late = ((y == period.year) | (y == period.year - 1)) & (m > period.last_month) | (y > period.year)
        tables[name] = df[~late.fillna(False)].reset_index(drop=True)
    notes = list(data.warnings)
    if period.partial:
        notes.insert(0, _("Part year: {comparison}. Every table is cut after {month} in both years so that the "
                          "comparison is like for like; absolute targets for counts and money are judged pro rata "
                          "({months}/12).").format(comparison=period.comparison(),
                                                   month=i18n.month_name(period.last_month, period.year),
                                                   months=i18n.digits(str(period.last_month))))
    return replace(data, tables=tables, warnings=notes)
