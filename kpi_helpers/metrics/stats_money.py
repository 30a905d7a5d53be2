"""Confidence intervals for money ratios: cost per count (CPL, CAC) and revenue over cost (ROI).

Two approaches, both ratios of totals:

* :func:`poisson_cost_ci` treats the cost as fixed and the count (leads, new
  customers) as Poisson, and turns the exact Garwood interval of the count
  into an interval for cost / count.
* :func:`bootstrap_ratio_ci` resamples units (deals, orders, customers) with
  replacement and reads the percentile interval of sum(numerator) /
  sum(denominator), or of the ROI (sum num - sum den) / sum den.

Bad input raises :class:`~kpi_helpers.core.schema.DataError`; caveats that should
not stop a report (few units) are warnings.

References: Garwood (1936), Biometrika 28:437-442; Efron & Tibshirani (1993),
An Introduction to the Bootstrap, ch. 13 (percentile interval).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson

from ..core.schema import DataError

__all__ = ["poisson_cost_ci", "bootstrap_ratio_ci"]

#: Resampled cells per block (index matrix rows x units). Small enough for the CPU cache: the
#: indices (int32) and gathered values of one block take about 0.75 MB, which is several times
#: faster than one large matrix; the draws, and so the results, do not depend on the block size.
_MAX_CELLS = 65_536
#: Fewer resampling units than this give a warning: the percentile interval is then unreliable.
MIN_UNITS = 20


def _numbers(fn: str, name: str, values, *, non_negative: bool) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype="float64"))
    bad = ~np.isfinite(arr) | ((arr < 0) if non_negative else False)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        need = "a non-negative number" if non_negative else "a finite number"
        raise DataError(
            f"{fn}: {name} has {arr[i]:g} at position {i}; expected {need} (fix or drop that row)"
        )
    return arr


def poisson_cost_ci(cost, count, *, alpha: float = 0.05) -> pd.DataFrame:
    """Cost per count (CPL, CAC) with an exact Poisson interval for the count.

    The count k gets the exact (Garwood, chi-square based) interval
    [chi2(alpha/2; 2k) / 2, chi2(1 - alpha/2; 2k + 2) / 2] (statsmodels
    ``confint_poisson(method="exact-c")``); the cost is taken as known, so the
    interval for cost / k is [cost / upper, cost / lower]. One row per element,
    columns ``cost, count, value, ci_low, ci_high``.

    A count of 0 gives ``value`` NaN, ``ci_low = cost / upper`` (the cheapest
    cost per count still consistent with seeing none) and ``ci_high = inf``.

    >>> poisson_cost_ci(10_000, [10, 0]).round(1)
          cost  count   value  ci_low  ci_high
    0  10000.0   10.0  1000.0   543.8   2085.3
    1  10000.0    0.0     NaN  2710.9      inf
    """
    if not 0 < alpha < 1:
        raise DataError(f"poisson_cost_ci: alpha={alpha!r} must be between 0 and 1 (e.g. 0.05)")
    cost = _numbers("poisson_cost_ci", "cost", cost, non_negative=True)
    count = _numbers("poisson_cost_ci", "count", count, non_negative=True)
    if np.any(count % 1 != 0):
        bad = count[count % 1 != 0][0]
        raise DataError(
            f"poisson_cost_ci: count {bad:g} is not a whole number; pass raw counts, not averages"
        )
    cost, count = np.broadcast_arrays(cost, count)
    lower, upper = confint_poisson(count, 1.0, method="exact-c", alpha=alpha)
    positive = count > 0
    value = np.divide(cost, count, out=np.full(cost.shape, np.nan), where=positive)
    ci_high = np.divide(cost, lower, out=np.full(cost.shape, np.inf), where=positive)
    return pd.DataFrame(
        {"cost": cost, "count": count, "value": value, "ci_low": cost / upper, "ci_high": ci_high}
    )


def _per_unit(numerator, denominator, units) -> tuple[np.ndarray, np.ndarray]:
    num = _numbers("bootstrap_ratio_ci", "numerator", numerator, non_negative=False)
    den = _numbers("bootstrap_ratio_ci", "denominator", denominator, non_negative=False)
    if num.shape != den.shape:
        raise DataError(
            f"bootstrap_ratio_ci: numerator has {num.size} values and denominator {den.size}; "
            f"pass one value of each per row"
        )
    if units is None:
        return num, den
    labels = pd.Series(units)
    if len(labels) != num.size or labels.isna().any():
        raise DataError(
            f"bootstrap_ratio_ci: units needs one label per row ({num.size}), none missing"
        )
    summed = pd.DataFrame({"num": num, "den": den}).groupby(labels.to_numpy(), sort=False).sum()
    return summed["num"].to_numpy(), summed["den"].to_numpy()


def _replicates(rng: np.random.Generator, num: np.ndarray, den: np.ndarray, n_boot: int) -> tuple:
    """Resampled totals: an (replicates x units) index matrix per block of at most _MAX_CELLS cells.

    The same draws as one ``rng.integers(0, n, size=(n_boot, n))`` matrix, row by row (int32
    indices give the same stream as int64 for n < 2**31). A constant denominator (a cost spread
    evenly, a count of 1 per order) is not gathered: every resample then holds the same n values,
    so its total is the total of ``den`` itself, summed the same way.
    """
    n = num.size
    block = max(1, min(_MAX_CELLS // n, n_boot))
    dtype = np.int32 if n < 2**31 else np.int64
    constant_den = bool(np.all(den == den[0]))
    num_tot = np.empty(n_boot)
    den_tot = np.full(n_boot, den[None, :].sum(axis=1)[0]) if constant_den else np.empty(n_boot)
    gathered = np.empty((block, n))
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        idx = rng.integers(
            0, n, size=(size, n), dtype=dtype
        )  # one row of unit indices per replicate
        vals = gathered[:size]
        np.take(
            num, idx, out=vals, mode="wrap"
        )  # indices are in range; "wrap" avoids a buffered copy
        vals.sum(axis=1, out=num_tot[start : start + size])
        if not constant_den:
            np.take(den, idx, out=vals, mode="wrap")
            vals.sum(axis=1, out=den_tot[start : start + size])
    return num_tot, den_tot


# long: the resampling in blocks (memory-bounded) and the percentile interval
def bootstrap_ratio_ci(
    numerator,
    denominator,
    *,
    units=None,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    statistic: str = "ratio",
) -> pd.DataFrame:
    """Percentile bootstrap interval of a ratio of totals (AOV, revenue per customer) or an ROI.

    Pass **unit-level rows**: one row per deal, order or customer, with its
    numerator (revenue, margin) and denominator (cost, count). ``units``
    optionally labels rows belonging to one resampling unit (e.g. orders of
    one customer); their rows are summed first. Units are drawn with
    replacement ``n_boot`` times (``numpy.random.default_rng(seed)``, index
    matrices in cache-sized blocks of replicates). ``statistic="ratio"`` is
    sum(num) / sum(den); ``"roi"`` is (sum(num) - sum(den)) / sum(den).

    Fallback: when only monthly totals exist, pass one row per month. The
    interval then reflects month-to-month variation from 12 units and is
    rough; fewer than 20 units give a warning. Replicates whose denominator
    sums to 0 are dropped with a warning.

    One row: ``numerator, denominator, value, ci_low, ci_high, n_units,
    n_boot, statistic``.

    >>> res = bootstrap_ratio_ci([2.0 * k for k in range(1, 21)], list(range(1, 21)))
    >>> res[["value", "ci_low", "ci_high", "n_units"]]
       value  ci_low  ci_high  n_units
    0    2.0     2.0      2.0       20
    """
    if statistic not in ("ratio", "roi"):
        raise DataError(
            f"bootstrap_ratio_ci: unknown statistic {statistic!r}; use 'ratio' or 'roi'"
        )
    if not 0 < alpha < 1 or int(n_boot) != n_boot or n_boot < 1:
        raise DataError(
            f"bootstrap_ratio_ci: alpha={alpha!r} must be in (0, 1) and n_boot={n_boot!r} "
            f"a positive whole number (e.g. 2000)"
        )
    num, den = _per_unit(numerator, denominator, units)
    if num.size < 2:
        raise DataError(
            f"bootstrap_ratio_ci: {num.size} unit(s); resampling needs at least 2 units"
        )
    if num.size < MIN_UNITS:
        warnings.warn(
            f"bootstrap_ratio_ci: only {num.size} units; the percentile interval is rough "
            f"(pass unit-level rows such as deals or orders rather than monthly totals)",
            stacklevel=2,
        )
    shift = 1.0 if statistic == "roi" else 0.0  # roi = ratio - 1
    value = num.sum() / den.sum() - shift if den.sum() != 0 else np.nan
    num_b, den_b = _replicates(np.random.default_rng(seed), num, den, int(n_boot))
    ok = den_b != 0
    if not ok.all():
        warnings.warn(
            f"bootstrap_ratio_ci: {int((~ok).sum())} of {n_boot} replicates had a zero denominator "
            f"and were dropped",
            stacklevel=2,
        )
    reps = num_b[ok] / den_b[ok] - shift
    low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2]) if reps.size else (np.nan, np.nan)
    return pd.DataFrame(
        {
            "numerator": [num.sum()],
            "denominator": [den.sum()],
            "value": [value],
            "ci_low": [low],
            "ci_high": [high],
            "n_units": [num.size],
            "n_boot": [int(n_boot)],
            "statistic": [statistic],
        }
    )
