"""Next year's budget: reallocation by each tactic's marginal return, capped, with its uncertainty
(S1).

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
  when its fitted value is held at a bound (each draw is clipped instead); the expected change of
  the total
  result comes with a (1 − ``alpha``) interval, ``alpha`` from the client's
  thresholds (a 95 % interval for the default 0.05). It covers the curves' estimation error,
  not changes in the market.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..core import i18n
from ..metrics import stats
from .allocation import allocate_costs
from ..core.i18n import _
from ..core.vocab import Decision, Level
from ..loaders import ClientData

__all__ = ["fit_response", "propose_budget", "BUDGET_COLUMNS", "ASSUMPTIONS"]

#: The assumptions, in the words the report prints beside the proposal.
ASSUMPTIONS = (
    "Each tactic's monthly result (revenue × gross margin) is taken to follow result = A · cost^b "
    "with "
    "0.05 ≤ b ≤ 1, fitted on logs over the last 24 months together with the other tactics, with a "
    "year effect "
    "and month effects they share where the data can tell them from spend, so that growth and "
    "seasonality are "
    "not read as response; tactics whose cost did not vary, or with fewer than 6 months, have no "
    "curve and keep "
    "their budget.",
    "Tactics to drop get no budget; tactics with too little data keep theirs; only tactics to keep "
    "may gain. "
    "Money goes where the curves promise a return over the ROI hurdle, and is saved otherwise; "
    "each tactic moves "
    "at most ±{max_change} and never above twelve times its highest monthly cost observed.",
    "The interval ({level}) reflects how precisely the curves are estimated, not changes in the "
    "market.",
)

BUDGET_COLUMNS = [
    "channel",
    "tactic",
    "decision",
    "current_budget",
    "proposed_budget",
    "change",
    "elasticity",
    "result_current",
    "result_proposed",
    "note",
]
_MIN_MONTHS, _MIN_CV, _B_RANGE = 6, 0.05, (0.05, 1.0)


#: The curve models tried in order, and the fewest residual degrees of freedom each must leave.
_MODELS = (("year_month", 8), ("year", 4), ("plain", 4))
MODEL_TEXT = {
    "year_month": "fitted together with a year effect and month effects shared by the tactics",
    "year": "fitted together with a year effect shared by the tactics; month effects left out "
    "(months "
    "and cost cannot be told apart, or too few months)",
    "plain": "fitted without year or month terms (too few months to separate them): growth and "
    "seasonality can make a curve look steeper than it is",
}


def _design(
    long: pd.DataFrame, tactics: list, year: int, model: str
) -> tuple[np.ndarray, list[str]]:
    """Columns: a level and an elasticity per tactic, then the year effect and month effects the
    model has."""
    cols, names = [], []
    for k in tactics:
        cols.append((long["key"] == k).to_numpy(float))
        names.append(("a", k))
    for k in tactics:
        cols.append(np.where(long["key"] == k, long["lx"], 0.0))
        names.append(("b", k))
    if model in ("year", "year_month") and long["year"].nunique() > 1:
        cols.append((long["year"] == year).to_numpy(float))
        names.append(("year", None))
    if model == "year_month":
        for mth in sorted(set(long["month"]) - {1}):
            cols.append((long["month"] == mth).to_numpy(float))
            names.append(("month", mth))
    return np.column_stack(cols), names


def _pooled(long: pd.DataFrame, year: int):
    """The first model of :data:`_MODELS` whose design has full rank and enough residual degrees of
    freedom."""
    from statsmodels.regression.linear_model import (
        OLS,
    )  # here, not at import: statsmodels' model stack is slow to load

    tactics = list(dict.fromkeys(long["key"]))
    for model, min_df in _MODELS:
        if model == "plain" and len(tactics) > 1:  # each tactic alone: see fit_response
            return None
        X, names = _design(long, tactics, year, model)
        if np.linalg.matrix_rank(X) == X.shape[1] and len(X) - X.shape[1] >= min_df:
            return model, names, OLS(long["ly"].to_numpy(), X).fit()
    return None


def _tactic_curve(names: list, fit, key) -> tuple[float, float, np.ndarray]:
    """A tactic's level (its own, plus this year's effect and the average season: the year spent
    evenly),
    elasticity, and their 2 × 2 covariance by the delta method."""
    params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    grad_level, grad_b = np.zeros(len(names)), np.zeros(len(names))
    grad_level[names.index(("a", key))] = 1.0
    grad_b[names.index(("b", key))] = 1.0
    if ("year", None) in names:
        grad_level[names.index(("year", None))] = 1.0
    months = [i for i, n in enumerate(names) if n[0] == "month"]
    season = 0.0
    if months:
        effects = np.r_[0.0, params[months]]  # the first month is the reference
        weights = np.exp(effects) / np.exp(effects).sum()
        season = float(np.log(np.exp(effects).mean()))
        grad_level[months] = weights[1:]
    g = np.vstack([grad_level, grad_b])
    return (
        float(
            grad_level @ params - (grad_level[months] @ params[months] if months else 0.0) + season
        ),
        float(params[names.index(("b", key))]),
        g @ cov @ g.T,
        float(np.asarray(fit.pvalues)[names.index(("b", key))]),
    )


def fit_response(data: ClientData, year: int, *, alpha: float | None = None) -> pd.DataFrame:
    """Per tactic: ``channel, tactic, months, level, center, b, cov, model, note, min_cost,
    max_cost``.

    The fit is centred: log result = level + b · (log cost − center), with ``center`` the tactic's
    mean log
    monthly cost. The tactics with enough months (≥ 6 with cost and result above zero, cost varying
    by
    ≥ 5 %) are fitted together on logs (statsmodels OLS), each with its own level and elasticity,
    plus a
    year effect and month effects they share (``model`` ``year_month``), so that growth between the
    years
    and seasonality are not read as response to spend; when the design is singular (cost moves with
    the
    months) or leaves too few degrees of freedom, the month effects are left out (``year``); a lone
    tactic
    without enough months is fitted alone (``plain``). ``level`` is the reviewed year's level with
    the
    average season; ``cov`` the 2 × 2 covariance of level and b (delta method). A tactic whose
    elasticity
    is not positive at significance ``alpha`` (t-test of the fit; default the client's) gets no
    curve: the
    data do not show how its result responds to spend, and its budget stays as it is.
    """
    alpha = data.config.thresholds.alpha if alpha is None else alpha
    a = allocate_costs(data, data.config.cost_allocation)
    a = a[a["period"].dt.year.isin([year - 1, year])]
    margin = data.config.gross_margin if data.config.gross_margin is not None else 1.0
    if (
        "revenue" not in a
    ):  # no result to fit (an ads-only or CRM-without-amounts client): no curve anywhere
        a = a.assign(revenue=np.nan)
    m = (
        a.groupby(["channel", "tactic", "period"])[["cost", "revenue"]]
        .sum(min_count=1)
        .reset_index()
    )
    rows, parts = [], []
    for (ch, ta), g in m.groupby(["channel", "tactic"]):
        row, part = _tactic_months(ch, ta, g, margin)
        rows.append(row)
        if part is not None:
            parts.append(part)
    out = pd.DataFrame(rows)
    if parts:
        _apply_fits(out, _fits(pd.concat(parts, ignore_index=True), year), alpha)
    return out


def _tactic_months(ch, ta, g: pd.DataFrame, margin: float) -> tuple[dict, pd.DataFrame | None]:
    """A tactic's row of :func:`fit_response` and its months on logs (None when it cannot have a
    curve)."""
    ok = g[(g["cost"] > 0) & (g["revenue"] > 0)]
    x, y = ok["cost"].to_numpy(), ok["revenue"].to_numpy() * margin
    row = {
        "channel": ch,
        "tactic": ta,
        "months": len(ok),
        "level": np.nan,
        "center": np.nan,
        "b": np.nan,
        "cov": None,
        "model": "",
        "note": "",
        "min_cost": x.min() if len(x) else np.nan,
        "max_cost": x.max() if len(x) else np.nan,
    }
    if g["revenue"].isna().all() or not (g["cost"] > 0).any():
        row["note"] = _("no curve: no revenue or no cost recorded; budget unchanged")
        return row, None
    if len(ok) < _MIN_MONTHS or x.std() / x.mean() < _MIN_CV:
        row["note"] = _("no curve: too few months or a cost that does not vary; budget unchanged")
        return row, None
    row["center"] = np.log(x).mean()
    return row, pd.DataFrame(
        {
            "key": f"{ch}\x1f{ta}",
            "lx": np.log(x) - row["center"],
            "ly": np.log(y),
            "year": ok["period"].dt.year.to_numpy(),
            "month": ok["period"].dt.month.to_numpy(),
        }
    )


def _fits(long: pd.DataFrame, year: int) -> dict:
    """Tactic key -> (model, level, b, cov, p of b): pooled when the design allows, else each tactic
    alone."""
    fitted = _pooled(long, year)
    if fitted is not None:
        model, names, fit = fitted
        return {k: (model,) + _tactic_curve(names, fit, k) for k in dict.fromkeys(long["key"])}
    fits = {}
    for k, part in long.groupby("key", sort=False):  # each tactic alone, without terms
        single = _pooled(part, year) if len(part) else None
        if single is not None:
            fits[k] = (single[0],) + _tactic_curve(single[1], single[2], k)
    return fits


def _apply_fits(out: pd.DataFrame, fits: dict, alpha: float) -> None:
    """Write each fitted curve into its tactic's row, or the reason it has none."""
    for i, r in out.iterrows():
        k = f"{r['channel']}\x1f{r['tactic']}"
        if k not in fits:
            if pd.notna(r["center"]):
                out.at[i, "note"] = _("no curve: too few months to fit; budget unchanged")
            continue
        model, level, b_fit, cov, p_b = fits[k]
        if not (
            b_fit > 0 and p_b < alpha
        ):  # the data do not show that the result responds to spend
            out.at[i, "model"] = model
            out.at[i, "note"] = _(
                "no curve: the result does not respond to spend measurably (elasticity {b}, "
                "{p}); budget unchanged"
            ).format(b=i18n.number(b_fit, 2), p=stats.format_p(p_b))
            continue
        b = float(np.clip(b_fit, *_B_RANGE))
        out.at[i, "level"], out.at[i, "b"], out.at[i, "model"] = level, b, model
        out.at[i, "cov"] = cov
        if (
            b != b_fit
        ):  # b held at a bound; its fitted spread is kept (the draws are clipped, not the variance)
            out.at[i, "note"] = _(
                "fitted elasticity {fitted} held at {held} ({why} assumed)"
            ).format(
                fitted=i18n.number(b_fit, 2),
                held=i18n.number(b, 2),
                why=_("no increasing returns") if b == _B_RANGE[1] else _("minimum response"),
            )


def _annual(level, b, center, budget):
    """Expected annual result of spending ``budget`` evenly over 12 months (0 for no budget)."""
    monthly = np.maximum(np.asarray(budget, dtype="float64"), 0.0) / 12.0
    with np.errstate(divide="ignore"):
        return np.where(monthly > 0, 12.0 * np.exp(level + b * (np.log(monthly) - center)), 0.0)


def _bounds(t: pd.DataFrame, max_change: float) -> tuple[np.ndarray, np.ndarray]:
    """Each tactic's range: ±max_change of its budget, no gain unless kept, never over 12 × its
    highest month."""
    current = t["current_budget"].to_numpy("float64")
    lo = current * (1 - max_change)
    hi = np.where(t["decision"].to_numpy() == Decision.KEEP, current * (1 + max_change), current)
    hi = np.maximum(np.minimum(hi, 12 * t["max_cost"].fillna(np.inf).to_numpy("float64")), lo)
    return lo, hi


def _optimise(
    curves: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, total: float, hurdle: float
) -> np.ndarray:
    """Budgets within [lo, hi] summing to at most ``total`` that maximise result − (1 + hurdle) ×
    spend."""
    if total <= lo.sum():
        return lo
    scale = max(hi.sum(), 1.0)
    lv, b, c = (curves[k].to_numpy() for k in ("level", "b", "center"))
    obj = lambda x: -(_annual(lv, b, c, x * scale).sum() - (1 + hurdle) * x.sum() * scale) / scale  # noqa: E731
    start = lo + (hi - lo) * min(1.0, (total - lo.sum()) / max((hi - lo).sum(), 1e-9))
    res = minimize(
        obj,
        start / scale,
        method="SLSQP",
        bounds=list(zip(lo / scale, hi / scale)),
        constraints=[{"type": "ineq", "fun": lambda x: total / scale - x.sum()}],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    return np.clip(res.x * scale, lo, hi)


def _range_notes(t: pd.DataFrame) -> pd.Series:
    """Flags for proposals at the highest monthly spend observed or below the lowest one."""
    notes = []
    for _i, r in t.iterrows():
        flag = ""
        if pd.notna(r["b"]) and r["decision"] in (Decision.KEEP, Decision.OPTIMISE):
            if (
                r["proposed_budget"] >= 12 * r["max_cost"] * 0.999
                and r["proposed_budget"] > r["current_budget"]
            ):
                flag = _(
                    "held at the highest spend observed (12 × {month} a month): the curve is not "
                    "extrapolated "
                    "beyond it"
                ).format(month=i18n.number(r["max_cost"]))
            elif r["proposed_budget"] < 12 * r["min_cost"] * 0.999:
                flag = _(
                    "below the lowest spend observed (12 × {month} a month): the curve is "
                    "extrapolated "
                    "there"
                ).format(month=i18n.number(r["min_cost"]))
        notes.append("; ".join(x for x in (r["note"], flag) if x))
    return pd.Series(notes, index=t.index, dtype="object")


# long: the proposal's steps (bounds, optimiser, range flags, interval) hand each other the same
# per-tactic table, top to bottom
def propose_budget(
    data: ClientData,
    sc: pd.DataFrame,
    decisions: pd.DataFrame,
    year: int,
    *,
    max_change: float = 0.5,
    n_draws: int = 2000,
    seed: int = 0,
    alpha: float | None = None,
) -> pd.DataFrame:
    """The proposal, one row per tactic (:data:`BUDGET_COLUMNS`); ``attrs["total"]`` holds the
    expected
    change of the summed result net of the budget with its (1 − ``alpha``) interval (``change,
    ci_low, ci_high,
    alpha``);
    ``alpha`` defaults to the client's threshold."""
    alpha = data.config.thresholds.alpha if alpha is None else alpha
    t = sc[(sc["year"] == year) & (sc["level"] == Level.TACTIC)].reindex(
        columns=["channel", "tactic", "cost"]
    )
    if t.empty:  # no tactics (a survey alone): nothing to propose
        out = pd.DataFrame(columns=BUDGET_COLUMNS)
        out.attrs["total"] = {
            "change": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "alpha": alpha,
            "unallocated": 0.0,
            "max_change": max_change,
        }
        return out
    t = t.merge(decisions[["channel", "tactic", "decision"]], on=["channel", "tactic"], how="left")
    t = t.merge(fit_response(data, year, alpha=alpha), on=["channel", "tactic"], how="left")
    t["current_budget"] = t["cost"].fillna(0.0)
    t["proposed_budget"] = t["current_budget"]
    t["note"] = t["note"].fillna("")
    drop = t["decision"] == Decision.DROP
    t.loc[drop, "proposed_budget"], t.loc[drop, "note"] = (
        0.0,
        _("dropped: budget freed for the others"),
    )
    free = (t["decision"].isin([Decision.KEEP, Decision.OPTIMISE])) & t["b"].notna()
    if free.any():
        total = t.loc[free | drop, "current_budget"].sum()
        lo, hi = _bounds(t[free], max_change)
        t.loc[free, "proposed_budget"] = _optimise(
            t[free], lo, hi, total, data.config.thresholds.roi_hurdle
        )
        t["note"] = _range_notes(t)
    t["change"] = (t["proposed_budget"] - t["current_budget"]) / t["current_budget"].where(
        t["current_budget"] > 0
    )
    t["elasticity"] = t["b"]
    curve = t["b"].notna()
    t["result_current"] = np.where(
        curve, _annual(t["level"], t["b"], t["center"], t["current_budget"]), np.nan
    )
    t["result_proposed"] = np.where(
        curve, _annual(t["level"], t["b"], t["center"], t["proposed_budget"]), np.nan
    )
    out = t[BUDGET_COLUMNS].copy()
    out.attrs["total"] = _uncertainty(t[curve], n_draws, seed, alpha) | {
        "unallocated": float(t["current_budget"].sum() - t["proposed_budget"].sum()),
        "max_change": max_change,
        "alpha": alpha,
        "hurdle": data.config.thresholds.roi_hurdle,
        "model": next((m for m in t["model"].fillna("") if m), ""),
    }
    return out


def _uncertainty(t: pd.DataFrame, n_draws: int, seed: int, alpha: float) -> dict:
    """Expected change of the summed result net of the budget, (result − budget) proposed minus
    current (curves
    only), with a (1 − alpha) interval from coefficient draws; money saved counts as gained."""
    if t.empty:
        return {"change": 0.0, "ci_low": np.nan, "ci_high": np.nan}
    rng = np.random.default_rng(seed)
    saved = float((t["current_budget"] - t["proposed_budget"]).sum())
    diffs = np.full(n_draws, saved)
    for _idx, r in t.iterrows():
        draws = rng.multivariate_normal(
            [r["level"], r["b"]], np.asarray(r["cov"], dtype="float64"), size=n_draws
        )
        b = np.clip(draws[:, 1], *_B_RANGE)
        diffs += _annual(draws[:, 0], b, r["center"], r["proposed_budget"]) - _annual(
            draws[:, 0], b, r["center"], r["current_budget"]
        )
    point = float((t["result_proposed"] - t["result_current"]).sum()) + saved
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return {"change": point, "ci_low": float(low), "ci_high": float(high)}
