"""Platform presets: how a platform's documented export maps onto a canonical table.

A preset is data, not code: the canonical (or intermediate) column each
export header feeds, in every language the platform writes its headers in;
constants (an ad platform's rows are all ``paid_search`` or ``social_paid``);
default channel and stage maps; where the layout is documented. The one
reader in :mod:`kpi_helpers.loaders.generic` applies it, so a preset and a
hand-written ``columns:`` map behave the same way.

Header aliases are compared after :func:`normalise_header` (case, spaces,
punctuation and a trailing currency in brackets ignored); an alias starting
with ``re:`` is a regular expression searched in the normalised header.
"""

from .base import EXTRA_COLUMNS, PRESETS, Preset, header_currency, normalise_header, register

from . import ads, crm, social, survey, web  # noqa: F401  (each registers its presets into PRESETS)

__all__ = ["EXTRA_COLUMNS", "PRESETS", "Preset", "header_currency", "normalise_header", "register"]
