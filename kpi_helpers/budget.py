"""Next year's budget: reallocation by each tactic's marginal return, capped, with its uncertainty (S1).

Assumptions, written beside the result in the report:

- **Response curve.** Each tactic's monthly result (revenue × gross margin,
  or revenue without a margin) follows ``result = A · cost^b`` with
  0.05 ≤ b ≤ 1 (diminishing or at most constant returns), fitted by OLS on
  logs (statsmodels) over the months of the reviewed and the previous year.
  A tactic needs at least 6 months with cost and result above zero and a
  cost that varies (coefficient of variation ≥ 5 %); otherwise it has no curve
  and its budget stays as it is.
- **Decisions first.** Tactics to drop get no budget; tactics with too little
  data and tactics without a curve keep theirs (the stated fallback). Only a
  ``keep`` tactic may gain budget: an ``optimise`` tactic (loss-making or
  with a value problem) can keep or lose budget, never gain it.
- **Invent nothing.** The freed and current money of the tactics with a curve
  goes where the curves promise a net return: the optimiser (scipy
  ``minimize``, SLSQP) maximises the summed expected result minus
  (1 + ``roi_hurdle``) × spend, so money whose expected return is below the
  hurdle is **saved** rather than spent. Each tactic stays within
  ``±max_change`` (default 50 %) of its current budget and never above twelve
  times the highest monthly cost observed (the curve is not extrapolated
  upwards; a tactic at that cap is flagged, as is one proposed below the
  lowest spend observed).
- **Uncertainty.** The curves' coefficients are drawn from their estimated
  normal distribution (``n_draws``, seeded), the elasticity's spread kept even
  when its fitted value is held at a bound (each draw is clipped instead); the expected change of the total
  result comes with a (1 − ``alpha``) interval, ``alpha`` from the client's
  thresholds (a 95 % interval for the default 0.05). It covers the curves' estimation error,
  not changes in the market.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.optimize import minimize

from . import i18n
from .allocation import allocate_costs
from .i18n import _
from .loaders import ClientData

__all__ = ["fit_response", "propose_budget", "BUDGET_COLUMNS", "ASSUMPTIONS"]

#: The assumptions, in the words the report prints beside the proposal.
ASSUMPTIONS = (
    "Each tactic's monthly result (revenue × gross margin) is taken to follow result = A · cost^b with "
    "0.05 ≤ b ≤ 1, fitted on logs over the last 24 months; tactics whose cost did not vary, or with fewer "
    "than 6 months, have no curve and keep their budget.",
    "Tactics to drop get no budget; tactics with too little data keep theirs; only tactics to keep may gain. "
    "Money goes where the curves promise a return over the ROI hurdle, and is saved otherwise; each tactic moves "
    "at most ±{max_change} and never above twelve times its highest monthly cost observed.",
    "The interval ({level}) reflects how precisely the curves are estimated, not changes in the market; "
    "seasonality that moves cost and result together can make a curve look steeper than it is.",
)

BUDGET_COLUMNS = ["channel", "tactic", "decision", "current_budget", "proposed_budget", "change", "elasticity",
                  "result_current", "result_proposed", "note"]
_MIN_MONTHS, _MIN_CV, _B_RANGE = 6, 0.05, (0.05, 1.0)


def fit_response(data: ClientData, year: int) -> pd.DataFrame:
    """Per tactic: ``channel, tactic, months, level, center, b, cov, note``.

    The fit is centred: log result = level + b · (log cost − center), with
    ``center`` the mean log monthly cost, so ``level`` and ``b`` are nearly
    uncorrelated and ``cov`` is their 2×2 covariance.
    """
    a = allocate_costs(data, data.config.cost_allocation)
    a = a[a["period"].dt.year.isin([year - 1, year])]
    margin = data.config.gross_margin if data.config.gross_margin is not None else 1.0
    if "revenue" not in a:  # no result to fit (an ads-only or CRM-without-amounts client): no curve anywhere
        a = a.assign(revenue=np.nan)
    m = a.groupby(["channel", "tactic", "period"])[["cost", "revenue"]].sum(min_count=1).reset_index()
    rows = []
    for (ch, ta), g in m.groupby(["channel", "tactic"]):
        ok = g[(g["cost"] > 0) & (g["revenue"] > 0)]
        x, y = ok["cost"].to_numpy(), ok["revenue"].to_numpy() * margin
        row = {"channel": ch, "tactic": ta, "months": len(ok), "level": np.nan, "center": np.nan, "b": np.nan,
               "cov": None, "note": "", "min_cost": x.min() if len(x) else np.nan,
               "max_cost": x.max() if len(x) else np.nan}
        if g["revenue"].isna().all() or not (g["cost"] > 0).any():
            row["note"] = _("no curve: no revenue or no cost recorded; budget unchanged")
        elif len(ok) < _MIN_MONTHS or x.std() / x.mean() < _MIN_CV:
            row["note"] = _("no curve: too few months or a cost that does not vary; budget unchanged")
        else:
            center = np.log(x).mean()
            lx, ly = np.log(x) - center, np.log(y)
            fit = sm.OLS(ly, sm.add_constant(lx)).fit()
            b = float(np.clip(fit.params[1], *_B_RANGE))
            row |= {"level": fit.params[0], "center": center, "b": b, "cov": fit.cov_params()}
            if b != fit.params[1]:  # b held at the bound: refit the level alone; b keeps its fitted spread
                resid = ly - b * lx
                cov = np.asarray(fit.cov_params(), dtype="float64").copy()
                cov[0, 0], cov[0, 1], cov[1, 0] = resid.var(ddof=1) / len(resid), 0.0, 0.0
                row |= {"level": resid.mean(), "cov": cov,
                        "note": _("fitted elasticity {fitted} held at {held} ({why} assumed)").format(
                            fitted=i18n.number(fit.params[1], 2), held=i18n.number(b, 2),
                            why=_("no increasing returns") if b == _B_RANGE[1] else _("minimum response"))}
        rows.append(row)
    return pd.DataFrame(rows)


def _annual(level, b, center, budget):
    """Expected annual result of spending ``budget`` evenly over 12 months (0 for no budget)."""
    monthly = np.maximum(np.asarray(budget, dtype="float64"), 0.0) / 12.0
    with np.errstate(divide="ignore"):
        return np.where(monthly > 0, 12.0 * np.exp(level + b * (np.log(monthly) - center)), 0.0)


def _bounds(t: pd.DataFrame, max_change: float) -> tuple[np.ndarray, np.ndarray]:
    """Each tactic's range: ±max_change of its budget, no gain unless kept, never over 12 × its highest month."""
    current = t["current_budget"].to_numpy("float64")
    lo = current * (1 - max_change)
    hi = np.where(t["decision"].to_numpy() == "keep", current * (1 + max_change), current)
    hi = np.maximum(np.minimum(hi, 12 * t["max_cost"].fillna(np.inf).to_numpy("float64")), lo)
    return lo, hi


def _optimise(curves: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, total: float, hurdle: float) -> np.ndarray:
    """Budgets within [lo, hi] summing to at most ``total`` that maximise result − (1 + hurdle) × spend."""
    if total <= lo.sum():
        return lo
    scale = max(hi.sum(), 1.0)
    lv, b, c = (curves[k].to_numpy() for k in ("level", "b", "center"))
    obj = lambda x: -(_annual(lv, b, c, x * scale).sum() - (1 + hurdle) * x.sum() * scale) / scale  # noqa: E731
    start = lo + (hi - lo) * min(1.0, (total - lo.sum()) / max((hi - lo).sum(), 1e-9))
    res = minimize(obj, start / scale, method="SLSQP", bounds=list(zip(lo / scale, hi / scale)),
                   constraints=[{"type": "ineq", "fun": lambda x: total / scale - x.sum()}],
                   options={"ftol": 1e-12, "maxiter": 500})
    return np.clip(res.x * scale, lo, hi)


def _range_notes(t: pd.DataFrame) -> pd.Series:
    """Flags for proposals at the highest monthly spend observed or below the lowest one."""
    notes = []
    for _i, r in t.iterrows():
        flag = ""
        if pd.notna(r["b"]) and r["decision"] in ("keep", "optimise"):
            if r["proposed_budget"] >= 12 * r["max_cost"] * 0.999 and r["proposed_budget"] > r["current_budget"]:
                flag = _("held at the highest spend observed (12 × {month} a month): the curve is not extrapolated "
                         "beyond it").format(month=i18n.number(r["max_cost"]))
            elif r["proposed_budget"] < 12 * r["min_cost"] * 0.999:
                flag = _("below the lowest spend observed (12 × {month} a month): the curve is extrapolated "
                         "there").format(month=i18n.number(r["min_cost"]))
        notes.append("; ".join(x for x in (r["note"], flag) if x))
    return pd.Series(notes, index=t.index, dtype="object")


def propose_budget(data: ClientData, sc: pd.DataFrame, decisions: pd.DataFrame, year: int, *,
                   max_change: float = 0.5, n_draws: int = 2000, seed: int = 0,
                   alpha: float | None = None) -> pd.DataFrame:
    """The proposal, one row per tactic (:data:`BUDGET_COLUMNS`); ``attrs["total"]`` holds the expected
    change of the summed result net of the budget with its (1 − ``alpha``) interval (``change, ci_low, ci_high,
    alpha``);
    ``alpha`` defaults to the client's threshold."""
    alpha = data.config.thresholds.alpha if alpha is None else alpha
    t = sc[(sc["year"] == year) & (sc["level"] == "tactic")].reindex(columns=["channel", "tactic", "cost"])
    t = t.merge(decisions[["channel", "tactic", "decision"]], on=["channel", "tactic"], how="left")
    t = t.merge(fit_response(data, year), on=["channel", "tactic"], how="left")
    t["current_budget"] = t["cost"].fillna(0.0)
    t["proposed_budget"] = t["current_budget"]
    t["note"] = t["note"].fillna("")
    drop = t["decision"] == "drop"
    t.loc[drop, "proposed_budget"], t.loc[drop, "note"] = 0.0, _("dropped: budget freed for the others")
    free = (t["decision"].isin(["keep", "optimise"])) & t["b"].notna()
    if free.any():
        total = t.loc[free | drop, "current_budget"].sum()
        lo, hi = _bounds(t[free], max_change)
        t.loc[free, "proposed_budget"] = _optimise(t[free], lo, hi, total, data.config.thresholds.roi_hurdle)
        t["note"] = _range_notes(t)
    t["change"] = (t["proposed_budget"] - t["current_budget"]) / t["current_budget"].where(t["current_budget"] > 0)
    t["elasticity"] = t["b"]
    curve = t["b"].notna()
    t["result_current"] = np.where(curve, _annual(t["level"], t["b"], t["center"], t["current_budget"]), np.nan)
    t["result_proposed"] = np.where(curve, _annual(t["level"], t["b"], t["center"], t["proposed_budget"]), np.nan)
    out = t[BUDGET_COLUMNS].copy()
    out.attrs["total"] = _uncertainty(t[curve], n_draws, seed, alpha) | {
        "unallocated": float(t["current_budget"].sum() - t["proposed_budget"].sum()), "max_change": max_change,
        "alpha": alpha, "hurdle": data.config.thresholds.roi_hurdle}
    return out


def _uncertainty(t: pd.DataFrame, n_draws: int, seed: int, alpha: float) -> dict:
    """Expected change of the summed result net of the budget, (result − budget) proposed minus current (curves
    only), with a (1 − alpha) interval from coefficient draws; money saved counts as gained."""
    if t.empty:
        return {"change": 0.0, "ci_low": np.nan, "ci_high": np.nan}
    rng = np.random.default_rng(seed)
    saved = float((t["current_budget"] - t["proposed_budget"]).sum())
    diffs = np.full(n_draws, saved)
    for _idx, r in t.iterrows():
        draws = rng.multivariate_normal([r["level"], r["b"]], np.asarray(r["cov"], dtype="float64"), size=n_draws)
        b = np.clip(draws[:, 1], *_B_RANGE)
        diffs += (_annual(draws[:, 0], b, r["center"], r["proposed_budget"])
                  - _annual(draws[:, 0], b, r["center"], r["current_budget"]))
    point = float((t["result_proposed"] - t["result_current"]).sum()) + saved
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return {"change": point, "ci_low": float(low), "ci_high": float(high)}
