"""Client configuration: ``client.yaml`` -> one validated pydantic model.

Paths in the file are relative to the file's folder. Validation errors become
:class:`~kpi_helpers.schema.DataError` naming the file, the field and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .schema import CHANNELS, TABLES, DataError

__all__ = ["ClientConfig", "Source", "Target", "Thresholds", "Override", "load_config", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """One input file feeding one canonical table."""

    table: Literal["activity", "costs", "deals", "orders", "customers", "survey"]
    path: str
    sheet: str | int | None = None  # for .xlsx files


class Target(_Model):
    """A SMART target (S1): a KPI, a scope, a value or a change against last year."""

    kpi: str
    scope: str = "all"  # "all" or a channel
    value: float | None = None
    change: float | None = None  # relative change vs last year, e.g. 0.2 for +20 %
    period: str = "year"

    @model_validator(mode="after")
    def _one_of_value_or_change(self):
        if (self.value is None) == (self.change is None):
            raise ValueError("give exactly one of value (an absolute target) or change (e.g. 0.2 for +20 % on last year)")
        if self.scope != "all" and self.scope not in CHANNELS:
            raise ValueError(f"scope {self.scope!r} is neither 'all' nor a channel ({', '.join(CHANNELS)})")
        return self


class Thresholds(_Model):
    """Documented decision thresholds; the same for every tactic of a client."""

    roi_hurdle: float = Field(0.0, description="decision ROI must reach this (fraction) to keep a tactic")
    min_customers: int = Field(20, description="fewer new customers in the year than this -> insufficient_data")
    weak_stage_ratio: float = Field(0.6, description="a funnel stage below this share of the portfolio rate is weak")
    ltv_cac_min: float = Field(1.0, description="LTV:CAC below this turns a keep into optimise")
    payback_max_months: float = Field(36.0, description="CAC payback above this turns a keep into optimise")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the comparisons")


class Override(_Model):
    """An analyst's verdict that replaces the computed one, shown as such."""

    channel: str
    tactic: str
    decision: Literal["keep", "optimise", "drop", "insufficient_data"]
    comment: str


class ClientConfig(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str
    slug: str | None = None
    currency: str = "EUR"
    language: Literal["en", "ru", "fa"] = "en"
    calendar: Literal["gregorian", "solar_hijri"] = "gregorian"
    year: int
    fiscal_year_start: str = "01-01"
    gross_margin: float | None = Field(None, ge=0, le=1)
    customer_lifetime_years: float = Field(3.0, gt=0, description="assumed lifetime for the simple LTV")
    cost_allocation: Literal["direct_cost", "spend", "leads"] = Field(
        "direct_cost", description="how shared costs are spread over tactics (kpi_helpers.allocation)")
    business: str = ""
    sources: list[Source]
    channel_map: dict[str, str] = {}
    targets: list[Target] = []
    thresholds: Thresholds = Thresholds()
    overrides: list[Override] = []
    branding: dict[str, str] = {}

    @field_validator("channel_map")
    @classmethod
    def _map_onto_vocabulary(cls, v: dict[str, str]):
        bad = {k: t for k, t in v.items() if t not in CHANNELS}
        if bad:
            raise ValueError(f"channel_map targets must be channels ({', '.join(CHANNELS)}); got {bad}")
        return v

    @field_validator("sources")
    @classmethod
    def _has_activity(cls, v: list[Source]):
        tables = [s.table for s in v]
        if "activity" not in tables:
            raise ValueError("sources needs one source with table: activity")
        dup = {t for t in tables if tables.count(t) > 1}
        if dup:
            raise ValueError(f"one source per table; {', '.join(sorted(dup))} given more than once")
        return v


def load_config(path: str | Path) -> tuple[ClientConfig, Path]:
    """Read and validate ``client.yaml``; return the model and the file's folder."""
    path = Path(path)
    if path.is_dir():
        path = path / "client.yaml"
    if not path.is_file():
        raise DataError(f"{path}: no such client file (expected a client.yaml or its folder)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of settings at the top level")
    raw.setdefault("slug", path.parent.name)
    try:
        cfg = ClientConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{path}, field {'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}"
            + (f" (found {e['input']!r})" if not isinstance(e.get("input"), dict | list) else "")
            for e in exc.errors()
        ]
        raise DataError(problems) from None
    return cfg, path.parent
