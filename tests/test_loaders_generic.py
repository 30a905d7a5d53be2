"""The generic mapping: any export read through client.yaml options, detection reported and
overridable,
money brought to one currency and tax basis."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.loaders import read_table, validate_client
from kpi_helpers.loaders.detect import (
    detect_date_format,
    detect_delimiter,
    detect_encoding,
    detect_number_format,
)

ACTIVITY = Path(__file__).resolve().parent / "fixtures" / "canonical_activity.csv"

RU_EXPORT = (
    "Отчёт по рекламе за 2025 год\n"
    "Месяц;Канал;Кампания;Расход;Визиты\n"
    "01.01.2025;Яндекс поиск;Бренд;1 234,50;1 000\n"
    "01.02.2025;ВК;Лето;99,90;250\n"
)


def client(tmp_path: Path, files: dict[str, bytes], sources: list[dict], **settings) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    config = {
        "name": "Generic",
        "currency": "EUR",
        "year": 2025,
        "sources": sources,
        "allow_outside": [str(ACTIVITY)],
        **settings,
    }
    (tmp_path / "client.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path / "client.yaml"


RU_SOURCE = {
    "table": "activity",
    "path": "ads.csv",
    "columns": {
        "Месяц": "period",
        "Канал": "channel",
        "Кампания": "tactic",
        "Расход": "spend",
        "Визиты": "visits",
    },
    "channel_map": {"Яндекс поиск": "paid_search", "ВК": "social_paid"},
}


def test_russian_export_through_a_column_map_with_everything_detected(tmp_path):
    cfg = client(tmp_path, {"ads.csv": RU_EXPORT.encode("cp1251")}, [RU_SOURCE])
    report = validate_client(cfg)
    assert report.ok, report.errors
    src = report.sources[0]
    assert (
        src["encoding"],
        src["delimiter"],
        src["header_row"],
        src["decimal"],
        src["thousands"],
    ) == ("cp1251", "semicolon", 2, ",", " ")
    assert src["date_format"] == {"period": "%d.%m.%Y"}
    assert all(
        src[f"{k}_detected"]
        for k in ("encoding", "delimiter", "header_row", "decimal", "thousands")
    )
    a = kh.load_client(cfg).activity
    assert a["spend"].tolist() == [1234.5, 99.9] and a["visits"].tolist() == [1000, 250]
    assert a["channel"].tolist() == ["paid_search", "social_paid"]


def test_every_detected_choice_can_be_overridden(tmp_path):
    # Read with the wrong choices on purpose: the overrides are obeyed, and say so.
    source = RU_SOURCE | {
        "encoding": "cp1251",
        "delimiter": ";",
        "header_row": 2,
        "decimal": ",",
        "thousands": " ",
        "date_format": "%d.%m.%Y",
    }
    report = validate_client(client(tmp_path, {"ads.csv": RU_EXPORT.encode("cp1251")}, [source]))
    assert report.ok, report.errors
    src = report.sources[0]
    assert not any(
        src[f"{k}_detected"]
        for k in ("encoding", "delimiter", "header_row", "decimal", "thousands")
    )
    bad = RU_SOURCE | {"decimal": "."}
    report = validate_client(client(tmp_path / "b", {"ads.csv": RU_EXPORT.encode("cp1251")}, [bad]))
    assert any("'1 234,50' is not a number" in e and "decimal comma" in e for e in report.errors)


def test_utf16_tab_separated_unicode_text_from_excel(tmp_path):
    text = "period\tchannel\ttactic\tspend\n2025-01\temail\tNews\t10.5\n"
    cfg = client(
        tmp_path,
        {"a.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le")},
        [{"table": "activity", "path": "a.txt"}],
    )
    report = validate_client(cfg)
    assert (
        report.ok
        and report.sources[0]["encoding"] == "utf-16"
        and report.sources[0]["delimiter"] == "tab"
    )


def test_constants_and_unknown_channels_counted_as_other(tmp_path):
    csv = b"Date,Source,Cost\n2025-03-05,newsletter,10\n2025-03-06,tiktok,5\n"
    source = {
        "table": "activity",
        "path": "c.csv",
        "columns": {"Date": "period", "Source": "channel", "Cost": "spend"},
        "constants": {"tactic": "All"},
        "channel_map": {"newsletter": "email"},
        "unknown_channels": "other",
    }
    cfg = client(tmp_path, {"c.csv": csv}, [source])
    data = kh.load_client(cfg)
    assert data.activity["channel"].tolist() == ["email", "other"] and set(
        data.activity["tactic"]
    ) == {"All"}
    assert any("'tiktok' (1 rows)" in w for w in data.warnings)


def test_rates_per_month_and_vat_bring_money_to_one_basis(tmp_path):
    act = b"period,channel,tactic,spend\n2025-01,paid_search,A,120\n2025-02,paid_search,A,240\n"
    sources = [{"table": "activity", "path": "usd.csv", "currency": "USD", "vat_included": True}]
    cfg = client(
        tmp_path,
        {"usd.csv": act},
        sources,
        vat_rate=0.2,
        rates={"USD": {"2025-01": 0.9, "2025-02": 0.8}},
    )
    spend = kh.load_client(cfg).activity["spend"].tolist()
    assert spend == pytest.approx([120 / 1.2 * 0.9, 240 / 1.2 * 0.8])  # net of VAT, then into EUR
    cfg = client(
        tmp_path / "gross",
        {"usd.csv": act},
        [sources[0] | {"vat_included": False}],
        vat_rate=0.2,
        amounts_include_vat=True,
        rates={"USD": 0.5},
    )
    assert kh.load_client(cfg).activity["spend"].tolist() == pytest.approx(
        [120 * 1.2 * 0.5, 240 * 1.2 * 0.5]
    )


def test_per_row_currency_column(tmp_path):
    csv = (
        b"deal_id,created,channel,tactic,stage,status,amount,currency\n"
        b"1,2025-01-02,email,N,won,won,100,USD\n2,2025-01-03,email,N,won,won,100,\n"
    )
    sources = [
        {"table": "activity", "path": str(ACTIVITY)},
        {"table": "deals", "path": "d.csv", "columns": {"currency": "currency"}},
    ]
    deals = kh.load_client(client(tmp_path, {"d.csv": csv}, sources, rates={"USD": 0.9})).deals
    assert deals["amount"].tolist() == [90.0, 100.0]


def test_two_sources_may_feed_one_table_but_not_one_file_twice(tmp_path):
    sources = [
        {"table": "activity", "path": str(ACTIVITY)},
        {"table": "activity", "path": str(ACTIVITY)},
    ]
    report = validate_client(client(tmp_path, {}, sources))
    assert any("the same file is listed twice" in e for e in report.errors)


@pytest.mark.parametrize(
    "source, message",
    [
        ({"columns": {"Cost": "costs"}}, "columns map onto canonical columns of 'activity'"),
        ({"preset": "hubspot"}, "preset 'hubspot' feeds table 'deals', not 'activity'"),
        ({"preset": "nope"}, "unknown preset 'nope'"),
        ({"stage_map": {"Won": "victory"}}, "stage_map values are a stage"),
        ({"encoding": "klingon"}, "unknown encoding 'klingon'"),
        ({"delimiter": "::"}, "delimiter must be one character"),
        ({"currency": "euro"}, "three-letter ISO code"),
    ],
)
def test_source_options_are_checked_with_the_fix(tmp_path, source, message):
    report = validate_client(
        client(tmp_path, {}, [{"table": "activity", "path": "x.csv"} | source])
    )
    assert any(message in e and "client.yaml, field sources.0" in e for e in report.errors), (
        report.errors
    )


def test_validate_client_never_raises_on_a_broken_config(tmp_path):
    (tmp_path / "client.yaml").write_text("name: [unclosed\n")
    report = validate_client(tmp_path)
    assert not report.ok and "not valid YAML" in report.errors[0]
    assert str(report).startswith("1 error(s)")


def test_read_table_reads_one_canonical_file(tmp_path):
    df = read_table(ACTIVITY, "activity")
    assert len(df) == 24 and df["period"].dt.year.unique().tolist() == [2024, 2025]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"period,visits\n", "utf-8"),
        ("\ufeffperiod".encode(), "utf-8-sig"),
        ("Месяц;Визиты\nЯнварь;5\n".encode("cp1251"), "cp1251"),
        ("Месяц;Визиты\nЯнварь;5\n".encode("koi8-r"), "koi8-r"),
        ("Période;Coût\n".encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF16_LE + "a\tb".encode("utf-16-le"), "utf-16"),
        ("a\tb\n1\t2\n".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_detect_encoding(raw, expected):
    assert detect_encoding(raw, complete=True) == expected


def test_detect_delimiter_number_and_date_formats():
    assert detect_delimiter(['"a,b";c;d', "1;2;3"]) == ";"
    assert detect_number_format(pd.Series(["1\u202f234,5", "7"])) == (",", " ")
    assert detect_number_format(pd.Series(["1,234,567", "12.5"])) == (".", ",")
    assert detect_date_format(pd.Series(["20250131", "20250201"]))[0] == "%Y%m%d"
    assert (
        detect_date_format(pd.Series(["январь 2025", "февраль 2025"]))[0] == "%b %Y"
    )  # Russian month names


def _every_format(values: pd.Series):
    """detect_date_format as it was before its shortcut: every format tried on the whole sample."""
    from kpi_helpers.loaders.detect import DATE_FORMATS
    from kpi_helpers.loaders.parse import english_months

    sample = values.dropna().astype(str).str.strip()
    sample = english_months(sample[sample != ""].drop_duplicates().head(500))
    if sample.empty:
        return None, 0.0, []
    results = {}
    for fmt in dict.fromkeys(DATE_FORMATS):
        if fmt in ("%Y%m%d", "%Y%m") and not sample.str.fullmatch(r"\d{6}(\d{2})?").all():
            continue
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        if fmt == "ISO8601" and sample.str.fullmatch(r"\d{6,8}").any():
            parsed[:] = pd.NaT
        results[fmt] = (parsed.notna().mean(), parsed)
    best = max(results, key=lambda f: results[f][0])
    share, parsed = results[best]
    if share == 0:
        return None, 0.0, []
    rivals = [
        f
        for f, (s, p) in results.items()
        if f != best and s == 1.0 and share == 1.0 and not p.equals(parsed)
    ]
    return best, float(share), rivals


@pytest.mark.parametrize("seed", range(40))
def test_date_format_shortcut_finds_what_trying_every_format_finds(seed):
    """Trying only the formats that read the first 20 cells gives the same answer (format, share,
    rivals) as trying every format on the whole sample: clean, ambiguous, mixed, messy columns."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, 300), unit="D")
    styles = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%Y%m%d", "%b %d, %Y", "%d %b %Y"]
    main, other = rng.choice(styles, 2, replace=False)
    cells = [d.strftime(main) for d in days]
    if seed % 4 == 1:  # another format after the first rows
        cells[25:60] = [d.strftime(other) for d in days[25:60]]
    if seed % 4 == 2:  # junk here and there, also among the first cells
        for i in rng.choice(300, 12, replace=False):
            cells[i] = rng.choice(["n/a", "TBC", "—", "31.02.2025", "2025-13-01"])
    if seed % 4 == 3:  # days that are never over 12: day and month read either way
        cells = [f"{d.day % 12 + 1:02d}/{d.month:02d}/{d.year}" for d in days]
    values = pd.Series(cells)
    assert detect_date_format(values) == _every_format(values)
