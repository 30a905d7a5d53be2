"""Explicit text context: each review keeps the language it was built in; displaying never changes a
review."""

from __future__ import annotations

import copy
import re
import threading

import pandas as pd
import pytest

from kpi_helpers.analysis.annual import build_review
from kpi_helpers.analysis.narrative import executive_summary
from kpi_helpers.core import i18n
from kpi_helpers.report import show
from kpi_helpers.report.export import write_outputs

from conftest import DEMO

RUN_DATE = "2026-03-02"
CYRILLIC = re.compile("[а-яА-ЯёЁ]")
PERSIAN = re.compile("[\u0600-\u06ff]")


def _texts(rv) -> dict[str, str]:
    """Text a review produces now (at build time and lazily): reasons, narrative, displays, the
    summary."""
    return {
        "reasons": " ".join(rv.decisions["reason"]),
        "narrative": " ".join(executive_summary(rv)),
        "decisions": show.decisions(rv).data,
        "title": show.title(rv).data,
        "plan": show.plan(rv).data,
        "section": show.section("forecast", rv).data,
        "glossary": rv.tables()["glossary"].to_csv(),
        "language": rv.summary()["language"],
    }


@pytest.fixture(scope="module")
def reviews():
    """English, then Russian, then English again (the same client) and Persian, one process, one
    after another,
    while the process default is Persian: no review may depend on it or change it."""
    i18n.set_language("fa", "solar_hijri")
    try:
        en = build_review(DEMO / "northwind-home", run_date=RUN_DATE)
        assert i18n.current() == i18n.TextContext("fa", "solar_hijri")
        en_texts = _texts(en)  # read before any other review exists
        ru = build_review(DEMO / "okna-sever", run_date=RUN_DATE)
        assert i18n.current() == i18n.TextContext("fa", "solar_hijri")
        en_ru = build_review(DEMO / "northwind-home", run_date=RUN_DATE, language="ru")
        yield {"en": en, "en_texts": en_texts, "ru": ru, "en_ru": en_ru}
    finally:
        i18n.set_language("en")


def test_build_review_changes_no_process_state(reviews):
    assert (
        i18n.language() == "fa" and i18n.calendar() == "solar_hijri"
    )  # still the default set before
    assert reviews["en"].text_context == i18n.TextContext("en", "gregorian")
    assert reviews["ru"].text_context == i18n.TextContext("ru", "gregorian")
    assert reviews["en_ru"].text_context.language == "ru"


def test_each_review_keeps_its_language_after_another_is_built(reviews):
    en, ru = reviews["en"], reviews["ru"]
    again = _texts(
        en
    )  # the English review read after the Russian ones were built, under a Persian default
    assert again == reviews["en_texts"]
    for name, text in again.items():
        assert not CYRILLIC.search(text) and not PERSIAN.search(text.replace("\u0600", "")), name
    ru_texts = _texts(ru)
    for name in ("reasons", "narrative", "decisions", "title", "plan", "section", "glossary"):
        assert CYRILLIC.search(ru_texts[name]), name
        assert not PERSIAN.search(ru_texts[name]), name
    assert ru_texts["language"] == "ru" and again["language"] == "en"


def test_the_same_client_in_two_languages_differs_only_in_words(reviews):
    en, en_ru = reviews["en"], reviews["en_ru"]
    pd.testing.assert_frame_equal(en.scorecard, en_ru.scorecard)
    assert list(en.decisions["decision"]) == list(en_ru.decisions["decision"])
    assert CYRILLIC.search(" ".join(en_ru.decisions["reason"]))
    assert _texts(en) == reviews["en_texts"]


def test_display_runs_in_the_review_context_whatever_is_active(reviews):
    en, ru = reviews["en"], reviews["ru"]
    with i18n.using(i18n.TextContext("ru")):
        assert show.decisions(en).data == reviews["en_texts"]["decisions"]
        assert i18n.language() == "ru"  # and the caller's context is back afterwards
    with i18n.using(i18n.TextContext("en")):
        assert CYRILLIC.search(show.headlines(ru).data)


def test_sidecars_are_written_in_the_review_language(reviews, tmp_path):
    en, ru = reviews["en"], reviews["ru"]
    write_outputs(ru, tmp_path / "ru")
    write_outputs(en, tmp_path / "en")
    assert CYRILLIC.search((tmp_path / "ru" / "decisions.csv").read_text(encoding="utf-8-sig"))
    assert not CYRILLIC.search((tmp_path / "en" / "decisions.csv").read_text(encoding="utf-8-sig"))
    assert '"language": "ru"' in (tmp_path / "ru" / "summary.json").read_text(encoding="utf-8")


def test_using_is_local_to_a_thread_and_restored_on_error():
    """A block's context does not reach another thread, and the context before it returns even on
    error."""
    seen, before = {}, i18n.current()

    def other():
        seen["language"] = i18n.language()

    with i18n.using(i18n.TextContext("ru")):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert (
        seen["language"] == before.language
    )  # the thread saw the process default, not the block's context
    with pytest.raises(RuntimeError), i18n.using(i18n.TextContext("fa")):
        raise RuntimeError
    assert i18n.current() == before
    with pytest.raises(ValueError, match="language 'de' is not supported"):
        i18n.TextContext("de")
    with pytest.raises(TypeError):
        with i18n.using("ru"):
            pass


#: Every display function that takes the review, with its extra arguments.
_DISPLAYS = [
    (show.title, ()),
    (show.headlines, ()),
    (show.summary, ()),
    (show.decisions, ()),
    (show.previous, ()),
    (show.channel_pairs, ()),
    (show.tactic_evidence, ()),
    (show.plan, ()),
    (show.scorecard, ("channel",)),
    (show.scorecard, ("tactic",)),
    (show.advertising, ()),
    (show.funnel, ()),
    (show.devices, ()),
    (show.customers_by_channel, ()),
    (show.customer_value, ()),
    (show.order_values, ()),
    (show.retention, ()),
    (show.cohort_ltv, ()),
    (show.nps, ()),
    (show.budget, ()),
    (show.forecast, ()),
    (show.next_targets, ()),
    (show.data_quality, ()),
    (show.unavailable, ()),
    (show.glossary, ()),
    (show.provenance, ()),
]


def _snapshot(rv) -> dict:
    return {
        name: copy.deepcopy(value)
        for name, value in vars(rv).items()
        if name not in ("data", "previous")
    }


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.equals(b) and list(a.columns) == list(b.columns)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "omnibus"):  # stats.MeanComparison
        return _same(a.omnibus, b.omnibus) and _same(a.pairwise, b.pairwise)
    return a == b


def test_every_display_function_leaves_the_review_unchanged(reviews, tmp_path):
    from kpi_helpers.report import plots

    rv = reviews["ru"]
    before = _snapshot(rv)
    first = [f(rv, *args).data for f, args in _DISPLAYS]
    second = [f(rv, *args).data for f, args in _DISPLAYS]
    assert first == second  # the same text on every call: nothing accumulates
    for key in ("comparison", "trend", "funnel", "customers", "forecast", "next_targets"):
        show.section(key, rv)
    import matplotlib.pyplot as plt

    with i18n.using(rv.text_context):
        for ax in (
            plots.plot_roi_by_tactic(rv.decisions),
            plots.plot_funnel(rv.funnel),
            plots.plot_rate_forest(rv.channel_rates),
            plots.plot_monthly_trend(rv.trend),
            plots.plot_forecast(rv.forecast_monthly),
            plots.plot_budget(rv.budget),
        ):
            if ax is not None:
                plt.close(ax.figure)
    write_outputs(rv, tmp_path)
    after = _snapshot(rv)
    assert before.keys() == after.keys()
    changed = [k for k in before if not _same(before[k], after[k])]
    assert not changed, f"displaying changed the review's {changed}"


def test_branding_notes_are_made_once_by_build_review(tmp_path):
    from conftest import write_tiny_client

    rv = build_review(
        write_tiny_client(tmp_path / "c", extra_yaml='branding: {colour: "red"}\n'),
        run_date=RUN_DATE,
    )
    note = "branding colour 'red' is not a hex colour such as #1f4e79; ignored."
    assert rv.data_quality.count(note) == 1
    title = show.title(rv).data
    assert show.title(rv).data == title and "--kr-accent" not in title
    assert (
        rv.data_quality.count(note) == 1
    )  # the title neither adds it again nor changes the review
