"""Decision rules on crafted scorecards (not only the demo), each expectation worked by hand."""

import pandas as pd
import pytest

from kpi_helpers.config import Override, Thresholds
from kpi_helpers.decisions import decide
from kpi_helpers.demo import EXPECTED_DECISIONS

from conftest import DEMO
import kpi_helpers as kh


def _scorecard(tactics):
    """tactics: (name, visits, leads, customers, revenue, cost). Adds the portfolio row and net ROI."""
    rows = [{"year": 2025, "level": "tactic", "channel": "paid_search", "tactic": n, "visits": v, "leads": l,
             "customers": c, "revenue": r, "cost": k} for n, v, l, c, r, k in tactics]
    df = pd.DataFrame(rows)
    pf = df[["visits", "leads", "customers", "revenue", "cost"]].sum()
    df = pd.concat([df, pd.DataFrame([{"year": 2025, "level": "portfolio", **pf.to_dict()}])], ignore_index=True)
    df["roi"] = (df["revenue"] - df["cost"]) / df["cost"]
    return df


# Portfolio of the crafted set below: visits 40 000, leads 1 600, customers 400 -> visit->lead 4 %, lead->customer 25 %
CRAFTED = _scorecard([
    ("good", 10_000, 600, 150, 30_000, 10_000),  # ROI +200 %
    ("weak_funnel", 20_000, 100, 25, 8_000, 10_000),  # ROI -20 %, visit->lead 0.5 % vs 4 %
    ("bad", 9_000, 880, 220, 2_000, 10_000),  # ROI -80 %; stages close to the portfolio's
    ("thin", 1_000, 20, 5, 5_000, 1_000),  # 5 customers, 20 leads
])


def _by_tactic(df):
    return df.set_index("tactic")


def test_each_rule_on_crafted_scorecard():
    d = _by_tactic(decide(CRAFTED, None, Thresholds()))
    assert d.loc["good", "decision"] == "keep"
    assert d.loc["weak_funnel", "decision"] == "optimise"
    assert d.loc["bad", "decision"] == "drop"
    assert d.loc["thin", "decision"] == "insufficient_data"


def test_optimise_names_weakest_stage_and_counterfactual_roi():
    d = _by_tactic(decide(CRAFTED, None, Thresholds())).loc["weak_funnel"]
    assert d["weakest_stage"] == "traffic_to_lead"
    assert d["stage_rate"] == pytest.approx(100 / 20_000)
    assert d["portfolio_stage_rate"] == pytest.approx(1_600 / 40_000)
    # fixing visit->lead multiplies customers (and revenue) by 0.04 / 0.005 = 8:
    # revenue 8 000 -> 64 000, ROI (64 000 - 10 000) / 10 000 = 5.4
    assert d["roi_if_fixed"] == pytest.approx(5.4)
    assert "landing pages" in d["action"]
    assert "Visit → lead 0.50 % against 4.0 % for the portfolio" in d["reason"]


def test_drop_when_fixing_the_weakest_stage_would_not_pay():
    d = _by_tactic(decide(CRAFTED, None, Thresholds())).loc["bad"]
    # weakest: visit->lead 880/9000 = 9.8 % is above the portfolio; lead->customer 25 % equals it -> no weak stage
    assert d["decision"] == "drop"
    assert "ROI -80.0 % (revenue-based) is below the 0.0 % hurdle" in d["reason"]


def test_thresholds_apply_to_every_tactic_alike():
    # raising the hurdle to 250 % turns the +200 % tactic from keep to drop: none of its stages is weak
    # (visit -> lead 6 % against 3.3 % for the rest, lead -> customer 25 % against 25 %), so nothing to fix
    d = _by_tactic(decide(CRAFTED, None, Thresholds(roi_hurdle=2.5)))
    assert d.loc["good", "decision"] == "drop"
    assert "no funnel stage is clearly weaker" in d.loc["good", "reason"]
    assert d.loc["thin", "decision"] == "insufficient_data"
    # lowering the minimum sample makes the thin tactic judgeable: ROI +400 % -> keep
    d = _by_tactic(decide(CRAFTED, None, Thresholds(min_customers=2)))
    assert d.loc["thin", "decision"] == "keep"


def test_override_replaces_verdict_and_keeps_computed_one():
    ov = Override(channel="paid_search", tactic="bad", decision="keep", comment="Brand defence, agreed with the CMO")
    d = _by_tactic(decide(CRAFTED, None, Thresholds(), overrides=[ov])).loc["bad"]
    assert d["decision"] == "keep"
    assert d["override"] == "drop"
    assert d["reason"].startswith("Analyst override: Brand defence")


def test_decisions_csv_columns_come_first():
    d = decide(CRAFTED, None, Thresholds())
    assert list(d.columns[:4]) == ["channel", "tactic", "decision", "reason"]
    assert set(d["decision"]) <= {"keep", "optimise", "drop", "insufficient_data"}


@pytest.mark.parametrize("slug", sorted(EXPECTED_DECISIONS))
def test_demo_clients_get_the_decisions_they_were_built_for(slug):
    rv = kh.build_review(DEMO / slug / "client.yaml")
    got = {(r.channel, r.tactic): r.decision for r in rv.decisions.itertuples()}
    for key, expected in EXPECTED_DECISIONS[slug].items():
        assert got[key] == expected, f"{slug} {key}: {got[key]} != {expected}"
    assert set(EXPECTED_DECISIONS[slug].values()) == {"keep", "drop", "optimise", "insufficient_data"}


def _comparisons(rows):
    """Crafted comparison rows: (tactic, roi_ci_low, roi_ci_high, t2l_rest, t2l_p)."""
    return pd.DataFrame([{"channel": "paid_search", "tactic": t, "roi_ci_low": lo, "roi_ci_high": hi,
                          "traffic_to_lead_rest": rest, "traffic_to_lead_p": p} for t, lo, hi, rest, p in rows])


def test_interval_sets_confidence():
    comp = _comparisons([("good", 1.5, 2.5, 0.04, 0.2), ("weak_funnel", -0.5, 0.1, 0.05, 1e-6),
                         ("bad", -0.9, -0.7, 0.04, 0.5), ("thin", -1, 9, 0.04, 0.9)])
    d = _by_tactic(decide(CRAFTED, comp, Thresholds()))
    assert d.loc["good", "confidence"] == "high"  # interval 150 % to 250 % lies above the 0 % hurdle, 150 customers
    assert "95 % CI 150.0 % to 250.0 %" in d.loc["good", "reason"]
    assert "is not different from the rest of the portfolio (p = 0.20)" in d.loc["good", "reason"]
    # the weak-funnel tactic's interval (-50 % to +10 %) straddles the hurdle: still optimise, but low confidence
    assert d.loc["weak_funnel", "decision"] == "optimise" and d.loc["weak_funnel", "confidence"] == "low"
    assert "(p < 0.001)" in d.loc["weak_funnel", "reason"]
    # 220 customers and an interval (-90 % to -70 %) wholly below the hurdle: a confident drop
    assert d.loc["bad", "decision"] == "drop" and d.loc["bad", "confidence"] == "high"
    assert d.loc["thin", "decision"] == "insufficient_data" and d.loc["thin", "confidence"] == "low"


def test_weak_stage_must_be_significant():
    # the same 8-fold gap, but not significant (p = 0.3): the stage is not weak, so the tactic is dropped
    comp = _comparisons([("weak_funnel", -0.5, 0.1, 0.04, 0.3)])
    d = _by_tactic(decide(CRAFTED, comp, Thresholds())).loc["weak_funnel"]
    assert d["decision"] == "drop"


@pytest.mark.parametrize("cost, customers, leads, expected, reason", [
    (0, 50, 300, "insufficient_data", "no cost is recorded"),  # zero spend: ROI n/a
    (1_000, 0, 50, "insufficient_data", "Only 0 new customers and 50 leads"),  # zero customers, few leads
    (1_000, 0, 5_000, "drop", "below the 0.0 % hurdle"),  # zero customers from many leads: judged, dropped
])
def test_boundary_cases(cost, customers, leads, expected, reason):
    sc = _scorecard([("t", 10_000, leads, customers, 0.0, cost), ("other", 10_000, 500, 100, 20_000, 5_000)])
    if cost == 0:
        sc.loc[sc["tactic"] == "t", "roi"] = float("nan")  # what the scorecard gives for a zero cost
    d = _by_tactic(decide(sc, None, Thresholds())).loc["t"]
    assert d["decision"] == expected and reason in d["reason"]


def test_roi_exactly_at_hurdle_is_keep():
    sc = _scorecard([("even", 10_000, 400, 100, 10_000, 10_000), ("other", 10_000, 400, 100, 20_000, 10_000)])
    assert _by_tactic(decide(sc, None, Thresholds())).loc["even", "decision"] == "keep"  # ROI 0 % = hurdle


def test_low_ltv_cac_turns_keep_into_optimise():
    sc = CRAFTED.copy()
    sc["ltv_cac"] = [0.8, 2.0, 2.0, 2.0, 2.0]
    d = _by_tactic(decide(sc, None, Thresholds())).loc["good"]
    assert d["decision"] == "optimise" and "LTV:CAC 0.80 is under 1" in d["reason"]


def test_optimise_action_sizes_the_ab_test():
    import math

    from scipy.stats import norm

    d = _by_tactic(decide(CRAFTED, None, Thresholds())).loc["weak_funnel"]
    # visit -> lead 0.5 %, a +20 % lift to 0.6 %: Cohen's h = 2 asin sqrt(0.006) - 2 asin sqrt(0.005), and per group
    # n = 2 ((z_0.975 + z_0.8) / h)^2 (Cohen 1988, two-sample arcsine test), worked out here by hand
    h = 2 * math.asin(math.sqrt(0.006)) - 2 * math.asin(math.sqrt(0.005))
    n = math.ceil(2 * ((norm.ppf(0.975) + norm.ppf(0.8)) / h) ** 2)
    assert f"needs {n:,} per variant" in d["action"]
    # 20 000 visits a year: 2 x n visits take 2n / (20 000 / 12) months
    assert f"about {2 * n / (20_000 / 12):.1f} months" in d["action"]
