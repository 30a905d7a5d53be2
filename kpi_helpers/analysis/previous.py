"""Last year's decisions, checked against what happened this year (the yearly loop).

Where last year's calls come from, in this order: the previous review's folder (its
``decisions.csv`` and ``summary.json``, read as data: ``kpi-review run`` finds the latest run under
``--out`` that reviewed year − 1 for the same client, or takes ``--previous DIR``); else the
``history:`` entries of ``client.yaml`` for year − 1 (a first year with the toolkit).

Each call judged last year (keep, optimise, drop; too-little-data calls are not judged) is checked
on this year's numbers of the current run (the scorecard holds both years on one basis):

- **keep**: did the decision ROI hold? *Right* when its 95 % interval lies at or over the hurdle,
  *wrong* when it lies under it, *not yet clear* when it contains the hurdle (without an interval,
  the point decides).
- **optimise** (a named funnel stage): did the stage's rate improve? Two-proportion z-test
  (statsmodels ``proportions_ztest``) of this year's rate against last year's, with the difference's
  95 % interval (``confint_proportions_2indep``, Newcombe). *Right*: up significantly (p < alpha);
  *wrong*: down significantly; *not yet clear*: no significant change. A ``value`` call (LTV : CAC
  too low) is right when LTV : CAC reached the threshold.
- **drop**: did the spend stop (this year's cost under 5 % of last year's), and did the portfolio's
  leads and new customers hold without it (Poisson rate test, ``test_poisson_2indep``: held unless
  significantly lower)? *Right*: stopped and held; *wrong*: stopped and a total fell significantly;
  *not yet clear*: the spend went on (the call was not carried out).

An analyst's override is checked as the call that was made, and says what was computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.rates import test_poisson_2indep as poisson_rates_test

from ..core import i18n
from ..metrics import kpis, stats
from ..metrics.catalog import format_value, label
from ..core.i18n import _
from .narrative import DECISION_LABELS
from ..core.runs import _summary, find_previous, resolve_previous
from ..core.schema import DataError
from ..core.vocab import JUDGED, STAGE_COLUMNS, Decision, Level

__all__ = [
    "PreviousReview",
    "find_previous",
    "resolve_previous",
    "read_previous",
    "from_history",
    "check_decisions",
    "attach",
    "VERDICTS",
    "CHECK_COLUMNS",
]

VERDICTS = ("right", "not_yet_clear", "wrong")
VERDICT_LABELS = {"right": "right", "not_yet_clear": "not yet clear", "wrong": "wrong"}
CHECK_COLUMNS = [
    "channel",
    "tactic",
    "previous_decision",
    "computed",
    "override_comment",
    "stage",
    "expected",
    "before",
    "after",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "outcome",
]
_STOPPED = 0.05  # this year's cost under 5 % of last year's: the spend stopped


@dataclass
class PreviousReview:
    """Last year's calls: ``decisions`` (channel, tactic, decision, weakest_stage, override,
    override_comment),
    the ``year`` they were made for, and where they come from (``source``: report or
    client.yaml)."""

    decisions: pd.DataFrame
    year: int
    source: str
    run_date: str | None = None


def read_previous(
    folder: str | Path, slug: str | None = None, year: int | None = None
) -> PreviousReview:
    """Read a previous review's ``decisions.csv`` and ``summary.json`` (as data; nothing is
    executed)."""
    folder = Path(folder)
    fix = (
        "pass --previous the folder of last year's report (it holds summary.json and decisions.csv)"
    )
    if not folder.is_dir():
        raise DataError(f"--previous {folder}: no such folder; {fix}")
    summary = _summary(folder)
    if summary is None:
        raise DataError(f"{folder / 'summary.json'}: missing or not valid JSON; {fix}")
    if slug is not None and summary.get("slug") not in (None, slug):
        raise DataError(
            f"{folder / 'summary.json'}: a review of client {summary.get('slug')!r}, not {slug!r}; "
            f"{fix}"
        )
    if year is not None and summary.get("year") != year - 1:
        raise DataError(
            f"{folder / 'summary.json'}: reviewed year {summary.get('year')}, not {year - 1}; "
            f"pass the report of {year - 1}, or review {int(summary.get('year', year - 1)) + 1} "
            "with --year"
        )
    try:
        d = pd.read_csv(
            folder / "decisions.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
        )
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{folder / 'decisions.csv'}: cannot be read ({exc}); {fix}") from None
    missing = {"channel", "tactic", "decision"} - set(d.columns)
    if missing:
        raise DataError(
            f"{folder / 'decisions.csv'}: no column(s) {', '.join(sorted(missing))}; {fix}"
        )
    d = d.reindex(
        columns=["channel", "tactic", "decision", "weakest_stage", "override", "override_comment"]
    )
    d = d.replace("", np.nan)
    for col in ("channel", "tactic", "override_comment"):  # undo report.spreadsheet_safe's quote
        d[col] = d[col].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    return PreviousReview(d, int(summary["year"]), "report", summary.get("run_date"))


def from_history(config, year: int) -> PreviousReview | None:
    """Last year's calls listed by hand in ``client.yaml`` (``history:``), or None."""
    rows = [
        {
            "channel": h.channel,
            "tactic": h.tactic,
            "decision": h.decision,
            "weakest_stage": h.stage,
            "override": np.nan,
            "override_comment": h.comment or np.nan,
        }
        for h in config.history
        if h.year == year - 1
    ]
    return PreviousReview(pd.DataFrame(rows), year - 1, "client.yaml") if rows else None


def _row(sc: pd.DataFrame, year: int, channel: str, tactic: str) -> pd.Series | None:
    r = sc[
        (sc["year"] == year)
        & (sc["level"] == Level.TACTIC)
        & (sc["channel"] == channel)
        & (sc["tactic"] == tactic)
    ]
    return r.iloc[0] if len(r) else None


# long: the keep check's cases (no interval, no data, over or under the hurdle), each a sentence
def _check_keep(rv, cur) -> dict:
    hurdle = rv.config.thresholds.roi_hurdle
    expected = _("ROI stays at or over the {hurdle} hurdle").format(
        hurdle=format_value(hurdle, "rate")
    )
    d = rv.decisions
    row = (
        d[(d["channel"] == cur["channel"]) & (d["tactic"] == cur["tactic"])]
        if cur is not None
        else d.iloc[0:0]
    )
    roi = row["roi"].iloc[0] if len(row) else np.nan
    if pd.isna(roi):
        return {
            "expected": expected,
            "verdict": "not_yet_clear",
            "outcome": _("no ROI this year (no cost or no revenue recorded)"),
        }
    lo, hi = row["roi_ci_low"].iloc[0], row["roi_ci_high"].iloc[0]
    ci = (
        _("95 % CI {low} to {high}").format(
            low=format_value(lo, "rate"), high=format_value(hi, "rate")
        )
        if pd.notna(lo)
        else _("no interval")
    )
    low, high = (lo, hi) if pd.notna(lo) else (roi, roi)
    verdict = "right" if low >= hurdle else "wrong" if high < hurdle else "not_yet_clear"
    text = {
        "right": _("ROI held: {roi} ({ci})"),
        "wrong": _("ROI fell under the hurdle: {roi} ({ci}); the tactic stopped paying"),
        "not_yet_clear": _("ROI {roi} ({ci}): the interval contains the hurdle"),
    }[verdict]
    return {
        "expected": expected,
        "before": np.nan,
        "after": roi,
        "ci_low": lo,
        "ci_high": hi,
        "verdict": verdict,
        "outcome": text.format(roi=format_value(roi, "rate"), ci=ci),
    }


# long: the optimise check's cases (value, no stage, stage test), each with its sentence
def _check_optimise(rv, prev, cur, stage) -> dict:
    alpha = rv.config.thresholds.alpha
    if stage == "value":
        expected = _("LTV:CAC reaches {minimum}").format(
            minimum=i18n.number(rv.config.thresholds.ltv_cac_min, 0)
        )
        v = cur.get("ltv_cac", np.nan) if cur is not None else np.nan
        if pd.isna(v):
            return {
                "expected": expected,
                "verdict": "not_yet_clear",
                "outcome": _("no LTV:CAC this year"),
            }
        ok = v >= rv.config.thresholds.ltv_cac_min
        return {
            "expected": expected,
            "after": v,
            "verdict": "right" if ok else "not_yet_clear",
            "outcome": _("LTV:CAC {value} this year").format(value=i18n.number(v, 2)),
        }
    if stage not in STAGE_COLUMNS:
        return {
            "expected": _("the named stage improves"),
            "verdict": "not_yet_clear",
            "outcome": _("no funnel stage named with the call, so there is nothing to test"),
        }
    num, den = STAGE_COLUMNS[stage]
    expected = _("{stage} improves").format(stage=label(stage))
    have = lambda r: r is not None and den in r and num in r and pd.notna(r[den]) and r[den] > 0  # noqa: E731
    if not (have(prev) and have(cur)):
        return {
            "expected": expected,
            "verdict": "not_yet_clear",
            "outcome": _("{stage} cannot be measured in both years").format(stage=label(stage)),
        }
    x1, n1, x0, n0 = float(cur[num]), float(cur[den]), float(prev[num]), float(prev[den])
    _z, p = proportions_ztest([x1, x0], [n1, n0])
    lo, hi = confint_proportions_2indep(x1, n1, x0, n0, compare="diff", alpha=alpha)
    r1, r0 = kpis.stage_conversion(x1, n1), kpis.stage_conversion(x0, n0)
    verdict = ("right" if r1 > r0 else "wrong") if p < alpha else "not_yet_clear"
    text = {
        "right": _("{stage} rose from {before} to {after} ({diff}, {p})"),
        "wrong": _("{stage} fell from {before} to {after} ({diff}, {p}): the fix did not work"),
        "not_yet_clear": _("{stage} {before} → {after} ({diff}, {p}): no significant change yet"),
    }[verdict]
    return {
        "expected": expected,
        "before": r0,
        "after": r1,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
        "verdict": verdict,
        "outcome": text.format(
            stage=label(stage),
            before=format_value(r0, "rate"),
            after=format_value(r1, "rate"),
            diff=format_value(r1 - r0, "pts"),
            p=stats.format_p(p),
        ),
    }


def _held(rv, kpi: str) -> tuple[bool, str]:
    """Did the portfolio's ``kpi`` hold (not significantly lower than last year)?"""
    sc = rv.scorecard
    pf = sc[sc["level"] == Level.PORTFOLIO].set_index("year")
    if kpi not in pf or rv.year - 1 not in pf.index:
        return True, ""
    c1, c0 = (
        float(np.nan_to_num(pf.loc[rv.year, kpi])),
        float(np.nan_to_num(pf.loc[rv.year - 1, kpi])),
    )
    p = poisson_rates_test(c1, 1.0, c0, 1.0).pvalue if c0 > 0 and c1 >= 0 else np.nan
    fell = c1 < c0 and pd.notna(p) and p < rv.config.thresholds.alpha
    return not fell, _("{kpi} {before} → {after} ({p})").format(
        kpi=label(kpi),
        before=format_value(c0, "count"),
        after=format_value(c1, "count"),
        p=stats.format_p(p),
    )


def _check_drop(rv, prev, cur) -> dict:
    expected = _("spend stops; total leads and customers hold without it")
    before = float(np.nan_to_num(prev.get("cost", np.nan))) if prev is not None else np.nan
    after = float(np.nan_to_num(cur.get("cost", np.nan))) if cur is not None else 0.0
    stopped = after <= _STOPPED * before if pd.notna(before) and before > 0 else after <= 0
    if not stopped:
        return {
            "expected": expected,
            "before": before,
            "after": after,
            "verdict": "not_yet_clear",
            "outcome": _("the call was not carried out: {cost} spent this year").format(
                cost=format_value(after, "money", rv.config.currency)
            ),
        }
    checks = [_held(rv, k) for k in ("leads", "customers")]
    totals = "; ".join(t for _ok, t in checks if t)
    if all(ok for ok, _t in checks):
        return {
            "expected": expected,
            "before": before,
            "after": after,
            "verdict": "right",
            "outcome": _("spend stopped and the totals held: {totals}").format(totals=totals),
        }
    return {
        "expected": expected,
        "before": before,
        "after": after,
        "verdict": "wrong",
        "outcome": _(
            "spend stopped but the totals fell significantly: {totals}; the tactic brought "
            "business "
            "its own numbers did not show"
        ).format(totals=totals),
    }


def check_decisions(rv, previous: PreviousReview | None) -> pd.DataFrame:
    """One row per call judged last year (:data:`CHECK_COLUMNS`); empty without a previous
    review."""
    if previous is None or previous.decisions.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    sc, rows = rv.scorecard, []
    for d in previous.decisions.itertuples():
        if d.decision not in JUDGED:
            continue
        prev, cur = (
            _row(sc, rv.year - 1, d.channel, d.tactic),
            _row(sc, rv.year, d.channel, d.tactic),
        )
        stage = d.weakest_stage if isinstance(d.weakest_stage, str) else None
        res = (
            _check_keep(rv, cur)
            if d.decision == Decision.KEEP
            else _check_optimise(rv, prev, cur, stage)
            if d.decision == Decision.OPTIMISE
            else _check_drop(rv, prev, cur)
        )
        outcome = res.pop("outcome")
        if isinstance(d.override, str):
            outcome += " — " + _("analyst override of the computed {computed}").format(
                computed=_(DECISION_LABELS.get(d.override, d.override)).lower()
            )
        rows.append(
            {
                "channel": d.channel,
                "tactic": d.tactic,
                "previous_decision": d.decision,
                "computed": d.override if isinstance(d.override, str) else np.nan,
                "override_comment": d.override_comment,
                "stage": stage,
                "outcome": outcome,
            }
            | res
        )
    return pd.DataFrame(rows).reindex(columns=CHECK_COLUMNS)


def verdict_text(verdict: str, outcome: str) -> str:
    """The one-line verdict: "right: ROI held ...", "wrong: ..."."""
    return f"{_(VERDICT_LABELS[verdict])}: {outcome}"


def attach(decisions: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """``decisions.csv`` with ``previous_decision`` and ``previous_outcome`` (the one-line
    verdict)."""
    out = decisions.copy()
    if checks.empty:
        out["previous_decision"], out["previous_outcome"] = (
            pd.Series(dtype=object),
            pd.Series(dtype=object),
        )
        return out
    c = checks.assign(
        previous_outcome=[verdict_text(v, o) for v, o in zip(checks["verdict"], checks["outcome"])]
    )
    c = c[["channel", "tactic", "previous_decision", "previous_outcome"]].drop_duplicates(
        ["channel", "tactic"]
    )
    return out.merge(c, on=["channel", "tactic"], how="left")


def scoreline(checks: pd.DataFrame) -> dict[str, int]:
    counts = checks["verdict"].value_counts() if len(checks) else pd.Series(dtype=int)
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def load(rv, previous: str | Path | None) -> PreviousReview | None:
    """Last year's calls for ``rv``: the ``previous`` folder when given, else ``client.yaml``'s
    history."""
    if previous is not None:
        folder = resolve_previous(previous, rv.config.slug or rv.data.folder.name)
        return read_previous(folder, rv.config.slug, rv.year)
    return from_history(rv.config, rv.year)
