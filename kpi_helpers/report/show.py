"""What the notebook displays: escaped HTML blocks and formatted tables.

Every piece of client text (names, channels, tactics) passes through
``html.escape`` before it reaches HTML, and numbers are formatted once, here,
from the KPI registry.
"""

from __future__ import annotations

import base64
import html

import pandas as pd
from IPython.display import HTML

from ..core import i18n
from ..metrics import stats
from ..metrics.catalog import REGISTRY, format_value, headline_kpis, label, scorecard_kpis
from ..metrics.catalog import glossary as _glossary
from ..loaders.config import branding
from ..core.i18n import N_, _
from ..analysis.narrative import DECISION_LABELS as _DECISION_LABELS
from ..analysis.narrative import STAGE_LABELS, channel_label, executive_summary, quarter_label
from ..analysis.narrative import previous_calls
from ..analysis.plausibility import flags_for
from ..analysis.budget import ASSUMPTIONS as BUDGET_ASSUMPTIONS
from ..analysis.previous import VERDICT_LABELS
from ..analysis.budget import MODEL_TEXT as BUDGET_MODEL_TEXT
from ..core.vocab import ALL_CHANNELS, PORTFOLIO_SCOPE, Level

__all__ = [
    "section",
    "SECTIONS",
    "quarter_label",
    "title",
    "headlines",
    "summary",
    "sentences",
    "table",
    "decisions",
    "scorecard",
    "plan",
    "funnel",
    "data_quality",
    "provenance",
    "glossary",
    "devices",
    "unavailable",
    "kpi_sets",
    "channel_pairs",
    "tactic_evidence",
    "customers_by_channel",
    "retention",
    "cohort_ltv",
    "nps",
    "budget",
    "customer_value",
    "order_values",
    "benchmarks",
    "Safe",
    "forecast",
    "next_targets",
    "previous",
    "not_available",
]

_CONFIDENCE = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}

#: Section headings and their one-line introductions, in notebook order.
SECTIONS = {
    "summary": (N_("Executive summary"), ""),
    "decisions": (
        N_("Decisions: keep, optimise or drop"),
        N_(
            "One verdict per tactic from the documented thresholds in client.yaml (the same rules "
            "for every "
            "tactic), with the numbers that decided it and the basis of its ROI. The p-values of "
            "funnel stages "
            "are Holm-corrected over every stage and tactic compared."
        ),
    ),
    "previous": (
        N_("Last year's decisions, checked"),
        N_(
            "Each call of last year's review against what happened this year: did a kept tactic's "
            "ROI hold, did "
            "the stage to optimise improve, did a dropped tactic's spend stop without losing leads "
            "and customers?"
        ),
    ),
    "comparison": (
        N_("Channel comparison"),
        N_(
            "Does one channel really turn visits into leads better than another? Rates with their "
            "confidence "
            "intervals (level 1 − α of client.yaml), then every pair of channels tested, with "
            "Holm's correction "
            "for the number of pairs."
        ),
    ),
    "evidence": (
        N_("Each tactic's evidence"),
        N_(
            "The decision ROI and CAC with their intervals, and whether this year really differs "
            "from last year."
        ),
    ),
    "plan": (
        N_("Plan vs actual"),
        N_(
            "Each target from client.yaml: attainment is actual ÷ target (target ÷ actual where "
            "lower is better)."
        ),
    ),
    "benchmarks": (
        N_("Against comparable clients"),
        N_(
            "Where this client stands among the clients of the same business type in this batch, "
            "KPI by KPI and "
            "channel: quartiles over the clients that have the KPI, this client included. No other "
            "client's "
            "name or figures are shown."
        ),
    ),
    "scorecard": (
        N_("Scorecard by channel"),
        N_(
            "The reviewed year, with last year in small type below each value; every KPI is a "
            "ratio of totals."
        ),
    ),
    "by_tactic": (N_("By tactic"), ""),
    "advertising": (
        N_("Advertising: platform figures"),
        N_(
            "What the ad platforms report: impressions, clicks and conversions, with CTR, CPC, CPM "
            "and the "
            "cost per platform conversion (platforms count conversions their own way: not "
            "deduplicated against "
            "the CRM)."
        ),
    ),
    "trend": (N_("Monthly trend"), ""),
    "funnel": (N_("Funnel by channel"), ""),
    "devices": (
        N_("Traffic by device"),
        N_("Share of visits and conversion by device (mobile traffic, S3)."),
    ),
    "customers": (
        N_("Customers"),
        N_(
            "Who comes back, what they are worth, and what they say: repeat purchases by "
            "acquisition channel, "
            "retention and churn, cohorts, and NPS."
        ),
    ),
    "budget": (
        N_("Budget for next year"),
        N_(
            "A proposal, not a verdict: money moves from what to drop towards the tactics whose "
            "response curves "
            "promise most, within limits."
        ),
    ),
    "forecast": (
        N_("Next year: forecast"),
        N_(
            "Leads, customers, revenue and cost per channel for the next twelve months, under this "
            "year's budget "
            "and under the proposed one, with 90 % intervals."
        ),
    ),
    "next_targets": (
        N_("Next year: targets proposed"),
        N_(
            "SMART targets from the forecast and this year's decisions, each with the assumption "
            "behind it; "
            "next_targets.yaml holds them ready to paste into client.yaml."
        ),
    ),
    "quality": (N_("Data quality"), ""),
    "glossary": (N_("Glossary"), N_("Every KPI shown, with its formula and the variant used.")),
    "kpi_sets": (
        N_("Appendix: KPI sets by goal"),
        N_(
            "Which 3–5 KPIs to follow for a goal, a business type and a life stage (S1, S4); "
            "kpi-review init "
            "--goal ... pre-fills targets from them."
        ),
    ),
    "provenance": (N_("Provenance"), ""),
}


def _section_needs(key: str, rv) -> str | None:
    """What a section lacks to show anything, or None (sections whose table says it themselves are
    absent)."""
    trend = rv.trend
    needs = {
        "comparison": (rv.channel_rates.empty, _("visits and leads by channel")),
        "trend": (
            not any(c in trend and trend[c].notna().any() for c in ("revenue", "leads")),
            _("monthly revenue or leads"),
        ),
        "funnel": (
            not any("→" in c for c in rv.funnel.columns),
            _("two funnel stages (visits, leads, MQLs, SQLs or new customers)"),
        ),
        "advertising": (
            not {"impressions", "clicks"} & set(rv.scorecard.columns),
            _("impressions and clicks from an ad platform export"),
        ),
        "customers": (not rv.customers, _("orders and customers tables, or an NPS survey")),
        "next_targets": (rv.next_targets.empty, _("two years of monthly data")),
        "forecast": (
            rv.forecast.empty,
            _("a whole reviewed year (a part year has no next year to forecast)")
            if rv.period.partial
            else _("two years of monthly data"),
        ),
    }
    missing, what = needs.get(key, (False, ""))
    return what if missing else None


def section(key: str, rv=None) -> HTML:
    """A section heading (h2, or h3 for sub-sections) and its introduction, in the report language;
    with the
    review, a section whose inputs the client lacks says "n/a — needs X" under its heading."""
    with i18n.using(getattr(rv, "text_context", None)):
        return _section(key, rv)


def _section(key: str, rv) -> HTML:
    heading, intro = SECTIONS[key]
    level = "h3" if key in ("evidence", "by_tactic", "advertising") else "h2"
    anchor = key.replace("_", "-")
    text = f"<p>{_e(_(intro))}</p>" if intro else ""
    needs = _section_needs(key, rv) if rv is not None else None
    if needs:
        text += not_available(needs).data
    return HTML(
        f'<{level} id="{anchor}">{_e(_(heading))}<a class="anchor-link" '
        f'href="#{anchor}">¶</a></{level}>{text}'
    )


def _flag(reason: str | None) -> str:
    """A plausibility mark beside a number, its reason on hover (and listed in data quality)."""
    if not reason:
        return ""
    return f' <span class="kr-flag" title="{_e(reason)}">⚠ {_e(_("check"))}</span>'


def not_available(needs: str) -> HTML:
    """A section's or table's stated absence: "n/a — needs X" (``needs`` arrives translated)."""
    return HTML(f'<p class="kr-na">{_e(_("n/a — needs {what}").format(what=needs))}</p>')


def _e(text) -> str:
    return html.escape(
        "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    )


_LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def _branding(rv) -> tuple[str, str]:
    """(style override, logo img) from ``branding:`` in client.yaml, as
    :func:`kpi_helpers.loaders.config.branding`
    checked it (the logo embedded as a data URI: the report stays self-contained). What it left out
    is in the
    review's data quality (build_review put it there); nothing here changes the review."""
    b = branding(rv.config, rv.data.folder)
    style = f"<style>:root {{ --kr-accent: {b.colour}; }}</style>" if b.colour else ""
    logo = ""
    if b.logo is not None:
        data = base64.b64encode(b.logo.read_bytes()).decode("ascii")
        logo = f'<img alt="logo" src="data:{_LOGO_TYPES[b.logo.suffix.lower()]};base64,{data}">'
    return style, logo


@i18n.in_review_context
def title(rv) -> HTML:
    cfg = rv.config
    style, logo = _branding(rv)
    # The run date sits in its own span so that a comparison of outputs (nbval) can mask it in any
    # language.
    sub = _e(
        _(
            "Annual marketing review {year} · compared with {prev} and plan · run {date} · "
            "currency {currency}"
        ).format(
            year=rv.period.label(),
            prev=rv.period.label(rv.year - 1),
            date="\0RUN-DATE\0",
            currency=cfg.currency,
        )
    )
    run_date = f'<span class="kr-run-date">{_e(i18n.date_text(rv.run_date))}</span>'
    return HTML(
        f'{style}<div class="kr-title">{logo}<h1>{_e(cfg.name)}</h1>'
        f"<p>{sub.replace(chr(0) + 'RUN-DATE' + chr(0), run_date)}</p></div>"
    )


#: Headline cards for clients whose data lack most of the standard ones (an ads-only or orders-only
#: client).
_MORE_HEADLINES = (
    "orders",
    "aov",
    "repeat_purchase_rate",
    "impressions",
    "clicks",
    "ctr",
    "conversions",
    "cpa_platform",
    "mql",
    "lead_to_customer",
)


def _headline_kpis(cur: pd.Series) -> list[str]:
    """The standard headline KPIs the data give; topped up to four from :data:`_MORE_HEADLINES`."""
    have = lambda k: k in cur and pd.notna(cur[k])  # noqa: E731
    keys = [k for k in headline_kpis() if have(k)]
    return keys + [k for k in _MORE_HEADLINES if have(k) and k not in keys][: max(0, 4 - len(keys))]


@i18n.in_review_context
def headlines(rv) -> HTML:
    """KPI cards: this year, last year, change coloured by the KPI's better direction.

    The values are the portfolio rows of ``rv.scorecard``; each KPI is computed by its registry
    entry's
    function (``REGISTRY["cac"].compute`` is :func:`kpi_helpers.metrics.kpis.cac`; ``kpi-review
    kpis``).
    """
    cur = rv.portfolio()
    has_prev = (rv.scorecard["year"] == rv.year - 1).any()
    prev = rv.portfolio(rv.year - 1) if has_prev else pd.Series(dtype=float)
    cards = []
    for k in _headline_kpis(cur):
        meta, v, p = REGISTRY[k], cur[k], prev.get(k)
        change, cls = "", "flat"
        if p is not None and pd.notna(p) and pd.notna(v) and v != p:
            up = v > p
            cls = "good" if (up == (meta.better == "higher")) else "bad"
            if meta.better == "neutral":
                cls = "flat"
            if meta.unit == "rate":
                change = f"{i18n.number((v - p) * 100, 1, sign=True)} {_('pts')}"
            elif meta.unit == "points":
                change = f"{i18n.number(v - p, 0, sign=True)} {_('pts')}"
            elif p:
                change = i18n.percent((v - p) / abs(p), 1, sign=True)
        flagged = flags_for(rv.flags, Level.PORTFOLIO)
        if f"{k}_change" in flagged:
            change, cls = _("not compared"), "flat"
        before = format_value(p, meta.unit, rv.config.currency) if has_prev else _("n/a")
        vs = _("vs {year}: {value}").format(year=rv.period.label(rv.year - 1), value=before)
        cards.append(
            f'<div class="kr-card"><div class="kr-label">{_e(label(k))}</div>'
            f'<div class="kr-value">{_e(format_value(v, meta.unit, rv.config.currency))}'
            f"{_flag(flagged.get(k))}</div>"
            f'<div class="kr-change {cls}">{_e(change)} <span>{_e(vs)}</span>'
            f"{_flag(flagged.get(f'{k}_change'))}</div></div>"
        )
    period = (
        f'<p class="kr-period"><b>{_e(_("Part year"))}:</b> {_e(rv.period.comparison())}.</p>'
        if rv.period.partial
        else ""
    )
    return HTML(period + '<div class="kr-cards">' + "".join(cards) + "</div>")


def sentences(lines: list[str]) -> HTML:
    return HTML("<ul class='kr-summary'>" + "".join(f"<li>{_e(s)}</li>" for s in lines) + "</ul>")


@i18n.in_review_context
def summary(rv) -> HTML:
    return sentences(executive_summary(rv))


class Safe(str):
    """Text already escaped and marked up here; :func:`table` inserts it as is."""


def _cell(value, unit: str | None, currency: str) -> tuple[str, str]:
    """(inner HTML, css class) for one cell."""
    if isinstance(value, Safe):
        return str(value), "num" if unit else "txt"
    if unit:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            tip = _e(_("not available: no data or a zero denominator"))
            return f'<span class="na" title="{tip}">{_e(_("n/a"))}</span>', "num"
        return _e(format_value(value, unit, currency)), "num"
    return _e(value), "txt"


#: Tables with more columns than this are printed on a landscape page (screen: they scroll in their
#: box).
_WIDE_COLUMNS = 8


def table(
    df: pd.DataFrame,
    units: dict[str, str] | None = None,
    *,
    currency: str = "",
    labels: dict[str, str] | None = None,
    css: str = "",
    note: str = "",
) -> HTML:
    """Render a table: numbers formatted by unit (from the registry unless given) and right-aligned,
    text escaped and left-aligned, ``Safe`` cells inserted as they are. ``labels`` (column ->
    heading) arrive
    translated; other columns are headed by the KPI registry's label."""
    units = units or {}
    col_units = {
        c: units.get(c) or (REGISTRY[c].unit if c in REGISTRY else None) for c in df.columns
    }
    head = "".join(
        f'<th class="{"num" if col_units[c] else "txt"}">'
        f"{_e((labels or {}).get(c) or label(c))}</th>"
        for c in df.columns
    )
    body = []
    for row in df.itertuples(index=False):
        cells = [_cell(v, col_units[c], currency) for c, v in zip(df.columns, row)]
        body.append(
            "<tr>" + "".join(f'<td class="{cls}">{inner}</td>' for inner, cls in cells) + "</tr>"
        )
    foot = f'<p class="kr-note">{_e(note)}</p>' if note else ""  # notes arrive translated
    wide = " kr-wide" if len(df.columns) > _WIDE_COLUMNS else ""  # printed on a landscape page
    return HTML(
        f'<div class="kr-scroll{wide}"><table class="kr-table {css}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{foot}"
    )


# long: one report block: the table, its badges, column labels and note, top to bottom
@i18n.in_review_context
def decisions(rv) -> HTML:
    """The verdicts, ``rv.decisions`` (:func:`kpi_helpers.analysis.decisions.decide`); its ROI is
    the decision ROI
    of ``rv.comparisons`` (:func:`kpi_helpers.analysis.comparisons.acquisition_basis`,
    :func:`kpis.roi
    <kpi_helpers.metrics.kpis.roi>`)."""
    d = rv.decisions.copy()
    d["decision"] = [
        Safe(
            f'<span class="kr-badge {x}">{_e(_(_DECISION_LABELS[x]))}</span>'
            + (f' <span class="kr-override">{_e(_("override"))}</span>' if pd.notna(o) else "")
        )
        for x, o in zip(d["decision"], d["override"])
    ]
    d["channel"] = d["channel"].map(channel_label)
    d["confidence"] = d["confidence"].map(
        lambda c: _(_CONFIDENCE.get(c, c)) if isinstance(c, str) else c
    )
    d["roi"] = [
        Safe(_e(format_value(r, "rate")) + _flag(flags_for(rv.flags, "tactic", ch, ta).get("roi")))
        if pd.notna(r)
        else r
        for r, ch, ta in zip(d["roi"], rv.decisions["channel"], rv.decisions["tactic"])
    ]
    d["reason"] = [
        Safe(
            _e(r)
            + (
                f"<br><small><b>{_e(_('Suggested action'))}:</b> {_e(a)}</small>"
                if isinstance(a, str) and a
                else ""
            )
        )
        for r, a in zip(d["reason"], d["action"])
    ]
    cols = ["channel", "tactic", "decision", "confidence", "roi", "reason"]
    return table(
        d[cols],
        {"roi": "rate"},
        labels={
            "channel": _("Channel"),
            "tactic": _("Tactic"),
            "decision": _("Decision"),
            "confidence": _("Confidence"),
            "roi": _("ROI (decision)"),
            "reason": _("Reason"),
        },
        css="kr-decisions",
    )


def _with_previous(value, previous, unit: str, currency: str) -> Safe:
    now = format_value(value, unit, currency)
    before = format_value(previous, unit, currency)
    now_html = f'<span class="na">{_e(now)}</span>' if now == _("n/a") else _e(now)
    return Safe(f"{now_html}<br><small>{_e(before)}</small>")


_AD_KPIS = ("impressions", "clicks", "ctr", "spend", "cpc", "cpm", "conversions", "cpa_platform")


@i18n.in_review_context
def advertising(rv) -> HTML:
    """Ad-platform figures by channel and tactic (CTR, CPC, CPM, CPA on the platform's
    conversions)."""
    sc = rv.scorecard
    cols = [k for k in _AD_KPIS if k in sc]
    if not {"impressions", "clicks"} & set(cols):
        return HTML("")
    rows = sc[(sc["year"] == rv.year) & sc["level"].isin([Level.TACTIC, Level.PORTFOLIO])]
    t = rows[["channel", "tactic", *cols]].assign(
        channel=[
            channel_label(c) if isinstance(c, str) else _("All channels") for c in rows["channel"]
        ],
        tactic=rows["tactic"].fillna(""),
    )
    return table(
        t, currency=rv.config.currency, labels={"channel": _("Channel"), "tactic": _("Tactic")}
    )


#: The scorecard's columns, in order of preference; a client without several of them gets others it
#: has.
_SCORECARD_SHOWN = (
    "cost",
    "revenue",
    "roi",
    "leads",
    "customers",
    "cpl",
    "cac",
    "traffic_to_lead",
    "aov",
)


def _scorecard_columns(y: pd.DataFrame) -> list[str]:
    show = [k for k in _SCORECARD_SHOWN if k in y]
    extra = [k for k in scorecard_kpis() if k in y and k not in show and y[k].notna().any()]
    return show + extra[: max(0, 7 - len(show))]


@i18n.in_review_context
def scorecard(rv, level: str = Level.TACTIC) -> HTML:
    """The reviewed year, with last year in small type under each value."""
    y = rv.yoy[rv.yoy["level"].isin([level, Level.PORTFOLIO])]
    show = _scorecard_columns(y)
    t = pd.DataFrame(
        {
            "channel": [
                channel_label(c) if isinstance(c, str) else _("All channels") for c in y["channel"]
            ]
        }
    )
    if level == Level.TACTIC:
        t["tactic"] = y["tactic"].fillna("").to_numpy()
    units = {}
    for k in show:
        unit = REGISTRY[k].unit
        t[k] = [
            _with_previous(v, p, unit, rv.config.currency) for v, p in zip(y[k], y[f"{k}_prev"])
        ]
        units[k] = unit
    return table(
        t,
        units,
        labels={"channel": _("Channel"), "tactic": _("Tactic")},
        css="kr-scorecard",
        note=_(
            "Each cell: {year}, with {prev} below. n/a: no data, or a zero denominator "
            "(e.g. no leads for a cost per lead)."
        ).format(year=rv.period.label(), prev=rv.period.label(rv.year - 1)),
    )


_STATUS = {
    "met": ("good", N_("met")),
    "close": ("close", N_("close (≥ 90 %)")),
    "missed": ("bad", N_("missed")),
    "n/a": ("flat", N_("n/a")),
}


# long: one report block: the table, its traffic lights, column labels and note
@i18n.in_review_context
def plan(rv) -> HTML:
    """Targets with a traffic light: met, close (at least 90 % attained) or missed."""
    p = rv.plan
    if p.empty:
        return HTML(f"<p>{_e(_('No targets are set in client.yaml.'))}</p>")
    cur = rv.config.currency
    t = pd.DataFrame(
        {
            "kpi": [label(k) for k in p["kpi"]],
            "scope": [
                _("all channels") if s == PORTFOLIO_SCOPE else channel_label(s) for s in p["scope"]
            ],
        }
    )
    for col in ("target", "actual", "last_year"):
        t[col] = [
            Safe(_e(format_value(v, REGISTRY[k].unit if k in REGISTRY else "count", cur)))
            for v, k in zip(p[col], p["kpi"])
        ]
    t["attainment"] = p["attainment"].to_numpy()
    t["status"] = [
        Safe(
            f'<span class="kr-nowrap"><span class="kr-light {_STATUS[s][0]}">●</span> '
            f"{_e(_(_STATUS[s][1]))}</span>"
        )
        for s in p["status"]
    ]
    t["target_rule"] = p["target_rule"].to_numpy()
    t["explanation"] = p["explanation"].to_numpy()
    units = {"target": "money", "actual": "money", "last_year": "money", "attainment": "rate"}
    return table(
        t,
        units,
        labels={
            "kpi": _("KPI"),
            "scope": _("Scope"),
            "target": _("Target"),
            "actual": _("Actual"),
            "last_year": _("Last year"),
            "attainment": _("Attainment"),
            "status": _("Status"),
            "target_rule": _("Target set as"),
            "explanation": _("What explains a miss"),
        },
        css="kr-plan",
    )


@i18n.in_review_context
def funnel(rv) -> HTML:
    f = rv.funnel
    units = {c: "rate" for c in f.columns if "→" in c}
    labels = {c: " → ".join(_(STAGE_LABELS.get(x, x)) for x in c.split("→")) for c in units} | {
        "channel": _("Channel")
    }
    f = f.assign(
        channel=[_("all channels") if c == ALL_CHANNELS else channel_label(c) for c in f["channel"]]
    )
    return table(f, units, labels=labels)


@i18n.in_review_context
def data_quality(rv) -> HTML:
    if not rv.data_quality:
        return HTML(f"<p>{_e(_('No data-quality problems found.'))}</p>")
    return sentences(rv.data_quality)


@i18n.in_review_context
def glossary(rv) -> HTML:
    return table(
        _glossary(rv.glossary_ids),
        {},
        labels={"KPI": _("KPI"), "Formula": _("Formula"), "Variant": _("Variant")},
    )


@i18n.in_review_context
def provenance(rv) -> HTML:
    rows = pd.DataFrame(rv.data.inputs)[["table", "path", "rows", "sha256"]]
    rows["table"] = rows["table"].map(_)
    rows["sha256"] = rows["sha256"].str[:16] + "…"
    return table(
        rows,
        {"rows": "count"},
        labels={"table": _("Table"), "path": _("File"), "rows": _("Rows"), "sha256": _("SHA-256")},
    )


@i18n.in_review_context
def devices(rv) -> HTML:
    """Traffic and conversion by device (S3)."""
    if rv.devices.empty:
        return HTML(f"<p>{_e(_('No device split in the activity data.'))}</p>")
    d = rv.devices.assign(device=[_(x) for x in rv.devices["device"]])
    return table(
        d,
        {"visit_share": "rate"},
        labels={"device": _("Device"), "visit_share": _("Share of visits")},
    )


@i18n.in_review_context
def unavailable(rv) -> HTML:
    """The catalogue KPIs this client's data cannot give, and what data would be needed."""
    u = rv.availability[rv.availability["status"] != "shown"]
    if u.empty:
        return HTML(
            f"<p>{_e(_('Every KPI of the catalogue could be computed from this data.'))}</p>"
        )
    u = u.assign(label=[_(x) for x in u["label"]])
    return table(
        u[["label", "needs"]],
        labels={"label": _("KPI not shown"), "needs": _("What it needs")},
        note=_("Add the data in client.yaml sources to have these KPIs in next year's review."),
    )


def kpi_sets() -> HTML:
    """Appendix: suggested KPI sets by goal, business type and life stage (S1, S4)."""
    from ..analysis.plan import kpi_sets_table

    return table(
        kpi_sets_table(),
        labels={"by": _("By"), "for": _("For"), "KPIs": _("Suggested KPIs (3–5, S1)")},
    )


def _mark(p, alpha: float) -> Safe:
    if pd.isna(p):
        return Safe(f'<span class="na">{_e(_("n/a"))}</span>')
    txt = stats.format_p(p, bare=True)
    return Safe(f'<span class="sig">{_e(txt)} ✱</span>' if p < alpha else _e(txt))


# long: one report block: the table, its highlights, column labels and note
@i18n.in_review_context
def channel_pairs(rv) -> HTML:
    """Pairwise differences of visit → lead between channels; only significant ones highlighted."""
    p = rv.channel_pairs
    if p.empty:
        if rv.channel_rates.empty:  # the section's heading already says what it needs
            return HTML("")
        return HTML(f"<p>{_e(_('Fewer than two channels with visits: no comparison.'))}</p>")
    alpha = rv.config.thresholds.alpha
    t = p[["group_a", "group_b", "rate_a", "rate_b", "diff", "ci_low", "ci_high"]].copy()
    t["group_a"], t["group_b"] = t["group_a"].map(channel_label), t["group_b"].map(channel_label)
    t["p_adjusted"] = [_mark(x, alpha) for x in p["p_adjusted"]]
    t["cohens_h"] = p["cohens_h"].to_numpy()
    units = {
        "rate_a": "rate",
        "rate_b": "rate",
        "diff": "rate",
        "ci_low": "rate",
        "ci_high": "rate",
        "p_adjusted": "rate",
        "cohens_h": "ratio",
    }
    sig = p["significant"].fillna(False).to_numpy()
    html = table(
        t,
        units,
        labels={
            "group_a": _("Channel A"),
            "group_b": _("Channel B"),
            "rate_a": _("A"),
            "rate_b": _("B"),
            "diff": _("B − A"),
            **_ci_labels(alpha),
            "p_adjusted": _("p (Holm)"),
            "cohens_h": _("Cohen's h"),
        },
        note=_(
            "✱ significant at α = {alpha} after Holm's correction over {pairs} pairs; "
            "{sig} of {pairs} differences are."
        ).format(
            alpha=i18n.number(alpha, 2),
            pairs=i18n.digits(str(len(p))),
            sig=i18n.digits(str(int(sig.sum()))),
        ),
    ).data
    return HTML(html)


# long: one report block: the table, its column labels and the note on the tests
@i18n.in_review_context
def tactic_evidence(rv) -> HTML:
    """ROI and CAC with their intervals, and the year-over-year tests, per tactic."""
    c = rv.comparisons
    if c.empty:
        return not_available(
            _("tactics (activity rows, CRM deals or orders by channel and tactic)")
        )
    alpha = rv.config.thresholds.alpha
    t = pd.DataFrame({"channel": c["channel"].map(channel_label), "tactic": c["tactic"]})
    cur = rv.config.currency

    def with_ci(v, lo, hi, unit):
        rng = _("{low} to {high}").format(
            low=format_value(lo, unit, cur), high=format_value(hi, unit, cur)
        )
        return Safe(f"{_e(format_value(v, unit, cur))}<br><small>{_e(rng)}</small>")

    t["roi"] = [
        with_ci(r, lo, hi, "rate") for r, lo, hi in zip(c["roi"], c["roi_ci_low"], c["roi_ci_high"])
    ]
    if "cac" in c:
        t["cac"] = [
            with_ci(v, lo, hi, "money")
            for v, lo, hi in zip(c["cac"], c["cac_ci_low"], c["cac_ci_high"])
        ]
    t["leads_ratio"] = c["leads_ratio"].to_numpy()
    t["leads_p"] = [_mark(x, alpha) for x in c["leads_p"]]
    t["t2l_diff"] = c["t2l_diff"].to_numpy()
    t["t2l_p"] = [_mark(x, alpha) for x in c["t2l_p"]]
    # a measure no tactic has (no cost, one year of leads, no visits) is left out, not shown as n/a
    for measure, shown in (
        ("roi", ["roi"]),
        ("cac", ["cac"]),
        ("leads_ratio", ["leads_ratio", "leads_p"]),
        ("t2l_diff", ["t2l_diff", "t2l_p"]),
    ):
        if measure not in c or c[measure].isna().all():
            t = t.drop(columns=[col for col in shown if col in t])
    if len(t.columns) == 2:
        return not_available(
            _(
                "cost and revenue by tactic (ROI, CAC), or two years of leads or visits (the "
                "year-over-year tests)"
            )
        )
    basis = ", ".join(_(b) for b in sorted(set(c["roi_ci_basis"].dropna())))
    return table(
        t,
        {
            "roi": "rate",
            "cac": "money",
            "leads_ratio": "ratio",
            "leads_p": "rate",
            "t2l_diff": "pts",
            "t2l_p": "rate",
        },
        labels={
            "channel": _("Channel"),
            "tactic": _("Tactic"),
            "roi": _("ROI ({level} CI)").format(level=stats.confidence_level(alpha)),
            "cac": _("CAC ({level} CI)").format(level=stats.confidence_level(alpha)),
            "leads_ratio": _("Leads per month vs last year"),
            "leads_p": _("p"),
            "t2l_diff": _("Visit → lead change"),
            "t2l_p": _("p"),
        },
        note=_(
            "ROI intervals: percentile bootstrap (2 000 resamples, seeded) over {basis}; CAC: "
            "exact Poisson "
            "interval on new customers; year over year: Poisson rate test for leads per active "
            "month, "
            "two-proportion test for visit → lead, each Holm-corrected over the tactics. ✱ "
            "significant "
            "at α = {alpha}."
        ).format(basis=basis, alpha=i18n.number(alpha, 2)),
    )


@i18n.in_review_context
def customers_by_channel(rv) -> HTML:
    if not rv.customers:  # the section says what it needs
        return HTML("")
    t = rv.customers.get("by_channel")
    if t is None:
        return HTML(
            f"<p>{_e(_('No orders and customers tables: the customers section needs them.'))}</p>"
        )
    t = t.assign(channel=t["channel"].map(lambda c: channel_label(c) if isinstance(c, str) else c))
    return table(
        t,
        {
            "orders": "count",
            "customers": "count",
            "revenue": "money",
            "purchase_frequency": "ratio",
            "lifetime_days": "days",
        },
        currency=rv.config.currency,
        labels={
            "channel": _("Acquisition channel"),
            "customers": _("Ordering customers"),
            "lifetime_days": _("Customer lifetime (days)"),
        },
    )


@i18n.in_review_context
def retention(rv) -> HTML:
    if not rv.customers:  # the section says what it needs
        return HTML("")
    t = rv.customers.get("retention")
    if t is None:
        text = _("No customers table with churn dates: retention and churn are not available.")
        return HTML(f"<p>{_e(text)}</p>")
    t = t.assign(period=[i18n.digits(str(y)) for y in t["period"].dt.year])
    return table(
        t,
        {
            "customers_start": "count",
            "new": "count",
            "lost": "count",
            "customers_end": "count",
            "retention_rate": "rate",
            "churn_rate": "rate",
        },
        labels={
            "period": _("Year"),
            "customers_start": _("Customers at start"),
            "new": _("Customers acquired (by acquisition date)"),
            "lost": _("Lost"),
            "customers_end": _("Customers at end"),
        },
        note=_(
            "Retention = (customers at end − acquired) / customers at start; churn = lost / "
            "customers at "
            "start (S2). Acquired counts customers by their acquisition date; the report's New "
            "customers "
            "count those won from the year's leads, in the month the lead came in (see the "
            "glossary)."
        ),
    )


@i18n.in_review_context
def cohort_ltv(rv) -> HTML:
    t = rv.customers.get("cohort_ltv")
    if t is None:
        return HTML("")
    t = t.assign(cohort=[quarter_label(d) for d in t["cohort"]])
    return table(
        t,
        {"customers": "count", "ltv": "money"},
        currency=rv.config.currency,
        labels={
            "cohort": _("Cohort"),
            "customers": _("Customers acquired (by acquisition date)"),
            "ltv": _("Revenue per customer, first 4 quarters"),
        },
        note=_(
            "The cohort LTV variant: observed revenue per acquired customer; n/a where the cohort "
            "is younger "
            "than 4 quarters."
        ),
    )


@i18n.in_review_context
def nps(rv) -> HTML:
    if not rv.customers:  # the section says what it needs
        return HTML("")
    t = rv.customers.get("nps")
    if t is None:
        return HTML(f"<p>{_e(_('No NPS survey.'))}</p>")
    t = t.assign(
        channel=[_("all channels") if c == ALL_CHANNELS else channel_label(c) for c in t["channel"]]
    )
    return table(
        t[["channel", "n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high"]],
        {
            "n": "count",
            "promoters": "count",
            "passives": "count",
            "detractors": "count",
            "ci_low": "points",
            "ci_high": "points",
        },
        labels={
            "channel": _("Channel"),
            "n": _("Responses"),
            "promoters": _("Promoters"),
            "passives": _("Passives"),
            "detractors": _("Detractors"),
            **_ci_labels(rv.config.thresholds.alpha),
        },
        note=_(
            "NPS = % promoters (9–10) − % detractors (0–6); interval from the multinomial variance."
        ),
    )


# long: one report block: the table, its column labels and the assumptions
@i18n.in_review_context
def budget(rv) -> HTML:
    b = rv.budget
    if b.empty or b["elasticity"].isna().all() and not (b["current_budget"].fillna(0) > 0).any():
        return not_available(
            _("cost and revenue per tactic and month (a response curve needs both)")
        )
    t = b[
        [
            "channel",
            "tactic",
            "decision",
            "current_budget",
            "proposed_budget",
            "change",
            "elasticity",
            "note",
        ]
    ].copy()
    t["decision"] = t["decision"].map(
        lambda d: _(_DECISION_LABELS.get(d, d)) if isinstance(d, str) else d
    )
    t["channel"] = t["channel"].map(channel_label)
    total, cur = b.attrs.get("total", {}), rv.config.currency
    html = table(
        t,
        {
            "current_budget": "money",
            "proposed_budget": "money",
            "change": "rate",
            "elasticity": "ratio",
        },
        currency=cur,
        labels={
            "channel": _("Channel"),
            "tactic": _("Tactic"),
            "decision": _("Decision"),
            "current_budget": _("This year"),
            "proposed_budget": _("Proposed"),
            "change": _("Change"),
            "elasticity": _("Elasticity b"),
            "note": _("Note"),
        },
    ).data
    max_change = i18n.percent(total.get("max_change", 0.5), 0)
    level = stats.confidence_level(total.get("alpha", 0.1))
    items = "".join(
        f"<li>{_e(_(a).format(max_change=max_change, level=level))}</li>"
        for a in BUDGET_ASSUMPTIONS
    )
    return HTML(
        f"<p>{_e(_budget_headline(b, total, cur))}</p>{html}<p "
        f"class='kr-note'>{_e(_('Assumptions:'))}</p>"
        f"<ul class='kr-note'>{items}</ul>"
    )


def _budget_headline(b: pd.DataFrame, total: dict, cur: str) -> str:
    """The proposal in a sentence: the expected change with its interval (or the fallback), the
    curves' model,
    and the money not spent."""
    if b["elasticity"].notna().any():
        head = _(
            "Expected change of the tactics' yearly result net of their budget (gross profit − "
            "budget) at the "
            "proposed budget: {change} ({level} interval {low} to {high})."
        ).format(
            change=format_value(total.get("change"), "money", cur),
            level=stats.confidence_level(total.get("alpha", 0.1)),
            low=format_value(total.get("ci_low"), "money", cur),
            high=format_value(total.get("ci_high"), "money", cur),
        )
    else:
        head = _(
            "No tactic has a response curve the data support: budgets stay as they are (the stated "
            "fallback), "
            "and the budgets of tactics to drop are saved."
        )
    if total.get("model"):
        head += " " + _("Curves {model}.").format(model=_(BUDGET_MODEL_TEXT[total["model"]]))
    if total.get("unallocated", 0) > 1:
        head += " " + _(
            "Not spent: {amount} (freed or saved where no curve shows a return over the ROI "
            "hurdle, "
            "or every tactic at its cap)."
        ).format(amount=format_value(total["unallocated"], "money", cur))
    return head


@i18n.in_review_context
def customer_value(rv) -> HTML:
    """What a customer is worth against what it costs, by acquisition channel (LTV, CAC, LTV:CAC,
    payback)."""
    if not rv.customers:  # the section says what it needs
        return HTML("")
    sc = rv.scorecard
    rows = sc[(sc["year"] == rv.year) & sc["level"].isin([Level.CHANNEL, Level.PORTFOLIO])]
    cols = [
        k
        for k in (
            "purchase_frequency",
            "repeat_purchase_rate",
            "aov",
            "ltv",
            "cac",
            "ltv_cac",
            "cac_payback",
        )
        if k in rows
    ]
    if not {"ltv", "cac"} <= set(cols):
        return not_available(
            _("orders and customers for LTV, and marketing cost for CAC (LTV:CAC and payback)")
        )
    t = rows[["channel", *cols]].assign(
        channel=[
            channel_label(c) if isinstance(c, str) else _("All channels") for c in rows["channel"]
        ]
    )
    return table(
        t,
        currency=rv.config.currency,
        labels={"channel": _("Channel")},
        note=_(
            "LTV: average order value × orders per customer per year × {years} years of assumed "
            "lifetime{margin}; LTV:CAC ≥ 3 is healthy, under 1 loses money on every customer."
        ).format(
            years=i18n.number(rv.config.customer_lifetime_years, 1),
            margin=_(" × gross margin") if rv.config.gross_margin is not None else "",
        ),
    )


@i18n.in_review_context
def order_values(rv) -> HTML:
    """Is the average order value really different between acquisition channels? (Welch's t,
    Holm)."""
    res = rv.order_values
    if res is None:
        return HTML("")
    om = res.omnibus.set_index("test")
    alpha = rv.config.thresholds.alpha
    head = _("Welch's ANOVA across channels: {welch}; Kruskal-Wallis: {kruskal}.").format(
        welch=_p_line(om.loc["welch_anova", "p_value"]),
        kruskal=_p_line(om.loc["kruskal", "p_value"]),
    )
    p = res.pairwise[res.pairwise["test"] == "welch_t"]
    t = p[["group_a", "group_b", "mean_a", "mean_b", "diff", "ci_low", "ci_high"]].copy()
    t["group_a"], t["group_b"] = t["group_a"].map(channel_label), t["group_b"].map(channel_label)
    t["p_adjusted"] = [_mark(x, alpha) for x in p["p_adjusted"]]
    units = {c: "money" for c in ("mean_a", "mean_b", "diff", "ci_low", "ci_high")} | {
        "p_adjusted": "rate"
    }
    body = table(
        t,
        units,
        currency=rv.config.currency,
        labels={
            "group_a": _("Channel A"),
            "group_b": _("Channel B"),
            "mean_a": _("A"),
            "mean_b": _("B"),
            "diff": _("B − A"),
            **_ci_labels(alpha),
            "p_adjusted": _("p (Holm)"),
        },
        note=_(
            "Average order value of the year's orders by the customer's acquisition channel; "
            "Welch's t-test "
            "per pair, Holm-corrected; ✱ significant at α = {alpha}."
        ).format(alpha=i18n.number(alpha, 2)),
    ).data
    return HTML(f"<p>{_e(head)}</p>{body}")


def _p_line(p) -> str:
    return stats.format_p(p)


def _ci_labels(alpha: float) -> dict[str, str]:
    """Column labels of an interval's bounds at the level ``alpha`` gives (95 % for 0.05, 90 % for
    0.1)."""
    level = stats.confidence_level(alpha)
    return {
        "ci_low": _("{level} CI low").format(level=level),
        "ci_high": _("{level} CI high").format(level=level),
    }


# long: one report block: the peer table, the client's quartile per KPI, labels and note
@i18n.in_review_context
def benchmarks(rv, peers_path=None) -> HTML:
    """The section "Against comparable clients" from the batch's peer table (``kpi-review batch
    --benchmark``;
    nothing without it): the client's own value, its quartile and the number of comparable
    clients."""
    if not peers_path:
        return HTML("")
    from ..analysis.benchmarks import QUARTILES, kpi_rows, read_peers, roi_basis, standing

    head = section("benchmarks").data
    business = rv.config.business
    if not business:
        return HTML(
            head
            + not_available(
                _("a business type (business: in client.yaml) to find comparable clients")
            ).data
        )
    peers = read_peers(peers_path)
    s = standing(
        kpi_rows(rv.scorecard, rv.year, business, roi_basis(rv.config.gross_margin)), peers
    )
    ranked = s[s["quartile"].notna()]
    least = int(peers["min_clients"].iloc[0]) if len(peers) else 0
    if ranked.empty:
        most = int(s["clients"].max()) if len(s) else 1
        text = _(
            "No KPI is shared by at least {min} clients of this business type ({business}) in this "
            "batch: "
            "at most {n} have one, this client included."
        ).format(min=i18n.digits(str(least)), business=business, n=i18n.digits(str(most)))
        return HTML(f"{head}<p>{_e(text)}</p>")

    def where(q, n) -> Safe:
        text = _("{quartile} of {n} comparable clients").format(
            quartile=_(QUARTILES[int(q)]), n=i18n.digits(str(int(n)))
        )
        return Safe(f'<span class="kr-quartile q{int(q)}">{_e(text)}</span>')

    t = pd.DataFrame(
        {
            "kpi": [label(k) for k in ranked["kpi"]],
            "channel": [
                _("All channels") if c == PORTFOLIO_SCOPE else channel_label(c)
                for c in ranked["channel"]
            ],
            "value": [
                Safe(_e(format_value(v, REGISTRY[k].unit, rv.config.currency)))
                for v, k in zip(ranked["value"], ranked["kpi"])
            ],
            "standing": [where(q, n) for q, n in zip(ranked["quartile"], ranked["clients"])],
        }
    )
    return HTML(
        head
        + table(
            t,
            {"value": "ratio"},
            labels={
                "kpi": _("KPI"),
                "channel": _("Channel"),
                "value": _("This client"),
                "standing": _("Where it stands"),
            },
            note=_(
                "Business type: {business}. A KPI is compared where at least {min} clients of "
                "this type have it; ROI only with clients of the same ROI basis."
            ).format(business=business, min=i18n.digits(str(least))),
        ).data
    )


_FORECAST_UNITS = {"leads": "count", "customers": "count", "revenue": "money", "cost": "money"}


def _range(v, lo, hi, unit: str, currency: str) -> Safe:
    rng = _("{low} to {high}").format(
        low=format_value(lo, unit, currency), high=format_value(hi, unit, currency)
    )
    return Safe(f"{_e(format_value(v, unit, currency))}<br><small>{_e(rng)}</small>")


@i18n.in_review_context
def forecast(rv) -> HTML:
    """Next year's forecast per channel and metric, both budgets side by side, then the method and
    backtest."""
    f = rv.forecast
    if f.empty:  # the section's heading says what it needs
        return HTML("")
    cur = rv.config.currency
    now = f[f["scenario"] == "current_budget"].set_index(["channel", "metric"])
    prop = f[f["scenario"] == "proposed_budget"].set_index(["channel", "metric"])
    rows = []
    for (ch, m), r in now.iterrows():
        unit = _FORECAST_UNITS[m]
        p = prop.loc[(ch, m)] if (ch, m) in prop.index else None
        rows.append(
            {
                "channel": _("All channels") if ch == PORTFOLIO_SCOPE else channel_label(ch),
                "metric": label(m),
                "last_year": Safe(_e(format_value(r["last_year"], unit, cur))),
                "forecast": _range(r["forecast"], r["ci_low"], r["ci_high"], unit, cur),
                "change": r["change"],
                "proposed": _range(p["forecast"], p["ci_low"], p["ci_high"], unit, cur)
                if p is not None
                else "",
                "method": _method(r["method"]),
            }
        )
    t = pd.DataFrame(rows)
    body = table(
        t,
        {"last_year": "money", "forecast": "money", "change": "rate", "proposed": "money"},
        labels={
            "channel": _("Channel"),
            "metric": _("KPI"),
            "last_year": _("This year"),
            "forecast": _("Next year (90 % interval)"),
            "change": _("Change"),
            "proposed": _("At the proposed budget"),
            "method": _("Model"),
        },
    ).data
    return HTML(body + _forecast_method(rv))


def _method(name: str) -> str:
    """A model's name: ETS(A,Ad,M) is notation, the fallback's name is words."""
    return _("seasonal naive") if name == "seasonal naive" else name


# long: the method note's paragraphs (model, fallback, budget response, backtest)
def _forecast_method(rv) -> str:
    """The method note: the model, the fallback, the budget response, and the backtest per
    channel."""
    f = rv.forecast
    p = f[
        (f["scenario"] == "proposed_budget")
        & (f["metric"] != "cost")
        & (f["channel"] != PORTFOLIO_SCOPE)
    ]
    by_rule = p.drop_duplicates("channel").groupby("response")["channel"].apply(list)
    rules = "; ".join(
        f"{_(r)}: {', '.join(channel_label(c) for c in chs)}"
        for r, chs in by_rule.items()
        if r not in ("", "budget")
    )
    note = _(
        "Method: ETS (statsmodels; additive errors, damped additive trend, additive or "
        "multiplicative 12-month "
        "seasonality by AIC) for series of 24 months or more; a channel with 12 to 23 months is "
        "forecast "
        "seasonal-naive (each month as last year's) with a normal interval. Intervals from 2 000 "
        "simulated "
        "years (seeded). Under the proposed budget, cost follows the budget and results respond "
        "with the "
        "budget's elasticity where a curve was fitted, else proportionally; here: {rules}."
    ).format(rules=rules or _("unchanged"))
    b = rv.backtest
    if b.empty:
        return f"<p class='kr-note'>{_e(note)}</p>"
    rows = []
    for ch, g in b.groupby("channel", sort=False):
        row = {"channel": _("All channels") if ch == PORTFOLIO_SCOPE else channel_label(ch)}
        for r in g.itertuples():
            mark = "" if r.inside else " ✗"
            row[r.metric] = Safe(
                f"{_e(format_value(r.bias, 'rate'))}{mark}<br><small>sMAPE "
                f"{_e(format_value(r.smape, 'rate'))}</small>"
            )
        rows.append(row)
    t = pd.DataFrame(rows).reindex(
        columns=["channel", *[m for m in _FORECAST_UNITS if m in set(b["metric"])]]
    )
    models = ", ".join(
        f"{_method(m)} ({i18n.number(n)})"
        for m, n in b.groupby("method")["months_fitted"].max().items()
    )
    bt = table(
        t,
        {m: "rate" for m in _FORECAST_UNITS},
        labels={"channel": _("Channel")},
        note=_(
            "Backtest: fitted on every month before the reviewed year ({models} months), forecast "
            "for the "
            "reviewed year and compared with what happened. Each cell: the bias of the year's "
            "total, "
            "(forecast − actual) ÷ actual, and below it the monthly sMAPE, mean of 2|F − A| ÷ (|F| "
            "+ |A|); "
            "✗ where the actual total fell outside the 90 % interval."
        ).format(models=models),
    ).data
    return f"<p class='kr-note'>{_e(note)}</p><h4>{_e(_('Backtest: error per channel'))}</h4>{bt}"


@i18n.in_review_context
def next_targets(rv) -> HTML:
    """The proposed targets, then the ``targets:`` block as ``next_targets.yaml`` holds it."""
    if rv.next_targets.empty:  # the section's heading says what it needs
        return HTML("")
    from ..analysis.targets import describe, targets_yaml

    body = table(
        describe(rv),
        labels={
            "kpi": _("KPI"),
            "scope": _("Scope"),
            "value": _("Target"),
            "assumption": _("Assumption"),
        },
    ).data
    return HTML(
        body + f"<p class='kr-note'>{_e(_('next_targets.yaml, to paste into client.yaml:'))}</p>"
        "<pre class='kr-yaml' style='white-space: pre-wrap; font-size: "
        f".8rem'>{_e(targets_yaml(rv))}</pre>"
    )


def _run_date_text(day) -> str:
    """An ISO run date from a summary.json in the report's language and calendar (as written when
    unreadable)."""
    import datetime as dt

    try:
        return i18n.date_text(dt.date.fromisoformat(str(day)))
    except ValueError:
        return i18n.digits(str(day))


_VERDICT_CSS = {"right": "keep", "not_yet_clear": "optimise", "wrong": "drop"}
#: Column labels of the previous decisions' table (translated by :func:`table`).
PREVIOUS_LABELS = {
    "channel": N_("Channel"),
    "tactic": N_("Tactic"),
    "call": N_("Last year's call"),
    "expected": N_("Expected"),
    "outcome": N_("What happened"),
    "verdict": N_("Verdict"),
}


def _previous_rows(c: pd.DataFrame) -> pd.DataFrame:
    """Last year's calls as the report's table: the call (and whether it was overridden), expected,
    outcome,
    verdict."""
    return pd.DataFrame(
        {
            "channel": c["channel"].map(channel_label),
            "tactic": c["tactic"],
            "call": [
                Safe(
                    f'<span class="kr-badge {d}">{_e(_(_DECISION_LABELS[d]))}</span>'
                    + (
                        f' <span class="kr-override">{_e(_("override"))}</span>'
                        if isinstance(o, str)
                        else ""
                    )
                )
                for d, o in zip(c["previous_decision"], c["computed"])
            ],
            "expected": c["expected"],
            "outcome": c["outcome"],
            "verdict": [
                Safe(f'<span class="kr-badge {_VERDICT_CSS[v]}">{_e(_(VERDICT_LABELS[v]))}</span>')
                for v in c["verdict"]
            ],
        }
    )


# long: one report block: where last year's calls come from, the table and the note on the tests
@i18n.in_review_context
def previous(rv) -> HTML:
    """Last year's calls, what was expected, what happened and the verdict; how to provide them when
    absent."""
    if rv.previous is None:
        how = _(
            "No previous review found for {period}. To check last year's calls: run last year's "
            "review into the same reports folder (kpi-review run --year {year} --out ...), pass "
            "--previous with the folder of last year's report, or list last year's calls under "
            "history: in client.yaml."
        ).format(period=rv.period.label(rv.year - 1), year=rv.year - 1)  # year: typed in a command
        return HTML(f'<p class="kr-na">{_e(how)}</p>')
    c = rv.previous_checks
    src = (
        _("From the review of {year} run on {date}.").format(
            year=i18n.digits(str(rv.previous.year)), date=_run_date_text(rv.previous.run_date)
        )
        if rv.previous.source == "report"
        else _("From the calls listed under history: in client.yaml for {year}.").format(
            year=i18n.digits(str(rv.previous.year))
        )
    )
    if c.empty:
        return HTML(
            f"<p>{_e(src)} {_e(_('None of its calls could be judged (too little data).'))}</p>"
        )
    t = _previous_rows(c)
    line = previous_calls(c)
    body = table(
        t,
        labels={k: _(v) for k, v in PREVIOUS_LABELS.items()},
        note=_(
            "Kept: right when this year's ROI interval lies over the hurdle; optimised: "
            "two-proportion "
            "z-test of the stage's rate against last year's; dropped: right when the spend stopped "
            "and "
            "leads and customers did not fall significantly (Poisson rate test); α = {alpha}."
        ).format(alpha=i18n.number(rv.config.thresholds.alpha, 2)),
    ).data
    return HTML(f"<p>{_e(src)} <b>{_e(line)}</b></p>{body}")
