"""The evidence behind each decision: intervals and corrected comparisons per tactic and channel.

:func:`compare_tactics` gives one row per tactic of the reviewed year:

- ``roi, roi_ci_low, roi_ci_high, roi_ci_basis``: the decision ROI with a
  seeded percentile bootstrap (:func:`~kpi_helpers.metrics.stats_money.bootstrap_ratio_ci`)
  at level 1 − ``alpha`` that resamples the tactic's **customers** who could buy
  in the year, buyers and non-buyers (value 0) alike, so that the number of
  buyers varies as it does between years; cost held fixed. Without orders and
  customers tables, the twelve **months** of the tactic are resampled instead
  (a stated, rougher fallback);
- ``cac, cac_ci_low, cac_ci_high``: exact Poisson interval on the new customers;
- for each funnel stage the data has (``traffic_to_lead``, ``lead_to_mql``, …):
  ``<stage>_rate``, the rate of the **rest of the portfolio** (all other
  tactics pooled) ``<stage>_rest``, the Holm-adjusted p-value of the
  difference across tactics ``<stage>_p``, and the same against the rest of
  the tactic's **own channel** ``<stage>_channel_rest`` / ``<stage>_channel_p``
  (NaN when the channel has a single tactic), and against the tactic's **own
  rate last year** ``<stage>_last`` / ``<stage>_last_p`` (two-proportion
  z-test, this year against last; NaN without last year's counts). Every
  stage the data hold is tested (lead → customer included); the p-values of
  one family (all stages × tactics scanned against the rest of the portfolio;
  against the rest of the channel; against last year) are Holm-corrected
  together; a stage at 100 % or 0 % for the whole portfolio
  (:func:`by_construction`) is not tested;
- ``open_share``: the share of the tactic's leads of the year still open (deals);
- ``leads_ratio, leads_p``: this year's leads per active month against last
  year's (Poisson rate test), ``t2l_diff, t2l_p``: the visit → lead change
  (two-proportion test); each of the two families is Holm-corrected over the
  tactics (the raw p-values are kept as ``leads_p_raw, t2l_p_raw``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..metrics import kpis, stats
from .allocation import allocate_costs
from ..loaders import ClientData
from ..core.vocab import ALL_CHANNELS, STAGES
from ..metrics.stats_money import bootstrap_ratio_ci, poisson_cost_ci

__all__ = [
    "compare_tactics",
    "compare_channels",
    "channel_rate_ci",
    "compare_order_values",
    "STAGES",
    "by_construction",
    "stages_by_construction",
    "funnel_quality_notes",
    "enough_volume",
    "MIN_UNITS",
]


#: A rate is a benchmark only when it rests on at least this many units that passed the stage and
#: this many that did not (the usual condition, n p >= 10 and n (1 - p) >= 10, for the normal
#: approximation that the two-proportion z-test relies on).
MIN_UNITS = 10


def enough_volume(successes, trials) -> bool:
    """Whether a rate of ``successes`` / ``trials`` has volume enough to serve as a benchmark
    (:data:`MIN_UNITS`).

    >>> (enough_volume(10, 20), enough_volume(9, 500), enough_volume(495, 500),
    ...  enough_volume(float("nan"), 10))
    (True, False, False, False)
    """
    if pd.isna(successes) or pd.isna(trials):
        return False
    return successes >= MIN_UNITS and trials - successes >= MIN_UNITS


def _present_stages(t: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Every stage of :data:`STAGES` whose two columns the table holds (lead -> customer included:
    it is the
    one stage a CRM export of MQLs only can test)."""
    cols = set(t.columns[t.notna().any()])
    return [s for s in STAGES if s[1] in cols and s[2] in cols]


def by_construction(successes, trials) -> str | None:
    """``"all"`` when every unit passed the stage (rate 100 %), ``"none"`` when none did (0 %), else
    None.

    Applied to the portfolio's totals of a stage: the portfolio is the sum of its tactics, so a 100
    %
    (0 %) portfolio rate means every tactic is at 100 % (0 %). Such a stage carries no evidence
    about any
    tactic (a CRM export of MQLs only makes every lead an MQL; lost deals without a close date make
    every closed deal won), so it is neither tested nor used by the decisions.

    >>> (by_construction(120, 120), by_construction(0, 50), by_construction(3, 50),
    ...  by_construction(0, 0))
    ('all', 'none', None, None)
    """
    if pd.isna(successes) or pd.isna(trials) or not trials > 0:
        return None
    return "all" if successes == trials else "none" if successes == 0 else None


def stages_by_construction(sc: pd.DataFrame, year: int) -> dict[str, str]:
    """Stage id -> ``"all"`` / ``"none"`` for the stages whose portfolio rate in ``year`` is 100 %
    or 0 %."""
    pf = sc[(sc["year"] == year) & (sc["level"] == "portfolio")]
    if pf.empty:
        return {}
    row = pf.iloc[0]
    out = {}
    for name, succ, trials in _present_stages(pf):
        kind = by_construction(row[succ], row[trials])
        if kind:
            out[name] = kind
    return out


def funnel_quality_notes(data: ClientData, sc: pd.DataFrame, year: int, period=None) -> list[str]:
    """Data-quality notes on funnel stages that are 100 % or 0 % by construction, and on a close
    rate that
    counts only won deals; for the report's data-quality list
    (:func:`kpi_helpers.analysis.annual.build_review`).

    ``period`` (:class:`kpi_helpers.analysis.period.ReviewPeriod`) names the reviewed period ("April
    2025 – March
    2026" for a fiscal year, "January–June 2025" for a part year); without it, the calendar year
    ``year``."""
    from ..core import i18n
    from ..metrics.catalog import label
    from ..core.i18n import _

    notes = []
    for name, kind in stages_by_construction(sc, year).items():
        text = (
            _(
                "{stage} is 100 % for every tactic in {year}: every unit passed the stage, which "
                "is how the "
                "data were exported (e.g. a CRM export of MQLs only) rather than a result; the "
                "stage is not "
                "tested and not used as evidence."
            )
            if kind == "all"
            else _(
                "{stage} is 0 % for every tactic in {year}: no unit passed the stage, so the data "
                "probably do "
                "not record it; the stage is not tested and not used as evidence."
            )
        )
        when = period.label() if period is not None else i18n.digits(str(year))
        notes.append(text.format(stage=label(name), year=when))
    # lost deals without a close date: counted by creation year (review._deal_sums), said in annual
    return notes


def _roi_units(data: ClientData, year: int, margin: float) -> pd.DataFrame | None:
    """One row per (channel, tactic, customer) who could have bought in the year, with the margin
    (or revenue)
    they brought in the year; None without orders and customers tables.

    The units are every customer the tactic had acquired by the year's end and not lost before it
    began
    (``churned`` empty or in or after the year), buyers and non-buyers alike (value 0), plus any
    customer who
    bought in the year: resampling them lets the number of buyers vary as it does from year to year.
    Their
    values sum to the ROI's numerator exactly.
    """
    if data.orders is None or data.customers is None or "tactic" not in data.customers:
        return None
    c = data.customers
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    churned = c["churned"] if "churned" in c else pd.Series(pd.NaT, index=c.index)
    at_risk = (c["acquired"] <= end) & (churned.isna() | (churned >= start))
    o = data.orders[data.orders["date"].dt.year == year]
    spent = o.groupby("customer_id")["amount"].sum()
    units = c[at_risk | c["customer_id"].isin(spent.index)][["channel", "tactic", "customer_id"]]
    value = units["customer_id"].map(spent).fillna(0.0) * margin
    return units.assign(value=value.to_numpy()).reset_index(drop=True)


def _acquired_units(data: ClientData, year: int, acq: pd.DataFrame, margin: float) -> pd.DataFrame:
    """One row per lead of the year (deals created in the year), buyers and non-buyers: a lead that
    became one of
    the year's new customers carries that customer's value in the year plus the tactic's projected
    value per
    new customer, every other lead 0. Without deals, one row per new customer (the number of buyers
    is then
    fixed). Columns ``channel, tactic, value``; per tactic the values sum to ``value_acquired``."""
    from .customers import _cohort_ids

    c = data.customers
    cohort = c[c["customer_id"].isin(_cohort_ids(c, year, data.deals))][
        ["customer_id", "channel", "tactic"]
    ]
    spent = (
        data.orders[data.orders["date"].dt.year == year].groupby("customer_id")["amount"].sum()
        * margin
    )
    per_new = (
        acq.set_index(["channel", "tactic"]).eval("value_projected / new_customers").fillna(0.0)
    )
    cohort = cohort.assign(
        value=cohort["customer_id"].map(spent).fillna(0.0).to_numpy()
        + per_new.reindex(pd.MultiIndex.from_frame(cohort[["channel", "tactic"]]))
        .fillna(0.0)
        .to_numpy()
    )
    d = data.deals
    if d is None or "customer_id" not in d:
        return cohort[["channel", "tactic", "value"]]
    leads = d[d["created"].dt.year == year]
    buyer = (
        leads["customer_id"].isin(cohort["customer_id"])
        & (leads["status"] == "won")
        & ~leads["customer_id"].duplicated()
    )  # a customer's value is carried once
    non_buyers = leads.loc[~buyer, ["channel", "tactic"]].assign(value=0.0)
    return pd.concat([cohort[["channel", "tactic", "value"]], non_buyers], ignore_index=True)


# long: one row per tactic assembled from the acquisition and retention bases side by side
def acquisition_basis(data: ClientData, sc: pd.DataFrame, year: int) -> pd.DataFrame | None:
    """Per tactic of ``year``: the decision ROI on what the spend bought, and its basis.

    ``acquisition`` tactics (the default) are judged on the customers they acquired in the year
    (:func:`kpi_helpers.analysis.customers.acquisition_value`): ``roi = (value_acquired − cost) /
    cost``, with
    ``payback_months = (cost / new customers) / (value per active customer / 12)``; the value of
    customers
    acquired earlier is ``retained_value``, shown and not credited. ``retention`` tactics
    (``tactic_kinds`` in
    client.yaml) keep the scorecard's ROI on the revenue of their customers. None without orders and
    customers tables (the scorecard's ROI then decides, basis ``revenue of the year``).
    """
    from .customers import acquisition_value

    if (
        data.orders is None
        or data.customers is None
        or "tactic" not in data.customers
        or "cost" not in sc
    ):
        return None
    cfg = data.config
    margin = cfg.gross_margin if cfg.gross_margin is not None else 1.0
    acq = acquisition_value(
        data.customers,
        data.orders,
        year,
        deals=data.deals,
        margin=margin,
        lifetime_years=cfg.customer_lifetime_years,
    )
    t = sc[(sc["year"] == year) & (sc["level"] == "tactic")].reindex(
        columns=["channel", "tactic", "cost", "roi"]
    )
    t = t.merge(acq, on=["channel", "tactic"], how="left")
    kinds = getattr(cfg, "tactic_kinds", {}) or {}
    t["roi_basis"] = [
        kinds.get(f"{c}/{ta}", "acquisition") for c, ta in zip(t["channel"], t["tactic"])
    ]
    cost = t["cost"].where(t["cost"] > 0)
    # value_acquired and value_per_customer already carry the margin: the net ROI and the revenue
    # payback of these values are the margin-based ones
    acq_roi = kpis.roi(t["value_acquired"], cost)
    t["roi"] = np.where(t["roi_basis"] == "acquisition", acq_roi, t["roi"])
    monthly_value = t["value_per_customer"].where(t["value_per_customer"] > 0) / 12
    payback = kpis.cac_payback(
        kpis.cac(cost, t["new_customers"].where(t["new_customers"] > 0)),
        monthly_value,
        variant="revenue",
    )
    t["payback_months"] = np.where(t["roi_basis"] == "acquisition", payback, np.nan)
    t.attrs["units"] = _acquired_units(data, year, acq, margin)
    return t


# long: the two interval bases (acquisition units, customers) and the fallback, each a few lines
def _roi_ci(units, monthly, row, margin, n_boot, seed, alpha) -> tuple[float, float, str]:
    key = (row["channel"], row["tactic"])
    if isinstance(
        units, dict
    ):  # per basis: the year's leads for acquisition tactics, customers for retention
        basis = "leads" if row.get("roi_basis") == "acquisition" else "customers"
        units = units["leads"] if basis == "leads" else units["customers"]
        u = units[(units["channel"] == key[0]) & (units["tactic"] == key[1])]["value"].to_numpy()
        cost = row.get("cost", np.nan)
        if len(u) < 2 or not cost > 0:
            return np.nan, np.nan, basis
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = bootstrap_ratio_ci(
                u,
                np.full(len(u), cost / len(u)),
                n_boot=n_boot,
                seed=seed,
                alpha=alpha,
                statistic="roi",
            )
        return float(r["ci_low"].iloc[0]), float(r["ci_high"].iloc[0]), basis
    if units is not None:
        u = units[(units["channel"] == key[0]) & (units["tactic"] == key[1])]["value"].to_numpy()
        basis = "customers"
    else:
        m = monthly.loc[key] if monthly is not None and key in monthly.index else pd.DataFrame()
        u, basis = (m["revenue"].to_numpy() * margin if len(m) else np.array([])), "months"
    if len(u) and np.isnan(u).all():  # no revenue recorded: no return to bootstrap
        return np.nan, np.nan, basis
    u = np.nan_to_num(u)
    if len(u) < 2 or not row.get("cost", np.nan) > 0:
        return np.nan, np.nan, basis
    den = np.full(
        len(u), row["cost"] / len(u)
    )  # the cost is known: spread evenly, its resampled sum is the cost
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # few units is stated by roi_ci_basis, not warned per tactic
        r = bootstrap_ratio_ci(u, den, n_boot=n_boot, seed=seed, alpha=alpha, statistic="roi")
    return float(r["ci_low"].iloc[0]), float(r["ci_high"].iloc[0]), basis


def _vs_rest(d: pd.DataFrame, succ: str, trials: str, alpha: float) -> pd.DataFrame:
    """Each row of ``d`` (positional ids) against the other rows pooled: rest rate and the raw
    p-value."""
    res = stats.compare_rates(
        d.assign(g=range(len(d))),
        successes=succ,
        trials=trials,
        group="g",
        alpha=alpha,
        correction=None,
    )
    vr = res.vs_rest.set_index("group_a").reindex(range(len(d)))
    return pd.DataFrame(
        {"rest": vr["rate_b"].to_numpy(), "p": vr["p_value"].to_numpy()}, index=d.index
    )


def _holm_columns(out: pd.DataFrame, cols: list[str], alpha: float) -> None:
    """Holm-adjust every p-value of ``cols`` together, as one family (in place)."""
    if not cols:
        return
    adjusted = stats.adjust_p_values(
        out[cols].to_numpy("float64").ravel(), correction="holm", alpha=alpha
    )
    out[cols] = adjusted.reshape(len(out), len(cols))


def _stage_tests(t: pd.DataFrame, alpha: float, skip=()) -> pd.DataFrame:
    """Every stage the table holds (except ``skip``, the stages at 100 % or 0 % by construction),
    each tactic
    against the rest of the portfolio and against the rest of its channel; each of the two families
    (all
    stages x tactics scanned) is Holm-corrected as a whole."""
    t = t.reset_index(drop=True)
    out = pd.DataFrame(index=t.index)
    for name, succ, trials in _present_stages(t):
        if name in skip:
            continue
        ok = t[trials] > 0
        if ok.sum() < 2:
            continue
        d = t[ok]
        out[f"{name}_rate"] = t[succ] / t[trials].where(ok)
        vr = _vs_rest(d, succ, trials, alpha)
        out[f"{name}_rest"], out[f"{name}_p"] = vr["rest"], vr["p"]
        out[f"{name}_channel_rest"], out[f"{name}_channel_p"] = np.nan, np.nan
        for _, part in d.groupby(d["channel"].to_numpy()):
            if len(part) >= 2:
                cr = _vs_rest(part, succ, trials, alpha)
                out.loc[part.index, f"{name}_channel_rest"] = cr["rest"]
                out.loc[part.index, f"{name}_channel_p"] = cr["p"]
    _holm_columns(out, [c for c in out if c.endswith("_p") and not c.endswith("_channel_p")], alpha)
    _holm_columns(out, [c for c in out if c.endswith("_channel_p")], alpha)
    return out


def _stage_last_year(t: pd.DataFrame, prev: pd.DataFrame, alpha: float, skip=()) -> pd.DataFrame:
    """Every stage the table holds (except ``skip``), each tactic this year against its own rate
    last year
    (``prev``: last year's tactic rows): ``<stage>_last`` and ``<stage>_last_p``, two-proportion
    z-test
    (:func:`kpi_helpers.metrics.stats.compare_years_rate`). A tactic is tested only when last year's
    rate has
    the volume of a benchmark (:func:`enough_volume`) and this year has trials; the tests of all
    stages x
    tactics form one family, Holm-corrected as a whole."""
    t = t.reset_index(drop=True)
    out = pd.DataFrame(index=t.index)
    if prev is None or prev.empty:
        return out
    last = prev.set_index(["channel", "tactic"])
    last = last[~last.index.duplicated()]
    for name, succ, trials in _present_stages(t):
        if name in skip or succ not in last or trials not in last:
            continue
        rate, p = np.full(len(t), np.nan), np.full(len(t), np.nan)
        for i, r in t.iterrows():
            key = (r["channel"], r["tactic"])
            if key not in last.index or not r[trials] > 0 or pd.isna(r[succ]):
                continue
            s0, n0 = last.at[key, succ], last.at[key, trials]
            if not enough_volume(s0, n0):
                continue
            rate[i] = s0 / n0
            p[i] = stats.compare_years_rate(s0, n0, r[succ], r[trials], alpha=alpha)[
                "p_value"
            ].iloc[0]
        if np.isfinite(rate).any():
            out[f"{name}_last"], out[f"{name}_last_p"] = rate, p
    _holm_columns(out, [c for c in out if c.endswith("_last_p")], alpha)
    return out


def _yoy(
    sc: pd.DataFrame, data: ClientData, year: int, keys: pd.Index, alpha: float
) -> pd.DataFrame:
    a = data.activity
    months = (
        a.assign(year=a["period"].dt.year)
        .groupby(["year", "channel", "tactic"])["period"]
        .nunique()
        if a is not None
        else pd.Series(dtype=float)
    )
    prev = sc[(sc["year"] == year - 1) & (sc["level"] == "tactic")].set_index(["channel", "tactic"])
    rows = []
    for ch, ta in keys:
        row = {"leads_ratio": np.nan, "leads_p": np.nan, "t2l_diff": np.nan, "t2l_p": np.nan}
        cur = sc[(sc["year"] == year) & (sc["channel"] == ch) & (sc["tactic"] == ta)].iloc[0]
        if (ch, ta) in prev.index and "leads" in sc:
            p = prev.loc[(ch, ta)]
            mp, mc = months.get((year - 1, ch, ta), 0), months.get((year, ch, ta), 0)
            if pd.notna(p["leads"]) and pd.notna(cur["leads"]):
                r = stats.compare_years_count(p["leads"], mp, cur["leads"], mc, alpha=alpha).iloc[0]
                row |= {"leads_ratio": r["ratio"], "leads_p": r["p_value"]}
            if "visits" in sc and p["visits"] > 0 and cur["visits"] > 0:
                r = stats.compare_years_rate(
                    p["leads"], p["visits"], cur["leads"], cur["visits"], alpha=alpha
                ).iloc[0]
                row |= {"t2l_diff": r["diff"], "t2l_p": r["p_value"]}
        rows.append(row)
    out = pd.DataFrame(
        rows,
        index=pd.MultiIndex.from_tuples(list(keys), names=["channel", "tactic"]),
        columns=["leads_ratio", "leads_p", "t2l_diff", "t2l_p"],
    )
    for col in (
        "leads_p",
        "t2l_p",
    ):  # each year-over-year family is corrected over the tactics tested
        out[f"{col}_raw"] = out[col]
        out[col] = stats.adjust_p_values(
            out[col].to_numpy("float64"), correction="holm", alpha=alpha
        )
    return out


def _open_share(data: ClientData, year: int) -> pd.Series:
    """Share of each tactic's leads created in ``year`` that are still open (deals), by (channel,
    tactic).

    Empty when the CRM records no lost deal at all: there "open" only means "not won" (an export of
    won
    deals joined onto every lead), not "still undecided", so it says nothing about being too
    early."""
    d = data.deals
    if d is None or "status" not in d or "created" not in d or not (d["status"] == "lost").any():
        return pd.Series(dtype=float)
    y = d[d["created"].dt.year == year]
    return (y["status"] == "open").groupby([y["channel"], y["tactic"]]).mean()


# long: the evidence table's column families (ROI interval, stage tests, year over year) joined in
# one place so their Holm families stay visible together
def compare_tactics(
    data: ClientData,
    sc: pd.DataFrame,
    year: int,
    *,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per tactic of ``year`` with the intervals and tests described in the module
    docstring."""
    t = sc[(sc["year"] == year) & (sc["level"] == "tactic")].set_index(
        ["channel", "tactic"], drop=False
    )
    t = t.reindex(
        columns=[*t.columns, *(c for c in ("roi", "cost", "revenue") if c not in t)]
    )  # n/a when absent
    margin = data.config.gross_margin if data.config.gross_margin is not None else 1.0
    units = _roi_units(data, year, margin)
    monthly = None
    if units is None and data.activity is not None and "revenue" in data.activity:
        a = allocate_costs(data, data.config.cost_allocation)
        a = a[a["period"].dt.year == year]
        monthly = (
            a.reindex(columns=[*a.columns, *(["revenue"] if "revenue" not in a else [])])
            .groupby(["channel", "tactic", "period"])[["revenue"]]
            .sum(min_count=1)
        )
    out = pd.DataFrame(index=t.index)
    out["channel"], out["tactic"] = t["channel"], t["tactic"]
    out["roi"] = t["roi"] if "roi" in t else np.nan
    basis = acquisition_basis(data, sc, year)
    rows = t
    if basis is not None:
        b = basis.set_index(["channel", "tactic"])
        extra = [
            "roi_basis",
            "new_customers",
            "value_year",
            "value_projected",
            "value_acquired",
            "retained_value",
            "retention_rate",
            "value_per_customer",
            "projection_basis",
            "payback_months",
        ]
        out[extra] = b[extra].reindex(t.index)
        out["roi"] = b["roi"].reindex(t.index)
        rows = t.assign(roi_basis=out["roi_basis"])
        units = {"leads": basis.attrs["units"], "customers": units}
    ci = [_roi_ci(units, monthly, row, margin, n_boot, seed, alpha) for _, row in rows.iterrows()]
    out["roi_ci_low"], out["roi_ci_high"], out["roi_ci_basis"] = zip(*ci) if ci else ([], [], [])
    if "customers" in t and "cost" in t:
        cac = poisson_cost_ci(
            t["cost"].fillna(0).to_numpy(), t["customers"].fillna(0).to_numpy(), alpha=alpha
        )
        known = t["cost"].notna().to_numpy()  # no recorded cost: CAC is n/a, not zero
        out["cac"], out["cac_ci_low"], out["cac_ci_high"] = (
            np.where(known, cac[k].to_numpy(), np.nan) for k in ("value", "ci_low", "ci_high")
        )
    out["open_share"] = (
        _open_share(data, year).reindex(t.index).to_numpy() if data.deals is not None else np.nan
    )
    out = out.join(_yoy(sc, data, year, t.index, alpha)).reset_index(drop=True)
    skip = stages_by_construction(sc, year)
    prev = sc[(sc["year"] == year - 1) & (sc["level"] == "tactic")]
    return pd.concat(
        [out, _stage_tests(t, alpha, skip), _stage_last_year(t, prev, alpha, skip)], axis=1
    )


def compare_channels(
    sc: pd.DataFrame,
    year: int,
    *,
    successes: str = "leads",
    trials: str = "visits",
    alpha: float = 0.05,
) -> stats.RateComparison | None:
    """Compare a rate across channels (default visit → lead): omnibus, Holm-corrected pairs, each vs
    rest."""
    ch = sc[(sc["year"] == year) & (sc["level"] == "channel")]
    if successes not in ch or trials not in ch:
        return None
    ch = ch[ch[trials] > 0]
    if len(ch) < 2:
        return None
    return stats.compare_rates(ch, successes=successes, trials=trials, group="channel", alpha=alpha)


def channel_rate_ci(
    sc: pd.DataFrame,
    year: int,
    *,
    successes: str = "leads",
    trials: str = "visits",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A rate per channel and for all channels with its Wilson interval (the forest plot's table).

    Columns: ``channel, successes, trials, rate, ci_low, ci_high, method``.
    """
    rows = sc[(sc["year"] == year) & sc["level"].isin(["channel", "portfolio"])]
    if successes not in rows or trials not in rows:
        return pd.DataFrame(
            columns=["channel", "successes", "trials", "rate", "ci_low", "ci_high", "method"]
        )
    ci = stats.rate_ci(
        rows[successes].fillna(0).to_numpy(), rows[trials].fillna(0).to_numpy(), alpha=alpha
    )
    ci.insert(0, "channel", rows["channel"].fillna(ALL_CHANNELS).to_numpy())
    ci.attrs["alpha"] = alpha  # the level the report prints beside the interval
    return ci


def compare_order_values(
    data: ClientData, year: int, *, alpha: float = 0.05
) -> stats.MeanComparison | None:
    """Order value by acquisition channel for the year's orders: Welch ANOVA, Kruskal-Wallis,
    Holm-corrected pairs.

    None without orders and customers tables, or with fewer than two channels of at least two
    orders.
    """
    if data.orders is None or data.customers is None:
        return None
    o = data.orders[data.orders["date"].dt.year == year].merge(
        data.customers[["customer_id", "channel"]], on="customer_id"
    )
    counts = o["channel"].value_counts()
    o = o[o["channel"].isin(counts[counts >= 2].index)]
    if o["channel"].nunique() < 2:
        return None
    return stats.compare_means(o, value="amount", group="channel", alpha=alpha)
