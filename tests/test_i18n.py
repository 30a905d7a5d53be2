"""Reports in English, Russian and Persian: complete catalogues, locale formats, no English left."""

import datetime as dt
import html
import re
import subprocess
import sys
import os

import pytest
from babel.messages.pofile import read_po

from kpi_helpers.core import i18n
from kpi_helpers.metrics.catalog import format_value

from conftest import DEMO

NBSP = "\xa0"
RUN_DATE = "2026-03-02"


def _catalog(lang):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id}


def _template_ids():
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("lang", ["ru", "fa"])
def test_every_message_id_is_translated(lang):
    cat = _catalog(lang)
    missing = sorted(i for i in _template_ids() if not cat.get(i))
    assert not missing, f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    broken = [
        i
        for i in _template_ids()
        if sorted(re.findall(r"\{\w+\}", i)) != sorted(re.findall(r"\{\w+\}", cat[i]))
    ]
    assert not broken, f"placeholders differ in {lang}: {broken[:3]}"


def test_template_holds_every_id_the_reports_use():
    from kpi_helpers.run.i18n_tools import collect

    assert collect() <= _template_ids(), "run `make catalogues` and translate the new ids"


def test_extraction_alone_finds_every_id_the_demo_reports_look_up():
    """Message ids are found in the source, without rendering: every id the demo clients' reports
    look up (tables
    of labels included) must be among them, or it would be missing from the catalogues."""
    from kpi_helpers.run.i18n_tools import collect, seen_in_demo

    missing = sorted(seen_in_demo() - collect())
    assert not missing, (
        f"mark these with N_() where they are defined, or pass them through _(): {missing[:10]}"
    )


def test_russian_formats():
    i18n.set_language("ru")
    # CLDR ru: no-break space between thousands, decimal comma, "12,5 %" with a no-break space
    assert i18n.number(1234567.891, 2) == f"1{NBSP}234{NBSP}567,89"
    assert format_value(0.125, "rate") == f"12,5{NBSP}%"
    assert format_value(1234567.89, "money", "RUB") == f"1{NBSP}234{NBSP}568{NBSP}₽"
    assert i18n.month_name(3) == "март"


def test_persian_formats_and_calendars():
    i18n.set_language("fa")
    assert (
        i18n.number(1234567.891, 2) == "۱٬۲۳۴٬۵۶۷٫۸۹"
    )  # Persian digits, Arabic separators (CLDR arabext)
    assert format_value(0.125, "rate") == "۱۲٫۵٪"
    assert i18n.month_name(3) == "مارس"  # Gregorian by default
    i18n.set_language("fa", "solar_hijri")
    # 1 March 2025 is 11 Esfand 1403 in the Solar Hijri calendar (jdatetime)
    assert i18n.month_name(3, 2025) == "اسفند"
    assert i18n.date_text(dt.date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"  # Nowruz: 1 Farvardin 1404


def test_persian_chart_text_is_shaped_once():
    i18n.set_language("fa")
    shaped = i18n.shape("هزینه بازاریابی")
    if i18n._native_text_layout():
        # matplotlib >= 3.11 joins and orders Persian itself: reshaping again would reverse it
        assert shaped == "هزینه بازاریابی"
    else:
        assert any("\ufb50" <= ch <= "\ufeff" for ch in shaped)  # joined presentation forms
    i18n.set_language("en")
    assert i18n.shape("Paid search") == "Paid search"


def test_persian_renders_with_the_bundled_font():
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from kpi_helpers.report import plots

    plots.use_report_style()
    fig, ax = plt.subplots()
    text = ax.text(0, 0, "هزینه بازاریابی")
    # the font that draws it has the glyphs: no fallback to a box
    found = font_manager.findfont(
        font_manager.FontProperties(family=["Noto Sans Arabic"]), fallback_to_default=False
    )
    assert found.endswith("NotoSansArabic-Regular.ttf")
    fig.canvas.draw()
    assert text.get_window_extent().width > 20
    plt.close(fig)


def _visible_text(page):
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def localized_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("i18n")
    env = os.environ | {"MPLBACKEND": "Agg"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_helpers.run.cli",
            "batch",
            DEMO / "okna-sever",
            DEMO / "ketab-negah",
            "--out",
            out,
            "--run-date",
            RUN_DATE,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    return {
        "ru": (out / RUN_DATE / "okna-sever" / "annual_review.html").read_text(encoding="utf-8"),
        "fa": (out / RUN_DATE / "ketab-negah" / "annual_review.html").read_text(encoding="utf-8"),
    }


_KEEP = {
    "ROI",
    "ROAS",
    "CAC",
    "LTV",
    "NPS",
    "CSAT",
    "CPC",
    "CPM",
    "CTR",
    "CPA",
    "MQL",
    "SQL",
    "KPI",
    "SHA-256",
}


@pytest.mark.parametrize("lang", ["ru", "fa"])
def test_no_english_source_string_in_localized_report(localized_reports, lang):
    text = " ".join(_visible_text(localized_reports[lang]).split())
    cat = _catalog(lang)
    leaked = []
    for mid in _template_ids():
        words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", mid))
        if cat.get(mid) == mid or not [w for w in words if w not in _KEEP] or len(mid.strip()) < 4:
            continue
        if re.fullmatch(
            r"[a-z_0-9]+", mid
        ):  # identifiers (tables, columns) also appear in file names and commands
            continue
        if re.search(r"\{\w+\}", mid):  # templates: look for their longest literal piece
            piece = max(re.split(r"\{\w+\}", mid), key=len).strip()
            if len(re.findall(r"[A-Za-z]{3,}", piece)) >= 2 and piece in text:
                leaked.append(mid)
        elif re.search(rf"(?<![A-Za-z]){re.escape(mid)}(?![A-Za-z])", text):
            leaked.append(mid)
    assert not leaked, f"English left in the {lang} report: {leaked[:8]}"


def test_persian_report_is_right_to_left_with_persian_digits(localized_reports):
    page = localized_reports["fa"]
    assert '<html lang="fa" dir="rtl">' in page
    assert re.search("[۰-۹]", _visible_text(page))
    ru = localized_reports["ru"]
    assert '<html lang="ru" dir="ltr">' in ru and f"{NBSP}%" in _visible_text(ru)
