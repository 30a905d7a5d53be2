"""What the notebook displays: escaped HTML blocks and formatted tables.

Every piece of client text (names, channels, tactics) passes through
``html.escape`` before it reaches HTML, and numbers are formatted once, here,
from the KPI registry.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML

from .annual import HEADLINE_KPIS
from .catalog import REGISTRY, format_value, label
from .catalog import glossary as _glossary
from .narrative import executive_summary

__all__ = ["title", "headlines", "summary", "sentences", "table", "decisions", "scorecard", "plan",
           "funnel", "data_quality", "provenance", "glossary"]

_DECISION_LABELS = {"keep": "Keep", "optimise": "Optimise", "drop": "Drop", "insufficient_data": "Too little data"}


def _e(text) -> str:
    return html.escape("" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text))


def title(rv) -> HTML:
    cfg = rv.config
    return HTML(f'<div class="kr-title"><h1>{_e(cfg.name)}</h1>'
                f'<p>Annual marketing review {rv.year} · compared with {rv.year - 1} and plan · '
                f'run {rv.run_date.isoformat()} · currency {_e(cfg.currency)}</p></div>')


def headlines(rv) -> HTML:
    """KPI cards: this year, last year, change coloured by the KPI's better direction."""
    cur = rv.portfolio()
    has_prev = (rv.scorecard["year"] == rv.year - 1).any()
    prev = rv.portfolio(rv.year - 1) if has_prev else pd.Series(dtype=float)
    cards = []
    for k in HEADLINE_KPIS:
        if k not in cur:
            continue
        meta, v, p = REGISTRY[k], cur[k], prev.get(k)
        change, cls = "", "flat"
        if p is not None and pd.notna(p) and pd.notna(v) and v != p:
            up = v > p
            cls = "good" if (up == (meta.better == "higher")) else "bad"
            if meta.better == "neutral":
                cls = "flat"
            if meta.unit == "rate":
                change = f"{(v - p) * 100:+.1f} pts"
            elif meta.unit == "points":
                change = f"{v - p:+.0f} pts"
            elif p:
                change = f"{(v - p) / abs(p) * 100:+.1f} %"
        cards.append(f'<div class="kr-card"><div class="kr-label">{_e(meta.label)}</div>'
                     f'<div class="kr-value">{_e(format_value(v, meta.unit, rv.config.currency))}</div>'
                     f'<div class="kr-change {cls}">{_e(change)} <span>vs {rv.year - 1}: '
                     f'{_e(format_value(p, meta.unit, rv.config.currency)) if has_prev else "n/a"}</span></div></div>')
    return HTML('<div class="kr-cards">' + "".join(cards) + "</div>")


def sentences(lines: list[str]) -> HTML:
    return HTML("<ul class='kr-summary'>" + "".join(f"<li>{_e(s)}</li>" for s in lines) + "</ul>")


def summary(rv) -> HTML:
    return sentences(executive_summary(rv))


def table(df: pd.DataFrame, units: dict[str, str] | None = None, *, currency: str = "",
          labels: dict[str, str] | None = None, css: str = "") -> HTML:
    """Format columns by unit (from the registry unless given), escape every cell, render."""
    units = units or {}
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        unit = units.get(col) or (REGISTRY[col].unit if col in REGISTRY else None)
        if unit:
            out[col] = [format_value(v, unit, currency) for v in df[col]]
        else:
            out[col] = ["" if (not isinstance(v, str) and pd.isna(v)) else str(v) for v in df[col]]
    out.columns = [(labels or {}).get(c, label(c)) for c in df.columns]
    return HTML(out.to_html(index=False, escape=True, classes=f"kr-table {css}".strip(), border=0))


def decisions(rv) -> HTML:
    d = rv.decisions.copy()
    d["decision"] = [f"{_DECISION_LABELS[x]}" + (" (override)" if pd.notna(o) else "")
                     for x, o in zip(d["decision"], d["override"])]
    cols = ["channel", "tactic", "decision", "confidence", "roi", "reason"]
    return table(d[cols], {"roi": "rate"}, labels={"channel": "Channel", "tactic": "Tactic", "decision": "Decision",
                                                   "confidence": "Confidence", "reason": "Reason"}, css="kr-decisions")


def scorecard(rv, level: str = "tactic") -> HTML:
    """The reviewed year with last year beside each KPI."""
    y = rv.yoy[rv.yoy["level"].isin([level, "portfolio"])]
    show = [k for k in ("cost", "revenue", "roi", "leads", "customers", "cac", "traffic_to_lead", "aov", "ltv_cac")
            if k in y]
    cols, units, labels = ["channel", "tactic"], {}, {"channel": "Channel", "tactic": "Tactic"}
    for k in show:
        cols += [k, f"{k}_prev"]
        units[f"{k}_prev"] = REGISTRY[k].unit
        labels[f"{k}_prev"] = f"{label(k)} {rv.year - 1}"
        labels[k] = f"{label(k)} {rv.year}"
    t = y[cols].copy()
    t["channel"] = t["channel"].fillna("All channels")
    if level == "channel":
        t = t.drop(columns="tactic")
    return table(t, units, currency=rv.config.currency, labels=labels, css="kr-scorecard")


def plan(rv) -> HTML:
    p = rv.plan.copy()
    if p.empty:
        return HTML("<p>No targets are set in client.yaml.</p>")
    p["kpi"] = [label(k) for k in p["kpi"]]
    cur = rv.config.currency
    units = {"attainment": "rate"}
    formatted = p.copy()
    for col in ("target", "actual", "last_year"):
        formatted[col] = [format_value(v, REGISTRY[k].unit if k in REGISTRY else "count", cur)
                          for v, k in zip(rv.plan[col], rv.plan["kpi"])]
    formatted["status"] = [f"● {s}" for s in p["status"]]
    return table(formatted, units, labels={"kpi": "KPI", "scope": "Scope", "target": "Target", "actual": "Actual",
                                           "last_year": "Last year", "attainment": "Attainment", "status": "Status",
                                           "target_rule": "Target set as"}, css="kr-plan")


def funnel(rv) -> HTML:
    f = rv.funnel
    units = {c: "rate" for c in f.columns if "→" in c}
    labels = {c: c.replace("→", " → ") for c in units} | {"channel": "Channel"}
    return table(f, units, labels=labels)


def data_quality(rv) -> HTML:
    if not rv.data_quality:
        return HTML("<p>No data-quality problems found.</p>")
    return sentences(rv.data_quality)


def glossary(rv) -> HTML:
    return table(_glossary(rv.kpi_ids), {}, labels={"KPI": "KPI", "Formula": "Formula", "Variant": "Variant",
                                                     "Source": "Source"})


def provenance(rv) -> HTML:
    rows = pd.DataFrame(rv.data.inputs)[["table", "path", "rows", "sha256"]]
    rows["sha256"] = rows["sha256"].str[:16] + "…"
    return table(rows, {"rows": "count"}, labels={"table": "Table", "path": "File", "rows": "Rows",
                                                  "sha256": "SHA-256"})
