"""The evidence behind each decision: intervals and corrected comparisons per tactic and channel.

:func:`compare_tactics` gives one row per tactic of the reviewed year:

- ``roi, roi_ci_low, roi_ci_high, roi_ci_basis``: the decision ROI with a
  seeded percentile bootstrap (:func:`~kpi_helpers.stats_money.bootstrap_ratio_ci`)
  that resamples the **customers** who bought in the year (their revenue in the
  year), cost held fixed; without orders and customers tables, the twelve
  **months** of the tactic are resampled instead (a stated, rougher fallback);
- ``cac, cac_ci_low, cac_ci_high``: exact Poisson interval on the new customers;
- for each funnel stage the data has (``traffic_to_lead``, ``lead_to_mql``, …):
  ``<stage>_rate``, the rate of the **rest of the portfolio** (all other
  tactics pooled) ``<stage>_rest``, the Holm-adjusted p-value of the
  difference across tactics ``<stage>_p``, and the same against the rest of
  the tactic's **own channel** ``<stage>_channel_rest`` / ``<stage>_channel_p``
  (NaN when the channel has a single tactic);
- ``leads_ratio, leads_p``: this year's leads per active month against last
  year's (Poisson rate test), ``t2l_diff, t2l_p``: the visit → lead change
  (two-proportion test).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import stats
from .allocation import allocate_costs
from .loaders import ClientData
from .stats_money import bootstrap_ratio_ci, poisson_cost_ci

__all__ = ["compare_tactics", "compare_channels", "channel_rate_ci", "compare_order_values", "STAGES"]

#: Funnel stages as (id, successes column, trials column).
STAGES = (("traffic_to_lead", "leads", "visits"), ("lead_to_mql", "mql", "leads"), ("mql_to_sql", "sql", "mql"),
          ("sql_to_customer", "customers", "sql"), ("lead_to_customer", "customers", "leads"))


def _present_stages(t: pd.DataFrame) -> list[tuple[str, str, str]]:
    cols = set(t.columns[t.notna().any()])
    out = [s for s in STAGES if s[1] in cols and s[2] in cols]
    if any(s[0] == "sql_to_customer" for s in out):  # with a full B2B funnel, lead -> customer is redundant
        out = [s for s in out if s[0] != "lead_to_customer"]
    return out


def _roi_units(data: ClientData, year: int, margin: float) -> pd.DataFrame | None:
    """Revenue in the year per (channel, tactic, customer), or None without orders and customers."""
    if data.orders is None or data.customers is None or "tactic" not in data.customers:
        return None
    o = data.orders[data.orders["date"].dt.year == year]
    o = o.merge(data.customers[["customer_id", "channel", "tactic"]], on="customer_id")
    return (o.groupby(["channel", "tactic", "customer_id"])["amount"].sum() * margin).rename("value").reset_index()


def _roi_ci(units, monthly, row, margin, n_boot, seed, alpha) -> tuple[float, float, str]:
    key = (row["channel"], row["tactic"])
    if units is not None:
        u = units[(units["channel"] == key[0]) & (units["tactic"] == key[1])]["value"].to_numpy()
        basis = "customers"
    else:
        m = monthly.loc[key] if key in monthly.index else pd.DataFrame()
        u, basis = (m["revenue"].to_numpy() * margin if len(m) else np.array([])), "months"
    if len(u) and np.isnan(u).all():  # no revenue recorded: no return to bootstrap
        return np.nan, np.nan, basis
    u = np.nan_to_num(u)
    if len(u) < 2 or not row["cost"] > 0:
        return np.nan, np.nan, basis
    den = np.full(len(u), row["cost"] / len(u))  # the cost is known: spread evenly, its resampled sum is the cost
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few units is stated by roi_ci_basis, not warned per tactic
        r = bootstrap_ratio_ci(u, den, n_boot=n_boot, seed=seed, alpha=alpha, statistic="roi")
    return float(r["ci_low"].iloc[0]), float(r["ci_high"].iloc[0]), basis


def _vs_rest(d: pd.DataFrame, succ: str, trials: str, alpha: float) -> pd.DataFrame:
    """Each row of ``d`` (positional ids) against the other rows pooled: rest rate and Holm-adjusted p."""
    res = stats.compare_rates(d.assign(g=range(len(d))), successes=succ, trials=trials, group="g", alpha=alpha)
    vr = res.vs_rest.set_index("group_a").reindex(range(len(d)))
    return pd.DataFrame({"rest": vr["rate_b"].to_numpy(), "p": vr["p_adjusted"].to_numpy()}, index=d.index)


def _stage_tests(t: pd.DataFrame, alpha: float) -> pd.DataFrame:
    t = t.reset_index(drop=True)
    out = pd.DataFrame(index=t.index)
    for name, succ, trials in _present_stages(t):
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
    return out


def _yoy(sc: pd.DataFrame, data: ClientData, year: int, keys: pd.Index, alpha: float) -> pd.DataFrame:
    a = data.activity
    months = (a.assign(year=a["period"].dt.year).groupby(["year", "channel", "tactic"])["period"].nunique())
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
                r = stats.compare_years_rate(p["leads"], p["visits"], cur["leads"], cur["visits"], alpha=alpha).iloc[0]
                row |= {"t2l_diff": r["diff"], "t2l_p": r["p_value"]}
        rows.append(row)
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(list(keys), names=["channel", "tactic"]))


def compare_tactics(data: ClientData, sc: pd.DataFrame, year: int, *, alpha: float = 0.05, n_boot: int = 2000,
                    seed: int = 0) -> pd.DataFrame:
    """One row per tactic of ``year`` with the intervals and tests described in the module docstring."""
    t = sc[(sc["year"] == year) & (sc["level"] == "tactic")].set_index(["channel", "tactic"], drop=False)
    t = t.reindex(columns=[*t.columns, *(c for c in ("roi", "cost", "revenue") if c not in t)])  # n/a when absent
    margin = data.config.gross_margin if data.config.gross_margin is not None else 1.0
    units = _roi_units(data, year, margin)
    monthly = None
    if units is None:
        a = allocate_costs(data, data.config.cost_allocation)
        a = a[a["period"].dt.year == year]
        monthly = a.reindex(columns=[*a.columns, *(["revenue"] if "revenue" not in a else [])]).groupby(
            ["channel", "tactic", "period"])[["revenue"]].sum(min_count=1)
    out = pd.DataFrame(index=t.index)
    out["channel"], out["tactic"], out["roi"] = t["channel"], t["tactic"], t["roi"]
    ci = [_roi_ci(units, monthly, row, margin, n_boot, seed, alpha) for _, row in t.iterrows()]
    out["roi_ci_low"], out["roi_ci_high"], out["roi_ci_basis"] = zip(*ci) if ci else ([], [], [])
    if "customers" in t:
        cac = poisson_cost_ci(t["cost"].fillna(0).to_numpy(), t["customers"].fillna(0).to_numpy(), alpha=alpha)
        known = t["cost"].notna().to_numpy()  # no recorded cost: CAC is n/a, not zero
        out["cac"], out["cac_ci_low"], out["cac_ci_high"] = (np.where(known, cac[k].to_numpy(), np.nan)
                                                             for k in ("value", "ci_low", "ci_high"))
    out = out.join(_yoy(sc, data, year, t.index, alpha)).reset_index(drop=True)
    return pd.concat([out, _stage_tests(t, alpha)], axis=1)


def compare_channels(sc: pd.DataFrame, year: int, *, successes: str = "leads", trials: str = "visits",
                     alpha: float = 0.05) -> stats.RateComparison | None:
    """Compare a rate across channels (default visit → lead): omnibus, Holm-corrected pairs, each vs rest."""
    ch = sc[(sc["year"] == year) & (sc["level"] == "channel")]
    if successes not in ch or trials not in ch:
        return None
    ch = ch[ch[trials] > 0]
    if len(ch) < 2:
        return None
    return stats.compare_rates(ch, successes=successes, trials=trials, group="channel", alpha=alpha)


def channel_rate_ci(sc: pd.DataFrame, year: int, *, successes: str = "leads", trials: str = "visits",
                    alpha: float = 0.05) -> pd.DataFrame:
    """A rate per channel and for all channels with its Wilson interval (the forest plot's table).

    Columns: ``channel, successes, trials, rate, ci_low, ci_high, method``.
    """
    rows = sc[(sc["year"] == year) & sc["level"].isin(["channel", "portfolio"])]
    if successes not in rows or trials not in rows:
        return pd.DataFrame(columns=["channel", "successes", "trials", "rate", "ci_low", "ci_high", "method"])
    ci = stats.rate_ci(rows[successes].fillna(0).to_numpy(), rows[trials].fillna(0).to_numpy(), alpha=alpha)
    ci.insert(0, "channel", rows["channel"].fillna("all channels").to_numpy())
    return ci


def compare_order_values(data: ClientData, year: int, *, alpha: float = 0.05) -> stats.MeanComparison | None:
    """Order value by acquisition channel for the year's orders: Welch ANOVA, Kruskal-Wallis, Holm-corrected pairs.

    None without orders and customers tables, or with fewer than two channels of at least two orders.
    """
    if data.orders is None or data.customers is None:
        return None
    o = data.orders[data.orders["date"].dt.year == year].merge(data.customers[["customer_id", "channel"]],
                                                             on="customer_id")
    counts = o["channel"].value_counts()
    o = o[o["channel"].isin(counts[counts >= 2].index)]
    if o["channel"].nunique() < 2:
        return None
    return stats.compare_means(o, value="amount", group="channel", alpha=alpha)
