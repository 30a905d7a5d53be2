"""What the notebook displays: escaped HTML blocks and formatted tables.

Every piece of client text (names, channels, tactics) passes through
``html.escape`` before it reaches HTML, and numbers are formatted once, here,
from the KPI registry.
"""

from __future__ import annotations

import base64
import html
import re

import pandas as pd
from IPython.display import HTML

from .annual import HEADLINE_KPIS
from .catalog import REGISTRY, format_value, label
from .catalog import glossary as _glossary
from .narrative import executive_summary

__all__ = ["title", "headlines", "summary", "sentences", "table", "decisions", "scorecard", "plan",
           "funnel", "data_quality", "provenance", "glossary", "devices", "unavailable", "kpi_sets", "channel_pairs", "tactic_evidence", "customers_by_channel",
           "retention", "cohort_ltv", "nps", "budget", "Safe"]

_DECISION_LABELS = {"keep": "Keep", "optimise": "Optimise", "drop": "Drop", "insufficient_data": "Too little data"}


def _e(text) -> str:
    return html.escape("" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text))


_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def _branding(rv) -> tuple[str, str]:
    """(style override, logo img) from ``branding: {colour: "#1f4e79", logo: logo.png}`` in client.yaml.

    The colour must be a hex colour and the logo a PNG, JPEG or SVG file beside
    client.yaml (embedded as a data URI: the report stays self-contained);
    anything else is ignored with a data-quality note.
    """
    b = rv.config.branding or {}
    style = logo = ""
    colour = b.get("colour") or b.get("color")
    if colour and _COLOUR.fullmatch(colour):
        style = f"<style>:root {{ --kr-accent: {colour}; }}</style>"
    elif colour:
        rv.data_quality.append(f"branding colour {colour!r} is not a hex colour such as #1f4e79; ignored.")
    if b.get("logo"):
        path = (rv.data.folder / b["logo"]).resolve()
        kind = _LOGO_TYPES.get(path.suffix.lower())
        if kind and path.is_file() and path.stat().st_size < 2_000_000:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            logo = f'<img alt="logo" src="data:{kind};base64,{data}">'
        else:
            rv.data_quality.append(f"branding logo {b['logo']!r} is not a PNG, JPEG or SVG file under 2 MB beside "
                                   "client.yaml; not shown.")
    return style, logo


def title(rv) -> HTML:
    cfg = rv.config
    style, logo = _branding(rv)
    return HTML(f'{style}<div class="kr-title">{logo}<h1>{_e(cfg.name)}</h1>'
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
    t["status"] = [Safe(f'<span class="kr-nowrap"><span class="kr-light {_STATUS[s][0]}">●</span> {_e(_STATUS[s][1])}</span>')
                   for s in p["status"]]
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


def _mark(p, alpha: float) -> Safe:
    if pd.isna(p):
        return Safe('<span class="na">n/a</span>')
    txt = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return Safe(f'<span class="sig">{_e(txt)} ✱</span>' if p < alpha else _e(txt))


def channel_pairs(rv) -> HTML:
    """Pairwise differences of visit → lead between channels; only significant ones highlighted."""
    p = rv.channel_pairs
    if p.empty:
        return HTML("<p>Fewer than two channels with visits: no comparison.</p>")
    alpha = rv.config.thresholds.alpha
    t = p[["group_a", "group_b", "rate_a", "rate_b", "diff", "ci_low", "ci_high"]].copy()
    t["p_adjusted"] = [_mark(x, alpha) for x in p["p_adjusted"]]
    t["cohens_h"] = p["cohens_h"].to_numpy()
    units = {"rate_a": "rate", "rate_b": "rate", "diff": "rate", "ci_low": "rate", "ci_high": "rate",
             "p_adjusted": "rate", "cohens_h": "ratio"}
    sig = p["significant"].fillna(False).to_numpy()
    html = table(t, units, labels={"group_a": "Channel A", "group_b": "Channel B", "rate_a": "A", "rate_b": "B",
                                   "diff": "B − A", "ci_low": "95 % CI low", "ci_high": "95 % CI high",
                                   "p_adjusted": "p (Holm)", "cohens_h": "Cohen's h"},
                 note=f"✱ significant at α = {alpha:g} after Holm's correction over {len(p)} pairs; "
                      f"{int(sig.sum())} of {len(p)} differences are.").data
    return HTML(html)


def tactic_evidence(rv) -> HTML:
    """ROI and CAC with their intervals, and the year-over-year tests, per tactic."""
    c = rv.comparisons
    alpha = rv.config.thresholds.alpha
    t = pd.DataFrame({"channel": c["channel"], "tactic": c["tactic"]})
    t["roi"] = [Safe(f"{_e(format_value(r, 'rate'))}<br><small>{_e(format_value(lo, 'rate'))} to "
                     f"{_e(format_value(hi, 'rate'))}</small>") for r, lo, hi in zip(c["roi"], c["roi_ci_low"], c["roi_ci_high"])]
    cur = rv.config.currency
    if "cac" in c:
        t["cac"] = [Safe(f"{_e(format_value(v, 'money', cur))}<br><small>{_e(format_value(lo, 'money', cur))} to "
                         f"{_e(format_value(hi, 'money', cur))}</small>") for v, lo, hi in zip(c["cac"], c["cac_ci_low"], c["cac_ci_high"])]
    t["leads_ratio"] = c["leads_ratio"].to_numpy()
    t["leads_p"] = [_mark(x, alpha) for x in c["leads_p"]]
    t["t2l_diff"] = c["t2l_diff"].to_numpy()
    t["t2l_p"] = [_mark(x, alpha) for x in c["t2l_p"]]
    basis = ", ".join(sorted(set(c["roi_ci_basis"].dropna())))
    return table(t, {"roi": "rate", "cac": "money", "leads_ratio": "ratio", "leads_p": "rate", "t2l_diff": "pts",
                     "t2l_p": "rate"},
                 labels={"channel": "Channel", "tactic": "Tactic", "roi": "ROI (95 % CI)", "cac": "CAC (95 % CI)",
                         "leads_ratio": "Leads per month vs last year", "leads_p": "p", "t2l_diff": "Visit → lead change",
                         "t2l_p": "p"},
                 note=f"ROI intervals: percentile bootstrap (2 000 resamples, seeded) over {basis}; CAC: exact Poisson "
                      f"interval on new customers; year over year: Poisson rate test for leads per active month, "
                      f"two-proportion test for visit → lead. ✱ significant at α = {alpha:g}.")


def customers_by_channel(rv) -> HTML:
    t = rv.customers.get("by_channel")
    if t is None:
        return HTML("<p>No orders and customers tables: the customers section needs them.</p>")
    return table(t, {"orders": "count", "customers": "count", "revenue": "money", "purchase_frequency": "ratio",
                     "lifetime_days": "days"}, currency=rv.config.currency,
                 labels={"channel": "Acquisition channel", "customers": "Ordering customers",
                         "lifetime_days": "Customer lifetime (days)"})


def retention(rv) -> HTML:
    t = rv.customers.get("retention")
    if t is None:
        return HTML("<p>No customers table with churn dates: retention and churn are not available.</p>")
    t = t.assign(period=t["period"].dt.year.astype(str))
    return table(t, {"customers_start": "count", "new": "count", "lost": "count", "customers_end": "count",
                     "retention_rate": "rate", "churn_rate": "rate"},
                 labels={"period": "Year", "customers_start": "Customers at start", "new": "New", "lost": "Lost",
                         "customers_end": "Customers at end"},
                 note="Retention = (customers at end − new) / customers at start; churn = lost / customers at start (S2).")


def cohort_ltv(rv) -> HTML:
    t = rv.customers.get("cohort_ltv")
    if t is None:
        return HTML("")
    t = t.assign(cohort=[f"{d:%Y} Q{(d.month - 1) // 3 + 1}" for d in t["cohort"]])
    return table(t, {"customers": "count", "ltv": "money"}, currency=rv.config.currency,
                 labels={"cohort": "Cohort", "customers": "Customers acquired", "ltv": "Revenue per customer, first 4 quarters"},
                 note="The cohort LTV variant: observed revenue per acquired customer; n/a where the cohort is younger than 4 quarters.")


def nps(rv) -> HTML:
    t = rv.customers.get("nps")
    if t is None:
        return HTML("<p>No NPS survey.</p>")
    return table(t[["channel", "n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high"]],
                 {"n": "count", "promoters": "count", "passives": "count", "detractors": "count", "ci_low": "points",
                  "ci_high": "points"},
                 labels={"channel": "Channel", "n": "Responses", "promoters": "Promoters", "passives": "Passives",
                         "detractors": "Detractors", "ci_low": "95 % CI low", "ci_high": "95 % CI high"},
                 note="NPS = % promoters (9–10) − % detractors (0–6); interval from the multinomial variance.")


def budget(rv) -> HTML:
    from .budget import ASSUMPTIONS

    b = rv.budget
    t = b[["channel", "tactic", "decision", "current_budget", "proposed_budget", "change", "elasticity", "note"]].copy()
    t["decision"] = t["decision"].map(_DECISION_LABELS)
    total = b.attrs.get("total", {})
    cur = rv.config.currency
    head = (f"Expected change of the tactics' yearly result (gross profit) at the proposed budget: "
            f"{format_value(total.get('change'), 'money', cur)} (90 % interval "
            f"{format_value(total.get('ci_low'), 'money', cur)} to {format_value(total.get('ci_high'), 'money', cur)}).")
    if total.get("unallocated", 0) > 1:
        head += f" Not reallocated (every tactic with a curve at its cap): {format_value(total['unallocated'], 'money', cur)}."
    html = table(t, {"current_budget": "money", "proposed_budget": "money", "change": "rate", "elasticity": "ratio"},
                 currency=cur, labels={"channel": "Channel", "tactic": "Tactic", "decision": "Decision",
                                       "current_budget": "This year", "proposed_budget": "Proposed",
                                       "change": "Change", "elasticity": "Elasticity b", "note": "Note"}).data
    items = "".join(f"<li>{_e(a)}</li>" for a in ASSUMPTIONS)
    return HTML(f"<p>{_e(head)}</p>{html}<p class='kr-note'>Assumptions:</p><ul class='kr-note'>{items}</ul>")
