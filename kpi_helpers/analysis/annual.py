"""The annual review: every table behind the report, computed once from one client."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import customers as customers_mod
from . import plan, review
from .allocation import allocate_costs
from ..metrics import stats
from .budget import propose_budget
from ..core import i18n
from ..metrics.catalog import REGISTRY, glossary, headline_kpis, scorecard_kpis
from ..core.i18n import N_, _
from .comparisons import (
    channel_rate_ci,
    compare_channels,
    compare_order_values,
    compare_tactics,
    funnel_quality_notes,
    stages_by_construction,
)
from .decisions import decide
from .forecast import forecast_section
from .targets import propose_targets
from . import previous as previous_mod
from ..loaders.config import branding, load_config
from ..loaders import ClientData, load_client
from .period import ReviewPeriod, first_month, restrict, review_period, to_fiscal
from .narrative import flag_text
from .plausibility import flag_scorecard
from ..loaders.integrity import raise_for_overrides
from ..core.schema import DataError
from ..core.vocab import ALL_CHANNELS, DECISIONS, Level

__all__ = ["AnnualReview", "build_review", "HEADLINE_KPIS", "SCORECARD_KPIS"]

#: The headline KPIs on the report's first screen, in order (registry entries with ``headline=``).
HEADLINE_KPIS = headline_kpis()
#: The KPIs of the scorecard table, in order (registry entries with ``scorecard=``; those the
#: client's data supports are shown). Read once at import: the review itself asks the registry each
#: time.
SCORECARD_KPIS = scorecard_kpis()


@dataclass
class AnnualReview:
    """Every table behind one client's report, computed once by :func:`build_review`.

    Each attribute names the function that built it, so a number the notebook shows is two hops from
    its
    code: the ``show`` call reads an attribute, and the attribute's builder (or, for a KPI column,
    the
    registry entry, :data:`kpi_helpers.metrics.catalog.REGISTRY`, ``kpi-review kpis``) names the
    function.
    """

    data: ClientData
    year: int
    run_date: dt.date
    period: ReviewPeriod  # period.review_period
    #: review.scorecard: year x channel x tactic; each KPI column is REGISTRY[kpi].compute on the
    #: summed totals (catalog.add_kpis), e.g. cac = metrics.kpis.cac(cost, customers)
    scorecard: pd.DataFrame
    yoy: pd.DataFrame  # review.year_over_year
    plan: pd.DataFrame  # plan.plan_vs_actual
    funnel: pd.DataFrame  # review.funnel (kpis.stage_conversion)
    trend: pd.DataFrame  # review.monthly_trend
    #: comparisons.compare_tactics: the decision ROI (comparisons.acquisition_basis -> kpis.roi) and
    #: payback (kpis.cac_payback), with their intervals (stats_money)
    comparisons: pd.DataFrame
    channel_rates: pd.DataFrame  # comparisons.channel_rate_ci
    channel_pairs: pd.DataFrame  # comparisons.compare_channels
    order_values: stats.MeanComparison | None  # comparisons.compare_order_values
    decisions: (
        pd.DataFrame
    )  # decisions.decide, on the scorecard and rv.comparisons (its roi column)
    devices: pd.DataFrame  # review.device_mix
    customers: dict[str, pd.DataFrame]  # customer_section (customers.py; NPS by stats.nps_ci)
    budget: pd.DataFrame  # budget.propose_budget
    availability: pd.DataFrame  # availability (KPI.inputs of the registry)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)  # plausibility.flag_scorecard
    data_quality: list[str] = field(default_factory=list)
    forecast: pd.DataFrame = field(default_factory=pd.DataFrame)  # forecast.forecast_section
    forecast_monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    next_targets: pd.DataFrame = field(default_factory=pd.DataFrame)  # targets.propose_targets
    previous: previous_mod.PreviousReview | None = None  # previous.load: last year's calls, or None
    previous_checks: pd.DataFrame = field(default_factory=pd.DataFrame)  # previous.check_decisions
    #: The language and calendar the review was built in; every text it produces later comes in it
    #: too.
    text_context: i18n.TextContext = field(default_factory=i18n.TextContext)

    @property
    def config(self):
        return self.data.config

    @property
    def kpi_ids(self) -> list[str]:
        """Scorecard KPIs this client's data supports, in report order."""
        return [k for k in scorecard_kpis() if k in self.scorecard]

    @property
    def glossary_ids(self) -> list[str]:
        """The glossary's KPIs: the scorecard's, plus the acquisition-date count when the retention
        or cohort
        tables (which use it) are shown, so that both meanings of a new customer are defined."""
        extra = (
            ["customers_acquired"]
            if {"retention", "cohorts", "cohort_ltv"} & set(self.customers)
            else []
        )
        return self.kpi_ids + extra

    def portfolio(self, year: int | None = None) -> pd.Series:
        sc = self.scorecard
        return sc[(sc["level"] == Level.PORTFOLIO) & (sc["year"] == (year or self.year))].iloc[0]

    def scorecard_export(self) -> pd.DataFrame:
        """``scorecard.csv``: year, channel, tactic, then KPI ids; rates as fractions."""
        return self.scorecard[["year", "channel", "tactic", *self.kpi_ids]]

    @i18n.in_review_context
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table behind the report, one xlsx sheet each."""
        return {
            "scorecard": self.scorecard_export(),
            "year_over_year": self.yoy,
            "plan_vs_actual": self.plan,
            "funnel": self.funnel,
            "monthly_trend": self.trend,
            "decisions": self.decisions,
            "tactic_comparisons": self.comparisons,
            "channel_rates": self.channel_rates,
            "channel_pairs": self.channel_pairs,
            **(
                {
                    "order_value_tests": pd.concat(
                        [self.order_values.omnibus, self.order_values.pairwise]
                    )
                }
                if self.order_values is not None
                else {}
            ),
            "devices": self.devices,
            **{f"customers_{k}": v for k, v in self.customers.items()},
            "budget": self.budget,
            "kpi_availability": self.availability,
            "glossary": glossary(self.glossary_ids),
            "forecast": self.forecast,
            "forecast_backtest": self.backtest,
            "next_targets": self.next_targets,
            "previous_decisions": self.previous_checks,
        }

    @i18n.in_review_context
    def summary(self) -> dict:
        """Headline KPIs (this year, last year) and decision counts, read by the batch index."""
        cur, prev = (
            self.portfolio(),
            self.portfolio(self.year - 1)
            if (self.scorecard["year"] == self.year - 1).any()
            else None,
        )
        head = {
            k: {
                "value": _num(cur.get(k)),
                "previous": _num(prev.get(k)) if prev is not None else None,
                "unit": REGISTRY[k].unit,
            }
            for k in headline_kpis()
            if k in self.scorecard
        }
        counts = self.decisions["decision"].value_counts()
        return {
            "client": self.config.name,
            "slug": self.config.slug,
            "year": self.year,
            "currency": self.config.currency,
            "run_date": self.run_date.isoformat(),
            "period": {
                "last_month": self.period.last_month,
                "partial": self.period.partial,
                "as_of": self.period.as_of.isoformat() if self.period.as_of else None,
            },
            "headline": head,
            "decisions": {d: int(counts.get(d, 0)) for d in DECISIONS},
            "targets_met": int((self.plan["status"] == "met").sum()),
            "targets": len(self.plan),
            "business": self.config.business,
            "roi_basis": "margin" if self.config.gross_margin is not None else "revenue",
            "inputs": self.data.inputs,
            "language": self.text_context.language,
            "previous_calls": previous_mod.scoreline(self.previous_checks),
        }


def _real_periods(trend: pd.DataFrame, first: int) -> pd.DataFrame:
    """The trend's ``period`` back in calendar months (``month`` stays the month of the review's
    year)."""
    if first == 1:
        return trend
    return trend.assign(period=trend["period"] + pd.DateOffset(months=first - 1))


def _real_cohorts(tables: dict[str, pd.DataFrame], first: int) -> dict[str, pd.DataFrame]:
    """Cohort start dates back in the calendar (a fiscal review moved every date, see
    period.to_fiscal)."""
    if first == 1:
        return tables
    out = dict(tables)
    for key in ("cohorts", "cohort_ltv"):
        if key in out:
            t = out[key].copy()
            if isinstance(t.index, pd.DatetimeIndex):
                t.index = t.index + pd.DateOffset(months=first - 1)
            elif "cohort" in t:
                t["cohort"] = t["cohort"] + pd.DateOffset(months=first - 1)
            out[key] = t
    return out


def _num(v):
    return None if v is None or pd.isna(v) else float(v)


_INPUT_TEXT = {
    "costs": N_("a costs table"),
    "deals": N_("a CRM deals table"),
    "survey": N_("an NPS survey table"),
    "orders": N_("an orders table"),
    "customers": N_("a customers table"),
    "goals": N_("a goals table"),
    "device": N_("a device column in activity"),
    "direct_costs": N_("direct costs per customer (not among the canonical tables yet)"),
}


def availability(data: ClientData, sc: pd.DataFrame, shown_elsewhere=()) -> pd.DataFrame:
    """Every KPI of the registry: shown in this report, or what data it would need.

    Columns: ``kpi, label, status`` (``shown`` or ``not available``), ``needs``.
    """
    have = set(data.tables) | set(data.activity.columns)
    rows = []
    for k in REGISTRY.values():
        if (k.id in sc and sc[k.id].notna().any()) or k.id in shown_elsewhere:
            rows.append({"kpi": k.id, "label": k.label, "status": "shown", "needs": ""})
            continue
        missing = [i for i in k.inputs if i not in have]
        needs = ", ".join(
            _(_INPUT_TEXT[i])
            if i in _INPUT_TEXT
            else _("activity column '{column}'").format(column=i)
            for i in missing
        ) or _("inputs present but empty or zero in the reviewed years")
        rows.append({"kpi": k.id, "label": k.label, "status": "not available", "needs": needs})
    return pd.DataFrame(rows)


def _data_quality(data: ClientData, year: int, last_month: int = 12) -> list[str]:
    """What the reader must know about the data before reading the numbers, one sentence each."""
    notes = []
    months = data.activity.loc[data.activity["period"].dt.year == year, "period"].dt.month.unique()
    missing = sorted(set(range(1, last_month + 1)) - set(months)) if len(data.activity) else []
    if missing:
        notes.append(
            _(
                "Activity has no rows for month(s) {months} of {year}: totals for the year are "
                "partial."
            ).format(
                months=", ".join(i18n.digits(str(m)) for m in missing), year=i18n.digits(str(year))
            )
        )
    if data.config.gross_margin is None and "revenue" in data.activity:
        notes.append(
            _(
                "No gross margin in client.yaml: decisions use revenue ROI, which can keep a "
                "tactic that loses "
                "money."
            )
        )
    return (
        notes
        + _cost_notes(data, year)
        + _deal_notes(data)
        + list(getattr(data, "warnings", []) or [])
    )


def _cost_notes(data: ClientData, year: int) -> list[str]:
    """Where marketing cost comes from, costs no tactic carries, and the rule that shares common
    costs."""
    if data.costs is None:
        return [
            _("No costs table: marketing cost is ad spend only, so ROI and CAC are media-only.")
            if "spend" in data.activity
            else _(
                "No costs table and no ad spend: marketing cost is unknown, so ROI, CAC and cost "
                "per lead are n/a."
            )
        ]
    notes = []
    rows = allocate_costs(data, data.config.cost_allocation)
    in_year = data.costs["period"].dt.year.isin([year - 1, year])
    lost = (
        data.costs.loc[in_year, "amount"].sum()
        - rows.loc[rows["period"].dt.year.isin([year - 1, year]), "cost"].sum()
    )
    if lost > 0.005 * max(data.costs.loc[in_year, "amount"].sum(), 1):
        notes.append(
            _(
                "Costs of {amount} fall in months or on tactics without any activity rows: no "
                "tactic "
                "carries them, so the scorecard's costs are lower than the costs table's (the "
                "monthly "
                "trend shows them)."
            ).format(amount=i18n.money(lost, data.config.currency))
        )
    if data.costs["channel"].isna().sum():
        notes.append(
            _("Shared costs (no channel) are allocated to tactics by the rule '{rule}'.").format(
                rule=_(data.config.cost_allocation)
            )
        )
    return notes


def _deal_notes(data: ClientData) -> list[str]:
    """How the CRM's lost deals are read for the close rate."""
    if data.deals is None:
        return []
    lost = data.deals["status"] == "lost"
    if not lost.any():
        return [
            _(
                "The CRM export records no lost deals (deals not won are open): close rate is n/a, "
                "as it "
                "would be 100 % by construction."
            )
        ]
    if "closed" not in data.deals or data.deals.loc[lost, "closed"].isna().any():
        n = (
            int(data.deals.loc[lost, "closed"].isna().sum())
            if "closed" in data.deals
            else int(lost.sum())
        )
        return [
            _(
                "{n} lost deal(s) carry no close date: for the close rate they are counted in the "
                "year "
                "they were created."
            ).format(n=i18n.number(n))
        ]
    return []


def customer_section(
    data: ClientData, year: int, *, alpha: float = 0.05
) -> dict[str, pd.DataFrame]:
    """The customers section's tables (those the client's data allows).

    ``cohorts``: quarterly acquisition cohorts of the two years (by ``acquired``)
    × quarters since acquisition → share ordering; ``cohort_ltv``: revenue per
    acquired customer within 4 quarters; ``by_channel``: orders, AOV, purchase
    frequency, repeat purchase rate in the year by acquisition channel;
    ``retention``: retention and churn by year; ``nps``: NPS with its interval
    overall and by channel, for the year.
    """
    out: dict[str, pd.DataFrame] = {}
    start = pd.Timestamp(year - 1, 1, 1)
    if data.orders is not None and data.customers is not None:
        c = data.customers[
            (data.customers["acquired"] >= start) & (data.customers["acquired"].dt.year <= year)
        ]
        o = data.orders[data.orders["customer_id"].isin(c["customer_id"])]
        if len(o):
            out["cohorts"] = customers_mod.cohort_retention(o, c, freq="QS")
            out["cohort_ltv"] = customers_mod.ltv_cohort(o, c, horizon=4, freq="QS")
        out["by_channel"] = customers_mod.customer_summary(
            data.orders, data.customers, by="channel", period=year
        )
    if data.customers is not None and "churned" in data.customers:
        r = customers_mod.retention_by_period(data.customers, "YS", end=pd.Timestamp(year, 12, 31))
        out["retention"] = r[r["period"].dt.year.isin([year - 1, year])].reset_index(drop=True)
    if data.survey is not None:
        s = data.survey[data.survey["date"].dt.year == year]
        rows = [stats.nps_ci(s["nps"], alpha=alpha).assign(channel=ALL_CHANNELS)]
        if "channel" in s:
            rows += [
                stats.nps_ci(g["nps"], alpha=alpha).assign(channel=ch)
                for ch, g in s.groupby("channel")
            ]
        nps = pd.concat(rows, ignore_index=True)
        out["nps"] = nps[["channel", *[c for c in nps.columns if c != "channel"]]]
        out["nps"].attrs["alpha"] = alpha  # the level the report prints beside the interval
    return out


def build_review(
    client_config: str | Path | ClientData,
    *,
    year: int | None = None,
    run_date: str | dt.date | None = None,
    language: str | None = None,
    as_of: str | dt.date | None = None,
    previous: str | Path | None = None,
) -> AnnualReview:
    """Load a client and compute every table of its annual review once, in the report language.

    ``language`` (en, ru, fa) overrides the client's ``language``; the client's
    ``calendar`` (gregorian, solar_hijri) names the months. ``as_of`` (a date) reviews the year up
    to that date; without it a year whose data end before December is reviewed as a part year
    (:mod:`kpi_helpers.analysis.period`), like for like with the same months of last year.
    ``previous`` is the
    folder of last year's review (its calls are checked, :mod:`kpi_helpers.analysis.previous`);
    without it, the
    ``history:`` of client.yaml.
    """
    if isinstance(client_config, ClientData):
        ctx = i18n.TextContext.of(
            language or client_config.config.language, client_config.config.calendar
        )
    else:  # the language first, so that the loader's data-quality notes come in it too
        cfg, _folder = load_config(client_config)
        ctx = i18n.TextContext.of(language or cfg.language, cfg.calendar)
    with i18n.using(ctx):
        return _build(
            client_config, ctx, year=year, run_date=run_date, as_of=as_of, previous=previous
        )


# long: one constructor call that names every attribute of the review beside the function building
# it (the README's two-hop map reads from here)
def _build(
    client_config, ctx: i18n.TextContext, *, year, run_date, as_of, previous
) -> AnnualReview:
    """:func:`build_review` inside the review's text context."""
    data, year, period, first = _prepare(client_config, year, as_of)
    run_date = (
        dt.date.fromisoformat(run_date)
        if isinstance(run_date, str)
        else (run_date or dt.date.today())
    )
    sc = review.scorecard(data, year)
    if not (sc["year"] == year).any():
        raise DataError(
            f"{data.folder / 'client.yaml'}: no table has rows dated in the reviewed year {year} "
            f"(set year: in client.yaml or pass --year)"
        )
    ids = [k for k in scorecard_kpis() if k in sc]
    th = data.config.thresholds
    rv = AnnualReview(
        data=data,
        year=year,
        run_date=run_date,
        period=period,
        scorecard=sc,
        text_context=ctx,
        yoy=review.year_over_year(sc, year, ids),
        plan=plan.plan_vs_actual(data, sc, year, fraction=period.fraction),
        funnel=review.funnel(sc, year),
        trend=_real_periods(review.monthly_trend(data, year), first),
        comparisons=(comp := compare_tactics(data, sc, year, alpha=th.alpha)),
        channel_rates=channel_rate_ci(sc, year, alpha=th.alpha),
        channel_pairs=(
            res.pairwise
            if (res := compare_channels(sc, year, alpha=th.alpha)) is not None
            else pd.DataFrame()
        ),
        order_values=compare_order_values(data, year, alpha=th.alpha),
        decisions=(
            dec := decide(
                sc,
                comp,
                th,
                year=year,
                gross_margin=data.config.gross_margin,
                overrides=data.config.overrides,
                currency=data.config.currency,
                cost_rule=data.config.cost_allocation,
                benchmarks=data.config.benchmarks,
            )
        ),
        devices=(devices := review.device_mix(data, year)),
        customers=(cust := _real_cohorts(customer_section(data, year, alpha=th.alpha), first)),
        budget=propose_budget(data, sc, dec, year),
        availability=availability(
            data,
            sc,
            (["mobile_share"] if len(devices) else [])
            + (["retention_rate", "churn_rate"] if "retention" in cust else [])
            + (["customers_acquired"] if {"retention", "cohort_ltv"} & set(cust) else []),
        ),
        flags=(
            flags := flag_scorecard(
                sc, year, explained={*data.by_construction, *stages_by_construction(sc, year)}
            )
        ),
        data_quality=(
            _data_quality(data, year, period.last_month)
            + funnel_quality_notes(data, sc, year, period)
            + flag_text(flags)
            + list(branding(data.config, data.folder).notes)
        ),
    )
    _yearly_loop(rv, previous)
    return rv


def _prepare(client_config, year, as_of) -> tuple[ClientData, int, ReviewPeriod, int]:
    """The client's data moved to its fiscal months and cut to the reviewed period (like for like in
    both
    years), the reviewed year, the period and the fiscal year's first month."""
    if isinstance(client_config, ClientData):
        data = client_config
        raise_for_overrides(
            data.config, data.activity
        )  # load_client checked them; hand-made data too
    else:
        data = load_client(client_config)
    year = int(year or data.config.year)
    first = first_month(data.config.fiscal_year_start)
    data = to_fiscal(data, first)
    period = review_period(data, year, as_of, first_month=first)
    return restrict(data, period), year, period, first


def _yearly_loop(rv: AnnualReview, previous) -> None:
    """Next year's forecast and targets, and last year's calls checked against this year's
    numbers."""
    for key, table in forecast_section(rv).items():
        setattr(rv, key, table)
    rv.next_targets = propose_targets(rv)
    rv.previous = previous_mod.load(rv, previous)
    rv.previous_checks = previous_mod.check_decisions(rv, rv.previous)
    rv.decisions = previous_mod.attach(rv.decisions, rv.previous_checks)
