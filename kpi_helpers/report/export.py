"""Report files: sidecars (CSV, XLSX, JSON), the code-free HTML export, and the batch index.

This module does no analysis: the notebook hands it finished tables.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pandas as pd

from ..core import i18n
from ..core.i18n import _
from ..core.resources import package_path

__all__ = [
    "write_outputs",
    "export_html",
    "report_title",
    "write_index",
    "spreadsheet_safe",
    "palette_png",
    "TEMPLATES",
]

TEMPLATES = package_path("templates")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as a formula (prefix them with ').

    Numbers are left alone: a negative ROI stays a number.

    >>> frame = pd.DataFrame({"t": ["=HYPERLINK(1)", "ok"], "v": [-1.0, 2.0]})
    >>> spreadsheet_safe(frame)["t"].tolist()
    ["'=HYPERLINK(1)", 'ok']
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


@i18n.in_review_context
def write_outputs(rv, output_dir: str | Path | None) -> Path | None:
    """Write ``scorecard.csv``, ``decisions.csv``, ``forecast.csv``, ``next_targets.yaml``,
    ``tables.xlsx`` and
    ``summary.json`` for a review.

    CSVs are UTF-8 with BOM (Excel opens Cyrillic correctly); client text that
    could start a formula is neutralised. Does nothing when ``output_dir`` is
    None (the notebook run by hand).
    """
    if output_dir is None:
        return None
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    spreadsheet_safe(rv.scorecard_export()).to_csv(
        out / "scorecard.csv", index=False, encoding="utf-8-sig"
    )
    spreadsheet_safe(rv.decisions).to_csv(out / "decisions.csv", index=False, encoding="utf-8-sig")
    spreadsheet_safe(rv.forecast).to_csv(out / "forecast.csv", index=False, encoding="utf-8-sig")
    from ..analysis.targets import targets_yaml

    (out / "next_targets.yaml").write_text(targets_yaml(rv), encoding="utf-8")
    with pd.ExcelWriter(out / "tables.xlsx", engine="openpyxl") as xl:
        for name, df in rv.tables().items():
            spreadsheet_safe(df).to_excel(xl, sheet_name=name[:31], index=False)
    (out / "summary.json").write_text(
        json.dumps(rv.summary(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return out


def export_html(
    notebook: str | Path, target: str | Path, language: str = "en", summary: dict | None = None
) -> Path:
    """Export an executed notebook as the management report: self-contained HTML without code.

    No inputs, prompts, stderr or error outputs, no cell tagged ``analyst-only``; a table of
    contents built
    from the section headings; no script at all (the page's Content-Security-
    Policy forbids scripts, and the template loads none). nbformat and nbconvert are imported here,
    by the
    runner, never by a kernel that only imports :mod:`kpi_helpers.report.export` for
    :func:`write_outputs`.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "analyst-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.output_type == "stream" and o.get("name") == "stderr")
                and o.output_type != "error"
            ]
            _compact_images(cell.outputs)
    exporter = _html_exporter()
    with i18n.using(i18n.TextContext.of(language)):
        name = report_title(summary or {})
        nb.metadata["title"] = name  # the template prefers the notebook's own title
        body, _resources = exporter.from_notebook_node(
            nb, resources={"metadata": {"name": name}, "image_alt": _("Chart")}
        )
        body = _with_toc(body).replace(
            '<html lang="en">', f'<html lang="{language}" dir="{i18n.direction()}">', 1
        )
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


@functools.cache
def _html_exporter():
    """One exporter per process: a batch worker exports many reports, and each new exporter loads
    and compiles its templates again. The template holds no language or client state (both go in
    per report)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step, which parses the whole page again
        (BeautifulSoup) to give images a stock alt text and outputs a ``tabindex``: a third of the
        export's time. The report's template writes the alt text itself, in the report's language;
        a report has no interactive outputs to focus."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))  # no input shown
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = ReportExporter(template_name="kpi_report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.optimistic_validation = True  # validate once, not after each of a dozen preprocessors
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _compact_images(outputs) -> None:
    """Charts not yet in a palette (the report's charts are made so in the kernel, see
    :func:`kpi_helpers.report.plots.use_report_style`) are re-encoded with :func:`palette_png`."""
    for out in outputs:
        data = (
            out.get("data", {})
            if out.get("output_type") in ("display_data", "execute_result")
            else {}
        )
        png = data.get("image/png")
        if png and not _is_palette(png):
            data["image/png"] = base64.b64encode(palette_png(base64.b64decode(png))).decode("ascii")


def _is_palette(b64: str) -> bool:
    """Whether a base64 PNG is palette-coloured: colour type 3 in its header (byte 25, in IHDR)."""
    head = base64.b64decode(b64[:36])
    return len(head) > 25 and head[:8] == b"\x89PNG\r\n\x1a\n" and head[25] == 3


def palette_png(png: bytes) -> bytes:
    """A chart PNG re-encoded with a 128-colour palette: the same picture (charts have few colours)
    at a third of the bytes, which keeps a report with all its charts well under 300 KB. The
    original when that is not smaller."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    opaque = image.mode != "RGBA" or image.getchannel("A").getextrema()[0] == 255
    if opaque:
        small = image.convert("RGB").quantize(
            128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    else:
        small = image.quantize(128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    small.save(buf, "PNG", optimize=True)
    return buf.getvalue() if buf.tell() < len(png) else png


def report_title(summary: dict) -> str:
    """The report's title in the current language: "client · annual marketing review year"."""
    return (
        _("{client} · annual marketing review {year}")
        .format(client=summary.get("client", ""), year=i18n.digits(str(summary.get("year", ""))))
        .strip(" ·")
    )


class _Headings(HTMLParser):
    """The section headings of an exported page (``<h2 id=...>`` as
    :func:`kpi_helpers.report.show.section` writes
    them): id, plain text (the anchor link's pilcrow left out) and where the first one starts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[dict[str, str]] = []
        self.first_at: tuple[int, int] | None = None
        self._open: dict | None = None
        self._in_anchor = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2" and attrs.get("id") and self._open is None:
            self._open = {"id": attrs["id"], "text": ""}
            self.first_at = self.first_at or self.getpos()
        elif tag == "a" and self._open is not None:
            self._in_anchor += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._in_anchor:
            self._in_anchor -= 1
        elif tag == "h2" and self._open is not None:
            self._open["text"] = " ".join(self._open["text"].split())
            self.headings.append(self._open)
            self._open = None

    def handle_data(self, data):
        if self._open is not None and not self._in_anchor:
            self._open["text"] += data


def _offset(text: str, pos: tuple[int, int]) -> int:
    """The index in ``text`` of an HTMLParser position (line from 1, column from 0)."""
    line, col = pos
    start = 0
    for _i in range(line - 1):
        start = text.index("\n", start) + 1
    return start + col


def _with_toc(body: str) -> str:
    """Insert a table of contents (the h2 headings, rendered by ``templates/toc.html.j2``) before
    the notebook
    cell holding the first section heading."""
    parser = _Headings()
    parser.feed(body)
    parser.close()
    if not parser.headings:
        return body
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    toc = env.get_template("toc.html.j2").render(title=_("Contents"), headings=parser.headings)
    cell = body.rfind('<div class="jp-Cell', 0, _offset(body, parser.first_at))
    cell = cell if cell >= 0 else _offset(body, parser.first_at)
    return body[:cell] + toc + body[cell:]


def write_index(run_dir: str | Path, language: str = "en") -> Path:
    """Write ``index.html`` (the portfolio page, :mod:`kpi_helpers.report.portfolio`) and
    ``batch.json`` listing every
    client folder of a run date."""
    from .portfolio import render_index

    run_dir = Path(run_dir)
    with i18n.using(i18n.TextContext.of(language)):
        entries = [
            _index_entry(folder)
            for folder in sorted(
                p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
            )
        ]
    payload = {
        "run_date": run_dir.name,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "clients": entries,
    }
    (run_dir / "batch.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    peers = "benchmarks.csv" if (run_dir / "benchmarks.csv").is_file() else None
    (run_dir / "index.html").write_text(
        render_index(entries, run_dir.name, language, peers), encoding="utf-8"
    )
    return run_dir / "index.html"


#: A client folder's files linked from the portfolio page, with their labels.
_LINKED_FILES = (
    ("annual_review.html", "report"),
    ("annual_review.pdf", "PDF"),
    ("tables.xlsx", "XLSX"),
)


def _index_entry(folder: Path) -> dict:
    manifest = _read_json(folder / "manifest.json") or {
        "status": "failed",
        "error": "no manifest.json",
    }
    summary = _read_json(folder / "summary.json") or {}
    ok = manifest.get("status") == "ok"
    links = [
        (_(label), f"{folder.name}/{name}")
        for name, label in _LINKED_FILES
        if ok and (folder / name).exists()
    ]
    return {
        "slug": folder.name,
        "client": summary.get("client") or manifest.get("client") or folder.name,
        "status": manifest.get("status", "failed"),
        "error": manifest.get("error"),
        "report": f"{folder.name}/annual_review.html"
        if (folder / "annual_review.html").exists() and ok
        else None,
        "links": links,
        "headline": summary.get("headline", {}),
        "decisions": summary.get("decisions", {}),
        "targets_met": summary.get("targets_met"),
        "targets": summary.get("targets"),
        "roi_basis": summary.get("roi_basis"),
        "business": summary.get("business"),
        "currency": summary.get("currency", ""),
        "year": summary.get("year"),
        "stages": manifest.get(
            "stages"
        ),  # seconds per stage (kpi_helpers.run.batch._stages): why a client was slow
    }


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
