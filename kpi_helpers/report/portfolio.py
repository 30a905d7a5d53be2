"""The batch's ``index.html``: the consultant's portfolio page, one row per client.

Per client: the headline KPIs against last year, the decision counts, the targets met, the status
and
links to the report's files. Sorting works without a script (the page's Content-Security-Policy
allows
none): the table is rendered once per ordering and the column headings link to the orderings; CSS
``:target`` shows the one chosen. ROI is margin-based for clients with a gross margin and
revenue-based for
the others; when both occur, each ROI carries its basis, a note says so and ROI sorts within its
basis.
"""

from __future__ import annotations

import math

import jinja2

from ..core import i18n
from ..metrics.catalog import REGISTRY, format_value
from ..core.i18n import _
from ..core.resources import package_path
from ..analysis.narrative import DECISION_LABELS

__all__ = ["render_index", "KPI_COLUMNS"]

TEMPLATE_DIR = package_path("templates", "portfolio")
#: Headline KPIs in the portfolio, this year with the change against last year.
KPI_COLUMNS = ("revenue", "cost", "roi", "customers", "cac")
DECISION_COLUMNS = tuple(DECISION_LABELS.items())  # (id, label) in DECISIONS order
BASIS = {"margin": "margin-based", "revenue": "revenue-based"}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _
    return env


def _number(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _change(kpi: str, head: dict) -> tuple[str, str, float | None]:
    """(text, good/bad/flat, sortable value) of this year against last year."""
    meta, v, p = REGISTRY[kpi], _number(head.get("value")), _number(head.get("previous"))
    if v is None or p is None or v == p:
        return (
            ("" if p is None else _("no change")),
            "flat",
            (0.0 if p is not None and v is not None else None),
        )
    cls = "good" if (v > p) == (meta.better == "higher") else "bad"
    if meta.better == "neutral":
        cls = "flat"
    if meta.unit == "rate":
        return f"{i18n.number((v - p) * 100, 1, sign=True)} {_('pts')}", cls, v - p
    if not p:
        return "", "flat", None
    return i18n.percent((v - p) / abs(p), 1, sign=True), cls, (v - p) / abs(p)


def _kpi_cell(k: str, e: dict, show_basis: bool) -> dict:
    """One headline KPI of a client: value, change on last year (coloured), last year, ROI basis."""
    head = (e.get("headline") or {}).get(k) or {}
    if e["status"] != "ok" or not head:
        return {"text": "", "na": False, "change": "", "cls": "flat", "basis": "", "previous": ""}
    unit, currency = REGISTRY[k].unit, e.get("currency", "")
    value, previous = _number(head.get("value")), _number(head.get("previous"))
    change, cls, _delta = _change(k, head)
    last_year = i18n.digits(str((e.get("year") or 1) - 1))
    return {
        "text": format_value(value, unit, currency),
        "na": value is None,
        "change": change,
        "cls": cls,
        "basis": _(BASIS[e["roi_basis"]])
        if k == "roi" and show_basis and e.get("roi_basis") in BASIS
        else "",
        "previous": ""
        if previous is None
        else _("vs {year}: {value}").format(
            year=last_year, value=format_value(previous, unit, currency)
        ),
    }


def _sort_values(e: dict, show_basis: bool) -> dict:
    """What each column sorts by (None: no value, always last); ROI by basis first when bases
    differ."""
    ok, dec = e["status"] == "ok", e.get("decisions") or {}
    sort = {"client": e["client"].casefold(), "status": e["status"]}
    for k in KPI_COLUMNS:
        head = (e.get("headline") or {}).get(k) or {}
        value = _number(head.get("value")) if ok else None
        sort[k] = (
            (e.get("roi_basis") or "", value)
            if k == "roi" and show_basis and value is not None
            else value
        )
    for d, _label in DECISION_COLUMNS:
        sort[d] = dec.get(d) if ok and dec else None
    met, targets = e.get("targets_met"), e.get("targets")
    sort["targets"] = met / targets if ok and targets else None
    return sort


def _row(e: dict, show_basis: bool) -> dict:
    """The cells of one client (texts: the template escapes them) and its sort values."""
    ok, dec = e["status"] == "ok", e.get("decisions") or {}
    met, targets = e.get("targets_met"), e.get("targets")
    targets_text = (
        _("{met} of {targets}").format(met=i18n.digits(str(met)), targets=i18n.digits(str(targets)))
        if ok and targets
        else ("—" if ok else "")
    )
    return {
        "client": e["client"],
        "slug": e["slug"],
        "status": e["status"],
        "status_text": _(e["status"]),
        "error": e.get("error") if e["status"] != "ok" else None,
        "kpis": [_kpi_cell(k, e, show_basis) for k in KPI_COLUMNS],
        "decisions": [
            i18n.digits(str(dec.get(d, 0))) if ok and dec else "" for d, _label in DECISION_COLUMNS
        ],
        "targets": targets_text,
        "links": e.get("links", []),
        "report": e.get("report"),
        "sort": _sort_values(e, show_basis),
    }


def _columns() -> list[dict]:
    cols = [
        {"id": "client", "label": _("Client"), "cls": "txt"},
        {"id": "status", "label": _("Status"), "cls": "txt"},
    ]
    cols += [{"id": k, "label": _(REGISTRY[k].label), "cls": "num"} for k in KPI_COLUMNS]
    cols += [{"id": d, "label": _(label), "cls": "num"} for d, label in DECISION_COLUMNS]
    cols += [
        {"id": "targets", "label": _("Targets met"), "cls": "num"},
        {"id": None, "label": _("Files"), "cls": "txt"},
    ]
    return cols


def _ordered(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """Rows by one sort key; clients without a value always last, then by name."""
    have = [r for r in rows if r["sort"].get(key) is not None]
    missing = [r for r in rows if r["sort"].get(key) is None]
    have.sort(key=lambda r: (r["sort"][key], r["sort"]["client"]), reverse=descending)
    return have + sorted(missing, key=lambda r: r["sort"]["client"])


_ASCENDING_FIRST = ("client", "status")


def _view_id(key: str, descending: bool) -> str:
    return f"by-{key}-{'desc' if descending else 'asc'}"


def _views(rows: list[dict], columns: list[dict]) -> list[dict]:
    """One rendering per sortable column and direction; a heading links to its column's ordering
    (the
    other direction when that column is the current one). The default, by client name, comes
    last."""
    keys = [c["id"] for c in columns if c["id"]]
    views = []
    for key in keys:
        for descending in (False, True):
            links = {
                k: _view_id(k, (not descending) if k == key else k not in _ASCENDING_FIRST)
                for k in keys
            }
            views.append(
                {
                    "id": _view_id(key, descending),
                    "key": key,
                    "descending": descending,
                    "links": links,
                    "rows": _ordered(rows, key, descending),
                    "default": key == "client" and not descending,
                }
            )
    return sorted(views, key=lambda v: v["default"])


def render_index(
    entries: list[dict], run_date: str, language: str = "en", benchmarks: str | None = None
) -> str:
    """The portfolio page of one run date, in ``language``; ``benchmarks``: the peer table's file
    name, linked
    for the consultant."""
    with i18n.using(i18n.TextContext.of(language)):
        return _render(entries, run_date, language, benchmarks)


def _render(entries: list[dict], run_date: str, language: str, benchmarks: str | None) -> str:
    ok = [e for e in entries if e["status"] == "ok"]
    bases = {e.get("roi_basis") for e in ok if e.get("roi_basis")}
    mixed = len(bases) > 1
    rows = [_row(e, mixed) for e in entries]
    columns = _columns()
    counts = {s: sum(e["status"] == s for e in entries) for s in ("ok", "failed", "skipped")}
    return (
        _env()
        .get_template("index.html.j2")
        .render(
            language=language,
            direction=i18n.direction(),
            title=_("Annual KPI reviews · run {date}").format(date=i18n.digits(run_date)),
            lead=_("{n} clients: {ok} reports, {failed} failed, {skipped} skipped.").format(
                n=i18n.digits(str(len(entries))),
                ok=i18n.digits(str(counts["ok"])),
                failed=i18n.digits(str(counts["failed"])),
                skipped=i18n.digits(str(counts["skipped"])),
            ),
            basis_note=_(
                "ROI bases differ between these clients: margin-based ROI ((revenue × gross margin "
                "− cost) "
                "÷ cost) for clients with a gross margin in client.yaml, revenue-based ROI "
                "((revenue − cost) "
                "÷ cost) for the others. Each ROI is marked with its basis and sorts within it: "
                "compare ROI "
                "only between clients of one basis."
            )
            if mixed
            else "",
            columns=columns,
            views=_views(rows, columns),
            benchmarks=benchmarks,
            sort_hint=_(
                "Click a column heading to sort by it; click again to reverse. Changes are against "
                "last year."
            ),
        )
    )
