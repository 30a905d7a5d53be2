"""Report helpers: spreadsheet safety and escaping of client text."""

import pandas as pd

from kpi_helpers.report import show
from kpi_helpers.report.export import spreadsheet_safe


def test_formula_cells_are_neutralised_numbers_kept():
    df = pd.DataFrame(
        {
            "tactic": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-x", "Blog"],
            "roi": [-0.5, 1, 2, 3, 4],
        }
    )
    out = spreadsheet_safe(df)
    assert out["tactic"].tolist() == ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(A1)", "'-x", "Blog"]
    assert out["roi"].tolist() == [-0.5, 1, 2, 3, 4]


def test_tables_escape_client_text():
    html = show.table(pd.DataFrame({"tactic": ["<script>alert(1)</script>"], "roi": [0.25]})).data
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "25.0 %" in html


def test_sentences_escape():
    html = show.sentences(["Tactic <img src=x onerror=alert(1)> won"]).data
    assert "<img" not in html


def test_chart_images_are_repacked_smaller_and_alike():
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from kpi_helpers.report.export import _is_palette, palette_png

    fig, ax = plt.subplots(figsize=(6, 3), dpi=96)
    ax.plot(np.arange(12), np.arange(12) ** 1.5, marker="o", label="2025")
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    before = buf.getvalue()
    after = palette_png(before)
    assert len(after) < len(before)
    assert _is_palette(base64.b64encode(after).decode())
    assert not _is_palette(base64.b64encode(before).decode())
    a, b = (Image.open(io.BytesIO(x)).convert("RGB") for x in (before, after))
    assert a.size == b.size
    diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int))
    assert diff.mean() < 2  # the same picture to the eye


def test_legends_sit_outside_the_bars():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kpi_helpers.report import plots

    decisions = pd.DataFrame(
        {
            "channel": ["email", "paid_search", "display", "events"],
            "tactic": ["News", "Brand", "Banners", "Expo"],
            "roi": [4.0, 1.2, -0.8, 0.1],
            "decision": ["keep", "keep", "drop", "insufficient_data"],
        }
    )
    funnel = pd.DataFrame(
        {
            "channel": ["email", "paid_search", "all channels"],
            "visits→leads": [0.1, 0.05, 0.07],
            "leads→customers": [0.3, 0.2, 0.25],
        }
    )
    budget = pd.DataFrame(
        {
            "channel": ["email", "display"],
            "tactic": ["News", "Banners"],
            "current_budget": [100.0, 900.0],
            "proposed_budget": [300.0, 700.0],
        }
    )
    for ax in (
        plots.plot_roi_by_tactic(decisions),
        plots.plot_funnel(funnel),
        plots.plot_budget(budget),
    ):
        fig = ax.figure
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent()), "the legend covers the plotting area"
        plt.close(fig)


def _fake_client(run_dir, slug, name, revenue, roi, basis, status="ok", pdf=False):
    import json

    folder = run_dir / slug
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"client": name, "status": status, "error": None if status == "ok" else "boom"})
    )
    if status != "ok":
        return
    (folder / "annual_review.html").write_text("<html></html>")
    if pdf:
        (folder / "annual_review.pdf").write_bytes(b"%PDF-1.4")
    head = {
        "revenue": {"value": revenue, "previous": revenue / 2, "unit": "money"},
        "cost": {"value": 100.0, "previous": 100.0, "unit": "money"},
        "roi": {"value": roi, "previous": roi - 0.1, "unit": "rate"},
        "cac": {"value": 20.0, "previous": 25.0, "unit": "money"},
    }
    (folder / "summary.json").write_text(
        json.dumps(
            {
                "client": name,
                "year": 2025,
                "currency": "EUR",
                "headline": head,
                "roi_basis": basis,
                "decisions": {"keep": 2, "optimise": 1, "drop": 3, "insufficient_data": 0},
                "targets_met": 1,
                "targets": 4,
            }
        )
    )


def test_portfolio_index_columns_sorting_and_roi_bases(tmp_path):
    import re

    from kpi_helpers.report.export import write_index

    _fake_client(tmp_path, "a", "Alpha <b>&</b> Co", 5000.0, 0.5, "margin", pdf=True)
    _fake_client(tmp_path, "b", "Beta", 9000.0, 0.2, "revenue")
    _fake_client(tmp_path, "c", "Gamma", 0, 0, "margin", status="failed")
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert "<script" not in page and "default-src 'none'" in page
    assert "Alpha &lt;b&gt;&amp;&lt;/b&gt; Co" in page and "<b>&</b>" not in page
    from kpi_helpers.metrics.catalog import label

    for text in (
        "Revenue",
        label("roi"),
        "Keep",
        "Drop",
        "Targets met",
        "1 of 4",
        "+100.0 %",
        "+10.0 pts",
        "a/annual_review.pdf",
        "b/annual_review.html",
        "boom",
    ):
        assert text in page, text
    assert "a/annual_review.pdf" in page and "b/annual_review.pdf" not in page
    assert "ROI bases differ" in page and "revenue-based" in page and "margin-based" in page
    # one rendering per ordering; the default (by client) is the last, the others are shown by
    # :target
    views = re.findall(r'<section class="view( default)?" id="([^"]+)"', page)
    assert views[-1] == (" default", "by-client-asc") and ("", "by-revenue-desc") in views
    by_revenue = page.split('id="by-revenue-desc"')[1].split("</section>")[0]
    assert (
        by_revenue.index("Beta") < by_revenue.index("Alpha") < by_revenue.index("Gamma")
    )  # no value last
    by_roi = page.split('id="by-roi-desc"')[1].split("</section>")[0]
    assert by_roi.index("Beta") < by_roi.index("Alpha")  # ROI sorts within its basis first


def test_portfolio_index_has_no_basis_note_when_bases_agree(tmp_path):
    from kpi_helpers.report.export import write_index

    _fake_client(tmp_path, "a", "Alpha", 5000.0, 0.5, "margin")
    _fake_client(tmp_path, "b", "Beta", 9000.0, 0.2, "margin")
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert "ROI bases differ" not in page and "margin-based" not in page
