"""Readers that turn input files into canonical tables; :func:`load_client` is the entry point."""

from .canonical import ClientData, load_client, read_table

__all__ = ["ClientData", "load_client", "read_table"]
