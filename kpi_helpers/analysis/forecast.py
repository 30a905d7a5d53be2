"""Next year's forecast per channel and for the portfolio: leads, customers, revenue and cost, with
intervals.

The method, written beside the result in the report:

- **Model.** A series of 24 months or more gets statsmodels' ETS (``ETSModel``): additive errors,
  an additive damped trend and a 12-month seasonality, additive or multiplicative (the lower AIC;
  multiplicative only for a series above zero), initial states by the heuristic of Hyndman et al.
  The forecast is the model's mean; the 90 % intervals, monthly and for the year's total, are
  quantiles of ``n_sims`` simulated years (seeded), so the yearly interval is that of the sum.
- **Fallback.** A series of 12 to 23 months (a channel that started late, a backtest on one year)
  is forecast seasonal-naive: each month as the same month of the last year. Its interval is
  normal, with the standard deviation of the monthly values as the one-month error (× √12 for
  the year). Fewer than 12 months: no forecast. The report's forecast needs two years of the
  portfolio's monthly data; a part year has none (next year would start mid-way).
- **Floor.** Counts and money cannot be negative: forecasts and bounds are cut at zero.
- **Budget.** Under the proposed budget (:mod:`kpi_helpers.analysis.budget`) each channel's cost is
  scaled by its proposed ÷ current budget; its leads, customers and revenue by the share-weighted
  response of its tactics, (proposed ÷ current)^b with the budget's elasticity b where a curve was
  fitted, else proportionally (b = 1). The intervals are scaled with the point.
- **Backtest.** Fit on every month but the last year's, forecast the last year, and compare:
  the error of the year's total (bias, as a share of the actual), the monthly sMAPE, and whether
  the actual fell inside the interval.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from .allocation import allocate_costs
from ..loaders import ClientData
from ..core.vocab import PORTFOLIO_SCOPE, Level

__all__ = [
    "METRICS",
    "MIN_MONTHS",
    "PORTFOLIO",
    "monthly_history",
    "forecast_series",
    "forecast_review",
    "budget_scenario",
    "backtest",
    "smape",
    "FORECAST_COLUMNS",
]

#: What is forecast, in report order.
METRICS = ("leads", "customers", "revenue", "cost")
#: Months of the portfolio's history the report's forecast needs (two years: two seasonal cycles).
MIN_MONTHS = 24
#: The ``channel`` of the portfolio's rows.
PORTFOLIO = PORTFOLIO_SCOPE  # the whole portfolio's "channel"
FORECAST_COLUMNS = [
    "channel",
    "metric",
    "scenario",
    "last_year",
    "forecast",
    "ci_low",
    "ci_high",
    "change",
    "method",
    "months",
    "response",
]
_SHORT = 12


def monthly_history(data: ClientData, end: pd.Timestamp) -> pd.DataFrame:
    """Monthly ``leads, customers, revenue, cost`` per channel and for the portfolio (channel
    ``all``),
    from the first month with activity to ``end``; a month without rows counts zero.

    Cost is the allocated cost of the scorecard
    (:func:`kpi_helpers.analysis.allocation.allocate_costs`).
    Columns: ``channel, period`` and the metrics the client has.
    """
    a = allocate_costs(data, data.config.cost_allocation)
    cols = [m for m in METRICS if m in a and a[m].notna().any()]
    a = a[a["period"] <= end]
    if a.empty or not cols:
        return pd.DataFrame(columns=["channel", "period", *cols])
    months = pd.date_range(a["period"].min(), end, freq="MS", name="period")
    parts = []
    for ch, g in [(PORTFOLIO, a), *a.groupby("channel")]:
        m = g.groupby("period")[cols].sum(min_count=1).reindex(months).fillna(0.0)
        parts.append(m.reset_index().assign(channel=ch))
    out = pd.concat(parts, ignore_index=True)
    return out[["channel", "period", *cols]]


def _ets(y: pd.Series, seasonal: str):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        y.astype("float64"),
        error="add",
        trend="add",
        damped_trend=True,
        seasonal=seasonal,
        seasonal_periods=12,
        initialization_method="heuristic",
    )
    with warnings.catch_warnings():  # convergence chatter on short series; the AIC choice copes
        warnings.simplefilter("ignore")
        return model.fit(disp=False)


def fit_ets(y: pd.Series):
    """The ETS fit of :func:`forecast_series` (additive or multiplicative seasonality by AIC)."""
    fits = [_ets(y, "add")]
    if (y > 0).all():
        fits.append(_ets(y, "mul"))
    return min(fits, key=lambda f: f.aic)


# long: the model, its fallback and the interval, in the order the method note states them
def forecast_series(
    y: pd.Series, horizon: int = 12, *, level: float = 0.90, n_sims: int = 2000, seed: int = 0
) -> tuple[pd.DataFrame, dict] | None:
    """Forecast a monthly series ``horizon`` months ahead (see the module's method).

    ``y`` is indexed by month starts. Returns ``(monthly, total)``: ``monthly`` with columns
    ``period, forecast, ci_low, ci_high``; ``total`` a dict ``forecast, ci_low, ci_high, method,
    months``
    for the sum over the horizon. None with fewer than 12 months.
    """
    y = y.astype("float64")
    n = len(y)
    if n < _SHORT:
        return None
    periods = pd.date_range(y.index[-1] + pd.DateOffset(months=1), periods=horizon, freq="MS")
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    fit = None
    if n >= MIN_MONTHS and y.std() > 0:
        try:
            fit = fit_ets(y.reset_index(drop=True))
        except (ValueError, np.linalg.LinAlgError):
            fit = None
    if fit is not None:
        point = np.asarray(fit.forecast(horizon), dtype="float64")
        sims = np.asarray(
            fit.simulate(
                horizon, anchor="end", repetitions=n_sims, rng=np.random.default_rng(seed)
            ),
            dtype="float64",
        ).reshape(horizon, -1)
        sims = np.maximum(sims, 0.0)
        lo, hi = np.quantile(sims, lo_q, axis=1), np.quantile(sims, hi_q, axis=1)
        total = {
            "forecast": float(np.maximum(point, 0).sum()),
            "ci_low": float(np.quantile(sims.sum(0), lo_q)),
            "ci_high": float(np.quantile(sims.sum(0), hi_q)),
            "method": f"ETS(A,Ad,{'M' if fit.model.seasonal == 'mul' else 'A'})",
        }
    else:
        last = y.to_numpy()[-12:]
        point = np.resize(last, horizon)
        z, s = sps.norm.ppf(hi_q), float(np.std(last, ddof=1))
        lo, hi = point - z * s, point + z * s
        total = {
            "forecast": float(point.sum()),
            "ci_low": float(point.sum() - z * s * np.sqrt(horizon)),
            "ci_high": float(point.sum() + z * s * np.sqrt(horizon)),
            "method": "seasonal naive",
        }
    total |= {
        "months": n,
        "ci_low": max(total["ci_low"], 0.0),
        "ci_high": max(total["ci_high"], 0.0),
    }
    monthly = pd.DataFrame(
        {
            "period": periods,
            "forecast": np.maximum(point, 0.0),
            "ci_low": np.maximum(lo, 0.0),
            "ci_high": np.maximum(hi, 0.0),
        }
    )
    return monthly, total


def _active(s: pd.Series) -> pd.Series:
    """The series from its first month above zero (a channel that started late is not padded with
    zeros)."""
    nz = np.flatnonzero(s.to_numpy() > 0)
    return s.iloc[nz[0] :] if len(nz) else s.iloc[0:0]


def forecast_review(history: pd.DataFrame, *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Next 12 months' forecast of every channel and metric of :func:`monthly_history`.

    Returns ``(annual, monthly)``: ``annual`` one row per channel × metric with
    :data:`FORECAST_COLUMNS`
    (scenario ``current_budget``); ``monthly`` the history and forecast by month (``channel, metric,
    period, actual, forecast, ci_low, ci_high``). Empty tables when the portfolio has fewer than
    :data:`MIN_MONTHS` months.
    """
    metrics = [m for m in METRICS if m in history]
    port = history[history["channel"] == PORTFOLIO]
    if len(port) < MIN_MONTHS or not metrics:
        return pd.DataFrame(columns=FORECAST_COLUMNS), pd.DataFrame(
            columns=["channel", "metric", "period", "actual", "forecast", "ci_low", "ci_high"]
        )
    rows, months = [], []
    for ch, g in history.groupby("channel", sort=False):
        g = g.set_index("period")
        for m in metrics:
            y = g[m] if ch == PORTFOLIO else _active(g[m])
            res = forecast_series(y, seed=seed) if y.sum() > 0 else None
            if res is None:
                continue
            monthly, total = res
            last = float(y.iloc[-12:].sum())
            rows.append(
                {
                    "channel": ch,
                    "metric": m,
                    "scenario": "current_budget",
                    "last_year": last,
                    **total,
                    "change": (total["forecast"] - last) / last if last else np.nan,
                    "response": "",
                }
            )
            hist = pd.DataFrame({"period": y.index[-24:], "actual": y.to_numpy()[-24:]})
            months.append(
                pd.concat([hist, monthly], ignore_index=True).assign(channel=ch, metric=m)
            )
    annual = pd.DataFrame(rows).reindex(columns=FORECAST_COLUMNS)
    monthly = pd.concat(months, ignore_index=True) if months else pd.DataFrame()
    return annual, monthly.reindex(
        columns=["channel", "metric", "period", "actual", "forecast", "ci_low", "ci_high"]
    )


def _channel_factors(
    budget: pd.DataFrame, sc_year: pd.DataFrame
) -> dict[tuple[str, str], tuple[float, str]]:
    """(channel, metric) -> (factor, response rule) under the proposed budget (see the module's
    method)."""
    out = {}
    if budget is None or budget.empty:
        return out
    b = budget.merge(sc_year, on=["channel", "tactic"], how="left", suffixes=("", "_sc"))
    for ch, g in b.groupby("channel"):
        cur, prop = g["current_budget"].fillna(0.0), g["proposed_budget"].fillna(0.0)
        if not (cur > 0).any():
            continue
        ratio = np.where(cur > 0, prop / cur.where(cur > 0, 1.0), 1.0)
        el = g["elasticity"].astype("float64")
        response = np.where(el.notna(), ratio ** el.fillna(1.0), ratio)
        rule = "elasticity" if el.notna().all() else "proportional" if el.isna().all() else "mixed"
        out[(ch, "cost")] = (float(prop.sum() / cur.sum()), "budget")
        for m in ("leads", "customers", "revenue"):
            w = g[m].fillna(0.0).to_numpy() if m in g else np.zeros(len(g))
            w = w if w.sum() > 0 else cur.to_numpy()
            out[(ch, m)] = (float((w * response).sum() / w.sum()), rule)
    return out


def budget_scenario(
    annual: pd.DataFrame, budget: pd.DataFrame, sc_year: pd.DataFrame
) -> pd.DataFrame:
    """The ``proposed_budget`` rows: each channel's current-budget forecast scaled by its factor;
    the
    portfolio's by the ratio of the channels' summed forecasts (a channel without a budget row
    stays)."""
    if annual.empty:
        return annual
    factors = _channel_factors(budget, sc_year)
    ch = annual[annual["channel"] != PORTFOLIO].copy()
    f = np.array([factors.get((c, m), (1.0, ""))[0] for c, m in zip(ch["channel"], ch["metric"])])
    ch["response"] = [
        factors.get((c, m), (1.0, "unchanged"))[1] for c, m in zip(ch["channel"], ch["metric"])
    ]
    port = annual[annual["channel"] == PORTFOLIO].copy()
    pf = []
    for m in port["metric"]:
        sel = (ch["metric"] == m).to_numpy()
        base = ch.loc[sel, "forecast"].sum()
        pf.append((ch.loc[sel, "forecast"] * f[sel]).sum() / base if base > 0 else 1.0)
    port["response"] = "sum of channels"
    for t, k in ((ch, f), (port, np.array(pf))):
        for col in ("forecast", "ci_low", "ci_high"):
            t[col] = t[col] * k
        t["change"] = (t["forecast"] - t["last_year"]) / t["last_year"].where(t["last_year"] > 0)
        t["scenario"] = "proposed_budget"
    return pd.concat([port, ch], ignore_index=True)[FORECAST_COLUMNS]


def smape(forecast, actual) -> float:
    """Symmetric MAPE, mean of 2|F − A| / (|F| + |A|) over the months (a month with both zero is
    left out).

    >>> round(smape([110, 90], [100, 100]), 4)
    0.1003
    """
    f, a = np.asarray(forecast, dtype="float64"), np.asarray(actual, dtype="float64")
    den = np.abs(f) + np.abs(a)
    ok = den > 0
    return float(np.mean(2 * np.abs(f - a)[ok] / den[ok])) if ok.any() else float("nan")


# long: fit, forecast and compare, one channel at a time, as the method note states it
def backtest(history: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Fit on every month but the last 12, forecast those 12, compare (see the module's method).

    Columns: ``channel, metric, method, months_fitted, actual, forecast, bias, smape, inside``;
    ``bias``
    is (forecast − actual) ÷ actual of the year's total, ``inside`` whether the actual total lies in
    the 90 % interval. Empty when the series is shorter than 24 months.
    """
    rows = []
    for ch, g in history.groupby("channel", sort=False):
        g = g.set_index("period")
        for m in [c for c in METRICS if c in g]:
            y = g[m] if ch == PORTFOLIO else _active(g[m])
            if len(y) < 24 or y.iloc[:-12].sum() <= 0:
                continue
            res = forecast_series(y.iloc[:-12], horizon=12, seed=seed)
            if res is None:
                continue
            monthly, total = res
            actual = y.iloc[-12:].to_numpy()
            rows.append(
                {
                    "channel": ch,
                    "metric": m,
                    "method": total["method"],
                    "months_fitted": len(y) - 12,
                    "actual": float(actual.sum()),
                    "forecast": total["forecast"],
                    "bias": (total["forecast"] - actual.sum()) / actual.sum()
                    if actual.sum()
                    else np.nan,
                    "smape": smape(monthly["forecast"], actual),
                    "inside": bool(total["ci_low"] <= actual.sum() <= total["ci_high"]),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "channel",
            "metric",
            "method",
            "months_fitted",
            "actual",
            "forecast",
            "bias",
            "smape",
            "inside",
        ],
    )


def forecast_section(rv) -> dict[str, pd.DataFrame]:
    """The review's forecast tables: ``forecast`` (both scenarios), ``forecast_monthly`` (dates in
    the
    calendar) and ``backtest``; all empty for a part year or under two years of monthly data."""
    empty = {
        "forecast": pd.DataFrame(columns=FORECAST_COLUMNS),
        "forecast_monthly": pd.DataFrame(),
        "backtest": pd.DataFrame(),
    }
    if rv.period.partial:
        return empty
    history = monthly_history(rv.data, pd.Timestamp(rv.year, 12, 1))
    annual, monthly = forecast_review(history)
    if annual.empty:
        return empty
    sc = rv.scorecard
    sc_year = sc[(sc["year"] == rv.year) & (sc["level"] == Level.TACTIC)].reindex(
        columns=["channel", "tactic", "leads", "customers", "revenue"]
    )
    both = pd.concat([annual, budget_scenario(annual, rv.budget, sc_year)], ignore_index=True)
    if rv.period.first_month != 1:  # back to calendar months (see period.to_fiscal)
        monthly = monthly.assign(
            period=monthly["period"] + pd.DateOffset(months=rv.period.first_month - 1)
        )
    return {"forecast": both, "forecast_monthly": monthly, "backtest": backtest(history)}
