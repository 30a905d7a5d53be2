"""Report files: sidecars (CSV, XLSX, JSON), the code-free HTML export, and the batch index.

This module does no analysis: the notebook hands it finished tables.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
from nbconvert import HTMLExporter

from . import i18n
from .i18n import _

__all__ = ["write_outputs", "export_html", "write_index", "spreadsheet_safe", "TEMPLATES"]

TEMPLATES = Path(__file__).parent / "templates"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (prefix them with ').

    Numbers are left alone: a negative ROI stays a number.

    >>> spreadsheet_safe(pd.DataFrame({"t": ["=HYPERLINK(1)", "ok"], "v": [-1.0, 2.0]}))["t"].tolist()
    ["'=HYPERLINK(1)", 'ok']
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


def write_outputs(rv, output_dir: str | Path | None) -> Path | None:
    """Write ``scorecard.csv``, ``decisions.csv``, ``forecast.csv``, ``next_targets.yaml``, ``tables.xlsx`` and
    ``summary.json`` for a review.

    CSVs are UTF-8 with BOM (Excel opens Cyrillic correctly); client text that
    could start a formula is neutralised. Does nothing when ``output_dir`` is
    None (the notebook run by hand).
    """
    if output_dir is None:
        return None
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    spreadsheet_safe(rv.scorecard_export()).to_csv(out / "scorecard.csv", index=False, encoding="utf-8-sig")
    spreadsheet_safe(rv.decisions).to_csv(out / "decisions.csv", index=False, encoding="utf-8-sig")
    spreadsheet_safe(rv.forecast).to_csv(out / "forecast.csv", index=False, encoding="utf-8-sig")
    from .targets import targets_yaml

    (out / "next_targets.yaml").write_text(targets_yaml(rv), encoding="utf-8")
    with pd.ExcelWriter(out / "tables.xlsx", engine="openpyxl") as xl:
        for name, df in rv.tables().items():
            spreadsheet_safe(df).to_excel(xl, sheet_name=name[:31], index=False)
    (out / "summary.json").write_text(json.dumps(rv.summary(), indent=2, ensure_ascii=False), encoding="utf-8")
    return out


def export_html(notebook: str | Path, target: str | Path, language: str = "en", summary: dict | None = None) -> Path:
    """Export an executed notebook as the management report: self-contained HTML without code.

    No inputs, prompts, stderr or error outputs, no cell tagged ``analyst-only``; a table of contents built
    from the section headings; no script at all (the page's Content-Security-
    Policy forbids scripts, and the template loads none).
    """
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "analyst-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.output_type == "stream" and o.get("name") == "stderr") and o.output_type != "error"]
    exporter = HTMLExporter(template_name="kpi_report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    i18n.set_language(language)
    summary = summary or {}
    name = _("{client} · annual marketing review {year}").format(
        client=summary.get("client", ""), year=i18n.digits(str(summary.get("year", "")))).strip(" ·")
    nb.metadata["title"] = name  # the template prefers the notebook's own title
    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    target = Path(target)
    body = _with_toc(body).replace('<html lang="en">', f'<html lang="{language}" dir="{i18n.direction()}">', 1)
    target.write_text(body, encoding="utf-8")
    return target


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"')  # section headings (show.section)


def _with_toc(body: str) -> str:
    """Insert a table of contents (the h2 headings) before the first section heading."""
    heads = _H2.findall(body)
    if not heads:
        return body
    items = "".join(f'<li><a href="#{html.escape(i, quote=True)}">{t}</a></li>' for i, t in heads)
    title = html.escape(_("Contents"))
    toc = f'<nav class="kr-toc" aria-label="{title}"><h2 class="kr-toc-title">{title}</h2><ol>{items}</ol></nav>'
    first = body.find(f'<h2 id="{heads[0][0]}"')
    cell = body.rfind('<div class="jp-Cell', 0, first)
    return body[:cell] + toc + body[cell:]


_INDEX_CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:2rem auto;
max-width:1100px;color:#1d2733;padding:0 1rem}h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}
th,td{padding:.45rem .6rem;border-bottom:1px solid #dde3ea;text-align:left;font-size:.92rem}th{background:#f3f6f9}
.ok{color:#2e7d32;font-weight:600}.failed{color:#c62828;font-weight:600}.skipped{color:#6b7785;font-weight:600}
.err{color:#6b7785;font-size:.85rem;white-space:pre-wrap}"""


def write_index(run_dir: str | Path, language: str = "en") -> Path:
    """Write ``index.html`` and ``batch.json`` listing every client folder of a run date."""
    run_dir = Path(run_dir)
    i18n.set_language(language)
    entries = []
    for folder in sorted(p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        manifest = _read_json(folder / "manifest.json") or {"status": "failed", "error": "no manifest.json"}
        summary = _read_json(folder / "summary.json") or {}
        report = folder / "annual_review.html"
        entries.append({
            "slug": folder.name, "client": summary.get("client") or manifest.get("client") or folder.name,
            "status": manifest.get("status", "failed"), "error": manifest.get("error"),
            "report": f"{folder.name}/annual_review.html" if report.exists() and manifest.get("status") == "ok" else None,
            "headline": summary.get("headline", {}), "decisions": summary.get("decisions", {}),
            "currency": summary.get("currency", ""), "year": summary.get("year"),
        })
    payload = {"run_date": run_dir.name, "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "clients": entries}
    (run_dir / "batch.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    rows = "".join(_index_row(e) for e in entries)
    heads = "".join(f"<th>{html.escape(_(h))}</th>" for h in
                    ("Client", "Status", "Revenue", "ROI", "Keep", "Optimise", "Drop", "Too little data"))
    title = html.escape(_("Annual KPI reviews · run {date}").format(date=i18n.digits(run_dir.name)))
    csp = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    page = (f"<!DOCTYPE html><html lang='{language}' dir='{i18n.direction()}'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{csp}\"><title>{title}</title>"
            f"<style>{_INDEX_CSS}</style></head><body><h1>{title}</h1>"
            f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table></body></html>")
    (run_dir / "index.html").write_text(page, encoding="utf-8")
    return run_dir / "index.html"


def _index_row(e: dict) -> str:
    from .catalog import format_value

    name = html.escape(e["client"])
    if e["report"]:
        name = f"<a href='{html.escape(e['report'], quote=True)}'>{name}</a>"
    status_id = e["status"] if e["status"] in ("ok", "failed", "skipped") else "failed"
    status = html.escape(_(status_id))
    err = f"<div class='err'>{html.escape(str(e['error']))}</div>" if e.get("error") and status_id != "ok" else ""
    head = e["headline"]
    rev = format_value((head.get("revenue") or {}).get("value"), "money", e["currency"]) if head else ""
    roi = format_value((head.get("roi") or {}).get("value"), "rate") if head else ""
    d = e["decisions"]
    counts = "".join(f"<td>{i18n.digits(str(d.get(k, ''))) if d else ''}</td>"
                     for k in ("keep", "optimise", "drop", "insufficient_data"))
    return (f"<tr><td>{name}{err}</td><td class='{status_id}'>{status}</td><td>{html.escape(rev)}</td>"
            f"<td>{html.escape(roi)}</td>{counts}</tr>")


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
