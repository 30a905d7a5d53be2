"""Readers that turn input files into canonical tables.

:func:`load_client` loads a client (raises :class:`~kpi_helpers.core.schema.DataError`
listing every hard problem); :func:`validate_client` checks one without raising and
returns a :class:`ValidationReport`. Sources are canonical files, platform exports
read through a preset (:data:`PRESETS`), or any table mapped in ``client.yaml``.
"""

from .canonical import ClientData, load_client, read_table
from .generic import load_source
from .presets import PRESETS
from .validate import ValidationReport, validate_client

__all__ = [
    "PRESETS",
    "ClientData",
    "ValidationReport",
    "load_client",
    "load_source",
    "read_table",
    "validate_client",
]
