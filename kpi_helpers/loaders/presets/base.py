"""The preset model and registry (:func:`register`); the platform modules beside it fill it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["EXTRA_COLUMNS", "PRESETS", "Preset", "header_currency", "normalise_header", "register"]

#: Columns a source may map onto besides the canonical ones: turned into canonical columns on load.
#: ``bounce_rate`` (per cent of visits) x visits -> bounces; ``page_depth`` x visits -> pageviews;
#: ``avg_duration`` (seconds or h:mm:ss per visit) x visits -> duration_s; ``currency`` (a per-row
#: currency code) converts that row's money; ``won_flag`` (true/false, e.g. Salesforce "Won")
#: settles the status of a closed deal.
EXTRA_COLUMNS = ("bounce_rate", "page_depth", "avg_duration", "currency", "won_flag")

_CURRENCY_SIGNS = {
    "руб": "RUB",
    "руб.": "RUB",
    "₽": "RUB",
    "р.": "RUB",
    "rub": "RUB",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₸": "KZT",
    "тенге": "KZT",
    "₴": "UAH",
    "грн": "UAH",
    "byn": "BYN",
}
_ISO = (
    "USD EUR RUB GBP KZT UAH BYN CNY JPY TRY AED INR CHF PLN CZK SEK NOK DKK CAD AUD BRL MXN GEL "
    "AMD UZS "
    "AZN KGS TJS IRR ILS HKD SGD KRW ZAR NZD HUF RON BGN RSD THB IDR MYR PHP VND EGP SAR QAR"
)
_SIGN = rf"({'|'.join(_ISO.split())}|руб\.?|₽|\$|€|£|₸|тенге|₴|грн|р\.)"
_CURRENCY_RE = re.compile(rf"^(.*?)(?:[\s,]*[(\[]\s*{_SIGN}\s*[)\]]|,\s*{_SIGN})\s*$")


def header_currency(header: str) -> tuple[str, str | None]:
    """Split a trailing currency in brackets off a header.

    >>> header_currency("Amount spent (USD)")
    ('Amount spent', 'USD')
    >>> header_currency("Расход (руб.)")
    ('Расход', 'RUB')
    >>> header_currency("Clicks")
    ('Clicks', None)
    """
    m = _CURRENCY_RE.match(str(header).strip())
    if not m:
        return str(header).strip(), None
    sign = m.group(2) or m.group(3)
    code = _CURRENCY_SIGNS.get(sign.lower(), sign)
    return m.group(1).strip(), code


def normalise_header(header) -> str:
    """Lower case, ``ё`` as ``е``, punctuation and repeated spaces dropped, currency suffix removed.

    >>> normalise_header("  Amount Spent (USD) ")
    'amount spent'
    >>> normalise_header("Impr.")
    'impr'
    >>> normalise_header("\\ufeffДата  создания")
    'дата создания'
    """
    text, _ = header_currency(str(header).replace("\ufeff", ""))
    text = text.casefold().replace("ё", "е")
    text = re.sub(r"[\s_]+", " ", re.sub(r"[.,:;!?\"'«»()\[\]]", " ", text))
    return text.strip()


@dataclass(frozen=True)
class Preset:
    """One platform export layout.

    Attributes
    ----------
    name, table, platform : str
        The id used in ``client.yaml``, the canonical table it feeds, a label.
    doc : str
        Where the platform documents the export's columns (repeated in the fixture's header).
    columns : mapping
        Target column -> header aliases (compared normalised; ``re:`` for a regex).
    constants : mapping
        Target column -> value for every row (e.g. ``channel: paid_search``); the source's
        ``constants`` win.
    channel_map, stage_map : mapping
        Defaults for the platform's own channel and stage names; the client's maps win.
    tactic_from : tuple of str
        When the export has no tactic, the first of these columns present becomes the tactic
        (e.g. the campaign, or the traffic source's own label).
    needs_vat : bool
        The platform reports money with or without VAT depending on a setting, so the source
        must say which (``vat_included``).
    vat_default : bool or None
        Whether the platform's money includes VAT when the source does not say (None: the
        client's basis).
    bounces_from_engaged : bool
        Bounces are the sessions that were not engaged (GA4's definition).
    date_format : str or None
        The platform's date format, when it is not ISO.
    na_values : tuple of str
        Cells that mean "no value" in this export (e.g. ``--`` in Google Ads).
    """

    name: str
    table: str
    platform: str
    doc: str
    columns: MappingProxyType
    constants: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    channel_map: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    stage_map: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    tactic_from: tuple[str, ...] = ()
    needs_vat: bool = False
    vat_default: bool | None = None
    bounces_from_engaged: bool = False
    date_format: str | None = None
    na_values: tuple[str, ...] = ("--", "—", "–", "(not set)", "(none)")

    def target(self, header) -> str | None:
        """The column a header feeds under this preset, or None.

        >>> PRESETS["google_ads"].target("Impr.")
        'impressions'
        """
        norm = normalise_header(header)
        for target, aliases in self.columns.items():
            for alias in aliases:
                if alias.startswith("re:"):
                    if re.search(alias[3:], norm):
                        return target
                elif normalise_header(alias) == norm:
                    return target
        return None


#: Every preset by name; filled by the family modules below.
PRESETS: dict[str, Preset] = {}


def register(name: str, table: str, platform: str, doc: str, columns: dict, **options) -> Preset:
    """Add a preset to :data:`PRESETS` (mappings frozen) and return it."""
    frozen = {k: MappingProxyType(dict(v)) for k, v in options.items() if isinstance(v, dict)}
    preset = Preset(
        name, table, platform, doc, MappingProxyType(dict(columns)), **(options | frozen)
    )
    PRESETS[name] = preset
    return preset
