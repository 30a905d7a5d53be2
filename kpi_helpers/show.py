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
           "funnel", "data_quality", "provenance", "glossary", "devices", "unavailable", "kpi_sets", "Safe"]

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


class Safe(str):
    """Text already escaped and marked up here; :func:`table` inserts it as is."""


def _cell(value, unit: str | None, currency: str) -> tuple[str, str]:
    """(inner HTML, css class) for one cell."""
    if isinstance(value, Safe):
        return str(value), "num" if unit else "txt"
    if unit:
        text = format_value(value, unit, currency)
        if text == "n/a":
            return '<span class="na" title="not available: no data or a zero denominator">n/a</span>', "num"
        return _e(text), "num"
    return _e(value), "txt"


def table(df: pd.DataFrame, units: dict[str, str] | None = None, *, currency: str = "",
          labels: dict[str, str] | None = None, css: str = "", note: str = "") -> HTML:
    """Render a table: numbers formatted by unit (from the registry unless given) and right-aligned,
    text escaped and left-aligned, ``Safe`` cells inserted as they are."""
    units = units or {}
    col_units = {c: units.get(c) or (REGISTRY[c].unit if c in REGISTRY else None) for c in df.columns}
    head = "".join(f'<th class="{"num" if col_units[c] else "txt"}">{_e((labels or {}).get(c, label(c)))}</th>'
                   for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = [_cell(v, col_units[c], currency) for c, v in zip(df.columns, row)]
        body.append("<tr>" + "".join(f'<td class="{cls}">{inner}</td>' for inner, cls in cells) + "</tr>")
    foot = f'<p class="kr-note">{_e(note)}</p>' if note else ""
    return HTML(f'<div class="kr-scroll"><table class="kr-table {css}"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table></div>{foot}')


def decisions(rv) -> HTML:
    d = rv.decisions.copy()
    d["decision"] = [Safe(f'<span class="kr-badge {x}">{_e(_DECISION_LABELS[x])}</span>'
                          + (' <span class="kr-override">override</span>' if pd.notna(o) else ""))
                     for x, o in zip(d["decision"], d["override"])]
    cols = ["channel", "tactic", "decision", "confidence", "roi", "reason"]
    return table(d[cols], {"roi": "rate"}, labels={"channel": "Channel", "tactic": "Tactic", "decision": "Decision",
                                                   "confidence": "Confidence", "reason": "Reason"}, css="kr-decisions")


def _with_previous(value, previous, unit: str, currency: str) -> Safe:
    now = format_value(value, unit, currency)
    before = format_value(previous, unit, currency)
    now_html = '<span class="na">n/a</span>' if now == "n/a" else _e(now)
    return Safe(f'{now_html}<br><small>{_e(before)}</small>')


def scorecard(rv, level: str = "tactic") -> HTML:
    """The reviewed year, with last year in small type under each value."""
    y = rv.yoy[rv.yoy["level"].isin([level, "portfolio"])]
    show = [k for k in ("cost", "revenue", "roi", "leads", "customers", "cpl", "cac", "traffic_to_lead", "aov")
            if k in y]
    t = pd.DataFrame({"channel": y["channel"].fillna("All channels").to_numpy()})
    if level == "tactic":
        t["tactic"] = y["tactic"].fillna("").to_numpy()
    units = {}
    for k in show:
        unit = REGISTRY[k].unit
        t[k] = [_with_previous(v, p, unit, rv.config.currency) for v, p in zip(y[k], y[f"{k}_prev"])]
        units[k] = unit
    return table(t, units, labels={"channel": "Channel", "tactic": "Tactic"}, css="kr-scorecard",
                 note=f"Each cell: {rv.year}, with {rv.year - 1} below. n/a: no data, or a zero denominator "
                      f"(e.g. no leads for a cost per lead).")


_STATUS = {"met": ("good", "met"), "close": ("close", "close (≥ 90 %)"), "missed": ("bad", "missed"), "n/a": ("flat", "n/a")}


def plan(rv) -> HTML:
    """Targets with a traffic light: met, close (at least 90 % attained) or missed."""
    p = rv.plan
    if p.empty:
        return HTML("<p>No targets are set in client.yaml.</p>")
    cur = rv.config.currency
    t = pd.DataFrame({"kpi": [label(k) for k in p["kpi"]], "scope": p["scope"]})
    for col in ("target", "actual", "last_year"):
        t[col] = [Safe(_e(format_value(v, REGISTRY[k].unit if k in REGISTRY else "count", cur)))
                  for v, k in zip(p[col], p["kpi"])]
    t["attainment"] = p["attainment"].to_numpy()
    t["status"] = [Safe(f'<span class="kr-light {_STATUS[s][0]}">●</span> {_e(_STATUS[s][1])}') for s in p["status"]]
    t["target_rule"] = p["target_rule"].to_numpy()
    t["explanation"] = p["explanation"].to_numpy()
    units = {"target": "money", "actual": "money", "last_year": "money", "attainment": "rate"}
    return table(t, units, labels={"kpi": "KPI", "scope": "Scope", "target": "Target", "actual": "Actual",
                                   "last_year": "Last year", "attainment": "Attainment", "status": "Status",
                                   "target_rule": "Target set as", "explanation": "What explains a miss"},
                 css="kr-plan")


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


def devices(rv) -> HTML:
    """Traffic and conversion by device (S3)."""
    if rv.devices.empty:
        return HTML("<p>No device split in the activity data.</p>")
    return table(rv.devices, {"visit_share": "rate"}, labels={"device": "Device", "visit_share": "Share of visits"})


def unavailable(rv) -> HTML:
    """The catalogue KPIs this client's data cannot give, and what data would be needed."""
    u = rv.availability[rv.availability["status"] != "shown"]
    if u.empty:
        return HTML("<p>Every KPI of the catalogue could be computed from this data.</p>")
    return table(u[["label", "needs"]], labels={"label": "KPI not shown", "needs": "What it needs"},
                 note="Add the data in client.yaml sources to have these KPIs in next year's review.")


def kpi_sets() -> HTML:
    """Appendix: suggested KPI sets by goal, business type and life stage (S1, S4)."""
    from .plan import kpi_sets_table

    return table(kpi_sets_table(), labels={"by": "By", "for": "For", "KPIs": "Suggested KPIs (3–5, S1)"})
