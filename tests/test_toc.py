"""The report's table of contents: rendered by a Jinja2 template from the section headings, client
text escaped."""

from kpi_helpers.core import i18n
from kpi_helpers.report import show
from kpi_helpers.report.export import _with_toc


def _page(*cells: str) -> str:
    return (
        "<html><body><main>"
        + "".join(f'<div class="jp-Cell jp-CodeCell">\n<div>{c}</div></div>\n' for c in cells)
        + "</main></body></html>"
    )


def test_the_contents_list_every_section_heading_in_order_before_the_first():
    page = _page(
        "<p>title</p>",
        show.section("summary").data,
        show.section("evidence").data,
        show.section("plan").data,
    )
    out = _with_toc(page)
    nav = out[out.index('<nav class="kr-toc"') : out.index("</nav>") + 6]
    assert nav == (
        '<nav class="kr-toc" aria-label="Contents"><h2 class="kr-toc-title">Contents</h2><ol>'
        '<li><a href="#summary">Executive summary</a></li><li><a href="#plan">Plan vs '
        "actual</a></li>"
        "</ol></nav>"
    )  # h3 sub-sections (evidence) are not listed; the pilcrow is left out
    assert out.index("<p>title</p>") < out.index(nav) < out.index('<h2 id="summary">')
    assert out.replace(nav, "") == page  # nothing else changes
    assert _with_toc(_page("<p>no sections</p>")) == _page("<p>no sections</p>")


def test_hostile_heading_text_stays_text_in_the_contents():
    hostile = (
        '<h2 id="x&quot;onmouseover=&quot;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'
        '<a class="anchor-link" href="#x">¶</a></h2>'
    )
    out = _with_toc(_page(hostile))
    nav = out[out.index("<nav") : out.index("</nav>")]
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in nav
    assert 'href="#x&#34;onmouseover=&#34;alert(1)"' in nav  # the id cannot leave its attribute


def test_the_contents_come_in_the_report_language():
    with i18n.using(i18n.TextContext("ru")):
        page = _page(show.section("summary").data)
        out = _with_toc(page)
    nav = out[out.index("<nav") : out.index("</nav>")]
    assert 'aria-label="Содержание"' in nav and '<a href="#summary">Краткое резюме</a>' in nav
