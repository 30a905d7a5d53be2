"""Next year's targets, proposed from the forecast and the decisions (S1: SMART targets).

- **Portfolio totals** (revenue, new customers, leads): the forecast's central value under the
  proposed budget (:mod:`kpi_helpers.analysis.forecast`), so a target is as likely to be beaten as
  missed
  if the budget is adopted; the assumption states the 90 % interval and the value at this year's
  budget. Rounded to three significant digits.
- **CAC**: forecast cost ÷ forecast new customers under the same budget.
- **Decisions**: each tactic to optimise for a named funnel stage gets a target on its channel's
  rate for that stage: the channel's rate if the tactic reached the rate the decision compared it
  with (its other tactics unchanged): (channel numerator − tactic numerator + tactic denominator ×
  reference rate) ÷ channel denominator.

Every target is a :class:`kpi_helpers.loaders.config.Target` (an absolute ``value``, scope ``all``
or a
channel); ``next_targets.yaml`` holds them as a ``targets:`` block to paste into ``client.yaml``.
"""

from __future__ import annotations

import math

import pandas as pd

from ..metrics import kpis
from ..metrics.catalog import REGISTRY, channel_label, format_value, label
from ..loaders.config import Target
from .forecast import PORTFOLIO
from ..core import i18n
from ..core.i18n import _
from ..core.vocab import PORTFOLIO_SCOPE, STAGE_COLUMNS, Decision, Level

__all__ = ["propose_targets", "targets_yaml", "TARGET_COLUMNS"]

TARGET_COLUMNS = ["kpi", "scope", "value", "assumption"]


def _round(value: float, unit: str) -> float:
    """Three significant digits for counts and money; a tenth of a percentage point for rates."""
    if unit == "rate":
        return round(value, 3)
    if value == 0:
        return 0.0
    digits = 2 - int(math.floor(math.log10(abs(value))))
    return float(round(value, digits))


def _scenario(f: pd.DataFrame) -> pd.DataFrame:
    port = f[f["channel"] == PORTFOLIO]
    prop = port[port["scenario"] == "proposed_budget"]
    return (prop if len(prop) else port[port["scenario"] == "current_budget"]).set_index("metric")


# long: one proposed target per forecast metric, each with the assumption it rests on
def _forecast_targets(rv) -> list[dict]:
    f = rv.forecast
    if f.empty:
        return []
    cur = rv.config.currency
    use = _scenario(f)
    now = f[(f["channel"] == PORTFOLIO) & (f["scenario"] == "current_budget")].set_index("metric")
    out = []
    for m in ("revenue", "customers", "leads"):
        if m not in use.index:
            continue
        r, unit = use.loc[m], REGISTRY[m].unit
        out.append(
            {
                "kpi": m,
                "scope": PORTFOLIO_SCOPE,
                "value": _round(r["forecast"], unit),
                "assumption": _(
                    "forecast under the proposed budget (90 % interval {low} to {high}); at this "
                    "year's budget {now}"
                ).format(
                    low=format_value(r["ci_low"], unit, cur),
                    high=format_value(r["ci_high"], unit, cur),
                    now=format_value(now.loc[m, "forecast"], unit, cur),
                ),
            }
        )
    if {"cost", "customers"} <= set(use.index) and use.loc["customers", "forecast"] > 0:
        cac = kpis.cac(use.loc["cost", "forecast"], use.loc["customers", "forecast"])
        out.append(
            {
                "kpi": "cac",
                "scope": PORTFOLIO_SCOPE,
                "value": _round(cac, "money"),
                "assumption": _(
                    "forecast cost {cost} ÷ forecast new customers {customers}, proposed budget"
                ).format(
                    cost=format_value(use.loc["cost", "forecast"], "money", cur),
                    customers=format_value(use.loc["customers", "forecast"], "count"),
                ),
            }
        )
    return out


def _stage_targets(rv) -> list[dict]:
    sc, d = rv.scorecard, rv.decisions
    cur_year = sc[sc["year"] == rv.year]
    out = []
    opt = d[(d["decision"] == Decision.OPTIMISE) & d["weakest_stage"].isin(list(STAGE_COLUMNS))]
    for r in opt.itertuples():
        num, den = STAGE_COLUMNS[r.weakest_stage]
        tac = cur_year[
            (cur_year["level"] == Level.TACTIC)
            & (cur_year["channel"] == r.channel)
            & (cur_year["tactic"] == r.tactic)
        ]
        ch = cur_year[(cur_year["level"] == Level.CHANNEL) & (cur_year["channel"] == r.channel)]
        if tac.empty or ch.empty or not {num, den} <= set(sc.columns) or not ch[den].iloc[0] > 0:
            continue
        t, c = tac.iloc[0], ch.iloc[0]
        value = kpis.stage_conversion(c[num] - t[num] + t[den] * r.benchmark_rate, c[den])
        if any(x["kpi"] == r.weakest_stage and x["scope"] == r.channel for x in out):
            continue
        out.append(
            {
                "kpi": r.weakest_stage,
                "scope": r.channel,
                "value": _round(value, "rate"),
                "assumption": _(
                    "{tactic} optimised: its {stage} brought from {rate} to {ref} (this year's "
                    "decision); the channel's "
                    "other tactics as this year ({now} for the channel now)"
                ).format(
                    tactic=r.tactic,
                    stage=label(r.weakest_stage).lower(),
                    rate=format_value(r.stage_rate, "rate"),
                    ref=format_value(r.benchmark_rate, "rate"),
                    now=format_value(kpis.stage_conversion(c[num], c[den]), "rate"),
                ),
            }
        )
    return out


def propose_targets(rv) -> pd.DataFrame:
    """Next year's SMART targets (:data:`TARGET_COLUMNS`), each valid as a :class:`Target`."""
    rows = _forecast_targets(rv) + _stage_targets(rv)
    for r in rows:
        Target(
            kpi=r["kpi"], scope=r["scope"], value=r["value"]
        )  # a proposal that would not load is a bug
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


@i18n.in_review_context
def targets_yaml(rv) -> str:
    """``next_targets.yaml``: a commented ``targets:`` block ready to paste into ``client.yaml``."""
    title = _(
        "Next year targets proposed by the annual review of {client} {year} (run {date})."
    ).format(client=rv.config.name, year=rv.year, date=rv.run_date.isoformat())
    head = [
        "# " + " ".join(title.split()),
        "# "
        + _(
            "Paste the targets block into client.yaml; each comment states the assumption behind "
            "the value."
        ),
    ]
    t = rv.next_targets
    if t.empty:
        return "\n".join(
            head
            + [
                "# " + _("No target proposed: the forecast needs two years of monthly data."),
                "targets: []",
                "",
            ]
        )
    lines = ["targets:"]
    for r in t.itertuples():
        value = (
            f"{r.value:.3f}"
            if REGISTRY[r.kpi].unit == "rate"
            else f"{r.value:g}"
            if abs(r.value) < 1e6
            else f"{r.value:.0f}"
        )
        note = " ".join(str(r.assumption).split())
        lines.append(f"  - {{kpi: {r.kpi}, scope: {r.scope}, value: {value}}}  # {note}")
    return "\n".join(head + lines) + "\n"


def scope_label(scope: str) -> str:
    return _("all channels") if scope == PORTFOLIO_SCOPE else channel_label(scope)


@i18n.in_review_context
def describe(rv) -> pd.DataFrame:
    """The proposal as the report shows it: KPI and scope labels, the value formatted by the KPI's
    unit."""
    t = rv.next_targets
    cur = rv.config.currency
    return pd.DataFrame(
        {
            "kpi": [label(k) for k in t["kpi"]],
            "scope": [scope_label(s) for s in t["scope"]],
            "value": [format_value(v, REGISTRY[k].unit, cur) for k, v in zip(t["kpi"], t["value"])],
            "assumption": t["assumption"].to_numpy(),
        }
    )
