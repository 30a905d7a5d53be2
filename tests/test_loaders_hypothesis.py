"""Property tests: whatever bytes or frames reach the loaders, the only failure is a DataError.

validate_client never raises at all (problems are in its report); load_client either returns a
ClientData or raises DataError; validate_table on an arbitrary frame returns or raises DataError.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import kpi_helpers as kh
from kpi_helpers.loaders import PRESETS, validate_client
from kpi_helpers.core.schema import TABLES, DataError, validate_table

SETTINGS = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
TABLE_NAMES = sorted(TABLES)
ACTIVITY = Path(__file__).resolve().parent / "fixtures" / "canonical_activity.csv"


def run_client(content: bytes, suffix: str, table: str, source: dict) -> None:
    """Write ``content`` as a source of ``table`` and load it both ways; only DataError may
    escape."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"input{suffix}").write_bytes(content)
        sources = [{"table": "activity", "path": str(ACTIVITY)}] if table != "activity" else []
        sources.append({"table": table, "path": f"input{suffix}", **source})
        config = {
            "name": "Fuzz",
            "currency": "EUR",
            "year": 2025,
            "sources": sources,
            "vat_rate": 0.2,
            "rates": {"USD": 0.9},
            "allow_outside": [str(ACTIVITY)],
        }
        (folder / "client.yaml").write_text(
            yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
        )
        report = validate_client(folder)
        assert isinstance(report.errors, list) and isinstance(report.warnings, list)
        assert len(report.sources) == len(sources)
        try:
            data = kh.load_client(folder)
        except DataError as exc:
            assert exc.problems == report.errors and report.errors
        else:
            assert report.ok and set(data.tables) <= set(TABLES)
        assert (folder / f"input{suffix}").read_bytes() == content  # the raw file is never modified


SUFFIXES = st.sampled_from([".csv", ".xlsx", ".xls", ".tsv", ".txt"])
PRESET_OR_NONE = st.sampled_from([None, *sorted(PRESETS)])


@SETTINGS
@given(content=st.binary(max_size=3000), suffix=SUFFIXES, preset=PRESET_OR_NONE)
def test_arbitrary_bytes_give_only_data_errors(content, suffix, preset):
    table = PRESETS[preset].table if preset else "activity"
    run_client(content, suffix, table, {"preset": preset} if preset else {})


CELL = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**6), 10**9).map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(
        [
            "",
            "2025-01",
            "2025-13-45",
            "31.12.2025",
            "01/02/2025",
            "20250101",
            "1 234,5",
            "12,5 %",
            "--",
            "Total",
            "Итого",
            "#",
            "email",
            "paid_search",
            "won",
            "lost",
            "0:01:23",
            "=1+1",
            "\ufeff",
            "€",
            "NaN",
            "inf",
            "-0",
            '"',
            "\n",
            ";",
            "\t",
        ]
    ),
)
HEADERS = st.lists(
    st.one_of(
        st.sampled_from(sorted({c for t in TABLES.values() for c in t})),
        st.sampled_from(
            [
                "Визиты",
                "Дата",
                "Sessions",
                "Cost",
                "Deal Stage",
                "Amount spent (USD)",
                "Источник трафика",
                "Stage",
                "Timestamp",
            ]
        ),
        st.text(max_size=8),
    ),
    min_size=1,
    max_size=8,
)


@SETTINGS
@given(
    headers=HEADERS,
    rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"]),
    table=st.sampled_from(TABLE_NAMES),
    preset=PRESET_OR_NONE,
    prefix=st.sampled_from(["", "# note\n", "Report title\n\n"]),
)
def test_table_like_text_gives_only_data_errors(
    headers, rows, delimiter, encoding, table, preset, prefix
):
    text = prefix + "\n".join(delimiter.join(r) for r in [headers, *rows]) + "\n"
    content = text.encode(encoding, errors="replace")
    if preset:
        table = PRESETS[preset].table
    run_client(content, ".csv", table, {"preset": preset} if preset else {})


def frames_for(table: str):
    names = list(TABLES[table])
    return data_frames([column(n, elements=CELL) for n in names], index=range_indexes(max_size=10))


@SETTINGS
@given(data=st.data(), table=st.sampled_from(TABLE_NAMES), as_xlsx=st.booleans())
def test_arbitrary_frames_give_only_data_errors(data, table, as_xlsx):
    df = data.draw(frames_for(table))
    drop = data.draw(st.lists(st.sampled_from(list(df.columns)), max_size=3, unique=True))
    df = df.drop(columns=drop)
    try:
        validate_table(df, table, "frame")
    except DataError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("f.xlsx" if as_xlsx else "f.csv")
        if as_xlsx:  # a worksheet cannot hold control characters: Excel itself never writes them
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            def clean(v):
                return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

            df.rename(columns=clean).map(clean).to_excel(path, index=False)
        else:
            df.to_csv(path, index=False)
        run_client(path.read_bytes(), path.suffix, table, {})


def test_validate_table_keeps_only_canonical_columns_of_an_arbitrary_frame():
    df = pd.DataFrame(
        {
            "order_id": ["1"],
            "customer_id": ["c"],
            "date": ["2025-01-01"],
            "amount": ["5"],
            "phone": ["+7 900 000-00-00"],
        }
    )
    assert list(validate_table(df, "orders", "x")) == ["order_id", "customer_id", "date", "amount"]
