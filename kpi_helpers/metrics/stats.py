"""Statistical comparisons of KPIs: rates, means, A/B tests, sample size, NPS.

Glue only: every test, interval and correction is SciPy's or statsmodels'.
Arguments are raw counts, never pre-computed rates; a zero denominator gives
NaN; bad input raises :class:`~kpi_helpers.core.schema.DataError` saying what to
fix. ``diff`` is always ``b - a`` (this year minus last year). Money-ratio
intervals (CPL, CAC, ROI) are in :mod:`kpi_helpers.metrics.stats_money`.

References: Newcombe (1998), Stat Med 17:857-872; Cohen (1988), Statistical
Power Analysis for the Behavioral Sciences.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq
from scipy.stats.contingency import association, expected_freq
from statsmodels.stats import rates as sm_rates
from statsmodels.stats.oneway import anova_oneway
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from ..core.schema import DataError
from .kpis_audience import is_detractor, is_promoter, net_promoter_score

__all__ = [
    "RateComparison",
    "MeanComparison",
    "rate_ci",
    "compare_rates",
    "ab_test",
    "sample_size",
    "minimum_detectable_effect",
    "compare_means",
    "compare_years_rate",
    "compare_years_count",
    "nps_ci",
    "compare_nps",
    "adjust_p_values",
    "format_p",
    "confidence_level",
]

CORRECTIONS = ("holm", "fdr_bh", "bonferroni", None)
CI_METHODS = ("wilson", "normal", "agresti_coull", "beta", "jeffreys", "binom_test")
ALTERNATIVES = ("two-sided", "larger", "smaller")
PAIR_COLUMNS = [
    "group_a",
    "group_b",
    "rate_a",
    "rate_b",
    "diff",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "p_adjusted",
    "significant",
    "cohens_h",
    "test",
]
MEAN_COLUMNS = ["group_a", "group_b", "mean_a", "mean_b", *PAIR_COLUMNS[4:-2], "test"]
AB_COLUMNS = [
    "rate_a",
    "rate_b",
    "diff",
    "lift",
    "z",
    "p_value",
    "ci_low",
    "ci_high",
    "lift_ci_low",
    "lift_ci_high",
    "significant",
]


def _check_option(fn: str, name: str, value, allowed) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise DataError(f"{fn}: unknown {name} {value!r}; use one of {shown}")


def _check_alpha(fn: str, alpha) -> None:
    if not 0 < alpha < 1:
        raise DataError(
            f"{fn}: alpha={alpha!r} must be between 0 and 1 (e.g. 0.05 for 95 % intervals)"
        )


def _counts(fn: str, name: str, values) -> np.ndarray:
    """Validate non-negative whole-number counts; return them as a float array."""
    arr = np.atleast_1d(np.asarray(values, dtype="float64"))
    bad = ~np.isfinite(arr) | (arr < 0) | (arr % 1 != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{fn}: {name} has {arr[i]:g} at position {i}; "
            f"counts must be non-negative whole numbers (fix or drop that row)"
        )
    return arr


def _successes_trials(fn: str, successes, trials, names=("successes", "trials")):
    s, n = _counts(fn, names[0], successes), _counts(fn, names[1], trials)
    s, n = np.broadcast_arrays(s, n)
    over = s > n
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataError(
            f"{fn}: {names[0]} ({s[i]:g}) exceed {names[1]} ({n[i]:g}) at position {i}; "
            f"{names[0]} are a subset of {names[1]}, so check the columns are not swapped"
        )
    return s.astype("float64"), n.astype("float64")


def _validate_cols(fn: str, data: pd.DataFrame, cols: dict[str, str]) -> None:
    missing = [f"{arg}={col!r}" for arg, col in cols.items() if col not in data.columns]
    if missing:
        raise DataError(
            f"{fn}: column(s) {', '.join(missing)} not in data; "
            f"found {', '.join(map(str, data.columns))}. Pass the names of existing columns."
        )


def _adjust(p_values, correction, alpha):
    """Adjust the finite p-values as one family (the formulas of statsmodels ``multipletests``); NaN
    stays NaN."""
    p = np.asarray(p_values, dtype="float64")
    adjusted = p.copy()
    finite = np.isfinite(p)
    if correction is not None and finite.any():
        adjusted[finite] = _corrected(p[finite], correction)
    return adjusted, np.isfinite(adjusted) & (adjusted < alpha)


def _corrected(p: np.ndarray, correction: str) -> np.ndarray:
    """Holm, Benjamini-Hochberg or Bonferroni adjusted p-values, vectorised (statsmodels'
    ``multipletests``
    gives the same numbers but calls ``gc.collect()`` each time, which cost a report seconds)."""
    m = p.size
    if correction == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if correction == "holm":
        ranked = np.maximum.accumulate(ranked * np.arange(m, 0, -1))
    else:  # fdr_bh
        ranked = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    return out


def adjust_p_values(p_values, *, correction: str = "holm", alpha: float = 0.05) -> np.ndarray:
    """Adjusted p-values of one family of tests (as statsmodels ``multipletests``, Holm by default);
    NaN stays NaN.

    >>> adjust_p_values([0.01, 0.04, float("nan"), 0.03]).round(2).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    _check_option("adjust_p_values", "correction", correction, CORRECTIONS)
    _check_alpha("adjust_p_values", alpha)
    return _adjust(p_values, correction, alpha)[0]


def format_p(p, *, bare: bool = False) -> str:
    """A p-value as the report prints it everywhere: ``p < 0.001``, ``p = 0.004`` (3 decimals under
    0.01),
    ``p = 0.23`` (2 decimals), ``p n/a``; digits and decimal sign in the report language. ``bare``
    leaves
    out the ``p =`` (a table column headed "p").

    >>> format_p(0.0004), format_p(0.0042), format_p(0.2349), format_p(0.2349, bare=True)
    ('p < 0.001', 'p = 0.004', 'p = 0.23', '0.23')
    """
    from ..core import i18n
    from ..core.i18n import _

    if p is None or pd.isna(p):
        return ("" if bare else "p ") + _("n/a")
    if p < 0.001:
        return ("< " if bare else "p < ") + i18n.number(0.001, 3)
    return ("" if bare else "p = ") + i18n.number(p, 3 if p < 0.01 else 2)


def confidence_level(alpha: float) -> str:
    """The confidence level that ``alpha`` gives, as printed in labels: ``95 %`` for 0.05, ``90 %``
    for 0.1.

    >>> (confidence_level(0.05), confidence_level(0.1), confidence_level(0.01),
    ...  confidence_level(0.025))
    ('95 %', '90 %', '99 %', '97.5 %')
    """
    from ..core import i18n

    level = round(100 * (1 - alpha), 1)
    return i18n.number(level, 0 if level == int(level) else 1) + " %"


def _rate(s, n) -> float:
    return float(s / n) if n > 0 else float("nan")


def rate_ci(successes, trials, *, method: str = "wilson", alpha: float = 0.05) -> pd.DataFrame:
    """Rate with a confidence interval, one row per element (statsmodels ``proportion_confint``).

    Columns: ``successes, trials, rate, ci_low, ci_high, method``. Zero trials
    give NaN rate and interval. ``method``: a statsmodels method (``CI_METHODS``), default
    Wilson score (Newcombe 1998, method 3).

    >>> rate_ci(81, 263).round(4)[["rate", "ci_low", "ci_high"]]
        rate  ci_low  ci_high
    0  0.308  0.2553   0.3662
    """
    _check_option("rate_ci", "method", method, CI_METHODS)
    _check_alpha("rate_ci", alpha)
    s, n = _successes_trials("rate_ci", successes, trials)
    low, high = np.full(s.shape, np.nan), np.full(s.shape, np.nan)
    ok = n > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(s[ok], n[ok], alpha=alpha, method=method)
    rate = np.divide(s, n, out=np.full(s.shape, np.nan), where=ok)
    return pd.DataFrame(
        {
            "successes": s,
            "trials": n,
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "method": method,
        }
    )


def _two_rates(sa, na, sb, nb, alpha) -> dict:
    """One comparison of rate b against rate a: z-test, or Fisher's exact when an expected cell <
    5."""
    out = {"rate_a": _rate(sa, na), "rate_b": _rate(sb, nb)}
    out["diff"] = out["rate_b"] - out["rate_a"]
    if na == 0 or nb == 0:
        return out | {
            "ci_low": np.nan,
            "ci_high": np.nan,
            "statistic": np.nan,
            "p_value": np.nan,
            "cohens_h": np.nan,
            "test": "none (zero trials)",
        }
    ci = confint_proportions_2indep(sb, nb, sa, na, compare="diff", alpha=alpha)
    table = np.array([[sb, nb - sb], [sa, na - sa]])
    if (expected_freq(table) < 5).any():  # Fisher's exact when the chi-square approximation is poor
        statistic, p_value = stats.fisher_exact(table)  # statistic: sample odds ratio, b over a
        test = "fisher_exact"
    else:
        statistic, p_value = proportions_ztest([sb, sa], [nb, na])  # z for rate_b - rate_a
        test = "z_test"
    h = proportion_effectsize(
        out["rate_b"], out["rate_a"]
    )  # Cohen's h = 2 asin sqrt(pb) - 2 asin sqrt(pa)
    return out | {
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "statistic": float(statistic),
        "p_value": float(p_value),
        "cohens_h": float(h),
        "test": test,
    }


def _pair_table(rows: list[dict], correction, alpha) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=[c for c in PAIR_COLUMNS if c not in ("p_adjusted", "significant")]
    )
    df["p_adjusted"], df["significant"] = _adjust(df["p_value"], correction, alpha)
    return df[PAIR_COLUMNS]


@dataclass(frozen=True)
class RateComparison:
    """Result of :func:`compare_rates`: three tidy tables."""

    omnibus: pd.DataFrame
    pairwise: pd.DataFrame
    vs_rest: pd.DataFrame


def _omnibus_chi2(s: np.ndarray, n: np.ndarray) -> pd.DataFrame:
    table = np.column_stack([s, n - s])[n > 0].astype("int64")
    if len(table) < 2 or (table.sum(axis=0) == 0).any():  # no variation: the test is undefined
        return pd.DataFrame(
            {
                "statistic": [np.nan],
                "dof": [len(table) - 1],
                "p_value": [np.nan],
                "cramers_v": [np.nan],
            }
        )
    res = stats.chi2_contingency(table, correction=False)  # Pearson chi-square, no Yates correction
    return pd.DataFrame(
        {
            "statistic": [res.statistic],
            "dof": [int(res.dof)],
            "p_value": [res.pvalue],
            "cramers_v": [association(table, method="cramer", correction=False)],
        }
    )


def compare_rates(
    data: pd.DataFrame,
    successes: str,
    trials: str,
    group: str,
    *,
    correction: str | None = "holm",
    alpha: float = 0.05,
) -> RateComparison:
    """Compare a rate across groups (channels, tactics): omnibus, all pairs and each group vs the
    rest.

    ``data`` is long format; several rows per group are summed first (ratio of
    totals); groups keep their order of first appearance. Returns a
    :class:`RateComparison` with

    * ``omnibus``: ``statistic, dof, p_value, cramers_v`` -- Pearson chi-square
      test of independence (``scipy.stats.chi2_contingency``, no Yates) over
      groups with trials; NaN when nothing varies.
    * ``pairwise``: ``group_a, group_b, rate_a, rate_b, diff, ci_low, ci_high,
      statistic, p_value, p_adjusted, significant, cohens_h, test`` for every
      pair; ``diff = rate_b - rate_a`` with the Newcombe score interval
      (``confint_proportions_2indep``); ``test`` is ``z_test`` (statistic z)
      or ``fisher_exact`` when an expected cell count is below 5 (statistic the
      odds ratio). ``p_adjusted`` uses ``correction`` over all pairs
      (statsmodels ``multipletests``; None leaves p-values as they are).
    * ``vs_rest``: the same columns, each group (``group_a``) against the other
      groups pooled (``group_b = "rest"``), adjusted as a family of its own.

    >>> df = pd.DataFrame({"ch": ["email", "search", "social"], "won": [30, 60, 20],
    ...                    "leads": [300, 400, 250]})
    >>> res = compare_rates(df, successes="won", trials="leads", group="ch")
    >>> res.pairwise[["group_a", "group_b", "diff", "test"]]
      group_a group_b  diff    test
    0   email  search  0.05  z_test
    1   email  social -0.02  z_test
    2  search  social -0.07  z_test
    """
    _validate_cols(
        "compare_rates", data, {"successes": successes, "trials": trials, "group": group}
    )
    _check_option("compare_rates", "correction", correction, CORRECTIONS)
    _check_alpha("compare_rates", alpha)
    _successes_trials("compare_rates", data[successes], data[trials], (successes, trials))
    totals = data.groupby(group, sort=False)[[successes, trials]].sum()
    if len(totals) < 2:
        raise DataError(
            f"compare_rates: column {group!r} has {len(totals)} group(s); "
            "comparing needs at least 2"
        )
    s, n = totals[successes].to_numpy("float64"), totals[trials].to_numpy("float64")
    names = list(totals.index)
    pairs = [
        {"group_a": names[i], "group_b": names[j]} | _two_rates(s[i], n[i], s[j], n[j], alpha)
        for i, j in itertools.combinations(range(len(names)), 2)
    ]
    rest = [
        {"group_a": names[i], "group_b": "rest"}
        | _two_rates(s[i], n[i], s.sum() - s[i], n.sum() - n[i], alpha)
        for i in range(len(names))
    ]
    return RateComparison(
        _omnibus_chi2(s, n),
        _pair_table(pairs, correction, alpha),
        _pair_table(rest, correction, alpha),
    )


def ab_test(
    successes_a,
    trials_a,
    successes_b,
    trials_b,
    *,
    alternative: str = "two-sided",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """A/B test of two rates (two-proportion z-test, statsmodels ``proportions_ztest``).

    One row: ``rate_a, rate_b, diff, lift, z, p_value, ci_low, ci_high,
    lift_ci_low, lift_ci_high, significant``. ``diff = rate_b - rate_a`` with
    its Newcombe score interval; ``lift = rate_b / rate_a - 1`` with the
    log-adjusted ratio interval minus 1 (``confint_proportions_2indep``; both
    intervals two-sided). ``alternative="larger"`` tests rate_b > rate_a.
    z and p are NaN when both rates are 0 or both 1 (no variation); a side
    with no trials gives NaN for everything but the other rate.

    >>> ab_test(100, 1000, 130, 1000).round(3)[["diff", "lift", "z", "p_value"]]
       diff  lift      z  p_value
    0  0.03   0.3  2.103    0.035
    """
    _check_option("ab_test", "alternative", alternative, ALTERNATIVES)
    _check_alpha("ab_test", alpha)
    (sa, sb), (na, nb) = _successes_trials(
        "ab_test", [successes_a, successes_b], [trials_a, trials_b]
    )
    ra, rb = _rate(sa, na), _rate(sb, nb)
    row = dict.fromkeys(AB_COLUMNS, np.nan) | {"rate_a": ra, "rate_b": rb, "diff": rb - ra}
    if na > 0 and nb > 0:
        row["ci_low"], row["ci_high"] = confint_proportions_2indep(
            sb, nb, sa, na, compare="diff", alpha=alpha
        )
        low, high = confint_proportions_2indep(sb, nb, sa, na, compare="ratio", alpha=alpha)
        row["lift_ci_low"], row["lift_ci_high"] = low - 1, high - 1
        row["lift"] = rb / ra - 1 if ra > 0 else np.nan
        if 0 < sa + sb < na + nb:  # pooled rate strictly inside (0, 1), else z is 0/0
            row["z"], row["p_value"] = proportions_ztest(
                [sb, sa], [nb, na], alternative=alternative
            )
    row["significant"] = bool(row["p_value"] < alpha)
    return pd.DataFrame([row], columns=AB_COLUMNS).astype({c: "float64" for c in AB_COLUMNS[:-1]})


def compare_years_rate(
    successes_prev, trials_prev, successes_cur, trials_cur, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Year over year change of a rate: :func:`ab_test` with last year as a, this year as b.

    >>> compare_years_rate(50, 1000, 80, 1000).round(3)[["rate_a", "rate_b", "diff", "lift"]]
       rate_a  rate_b  diff  lift
    0    0.05    0.08  0.03   0.6
    """
    return ab_test(successes_prev, trials_prev, successes_cur, trials_cur, alpha=alpha)


def compare_years_count(
    count_prev, exposure_prev, count_cur, exposure_cur, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Year over year change of a count per exposure (leads per month, per 1,000 visits) as a rate
    ratio.

    One row: ``rate_prev, rate_cur, ratio, ci_low, ci_high, statistic, p_value``
    with ``ratio = rate_cur / rate_prev``; score test (statsmodels
    ``test_poisson_2indep``) and score interval for the ratio
    (``confint_poisson_2indep``). NaN where an exposure is 0; the interval is
    NaN when either count is 0.

    >>> compare_years_count(100, 12, 120, 12).round(3)[["ratio", "statistic", "p_value"]]
       ratio  statistic  p_value
    0    1.2      1.348    0.178
    """
    _check_alpha("compare_years_count", alpha)
    (cp, cc) = _counts("compare_years_count", "count", [count_prev, count_cur])
    ep, ec = float(exposure_prev), float(exposure_cur)
    if not (ep >= 0 and ec >= 0):
        raise DataError(
            f"compare_years_count: exposures ({ep:g}, {ec:g}) must be non-negative numbers"
        )
    row = {"rate_prev": _rate(cp, ep), "rate_cur": _rate(cc, ec)}
    row |= {
        "ratio": row["rate_cur"] / row["rate_prev"] if row["rate_prev"] > 0 else np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
    }
    if ep > 0 and ec > 0 and cp + cc > 0:
        # the score z is antisymmetric in the years: put a zero count first (statsmodels divides by
        # the second)
        sign, args = (1, (cc, ec, cp, ep)) if cp > 0 else (-1, (cp, ep, cc, ec))
        res = sm_rates.test_poisson_2indep(*args, compare="ratio")
        row |= {"statistic": sign * res.statistic, "p_value": res.pvalue}
    if ep > 0 and ec > 0 and cp > 0 and cc > 0:
        row["ci_low"], row["ci_high"] = sm_rates.confint_poisson_2indep(
            cc, ec, cp, ep, alpha=alpha
        )  # ratio
    return pd.DataFrame([row]).astype("float64")


def _check_baseline(fn, baseline_rate) -> None:
    if not 0 < baseline_rate < 1:
        raise DataError(
            f"{fn}: baseline_rate={baseline_rate!r} must be a rate strictly between 0 and 1 (0.1 = "
            "10 %)"
        )


def _target_rate(fn, baseline_rate, effect, relative) -> float:
    _check_baseline(fn, baseline_rate)
    target = baseline_rate * (1 + effect) if relative else baseline_rate + effect
    if effect == 0 or not 0 < target < 1:
        kind = "relative (0.2 = +20 %)" if relative else "absolute (0.02 = +2 points)"
        raise DataError(
            f"{fn}: effect {effect!r} ({kind}) gives a target rate {target:g}; "
            f"it must be non-zero and keep the rate strictly between 0 and 1"
        )
    return target


def sample_size(
    baseline_rate,
    minimum_detectable_effect,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    relative: bool = True,
    alternative: str = "two-sided",
) -> int:
    """Trials needed per group to detect a change of a rate (Cohen's h, ``NormalIndPower``), rounded
    up.

    ``minimum_detectable_effect`` is relative to the baseline (0.2 = +20 %) or
    absolute in rate units when ``relative=False``. One-sided ``larger`` /
    ``smaller`` must match the sign of the effect.

    >>> sample_size(0.10, 0.02, relative=False)
    3835
    """
    _check_option("sample_size", "alternative", alternative, ALTERNATIVES)
    _check_alpha("sample_size", alpha)
    target = _target_rate("sample_size", baseline_rate, minimum_detectable_effect, relative)
    h = proportion_effectsize(target, baseline_rate)  # 2 asin sqrt(p2) - 2 asin sqrt(p1)
    if (alternative == "larger" and h < 0) or (alternative == "smaller" and h > 0):
        raise DataError(
            f"sample_size: alternative={alternative!r} contradicts the sign of the effect "
            f"{minimum_detectable_effect!r}; flip one of them or use 'two-sided'"
        )
    n = NormalIndPower().solve_power(
        effect_size=h, alpha=alpha, power=power, ratio=1.0, alternative=alternative
    )
    return int(math.ceil(n))


def minimum_detectable_effect(
    baseline_rate, n_per_group, *, alpha: float = 0.05, power: float = 0.8, relative: bool = True
) -> float:
    """Smallest upward change of a rate detectable with ``n_per_group`` trials per group
    (two-sided).

    Solves ``NormalIndPower`` for Cohen's h, then finds the target rate with
    that h by root finding (``scipy.optimize.brentq``). Relative (0.2 = +20 %)
    or absolute. NaN when no rate up to 1 is detectable with so few trials.

    >>> round(minimum_detectable_effect(0.10, 3835, relative=False), 4)
    0.02
    """
    _check_alpha("minimum_detectable_effect", alpha)
    _check_baseline("minimum_detectable_effect", baseline_rate)
    if not n_per_group > 1:
        raise DataError(
            f"minimum_detectable_effect: n_per_group={n_per_group!r} must be more than 1 trial"
        )
    h = NormalIndPower().solve_power(effect_size=None, nobs1=n_per_group, alpha=alpha, power=power)
    gap = lambda p: proportion_effectsize(p, baseline_rate) - h  # noqa: E731
    if gap(1.0) < 0:
        return float("nan")
    target = brentq(gap, baseline_rate, 1.0, xtol=1e-12)
    return float((target - baseline_rate) / baseline_rate if relative else target - baseline_rate)


@dataclass(frozen=True)
class MeanComparison:
    """Result of :func:`compare_means`: omnibus tests and pairwise comparisons."""

    omnibus: pd.DataFrame
    pairwise: pd.DataFrame


def _mean_pairs(samples: dict, alpha) -> pd.DataFrame:
    rows = []
    for (ga, a), (gb, b) in itertools.combinations(samples.items(), 2):
        base = {
            "group_a": ga,
            "group_b": gb,
            "mean_a": a.mean(),
            "mean_b": b.mean(),
            "diff": b.mean() - a.mean(),
        }
        welch = stats.ttest_ind(b, a, equal_var=False)  # Welch t for mean_b - mean_a
        ci = welch.confidence_interval(1 - alpha)
        rows.append(
            base
            | {
                "ci_low": ci.low,
                "ci_high": ci.high,
                "statistic": welch.statistic,
                "p_value": welch.pvalue,
                "test": "welch_t",
            }
        )
        mwu = stats.mannwhitneyu(b, a, alternative="two-sided")  # statistic: U of group_b
        rows.append(
            base
            | {
                "ci_low": np.nan,
                "ci_high": np.nan,
                "statistic": mwu.statistic,
                "p_value": mwu.pvalue,
                "test": "mann_whitney",
            }
        )
    return pd.DataFrame(rows)


def compare_means(
    data: pd.DataFrame,
    value: str,
    group: str,
    *,
    correction: str | None = "holm",
    alpha: float = 0.05,
) -> MeanComparison:
    """Compare a per-unit amount (deal size, order value) across groups.

    Missing values are ignored; each group needs at least 2 values. Returns a
    :class:`MeanComparison` with

    * ``omnibus``: ``test, statistic, df_num, df_denom, p_value`` for Welch's
      ANOVA (statsmodels ``anova_oneway(use_var="unequal")``), the classic
      ANOVA (``scipy.stats.f_oneway``) and Kruskal-Wallis (``scipy.stats.kruskal``).
    * ``pairwise``: ``group_a, group_b, mean_a, mean_b, diff, ci_low, ci_high,
      statistic, p_value, p_adjusted, significant, test``, two rows per pair:
      ``welch_t`` (``ttest_ind(equal_var=False)``, interval for
      ``diff = mean_b - mean_a``) and ``mann_whitney`` (``mannwhitneyu``, U of
      group_b, no interval). Each test is adjusted as its own family.

    >>> df = pd.DataFrame({"ch": ["a"] * 4 + ["b"] * 5, "amount": [1, 2, 3, 4, 2, 3, 4, 9, 10]})
    >>> res = compare_means(df, value="amount", group="ch")
    >>> res.pairwise[["group_a", "group_b", "diff", "p_value", "test"]].round(3)
      group_a group_b  diff  p_value          test
    0       a       b   3.1    0.135       welch_t
    1       a       b   3.1    0.215  mann_whitney
    """
    _validate_cols("compare_means", data, {"value": value, "group": group})
    _check_option("compare_means", "correction", correction, CORRECTIONS)
    _check_alpha("compare_means", alpha)
    values = pd.to_numeric(data[value], errors="coerce")
    if (values.isna() & data[value].notna()).any():
        bad = data[value][values.isna() & data[value].notna()].iloc[0]
        raise DataError(f"compare_means: column {value!r} has {bad!r}, which is not a number")
    samples = {
        g: v.to_numpy("float64") for g, v in values.dropna().groupby(data[group], sort=False)
    }
    small = [str(g) for g, v in samples.items() if len(v) < 2]
    if len(samples) < 2 or small:
        raise DataError(
            f"compare_means: need at least 2 groups with at least 2 values each in {value!r}; "
            f"found {len(samples)} group(s), too small: {', '.join(small) or 'none'}"
        )
    welch = anova_oneway(list(samples.values()), use_var="unequal")
    classic, kw = stats.f_oneway(*samples.values()), stats.kruskal(*samples.values())
    k, n = len(samples), sum(len(v) for v in samples.values())
    omnibus = pd.DataFrame(
        {
            "test": ["welch_anova", "anova", "kruskal"],
            "statistic": [welch.statistic, classic.statistic, kw.statistic],
            "df_num": [welch.df_num, k - 1, k - 1],
            "df_denom": [welch.df_denom, n - k, np.nan],
            "p_value": [welch.pvalue, classic.pvalue, kw.pvalue],
        }
    )
    pairs = _mean_pairs(samples, alpha)  # each test is its own family of comparisons
    pairs["p_adjusted"] = pairs.groupby("test")["p_value"].transform(
        lambda p: _adjust(p, correction, alpha)[0]
    )
    pairs["significant"] = pairs["p_adjusted"] < alpha
    return MeanComparison(omnibus.astype({"df_num": "float64"}), pairs[MEAN_COLUMNS])


def nps_ci(scores, *, alpha: float = 0.05) -> pd.DataFrame:
    """Net Promoter Score with a normal interval from the multinomial variance.

    One row: ``n, promoters, passives, detractors, nps, se, ci_low, ci_high``.
    With p the promoter share and d the detractor share of n answers,
    ``var(NPS / 100) = (p + d - (p - d)^2) / n``; ``se`` is in NPS points
    (100 times its square root) and the interval ``nps +/- z se`` is clipped
    to [-100, 100]. Missing scores are ignored; no scores give NaN.

    >>> nps_ci([10, 10, 9, 3]).round(2)
       n  promoters  passives  detractors   nps    se  ci_low  ci_high
    0  4          3         0           1  50.0  43.3  -34.87    100.0
    """
    _check_alpha("nps_ci", alpha)
    raw = pd.Series(scores, dtype="object").reset_index(drop=True)
    s = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & (s.isna() | (s < 0) | (s > 10) | (s % 1 != 0))
    if bad.any():
        raise DataError(
            f"nps_ci: score {raw[bad].iloc[0]!r} at position {int(np.flatnonzero(bad)[0])} "
            f"is not a whole number from 0 to 10; fix or drop that answer"
        )
    s = s.dropna()
    n, pro, det = len(s), int(is_promoter(s).sum()), int(is_detractor(s).sum())
    p, d = (pro / n, det / n) if n else (np.nan, np.nan)
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / n) if n else np.nan
    score, half = net_promoter_score(pro, det, n), stats.norm.ppf(1 - alpha / 2) * se
    return pd.DataFrame(
        {
            "n": [n],
            "promoters": [pro],
            "passives": [n - pro - det],
            "detractors": [det],
            "nps": [score],
            "se": [se],
            "ci_low": [np.clip(score - half, -100.0, 100.0)],
            "ci_high": [np.clip(score + half, -100.0, 100.0)],
        }
    )


def compare_nps(scores_a, scores_b, *, alpha: float = 0.05) -> pd.DataFrame:
    """Difference of two independent NPS (b - a) with a z-test.

    One row: ``nps_a, nps_b, diff, se, ci_low, ci_high, z, p_value,
    significant``; ``se = sqrt(se_a^2 + se_b^2)`` in points from
    :func:`nps_ci`, ``z = diff / se``, two-sided normal p-value.

    >>> res = compare_nps([10, 9, 6, 3, 10, 8] * 10, [10, 10, 9, 7, 8, 2] * 10)
    >>> res.round(3)[["diff", "z", "p_value"]]
         diff      z  p_value
    0  16.667  1.107    0.268
    """
    a, b = nps_ci(scores_a, alpha=alpha).iloc[0], nps_ci(scores_b, alpha=alpha).iloc[0]
    diff, se = b["nps"] - a["nps"], math.hypot(a["se"], b["se"])
    z = diff / se if se > 0 else np.nan
    p_value = 2 * stats.norm.sf(abs(z))
    half = stats.norm.ppf(1 - alpha / 2) * se
    return pd.DataFrame(
        {
            "nps_a": [a["nps"]],
            "nps_b": [b["nps"]],
            "diff": [diff],
            "se": [se],
            "ci_low": [diff - half],
            "ci_high": [diff + half],
            "z": [z],
            "p_value": [p_value],
            "significant": [bool(p_value < alpha)],
        }
    )
