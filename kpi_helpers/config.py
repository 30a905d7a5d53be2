"""Client configuration: ``client.yaml`` -> one validated pydantic model.

Paths in the file are relative to the file's folder. Validation errors become
:class:`~kpi_helpers.schema.DataError` naming the file, the field and the fix.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .schema import CHANNELS, TABLES, DataError

__all__ = ["SCHEMA_VERSION", "ClientConfig", "History", "Join", "Override", "Source", "Target", "Thresholds", "load_config"]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


_STAGE_VALUE = r"(lead|mql|sql|opportunity|won|lost)(/(open|won|lost))?"


def _check_stage_map(v: dict[str, str]) -> dict[str, str]:
    bad = {k: t for k, t in v.items() if not re.fullmatch(_STAGE_VALUE, str(t))}
    if bad:
        raise ValueError("stage_map values are a stage (lead, mql, sql, opportunity, won), 'lost', or "
                         f"stage/status such as 'sql/lost' (the furthest stage a lost deal reached); got {bad}")
    return v


def _check_channel_map(v: dict[str, str]) -> dict[str, str]:
    bad = {k: t for k, t in v.items() if t not in CHANNELS}
    if bad:
        raise ValueError(f"channel_map targets must be channels ({', '.join(CHANNELS)}); got {bad}")
    return v


class Join(_Model):
    """A second file joined onto a source's rows (a left join on one key column).

    Every row of the source stays; a row whose key is found in the joined file
    takes that file's mapped ``columns`` and the ``constants`` (only matched rows
    get them). Keys must be unique in the joined file.
    """

    path: str
    on: str = Field(description="the key column's header, the same in both files")
    columns: dict[str, str] = Field({}, description="joined file's column name -> canonical column")
    constants: dict[str, str | int | float] = Field({}, description="canonical column -> value for matched rows")
    sheet: str | int | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, data):
        # YAML 1.1 reads a bare `on:` key as the boolean true.
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v):
        return _check_delimiter(v)


def _check_delimiter(v: str | None) -> str | None:
    v = {"\\t": "\t", "tab": "\t", "space": "whitespace", "spaces": "whitespace"}.get(v, v)
    if v is not None and len(v) != 1 and v != "whitespace":
        raise ValueError(f"delimiter must be one character such as ',' ';' '\\t' '|', or 'whitespace' (columns "
                         f"aligned with runs of spaces); got {v!r}")
    return v


class Source(_Model):
    """One input file feeding one canonical table, with how to read it.

    A canonical file needs only ``table`` and ``path``. An export from a
    platform names its ``preset`` (``kpi_helpers.loaders.PRESETS``); anything
    else maps its columns with ``columns``. Parsing options left out are
    detected and reported (``ValidationReport.sources``).
    """

    table: Literal["activity", "costs", "deals", "orders", "customers", "survey"]
    path: str
    sheet: str | int | None = None  # for .xlsx files: a name or a 0-based position
    preset: str | None = Field(None, description="a platform preset, e.g. yandex_metrica, ga4, hubspot")
    header_row: int | None = Field(None, ge=1, description="the spreadsheet row holding the column names")
    encoding: str | None = Field(None, description="e.g. utf-8, utf-8-sig, cp1251; detected when left out")
    delimiter: str | None = Field(None, description="',', ';', '\\t', '|' or 'whitespace'; detected when left out")
    decimal: Literal[".", ","] | None = Field(None, description="decimal mark; detected when left out")
    thousands: str | None = Field(None, description="thousands separator (' ', ',', '.', \"'\" or '')")
    date_format: str | None = Field(None, description="strftime format such as %d.%m.%Y; detected when left out")
    columns: dict[str, str] = Field({}, description="export column name -> canonical column")
    constants: dict[str, str | int | float] = Field({}, description="canonical column -> one value for every row")
    channel_map: dict[str, str] = Field({}, description="this file's channel names -> channels (over the client's)")
    stage_map: dict[str, str] = Field({}, description="CRM stage -> stage or stage/status (over the client's)")
    unknown_channels: Literal["error", "other"] = "error"
    currency: str | None = Field(None, description="ISO code of this file's money; default the client's")
    vat_included: bool | None = Field(None, description="money in this file includes VAT (None: same as client)")
    row_id: str | None = Field(None, description="an id column the export lacks (e.g. order_id), made from the "
                               "file name and spreadsheet row; every row is then a record of its own")
    join: Join | None = Field(None, description="a second file left-joined onto this one on a key column")

    @field_validator("stage_map")
    @classmethod
    def _stages(cls, v):
        return _check_stage_map(v)

    @field_validator("channel_map")
    @classmethod
    def _channels(cls, v):
        return _check_channel_map(v)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v):
        return _check_delimiter(v)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v):
        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, utf-8-sig, cp1251, utf-16)") from None
        return v

    @field_validator("currency")
    @classmethod
    def _currency(cls, v):
        if v is not None and not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"currency is a three-letter ISO code such as EUR, USD, RUB; got {v!r}")
        return v

    @model_validator(mode="after")
    def _known_preset_and_columns(self):
        from .loaders.presets import (  # late: loaders import this module
            EXTRA_COLUMNS,
            PRESETS,
        )

        if self.preset is not None:
            if self.preset not in PRESETS:
                raise ValueError(f"unknown preset {self.preset!r}; presets: {', '.join(sorted(PRESETS))}")
            if PRESETS[self.preset].table != self.table:
                raise ValueError(f"preset {self.preset!r} feeds table {PRESETS[self.preset].table!r}, "
                                 f"not {self.table!r}")
        allowed = set(TABLES[self.table]) | set(EXTRA_COLUMNS)
        join = self.join or Join(path="", on="")
        for key, columns in (("columns", self.columns), ("join.columns", join.columns)):
            bad = {k: t for k, t in columns.items() if t not in allowed}
            if bad:
                raise ValueError(f"{key} map onto canonical columns of {self.table!r} "
                                 f"({', '.join(TABLES[self.table])}, or {', '.join(EXTRA_COLUMNS)}); got {bad}")
        for key, constants in (("constants", self.constants), ("join.constants", join.constants)):
            bad = [k for k in constants if k not in TABLES[self.table]]
            if bad:
                raise ValueError(f"{key} name canonical columns of {self.table!r}; got {bad}")
        if self.row_id is not None and self.row_id not in TABLES[self.table]:
            raise ValueError(f"row_id names an id column of {self.table!r} ({', '.join(TABLES[self.table])}); "
                             f"got {self.row_id!r}")
        if self.join is not None and not (self.join.columns or self.join.constants):
            raise ValueError("join needs columns (the joined file's columns to use) or constants (values for "
                             "matched rows), else it adds nothing")
        return self


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


class History(_Model):
    """A call made in an earlier year, listed by hand (a first year with the toolkit; see
    :mod:`kpi_helpers.previous`): it is checked in the review of ``year + 1``."""

    year: int = Field(description="the reviewed year the call was made for")
    channel: str
    tactic: str
    decision: Literal["keep", "optimise", "drop"]
    stage: Literal["traffic_to_lead", "lead_to_mql", "mql_to_sql", "sql_to_customer", "lead_to_customer",
                   "value"] | None = Field(None, description="for optimise: the funnel stage to improve")
    comment: str = ""

    @model_validator(mode="after")
    def _channel_and_stage(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"channel {self.channel!r} is not a channel ({', '.join(CHANNELS)})")
        if self.decision == "optimise" and self.stage is None:
            raise ValueError("an optimise call needs stage: the funnel stage it was to improve (e.g. "
                             "traffic_to_lead, lead_to_customer) or value (LTV:CAC)")
        return self


class ClientConfig(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str
    slug: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
                             description="folder name of the client's reports: letters, digits, '-', '_', '.'")
    currency: str = "EUR"
    language: Literal["en", "ru", "fa"] = "en"
    calendar: Literal["gregorian", "solar_hijri"] = "gregorian"
    year: int
    fiscal_year_start: str = Field("01-01", pattern=r"^(0[1-9]|1[0-2])-01$",
                                   description="MM-01: the month the reviewed year starts in (e.g. 04-01 for "
                                               "April to March); `year` names the calendar year it starts in")
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
    history: list[History] = Field([], description="earlier years' calls, checked in the next year's review")
    branding: dict[str, str] = {}
    vat_rate: float | None = Field(None, ge=0, lt=1, description="VAT rate, e.g. 0.2, to move money between tax bases")
    amounts_include_vat: bool = Field(False, description="the review's money includes VAT (default: net of VAT)")
    rates: dict[str, float | dict[str, float]] = Field(
        {}, description="currency -> units of the client's currency per unit: one rate, or per month {YYYY-MM: rate}")
    stage_map: dict[str, str] = Field({}, description="CRM stage -> stage or stage/status, for every CRM source")

    @field_validator("channel_map")
    @classmethod
    def _map_onto_vocabulary(cls, v: dict[str, str]):
        return _check_channel_map(v)

    @field_validator("stage_map")
    @classmethod
    def _stages(cls, v):
        return _check_stage_map(v)

    @field_validator("rates")
    @classmethod
    def _rates(cls, v):
        for cur, r in v.items():
            if not re.fullmatch(r"[A-Z]{3}", cur):
                raise ValueError(f"rates are keyed by three-letter currency codes; got {cur!r}")
            for month, x in (r.items() if isinstance(r, dict) else [("", r)]):
                if month and not re.fullmatch(r"\d{4}-\d{2}", str(month)):
                    raise ValueError(f"rates.{cur}: months are YYYY-MM; got {month!r}")
                if not x > 0:
                    raise ValueError(f"rates.{cur}: a rate must be positive; got {x!r}")
        return v

    @field_validator("sources")
    @classmethod
    def _has_sources(cls, v: list[Source]):
        # Any subset of tables is a client (deals only, orders only, a survey alone ...). Several
        # sources may feed one table (web analytics, ad platforms and social all feed activity);
        # their rows are stacked. The same file twice is a mistake. What the missing tables would hold
        # is derived where it honestly can be (loaders.derive).
        if not v:
            raise ValueError("sources needs at least one source (a table and the path of its file)")
        paths = [(s.path, str(s.sheet)) for s in v]
        dup = sorted({path for path, sheet in paths if paths.count((path, sheet)) > 1})
        if dup:
            raise ValueError(f"the same file is listed twice: {', '.join(dup)}")
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
    raw.setdefault("slug", path.resolve().parent.name)  # `validate client.yaml` inside the folder: not ''

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
