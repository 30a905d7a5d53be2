"""Statistics glue (kpi_helpers.metrics.stats, kpi_helpers.metrics.stats_money) against independent
references.

Every expected number comes from a hand computation written out here, from SciPy/statsmodels
called directly on the raw inputs, or from a published table; the comment beside each assertion
says which.
"""

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats import rates as sm_rates

from kpi_helpers.metrics import stats as ks
from kpi_helpers.metrics import stats_money as km
from kpi_helpers.core.schema import DataError

# Glue must not leak numpy/statsmodels runtime warnings (0/0 and friends) on the edges below.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

Z975 = NormalDist().inv_cdf(0.975)  # 1.959964


def wilson_by_hand(k, n, z=Z975):
    """Wilson score interval, Wilson (1927) / Newcombe (1998a) method 3, written out."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def two_prop_z_by_hand(k1, n1, k2, n2):
    """Pooled two-proportion z for p1 - p2 and its two-sided normal p-value."""
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2))


def holm_by_hand(p):
    """Holm step-down: sort ascending, multiply the i-th smallest by (m - i), running max, cap at
    1."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


# --- rate_ci
# ---------------------------------------------------------------------------------------


def test_rate_ci_wilson_matches_newcombe_published_example():
    out = ks.rate_ci(81, 263)
    assert list(out.columns) == ["successes", "trials", "rate", "ci_low", "ci_high", "method"]
    # Newcombe (1998a) Stat Med 17:857, Table II, 81/263, method 3 (Wilson score): 0.2553 to 0.3662
    assert out.loc[0, "ci_low"] == pytest.approx(0.2553, abs=5e-5)
    assert out.loc[0, "ci_high"] == pytest.approx(0.3662, abs=5e-5)
    # and the Wilson formula written out by hand
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == pytest.approx(
        wilson_by_hand(81, 263), rel=1e-12
    )


def test_rate_ci_vectorised_zero_trials_and_zero_successes():
    out = ks.rate_ci([0, 5, 0], [20, 50, 0])
    # 0/20: Wilson lower bound 0, upper z^2/(n+z^2) by hand (p = 0 in the formula)
    assert out.loc[0, "ci_low"] == pytest.approx(0.0, abs=1e-15)
    assert out.loc[0, "ci_high"] == pytest.approx(Z975**2 / (20 + Z975**2), rel=1e-12)
    assert (out.loc[1, "ci_low"], out.loc[1, "ci_high"]) == pytest.approx(
        wilson_by_hand(5, 50)
    )  # by hand
    # zero trials: no rate and no interval (project rule: zero denominator gives NaN)
    assert out.loc[2, ["rate", "ci_low", "ci_high"]].isna().all()


def test_rate_ci_clopper_pearson_by_beta_quantiles():
    out = ks.rate_ci(7, 40, method="beta", alpha=0.1)
    # exact Clopper-Pearson: Beta(k, n-k+1) and Beta(k+1, n-k) quantiles, scipy.stats.beta directly
    assert out.loc[0, "ci_low"] == pytest.approx(sps.beta.ppf(0.05, 7, 34))
    assert out.loc[0, "ci_high"] == pytest.approx(sps.beta.ppf(0.95, 8, 33))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"successes": -1, "trials": 10}, "non-negative whole numbers"),
        ({"successes": 2.5, "trials": 10}, "non-negative whole numbers"),
        ({"successes": 11, "trials": 10}, r"successes \(11\) exceed trials \(10\).*swapped"),
        ({"successes": 1, "trials": 10, "method": "wald"}, "unknown method 'wald'; use one of"),
        ({"successes": 1, "trials": 10, "alpha": 5}, "alpha=5 must be between 0 and 1"),
    ],
)
def test_rate_ci_bad_input_says_what_to_fix(kwargs, match):
    with pytest.raises(DataError, match=match):
        ks.rate_ci(**kwargs)


# --- compare_rates
# ---------------------------------------------------------------------------------


@pytest.fixture
def three_channels():
    # search appears on two rows (two months) that must be summed first: 60/400 in total
    return pd.DataFrame(
        {
            "channel": ["email", "search", "social", "search"],
            "won": [30, 25, 20, 35],
            "leads": [300, 150, 250, 250],
        }
    )


def test_compare_rates_omnibus_matches_scipy_and_cramers_v_by_hand(three_channels):
    res = ks.compare_rates(three_channels, successes="won", trials="leads", group="channel")
    table = np.array([[30, 270], [60, 340], [20, 230]])  # email, search (25+35, 150+250), social
    ref = sps.chi2_contingency(table, correction=False)  # SciPy directly on the summed table
    row = res.omnibus.iloc[0]
    assert list(res.omnibus.columns) == ["statistic", "dof", "p_value", "cramers_v"]
    assert row["statistic"] == pytest.approx(ref.statistic)
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert row["dof"] == 2  # (3 groups - 1) x (2 outcomes - 1)
    # Cramer's V by hand: sqrt(chi2 / (N (min(r, c) - 1))), N = 950
    assert row["cramers_v"] == pytest.approx(math.sqrt(ref.statistic / 950))


def test_compare_rates_pairwise_numbers_by_hand_and_statsmodels(three_channels):
    pw = ks.compare_rates(three_channels, successes="won", trials="leads", group="channel").pairwise
    assert list(pw.columns) == [
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
    assert list(zip(pw.group_a, pw.group_b)) == [
        ("email", "search"),
        ("email", "social"),
        ("search", "social"),
    ]
    row = pw.iloc[0]  # email 30/300 vs search 60/400
    z, p = two_prop_z_by_hand(60, 400, 30, 300)  # pooled z for rate_b - rate_a, by hand
    assert (row["rate_a"], row["rate_b"], row["diff"]) == pytest.approx((0.10, 0.15, 0.05))
    assert row["test"] == "z_test"
    assert (row["statistic"], row["p_value"]) == pytest.approx((z, p))
    # Newcombe interval: statsmodels confint_proportions_2indep called directly (b first)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        confint_proportions_2indep(60, 400, 30, 300)
    )
    # Cohen's h by hand: 2 asin sqrt(0.15) - 2 asin sqrt(0.10)
    assert row["cohens_h"] == pytest.approx(
        2 * math.asin(math.sqrt(0.15)) - 2 * math.asin(math.sqrt(0.10))
    )
    # Holm over the three pairs, by hand
    assert list(pw["p_adjusted"]) == pytest.approx(holm_by_hand(list(pw["p_value"])))
    assert list(pw["significant"]) == [p < 0.05 for p in pw["p_adjusted"]]


def test_compare_rates_vs_rest_pools_the_other_groups(three_channels):
    vr = ks.compare_rates(three_channels, successes="won", trials="leads", group="channel").vs_rest
    assert list(vr.group_b) == ["rest"] * 3
    row = vr.set_index("group_a").loc["social"]  # social 20/250 vs rest (30 + 60)/(300 + 400)
    z, p = two_prop_z_by_hand(90, 700, 20, 250)
    assert row["rate_b"] == pytest.approx(90 / 700)
    assert (row["statistic"], row["p_value"]) == pytest.approx((z, p))
    # its own family: Holm over the three vs-rest p-values (statsmodels multipletests directly)
    assert list(vr["p_adjusted"]) == pytest.approx(
        list(multipletests(vr["p_value"], method="holm")[1])
    )


def test_compare_rates_fdr_bh_and_no_correction(three_channels):
    bh = ks.compare_rates(
        three_channels, successes="won", trials="leads", group="channel", correction="fdr_bh"
    )
    ref = multipletests(bh.pairwise["p_value"], method="fdr_bh")[1]  # statsmodels directly
    assert list(bh.pairwise["p_adjusted"]) == pytest.approx(list(ref))
    raw = ks.compare_rates(
        three_channels, successes="won", trials="leads", group="channel", correction=None
    )
    assert (
        raw.pairwise["p_adjusted"] == raw.pairwise["p_value"]
    ).all()  # None leaves p-values alone
    assert (raw.vs_rest["p_adjusted"] == raw.vs_rest["p_value"]).all()


def test_small_counts_switch_to_fisher_tea_tasting():
    # Fisher's lady tasting tea: [[3, 1], [1, 3]]; two-sided p = 34/70 = 0.4857 (one-sided 17/70 =
    # 0.2429)
    df = pd.DataFrame({"g": ["milk_first", "tea_first"], "right": [1, 3], "cups": [4, 4]})
    row = ks.compare_rates(df, successes="right", trials="cups", group="g").pairwise.iloc[0]
    assert row["test"] == "fisher_exact"  # every expected cell is 2 < 5
    hand = sum(math.comb(4, k) * math.comb(4, 4 - k) for k in (0, 1, 3, 4)) / math.comb(
        8, 4
    )  # tables as extreme
    assert hand == pytest.approx(34 / 70)
    assert row["p_value"] == pytest.approx(0.4857, abs=5e-5)  # published value
    assert row["statistic"] == pytest.approx(9.0)  # sample odds ratio (3 x 3) / (1 x 1), by hand


def test_group_with_zero_successes_and_identical_groups():
    df = pd.DataFrame({"g": ["none", "some", "same"], "s": [0, 30, 30], "n": [200, 200, 200]})
    pw = ks.compare_rates(df, successes="s", trials="n", group="g").pairwise.set_index(
        ["group_a", "group_b"]
    )
    zero = pw.loc[("none", "some")]
    assert zero["test"] == "z_test"  # expected cells 15, 185: no Fisher needed
    assert zero["statistic"] == pytest.approx(two_prop_z_by_hand(30, 200, 0, 200)[0])  # by hand
    assert zero["cohens_h"] == pytest.approx(2 * math.asin(math.sqrt(0.15)))  # asin(0) = 0
    same = pw.loc[("some", "same")]
    assert same["diff"] == 0 and same["statistic"] == 0  # identical rates: z = 0
    assert same["p_value"] == pytest.approx(1.0)


def test_group_with_zero_trials_is_reported_but_not_tested():
    df = pd.DataFrame({"g": ["a", "b", "new"], "s": [10, 30, 0], "n": [100, 150, 0]})
    res = ks.compare_rates(df, successes="s", trials="n", group="g")
    untested = res.pairwise[res.pairwise.group_b == "new"]
    assert untested[["rate_b", "p_value", "p_adjusted"]].isna().all().all()
    assert (untested["test"] == "none (zero trials)").all() and not untested["significant"].any()
    tested = res.pairwise[res.pairwise.group_b != "new"]
    assert tested["p_adjusted"].tolist() == pytest.approx(
        tested["p_value"].tolist()
    )  # family of one: Holm = raw
    ref = sps.chi2_contingency(
        [[10, 90], [30, 120]], correction=False
    )  # omnibus skips the empty group
    assert res.omnibus.loc[0, "statistic"] == pytest.approx(ref.statistic)


@pytest.mark.parametrize(
    "data, kwargs, match",
    [
        ({"g": ["a", "b"], "s": [-1, 2], "n": [10, 10]}, {}, "non-negative whole numbers"),
        ({"g": ["a", "b"], "s": [12, 2], "n": [10, 10]}, {}, r"s \(12\) exceed n \(10\)"),
        (
            {"g": ["a", "b"], "s": [1, 2], "n": [10, 10]},
            {"correction": "tukey"},
            "unknown correction 'tukey'",
        ),
        ({"g": ["a", "a"], "s": [1, 2], "n": [10, 10]}, {}, "has 1 group"),
        (
            {"g": ["a", "b"], "s": [1, 2], "trials": [10, 10]},
            {},
            r"trials='n' not in data; found g, s, trials",
        ),
    ],
)
def test_compare_rates_bad_input(data, kwargs, match):
    with pytest.raises(DataError, match=match):
        ks.compare_rates(pd.DataFrame(data), successes="s", trials="n", group="g", **kwargs)


# --- ab_test and year over year
# --------------------------------------------------------------------


def test_ab_test_matches_newcombe_difference_example():
    row = ks.ab_test(48, 80, 56, 70).iloc[0]
    assert list(row.index) == [
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
    # Newcombe (1998b) Stat Med 17:873, example (a) 56/70 - 48/80, method 10: +0.0524 to +0.3339
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    # the same interval from Wilson limits by hand: d -/+ sqrt((p - l)^2 + (u - p)^2)
    (la, ua), (lb, ub) = wilson_by_hand(48, 80), wilson_by_hand(56, 70)
    assert row["ci_low"] == pytest.approx(0.2 - math.sqrt((0.8 - lb) ** 2 + (ua - 0.6) ** 2))
    assert row["ci_high"] == pytest.approx(0.2 + math.sqrt((ub - 0.8) ** 2 + (0.6 - la) ** 2))
    assert (row["z"], row["p_value"]) == pytest.approx(
        two_prop_z_by_hand(56, 70, 48, 80)
    )  # by hand
    assert row["lift"] == pytest.approx(0.8 / 0.6 - 1)
    ratio_ci = confint_proportions_2indep(56, 70, 48, 80, compare="ratio")  # statsmodels directly
    assert (row["lift_ci_low"], row["lift_ci_high"]) == pytest.approx(
        (ratio_ci[0] - 1, ratio_ci[1] - 1)
    )
    assert row["significant"]


def test_ab_test_one_sided_halves_the_p_value():
    row = ks.ab_test(100, 1000, 130, 1000, alternative="larger").iloc[0]
    z, _ = two_prop_z_by_hand(130, 1000, 100, 1000)
    assert row["p_value"] == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))  # upper tail, by hand


def test_ab_test_edges_no_variation_and_zero_trials():
    none = ks.ab_test(0, 100, 0, 100).iloc[0]
    assert none["diff"] == 0 and math.isnan(none["z"]) and not none["significant"]  # 0/0: no test
    empty = ks.ab_test(0, 0, 5, 10).iloc[0]
    assert empty["rate_b"] == 0.5  # the side with trials keeps its rate
    assert empty[["rate_a", "diff", "z", "p_value", "ci_low", "lift"]].isna().all()


def test_compare_years_rate_is_an_ab_test_of_last_year_against_this_year():
    yoy = ks.compare_years_rate(50, 1000, 80, 1000)
    pd.testing.assert_frame_equal(yoy, ks.ab_test(50, 1000, 80, 1000))
    z, p = proportions_ztest([80, 50], [1000, 1000])  # statsmodels directly
    assert (yoy.loc[0, "z"], yoy.loc[0, "p_value"]) == pytest.approx((z, p))


def test_compare_years_count_score_test_by_hand_and_statsmodels():
    row = ks.compare_years_count(100, 10, 120, 10).iloc[0]
    assert list(row.index) == [
        "rate_prev",
        "rate_cur",
        "ratio",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
    ]
    # score z by hand: (12 - 10) / sqrt(pooled rate 11 x (1/10 + 1/10))
    z = (12 - 10) / math.sqrt(11 * (1 / 10 + 1 / 10))
    assert (row["statistic"], row["p_value"]) == pytest.approx((z, math.erfc(z / math.sqrt(2))))
    assert row["ratio"] == pytest.approx(1.2)
    ci = sm_rates.confint_poisson_2indep(120, 10, 100, 10, compare="ratio")  # statsmodels directly
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(ci)


def test_compare_years_count_zero_counts_and_exposure():
    new = ks.compare_years_count(0, 10, 5, 10).iloc[0]  # nothing last year
    assert math.isnan(new["ratio"]) and math.isnan(new["ci_low"])  # zero denominator: NaN
    assert new["p_value"] == pytest.approx(0.025347, abs=1e-6)  # z = 5 / sqrt(5) = sqrt(5) by hand
    assert new["statistic"] == pytest.approx(math.sqrt(5))
    assert (
        ks.compare_years_count(3, 0, 4, 12).iloc[0][["rate_prev", "ratio", "p_value"]].isna().all()
    )
    with pytest.raises(DataError, match="exposures .* must be non-negative"):
        ks.compare_years_count(3, -1, 4, 12)


# --- sample size
# -----------------------------------------------------------------------------------


def test_sample_size_classic_example_cohens_h():
    # baseline 10 %, +2 points, alpha 0.05 two-sided, power 0.8. By hand with Cohen's h:
    # h = 2 asin sqrt(0.12) - 2 asin sqrt(0.10) = 0.06398; n = 2 ((z_.975 + z_.8) / h)^2 = 3834.6 ->
    # 3835.
    # (The often-quoted 3,841 is the pooled-variance normal formula, not the arcsine one.)
    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    hand = 2 * ((Z975 + NormalDist().inv_cdf(0.8)) / h) ** 2
    assert hand == pytest.approx(3834.6, abs=0.1)
    assert ks.sample_size(0.10, 0.02, relative=False) == math.ceil(hand) == 3835
    assert ks.sample_size(0.10, 0.20) == 3835  # +20 % relative is the same 12 %


def test_sample_size_one_sided_matches_statsmodels():
    h = 2 * math.asin(math.sqrt(0.06)) - 2 * math.asin(math.sqrt(0.05))
    ref = NormalIndPower().solve_power(effect_size=h, alpha=0.05, power=0.9, alternative="larger")
    assert ks.sample_size(0.05, 0.2, power=0.9, alternative="larger") == math.ceil(
        ref
    )  # statsmodels directly
    assert ks.sample_size(0.05, -0.2, power=0.9, alternative="smaller") > 0


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0.0, 0.1), {}, "baseline_rate=0.0 must be a rate strictly between 0 and 1"),
        ((0.9, 0.5), {}, "gives a target rate 1.35"),
        ((0.1, 0.0), {}, "must be non-zero"),
        ((0.1, -0.2), {"alternative": "larger"}, "contradicts the sign"),
        ((0.1, 0.2), {"alternative": "bigger"}, "unknown alternative 'bigger'"),
    ],
)
def test_sample_size_bad_input(args, kwargs, match):
    with pytest.raises(DataError, match=match):
        ks.sample_size(*args, **kwargs)


def test_minimum_detectable_effect_round_trip_through_statsmodels_power():
    absolute = ks.minimum_detectable_effect(0.10, 3835, relative=False)
    target = 0.10 + absolute
    h = 2 * math.asin(math.sqrt(target)) - 2 * math.asin(math.sqrt(0.10))
    assert NormalIndPower().power(h, nobs1=3835, alpha=0.05) == pytest.approx(
        0.8, abs=1e-6
    )  # statsmodels
    assert absolute == pytest.approx(0.02, abs=1e-4)  # the classic example backwards
    assert ks.minimum_detectable_effect(0.10, 3835) == pytest.approx(absolute / 0.10)  # relative
    assert math.isnan(ks.minimum_detectable_effect(0.9, 5))  # h needed 1.77 > room to 100 %, 0.64
    with pytest.raises(DataError, match="n_per_group=1 must be more than 1"):
        ks.minimum_detectable_effect(0.1, 1)


# --- compare_means
# ---------------------------------------------------------------------------------


@pytest.fixture
def deal_sizes():
    return pd.DataFrame(
        {
            "ch": ["a"] * 5 + ["b"] * 6 + ["c"] * 4,
            "amount": [10, 12, 9, 14, 11, 20, 18, 25, 30, 15, 22, 11, 13, None, 12],
        }
    )


def test_compare_means_omnibus(deal_sizes):
    res = ks.compare_means(deal_sizes, value="amount", group="ch")
    a, b, c = [10, 12, 9, 14, 11], [20, 18, 25, 30, 15, 22], [11, 13, 12]  # missing value dropped
    om = res.omnibus.set_index("test")
    assert list(res.omnibus.columns) == ["test", "statistic", "df_num", "df_denom", "p_value"]
    assert om.loc["anova", "statistic"] == pytest.approx(
        sps.f_oneway(a, b, c).statistic
    )  # SciPy directly
    assert om.loc["kruskal", "p_value"] == pytest.approx(
        sps.kruskal(a, b, c).pvalue
    )  # SciPy directly
    # Welch's F by hand (Welch 1951): weights w = n / s^2
    groups = [np.array(g, float) for g in (a, b, c)]
    w = np.array([len(g) / g.var(ddof=1) for g in groups])
    m = np.array([g.mean() for g in groups])
    mw = (w * m).sum() / w.sum()
    tmp = sum((1 - wi / w.sum()) ** 2 / (len(g) - 1) for wi, g in zip(w, groups))
    f = ((w * (m - mw) ** 2).sum() / 2) / (1 + 2 * (3 - 2) / (3**2 - 1) * tmp)
    assert om.loc["welch_anova", "statistic"] == pytest.approx(f)
    assert om.loc["welch_anova", "df_denom"] == pytest.approx((3**2 - 1) / (3 * tmp))


def test_compare_means_pairwise_welch_by_hand_and_mann_whitney(deal_sizes):
    pw = ks.compare_means(deal_sizes, value="amount", group="ch").pairwise
    assert list(pw.columns) == [
        "group_a",
        "group_b",
        "mean_a",
        "mean_b",
        "diff",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "p_adjusted",
        "significant",
        "test",
    ]
    a, b = np.array([10, 12, 9, 14, 11.0]), np.array([20, 18, 25, 30, 15, 22.0])
    va, vb = a.var(ddof=1) / 5, b.var(ddof=1) / 6
    t = (b.mean() - a.mean()) / math.sqrt(va + vb)  # Welch t by hand
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 5)  # Welch-Satterthwaite df by hand
    half = sps.t.ppf(0.975, df) * math.sqrt(va + vb)
    welch = pw[(pw.group_a == "a") & (pw.group_b == "b") & (pw.test == "welch_t")].iloc[0]
    assert welch["diff"] == pytest.approx(b.mean() - a.mean())
    assert welch["statistic"] == pytest.approx(t)
    assert welch["p_value"] == pytest.approx(2 * sps.t.sf(abs(t), df))
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx(
        (welch["diff"] - half, welch["diff"] + half)
    )
    mwu = pw[(pw.group_a == "a") & (pw.group_b == "b") & (pw.test == "mann_whitney")].iloc[0]
    assert mwu["statistic"] == 30  # U of b: every b value beats every a value, 6 x 5 by hand
    assert mwu["p_value"] == pytest.approx(sps.mannwhitneyu(b, a).pvalue)  # SciPy directly
    for test in ("welch_t", "mann_whitney"):  # each test its own Holm family of 3 pairs, by hand
        fam = pw[pw.test == test]
        assert fam["p_adjusted"].tolist() == pytest.approx(holm_by_hand(fam["p_value"].tolist()))


@pytest.mark.parametrize(
    "data, match",
    [
        ({"ch": ["a", "a", "b"], "amount": [1, 2, 3]}, "at least 2 values each.*too small: b"),
        (
            {"ch": ["a", "a", "b", "b"], "amount": [1, 2, "3 EUR", 4]},
            "'3 EUR', which is not a number",
        ),
        ({"ch": ["a", "a"], "amount": [1, 2]}, "found 1 group"),
    ],
)
def test_compare_means_bad_input(data, match):
    with pytest.raises(DataError, match=match):
        ks.compare_means(pd.DataFrame(data), value="amount", group="ch")


# --- money ratios
# ----------------------------------------------------------------------------------


def test_poisson_cost_ci_matches_garwood_table():
    out = km.poisson_cost_ci(10_000, 10)
    assert list(out.columns) == ["cost", "count", "value", "ci_low", "ci_high"]
    # exact Poisson limits for 10 events, 95 %: 4.7954 and 18.3904 (Garwood 1936; standard tables)
    assert out.loc[0, "ci_low"] == pytest.approx(10_000 / 18.3904, rel=1e-5)
    assert out.loc[0, "ci_high"] == pytest.approx(10_000 / 4.7954, rel=1e-5)
    # the same limits from chi-square quantiles, scipy.stats.chi2 directly
    assert out.loc[0, "ci_high"] == pytest.approx(10_000 / (sps.chi2.ppf(0.025, 20) / 2))
    assert out.loc[0, "value"] == 1_000.0  # CPL = 10 000 / 10


def test_poisson_cost_ci_zero_count():
    row = km.poisson_cost_ci([5_000, 0], 0).iloc[0]
    # upper limit for 0 events is chi2(0.975; 2) / 2 = -ln(0.025) = ln 40 = 3.6889, by hand
    assert row["ci_low"] == pytest.approx(5_000 / math.log(40))
    assert math.isnan(row["value"]) and row["ci_high"] == math.inf


@pytest.mark.parametrize(
    "cost, count, match",
    [
        (-5, 3, "cost has -5 at position 0; expected a non-negative number"),
        (5, 2.5, "count 2.5 is not a whole number"),
        (5, float("nan"), "count has nan"),
    ],
)
def test_poisson_cost_ci_bad_input(cost, count, match):
    with pytest.raises(DataError, match=match):
        km.poisson_cost_ci(cost, count)


@pytest.fixture
def orders():
    rng = np.random.default_rng(
        42
    )  # test data only; the reference numbers below do not depend on it
    cost = rng.gamma(2.0, 50.0, 300)
    return cost * rng.lognormal(0.5, 0.6, 300), cost  # revenue, cost per deal


def test_bootstrap_is_deterministic_and_contains_the_estimate(orders):
    revenue, cost = orders
    one = km.bootstrap_ratio_ci(revenue, cost, seed=7)
    assert list(one.columns) == [
        "numerator",
        "denominator",
        "value",
        "ci_low",
        "ci_high",
        "n_units",
        "n_boot",
        "statistic",
    ]
    pd.testing.assert_frame_equal(
        one, km.bootstrap_ratio_ci(revenue, cost, seed=7)
    )  # same seed, same numbers
    assert one.loc[0, "ci_low"] != km.bootstrap_ratio_ci(revenue, cost, seed=8).loc[0, "ci_low"]
    assert one.loc[0, "value"] == pytest.approx(
        revenue.sum() / cost.sum()
    )  # ratio of totals by hand
    assert one.loc[0, "ci_low"] < one.loc[0, "value"] < one.loc[0, "ci_high"]


def test_bootstrap_agrees_with_scipy_bootstrap(orders):
    revenue, cost = orders
    ours = km.bootstrap_ratio_ci(revenue, cost, n_boot=20_000).iloc[0]
    ref = sps.bootstrap(
        (revenue, cost),
        lambda r, c, axis: r.sum(axis) / c.sum(axis),
        paired=True,
        vectorized=True,
        n_resamples=20_000,
        method="percentile",
        rng=1,
    ).confidence_interval
    # independent resampler (SciPy), different random stream: agree within Monte Carlo error
    width = ref.high - ref.low
    assert ours["ci_low"] == pytest.approx(ref.low, abs=0.03 * width)
    assert ours["ci_high"] == pytest.approx(ref.high, abs=0.03 * width)


def test_bootstrap_roi_is_ratio_minus_one_and_constant_ratio_collapses(orders):
    revenue, cost = orders
    ratio = km.bootstrap_ratio_ci(revenue, cost).iloc[0]
    roi = km.bootstrap_ratio_ci(revenue, cost, statistic="roi").iloc[0]
    # (sum r - sum c) / sum c = sum r / sum c - 1, replicate by replicate (same seed), by hand
    assert (roi["value"], roi["ci_low"], roi["ci_high"]) == pytest.approx(
        (ratio["value"] - 1, ratio["ci_low"] - 1, ratio["ci_high"] - 1)
    )
    flat = km.bootstrap_ratio_ci(3 * cost, cost).iloc[0]  # every deal returns 3x its cost
    assert (flat["ci_low"], flat["ci_high"]) == pytest.approx((3.0, 3.0))


def test_bootstrap_units_sum_rows_first_and_blocks_do_not_change_draws(orders, monkeypatch):
    revenue, cost = orders
    customer = np.arange(300) // 3  # three orders per customer
    by_unit = km.bootstrap_ratio_ci(revenue, cost, units=customer)
    summed = km.bootstrap_ratio_ci(
        revenue.reshape(100, 3).sum(1), cost.reshape(100, 3).sum(1)
    )  # by hand
    pd.testing.assert_frame_equal(by_unit, summed)
    monkeypatch.setattr(km, "_MAX_CELLS", 100 * 7)  # force blocks of 7 replicates
    pd.testing.assert_frame_equal(km.bootstrap_ratio_ci(revenue, cost, units=customer), by_unit)


def test_bootstrap_monthly_fallback_warns():
    with pytest.warns(UserWarning, match="only 12 units"):
        out = km.bootstrap_ratio_ci(np.arange(1, 13) * 10.0, np.full(12, 50.0))
    assert out.loc[0, "value"] == pytest.approx(780 / 600)  # sum 10..120 = 780 over 12 x 50


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"statistic": "margin"}, "unknown statistic 'margin'; use 'ratio' or 'roi'"),
        ({"n_boot": 0}, "n_boot=0 a positive whole number"),
        ({"units": [1, 2]}, r"units needs one label per row \(3\)"),
    ],
)
def test_bootstrap_bad_options(kwargs, match):
    with pytest.raises(DataError, match=match):
        km.bootstrap_ratio_ci([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], **kwargs)


def test_bootstrap_bad_values():
    with pytest.raises(DataError, match="numerator has 3 values and denominator 2"):
        km.bootstrap_ratio_ci([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match="denominator has nan at position 1"):
        km.bootstrap_ratio_ci([1, 2, 3], [1, None, 2])


# --- NPS
# -------------------------------------------------------------------------------------------


def test_nps_ci_multinomial_variance_by_hand():
    scores = [10] * 40 + [9] * 10 + [8] * 20 + [7] * 10 + [5] * 15 + [0] * 5  # n = 100
    row = ks.nps_ci(scores).iloc[0]
    # by hand: p = 0.50, d = 0.20, NPS = 30; var = (0.5 + 0.2 - 0.3^2) / 100 = 0.0061
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (100, 50, 30, 20)
    assert row["nps"] == pytest.approx(30.0)
    assert row["se"] == pytest.approx(100 * math.sqrt(0.0061))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (30 - Z975 * 7.8102, 30 + Z975 * 7.8102), abs=1e-3
    )


def test_nps_ci_clips_ignores_missing_and_handles_empty():
    row = ks.nps_ci([10, 10, 9, 3, None]).iloc[0]  # missing answer ignored: n = 4
    # by hand: NPS = 50, se = 100 sqrt((0.75 + 0.25 - 0.25) / 4) = 43.30; 50 + 1.96 x 43.3 > 100 ->
    # clipped
    assert (row["n"], row["nps"], row["se"]) == pytest.approx((4, 50.0, 43.30127))
    assert row["ci_high"] == 100.0
    assert ks.nps_ci([]).iloc[0][["nps", "se", "ci_low", "ci_high"]].isna().all()


@pytest.mark.parametrize(
    "scores, match",
    [
        ([10, 11], "score 11 at position 1 is not a whole number from 0 to 10"),
        ([7, "ten"], "score 'ten' at position 1"),
        ([7.5], "score 7.5 at position 0"),
    ],
)
def test_nps_ci_bad_scores(scores, match):
    with pytest.raises(DataError, match=match):
        ks.nps_ci(scores)


def test_compare_nps_by_hand():
    a = [10] * 30 + [8] * 40 + [3] * 30  # NPS 0, var = (0.3 + 0.3 - 0) / 100 = 0.006
    b = [10] * 50 + [8] * 30 + [3] * 20  # NPS 30, var = (0.5 + 0.2 - 0.09) / 100 = 0.0061
    row = ks.compare_nps(a, b).iloc[0]
    se = 100 * math.sqrt(0.006 + 0.0061)  # by hand: sqrt(se_a^2 + se_b^2) in points
    z = 30 / se
    assert (row["nps_a"], row["nps_b"], row["diff"]) == pytest.approx((0.0, 30.0, 30.0))
    assert (row["se"], row["z"]) == pytest.approx((se, z))
    assert row["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))  # two-sided normal, by hand
    assert row["significant"]


@pytest.mark.parametrize("correction", ["holm", "fdr_bh", "bonferroni"])
def test_vectorised_corrections_match_statsmodels_on_random_p_values(correction):
    rng = np.random.default_rng(12)
    for m in (1, 2, 3, 7, 12, 45, 200):
        for p in (
            rng.uniform(size=m),
            rng.uniform(0, 0.05, size=m),
            np.round(rng.uniform(size=m), 2),
        ):  # ties too
            expected = multipletests(p, alpha=0.05, method=correction)[1]
            np.testing.assert_allclose(
                ks.adjust_p_values(p, correction=correction), expected, rtol=1e-12, atol=0
            )


def test_corrections_keep_nan_out_of_the_family():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    expected = multipletests(p[[0, 2, 3]], method="holm")[1]
    got = ks.adjust_p_values(p, correction="holm")
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[[0, 2, 3]], expected, rtol=1e-12)
