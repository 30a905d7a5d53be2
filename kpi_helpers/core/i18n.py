"""Report language: one message catalogue per language, locale number and date formats,
right-to-left text.

Every word a manager reads goes through :func:`_` (gettext): the English text
is the message id; ``kpi_helpers/locale/<lang>/LC_MESSAGES/messages.po`` holds
the translation (read with Babel at first use, so a clean clone needs no
compile step; ``make catalogues`` re-extracts the template). Numbers, money,
percentages and dates go through Babel's CLDR data (:func:`number`,
:func:`money`, :func:`percent`, :func:`month_name`). Persian gets Persian
digits, right-to-left pages and, for matplotlib (which does not shape Arabic
script), :func:`shape` (arabic-reshaper + python-bidi) and a bundled OFL font.

The language and calendar travel in a :class:`TextContext`. The active one is a
:class:`contextvars.ContextVar`, entered with ``with i18n.using(ctx):`` (as
``decimal.localcontext`` works): :func:`~kpi_helpers.analysis.annual.build_review` computes a review
inside
the client's context and keeps it on the review (``rv.text_context``), and every display function
given the
review enters it again, so two reviews in two languages in one process never leak into each other.
Outside
any ``using`` block the process default applies, which :func:`set_language` (or :func:`activate`)
chooses for
callers outside a review: the command line, a notebook's own headings and charts.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from babel import Locale, numbers
from babel.dates import format_date
from babel.messages.pofile import read_po
from .resources import package_path

__all__ = [
    "LANGUAGES",
    "CALENDARS",
    "TextContext",
    "using",
    "in_review_context",
    "current",
    "activate",
    "set_language",
    "language",
    "calendar",
    "N_",
    "_",
    "number",
    "percent",
    "money",
    "points",
    "month_name",
    "date_text",
    "digits",
    "shape",
    "direction",
    "catalogue",
    "FONT_DIR",
]

LANGUAGES = ("en", "ru", "fa")
CALENDARS = ("gregorian", "solar_hijri")
LOCALE_DIR = package_path("locale")
FONT_DIR = package_path("fonts")
_PERSIAN_DIGITS = str.maketrans("0123456789%", "۰۱۲۳۴۵۶۷۸۹٪")


@dataclass(frozen=True)
class TextContext:
    """What every text of a report depends on: its language (en, ru, fa) and calendar (gregorian,
    solar_hijri). Immutable: a review keeps the one it was built in."""

    language: str = "en"
    calendar: str = "gregorian"

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(
                f"language {self.language!r} is not supported; use one of {', '.join(LANGUAGES)}"
            )
        if self.calendar not in CALENDARS:
            raise ValueError(
                f"calendar {self.calendar!r} is not supported; use one of {', '.join(CALENDARS)}"
            )

    @classmethod
    def of(cls, language: str | None = None, calendar: str | None = None) -> "TextContext":
        """A context from optional settings (None: English, Gregorian), as client.yaml gives
        them."""
        return cls(language or "en", calendar or "gregorian")


#: The process default: what applies outside any ``using`` block (set by :func:`activate`).
_default = [TextContext()]
_active: contextvars.ContextVar[TextContext | None] = contextvars.ContextVar(
    "kpi_helpers_text", default=None
)


def current() -> TextContext:
    """The text context in force: the innermost ``using`` block's, else the process default."""
    ctx = _active.get()
    return ctx if ctx is not None else _default[0]


@contextlib.contextmanager
def using(ctx: TextContext | None) -> Iterator[TextContext]:
    """Produce text in ``ctx`` inside the block (None: leave the context in force as it is); the
    context
    before it returns afterwards, also on error. Local to the thread or task that enters it."""
    if ctx is None:
        yield current()
        return
    if not isinstance(ctx, TextContext):
        raise TypeError(f"using() takes a TextContext, not {type(ctx).__name__}")
    token = _active.set(ctx)
    try:
        yield ctx
    finally:
        _active.reset(token)


def in_review_context(func):
    """Decorator for a function whose first argument is a review (anything with a ``text_context``):
    it runs
    in the review's context, whatever context is in force where it is called."""

    @functools.wraps(func)
    def wrapper(rv, *args, **kwargs):
        with using(getattr(rv, "text_context", None)):
            return func(rv, *args, **kwargs)

    return wrapper


def activate(ctx: TextContext) -> None:
    """Make ``ctx`` the process default (for callers outside a review: the CLI, a notebook's
    headings and
    charts). A review never depends on it: it carries its own context."""
    if not isinstance(ctx, TextContext):
        raise TypeError(f"activate() takes a TextContext, not {type(ctx).__name__}")
    _default[0] = ctx


def set_language(lang: str | None = "en", calendar: str | None = "gregorian") -> None:
    """Choose the process default language (en, ru, fa) and calendar (gregorian, solar_hijri)."""
    activate(TextContext.of(lang, calendar))


def language() -> str:
    return current().language


def calendar() -> str:
    return current().calendar


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → msgstr of a language's .po file (empty translations left out)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not path.is_file():
        return {}
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and m.string}


#: Every message id looked up in this process (``make catalogues`` collects them from a demo run).
SEEN: set[str] = set()


def _(message: str) -> str:
    """Translate ``message`` (the English text) into the current language; English when
    untranslated."""
    SEEN.add(message)
    return catalogue(current().language).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it is defined (a table of labels) without translating
    it:
    it is translated by :func:`_` where it is shown."""
    return message


def digits(text: str) -> str:
    """Persian digits in a Persian report; the text unchanged otherwise."""
    return text.translate(_PERSIAN_DIGITS) if current().language == "fa" else text


def _locale() -> Locale:
    return Locale.parse(current().language)


def _kw() -> dict:
    return {
        "locale": _locale(),
        "numbering_system": "arabext" if current().language == "fa" else "latn",
    }


def number(value: float, decimals: int = 0, *, sign: bool = False) -> str:
    """A number with the locale's separators: ``1 234 567,89`` in Russian.

    >>> set_language("ru"); number(1234567.891, 2); set_language("en")
    '1\\xa0234\\xa0567,89'
    """
    pattern = ("+" if sign else "") + "#,##0" + ("." + "0" * decimals if decimals else "")
    if sign:
        pattern += ";-" + pattern[1:]
    return digits(numbers.format_decimal(value, format=pattern, **_kw()))


def percent(fraction: float, decimals: int = 1, *, sign: bool = False) -> str:
    """A fraction as a percentage: ``12.5 %`` (en), ``12,5 %`` (ru, no-break space), ``۱۲٫۵٪``
    (fa)."""
    if current().language == "en":
        return f"{fraction * 100:{'+' if sign else ''}.{decimals}f} %"
    base = _locale().percent_formats[None].pattern.split(";")[0]
    last_zero = base.rfind(
        "0"
    )  # decimals go after the pattern's last digit: "#,##0 %" -> "#,##0.0 %"
    pattern = (
        base[: last_zero + 1] + "." + "0" * decimals + base[last_zero + 1 :] if decimals else base
    )
    if sign:
        pattern = "+" + pattern + ";-" + pattern
    return digits(numbers.format_percent(fraction, format=pattern, **_kw()))


def money(value: float, currency: str = "", decimals: int = 0) -> str:
    """Money in the client's currency: ``1,234,568 EUR`` (en), ``1 234 568 ₽`` (ru)."""
    if current().language == "en" or not currency:
        return f"{number(value, decimals)} {currency}".strip()
    pattern = _locale().currency_formats["standard"].pattern.split(";")[0]
    pattern = pattern.replace(".00", "." + "0" * decimals if decimals else "")
    return digits(
        numbers.format_currency(value, currency, format=pattern, currency_digits=False, **_kw())
    )


def points(value: float, *, sign: bool = True) -> str:
    """NPS-style points: ``+21``."""
    return number(round(value), 0, sign=sign)


def month_name(month: int, year: int = 2025, *, short: bool = False) -> str:
    """The month's name in the report language and calendar (a Gregorian month in the Solar Hijri
    calendar is
    named by the Solar Hijri month in which it starts)."""
    day = dt.date(year, month, 1)
    if current().calendar == "solar_hijri":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=day)
        names = (
            jdatetime.date.j_months_fa if current().language == "fa" else jdatetime.date.j_months_en
        )
        return names[j.month - 1]
    return format_date(day, "LLL" if short else "LLLL", locale=_locale())


def date_text(day: dt.date) -> str:
    """A full date in the report language and calendar."""
    if current().calendar == "solar_hijri":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=day)
        months = (
            jdatetime.date.j_months_fa if current().language == "fa" else jdatetime.date.j_months_en
        )
        return digits(f"{j.day} {months[j.month - 1]} {j.year}")
    return digits(format_date(day, "long", locale=_locale()))


def direction() -> str:
    return "rtl" if current().language == "fa" else "ltr"


@cache
def _native_text_layout() -> bool:
    """Whether matplotlib shapes and orders right-to-left text itself (3.11 and later lay text out
    with
    libraqm); before that, Persian must be reshaped and reordered by hand."""
    import matplotlib

    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def shape(text: str) -> str:
    """Text for matplotlib: Persian letters joined and in visual order.

    Matplotlib 3.11+ does this itself and the text passes unchanged; older
    versions get arabic-reshaper and python-bidi.
    """
    if (
        current().language != "fa"
        or not text
        or _native_text_layout()
        or not any("\u0600" <= ch <= "\u06ff" for ch in text)
    ):
        return text
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))
