"""Report helpers: spreadsheet safety and escaping of client text."""

import pandas as pd

from kpi_helpers import show
from kpi_helpers.report import spreadsheet_safe


def test_formula_cells_are_neutralised_numbers_kept():
    df = pd.DataFrame({"tactic": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-x", "Blog"], "roi": [-0.5, 1, 2, 3, 4]})
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

    from kpi_helpers.report import _palette_png

    fig, ax = plt.subplots(figsize=(6, 3), dpi=96)
    ax.plot(np.arange(12), np.arange(12) ** 1.5, marker="o", label="2025")
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    before = base64.b64encode(buf.getvalue()).decode()
    after = _palette_png(before)
    assert len(after) < len(before)
    a, b = (Image.open(io.BytesIO(base64.b64decode(x))).convert("RGB") for x in (before, after))
    assert a.size == b.size
    diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int))
    assert diff.mean() < 2  # the same picture to the eye


def test_legends_sit_outside_the_bars():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kpi_helpers import plots

    decisions = pd.DataFrame({"channel": ["email", "paid_search", "display", "events"],
                              "tactic": ["News", "Brand", "Banners", "Expo"], "roi": [4.0, 1.2, -0.8, 0.1],
                              "decision": ["keep", "keep", "drop", "insufficient_data"]})
    funnel = pd.DataFrame({"channel": ["email", "paid_search", "all channels"], "visits→leads": [0.1, 0.05, 0.07],
                           "leads→customers": [0.3, 0.2, 0.25]})
    budget = pd.DataFrame({"channel": ["email", "display"], "tactic": ["News", "Banners"],
                           "current_budget": [100.0, 900.0], "proposed_budget": [300.0, 700.0]})
    for ax in (plots.plot_roi_by_tactic(decisions), plots.plot_funnel(funnel), plots.plot_budget(budget)):
        fig = ax.figure
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent()), "the legend covers the plotting area"
        plt.close(fig)
