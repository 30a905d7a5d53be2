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
