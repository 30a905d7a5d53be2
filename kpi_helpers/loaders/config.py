"""Client configuration: ``client.yaml`` -> one validated pydantic model.

Paths in the file are relative to the file's folder. Validation errors become
:class:`~kpi_helpers.core.schema.DataError` naming the file, the field and the fix.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .presets import EXTRA_COLUMNS, PRESETS
from ..core.schema import CHANNELS, TABLES, DataError, excerpt
from ..core.vocab import DECISIONS, JUDGED, PORTFOLIO_SCOPE, STAGE_IDS, VALUE_STAGE, Decision

__all__ = [
    "ALLOW_OUTSIDE_ENV",
    "SCHEMA_VERSION",
    "ClientConfig",
    "History",
    "Join",
    "Override",
    "Source",
    "Target",
    "Thresholds",
    "Branding",
    "branding",
    "check_logo",
    "load_config",
    "outside_paths",
]

SCHEMA_VERSION = 1
#: Environment variable through which ``--allow-outside`` reaches the notebook's kernel (paths
#: joined by os.pathsep).
ALLOW_OUTSIDE_ENV = "KPI_REVIEW_ALLOW_OUTSIDE"


class _Model(BaseModel):
    # Numbers must be finite: a threshold of .nan or .inf would silently decide every tactic.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


_STAGE_VALUE = r"(lead|mql|sql|opportunity|won|lost)(/(open|won|lost))?"


def _check_stage_map(v: dict[str, str]) -> dict[str, str]:
    bad = {k: t for k, t in v.items() if not re.fullmatch(_STAGE_VALUE, str(t))}
    if bad:
        raise ValueError(
            "stage_map values are a stage (lead, mql, sql, opportunity, won), 'lost', or "
            f"stage/status such as 'sql/lost' (the furthest stage a lost deal reached); got {bad}"
        )
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
    constants: dict[str, str | int | float] = Field(
        {}, description="canonical column -> value for matched rows"
    )
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
        raise ValueError(
            f"delimiter must be one character such as ',' ';' '\\t' '|', or 'whitespace' (columns "
            f"aligned with runs of spaces); got {v!r}"
        )
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
    preset: str | None = Field(
        None, description="a platform preset, e.g. yandex_metrica, ga4, hubspot"
    )
    header_row: int | None = Field(
        None, ge=1, description="the spreadsheet row holding the column names"
    )
    encoding: str | None = Field(
        None, description="e.g. utf-8, utf-8-sig, cp1251; detected when left out"
    )
    delimiter: str | None = Field(
        None, description="',', ';', '\\t', '|' or 'whitespace'; detected when left out"
    )
    decimal: Literal[".", ","] | None = Field(
        None, description="decimal mark; detected when left out"
    )
    thousands: str | None = Field(
        None, description="thousands separator (' ', ',', '.', \"'\" or '')"
    )
    date_format: str | None = Field(
        None, description="strftime format such as %d.%m.%Y; detected when left out"
    )
    columns: dict[str, str] = Field({}, description="export column name -> canonical column")
    constants: dict[str, str | int | float] = Field(
        {}, description="canonical column -> one value for every row"
    )
    channel_map: dict[str, str] = Field(
        {}, description="this file's channel names -> channels (over the client's)"
    )
    stage_map: dict[str, str] = Field(
        {}, description="CRM stage -> stage or stage/status (over the client's)"
    )
    unknown_channels: Literal["error", "other"] = "error"
    currency: str | None = Field(
        None, description="ISO code of this file's money; default the client's"
    )
    vat_included: bool | None = Field(
        None, description="money in this file includes VAT (None: same as client)"
    )
    row_id: str | None = Field(
        None,
        description="an id column the export lacks (e.g. order_id), made from the "
        "file name and spreadsheet row; every row is then a record of its own",
    )
    join: Join | None = Field(
        None, description="a second file left-joined onto this one on a key column"
    )

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
                text = codecs.lookup(v)._is_text_encoding
            except LookupError:
                raise ValueError(
                    f"unknown encoding {v!r} (e.g. utf-8, utf-8-sig, cp1251, utf-16)"
                ) from None
            if not text:
                raise ValueError(
                    f"{v!r} is not a text encoding (it transforms bytes, it does not decode text); "
                    f"use a text encoding such as utf-8, utf-8-sig, cp1251 or utf-16"
                ) from None
        return v

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, v):
        if v is not None and v != "ISO8601":
            sample = dt.datetime(2025, 1, 31, 13, 45, 30)
            try:  # a format Python can both write and read back
                dt.datetime.strptime(sample.strftime(v), v)
            except ValueError as exc:
                raise ValueError(
                    f"date_format {v!r} cannot be used ({exc}); use strftime directives such as "
                    f"%d.%m.%Y or %m/%d/%Y %H:%M, or ISO8601"
                ) from None
        return v

    @field_validator("currency")
    @classmethod
    def _currency(cls, v):
        if v is not None and not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(
                f"currency is a three-letter ISO code such as EUR, USD, RUB; got {v!r}"
            )
        return v

    @model_validator(mode="after")
    def _known_preset_and_columns(self):
        if self.preset is not None:
            if self.preset not in PRESETS:
                raise ValueError(
                    f"unknown preset {self.preset!r}; presets: {', '.join(sorted(PRESETS))}"
                )
            if PRESETS[self.preset].table != self.table:
                raise ValueError(
                    f"preset {self.preset!r} feeds table {PRESETS[self.preset].table!r}, "
                    f"not {self.table!r}"
                )
        allowed = set(TABLES[self.table]) | set(EXTRA_COLUMNS)
        join = self.join or Join(path="", on="")
        for key, columns in (("columns", self.columns), ("join.columns", join.columns)):
            bad = {k: t for k, t in columns.items() if t not in allowed}
            if bad:
                raise ValueError(
                    f"{key} map onto canonical columns of {self.table!r} "
                    f"({', '.join(TABLES[self.table])}, or {', '.join(EXTRA_COLUMNS)}); got {bad}"
                )
        for key, constants in (("constants", self.constants), ("join.constants", join.constants)):
            bad = [k for k in constants if k not in TABLES[self.table]]
            if bad:
                raise ValueError(f"{key} name canonical columns of {self.table!r}; got {bad}")
        if self.row_id is not None and self.row_id not in TABLES[self.table]:
            raise ValueError(
                f"row_id names an id column of {self.table!r} ({', '.join(TABLES[self.table])}); "
                f"got {self.row_id!r}"
            )
        if self.join is not None and not (self.join.columns or self.join.constants):
            raise ValueError(
                "join needs columns (the joined file's columns to use) or constants (values for "
                "matched rows), else it adds nothing"
            )
        return self


class Target(_Model):
    """A SMART target (S1): a KPI, a scope, a value or a change against last year."""

    kpi: str
    scope: str = PORTFOLIO_SCOPE  # "all" or a channel
    value: float | None = None
    change: float | None = None  # relative change vs last year, e.g. 0.2 for +20 %
    period: str = "year"

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, v):
        from ..metrics.catalog import REGISTRY  # late: the catalogue imports the formulas

        if v not in REGISTRY:
            near = difflib.get_close_matches(v, list(REGISTRY), n=1)
            raise ValueError(
                f"no KPI {v!r} in the catalogue"
                + (f"; did you mean {near[0]!r}?" if near else "")
                + " (`kpi-review kpis` lists them)"
            )
        return v

    @model_validator(mode="after")
    def _one_of_value_or_change(self):
        if (self.value is None) == (self.change is None):
            raise ValueError(
                "give exactly one of value (an absolute target) or change (e.g. 0.2 for +20 % on "
                "last year)"
            )
        if self.scope != PORTFOLIO_SCOPE and self.scope not in CHANNELS:
            raise ValueError(
                f"scope {self.scope!r} is neither 'all' nor a channel ({', '.join(CHANNELS)})"
            )
        return self


class Thresholds(_Model):
    """Documented decision thresholds; the same for every tactic of a client."""

    roi_hurdle: float = Field(
        0.0, description="decision ROI must reach this (fraction) to keep a tactic"
    )
    min_customers: int = Field(
        20, description="fewer new customers in the year than this -> insufficient_data"
    )
    weak_stage_ratio: float = Field(
        0.6, description="a funnel stage below this share of its benchmark rate is weak"
    )
    ltv_cac_min: float = Field(1.0, description="LTV:CAC below this turns a keep into optimise")
    payback_max_months: float = Field(
        36.0, description="CAC payback above this turns a keep into optimise"
    )
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the comparisons")


class Override(_Model):
    """An analyst's verdict that replaces the computed one, shown as such."""

    channel: str
    tactic: str
    decision: Literal[DECISIONS]
    comment: str

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, v):
        if v not in CHANNELS:
            near = difflib.get_close_matches(v, CHANNELS, n=1)
            raise ValueError(
                f"{v!r} is not a channel ({', '.join(CHANNELS)})"
                + (f"; did you mean {near[0]!r}?" if near else "")
            )
        return v


class History(_Model):
    """A call made in an earlier year, listed by hand (a first year with the toolkit; see
    :mod:`kpi_helpers.analysis.previous`): it is checked in the review of ``year + 1``."""

    year: int = Field(description="the reviewed year the call was made for")
    channel: str
    tactic: str
    decision: Literal[JUDGED]
    stage: Literal[(*STAGE_IDS, VALUE_STAGE)] | None = Field(
        None, description="for optimise: the funnel stage to improve"
    )
    comment: str = ""

    @model_validator(mode="after")
    def _channel_and_stage(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"channel {self.channel!r} is not a channel ({', '.join(CHANNELS)})")
        if self.decision == Decision.OPTIMISE and self.stage is None:
            raise ValueError(
                "an optimise call needs stage: the funnel stage it was to improve (e.g. "
                "traffic_to_lead, lead_to_customer) or value (LTV:CAC)"
            )
        return self


class ClientConfig(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str
    slug: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        description="folder name of the client's reports: letters, digits, '-', '_', '.'",
    )
    currency: str = "EUR"
    language: Literal["en", "ru", "fa"] = "en"
    calendar: Literal["gregorian", "solar_hijri"] = "gregorian"
    year: int
    fiscal_year_start: str = Field(
        "01-01",
        pattern=r"^(0[1-9]|1[0-2])-01$",
        description="MM-01: the month the reviewed year starts in (e.g. 04-01 for "
        "April to March); `year` names the calendar year it starts in",
    )
    gross_margin: float | None = Field(None, ge=0, le=1)
    customer_lifetime_years: float = Field(
        3.0, gt=0, description="assumed lifetime for the simple LTV"
    )
    cost_allocation: Literal["direct_cost", "spend", "leads"] = Field(
        "direct_cost",
        description="how shared costs are spread over tactics (kpi_helpers.analysis.allocation)",
    )
    business: str = ""
    sources: list[Source]
    channel_map: dict[str, str] = {}
    targets: list[Target] = []
    thresholds: Thresholds = Thresholds()
    overrides: list[Override] = []
    benchmarks: dict[str, dict[Literal[STAGE_IDS], Annotated[float, Field(gt=0, le=1)]]] = Field(
        {},
        description="channel -> funnel stage -> the rate a tactic of that channel should reach (a "
        "fraction); "
        "decisions compare the stage with it, capped at the best tactic observed",
    )
    tactic_kinds: dict[str, Literal["acquisition", "retention"]] = Field(
        {},
        description="'channel/tactic' -> acquisition (default: judged on the customers it acquired "
        "in the year) "
        "or retention (credited with the revenue of the customers it reached; not incremental "
        "without a holdout)",
    )
    history: list[History] = Field(
        [], description="earlier years' calls, checked in the next year's review"
    )
    branding: dict[str, str] = {}
    vat_rate: float | None = Field(
        None, ge=0, lt=1, description="VAT rate, e.g. 0.2, to move money between tax bases"
    )
    amounts_include_vat: bool = Field(
        False, description="the review's money includes VAT (default: net of VAT)"
    )
    rates: dict[str, float | dict[str, float]] = Field(
        {},
        description="currency -> units of the client's currency per unit: one rate, or per month "
        "{YYYY-MM: rate}",
    )
    stage_map: dict[str, str] = Field(
        {}, description="CRM stage -> stage or stage/status, for every CRM source"
    )
    allow_outside: list[str] = Field(
        [],
        description="folders or files outside the client's folder that sources and logo may read "
        "(shared files)",
    )

    @field_validator("channel_map")
    @classmethod
    def _map_onto_vocabulary(cls, v: dict[str, str]):
        return _check_channel_map(v)

    @field_validator("stage_map")
    @classmethod
    def _stages(cls, v):
        return _check_stage_map(v)

    @field_validator("branding")
    @classmethod
    def _branding_keys(cls, v):
        for key in v:
            if key not in ("colour", "color", "logo"):
                near = difflib.get_close_matches(key, ["colour", "logo"], n=1)
                raise ValueError(
                    f"branding knows colour and logo, not {key!r}"
                    + (f"; did you mean {near[0]!r}?" if near else "")
                )
        return v

    @field_validator("rates")
    @classmethod
    def _rates(cls, v):
        for cur, r in v.items():
            if not re.fullmatch(r"[A-Z]{3}", cur):
                raise ValueError(f"rates are keyed by three-letter currency codes; got {cur!r}")
            for month, x in r.items() if isinstance(r, dict) else [("", r)]:
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
        # their rows are stacked. The same file twice is a mistake. What the missing tables would
        # hold is derived where it honestly can be (loaders.derive).
        if not v:
            raise ValueError("sources needs at least one source (a table and the path of its file)")
        paths = [(s.path, str(s.sheet)) for s in v]
        dup = sorted({path for path, sheet in paths if paths.count((path, sheet)) > 1})
        if dup:
            raise ValueError(f"the same file is listed twice: {', '.join(dup)}")
        return v


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the last
    silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is given twice (lines {seen[key] + 1} and "
                    f"{key_node.start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


_NESTED = {"sources": Source, "targets": Target, "thresholds": Thresholds, "overrides": Override}


def _did_you_mean(loc: tuple) -> str:
    """For an unknown key: the nearest known key of the same block, as a hint."""
    model = _NESTED.get(loc[0], ClientConfig) if len(loc) > 1 else ClientConfig
    near = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def _problem(path: Path, e: dict) -> str:
    where = ".".join(map(str, e["loc"])) or "(top level)"
    msg = f"{path}, field {where}: {e['msg']}"
    if e["type"] == "extra_forbidden":
        msg += _did_you_mean(e["loc"])
    elif not isinstance(e.get("input"), dict | list):
        msg += f" (found {excerpt(e['input'])})"
    return msg


def _real(path: Path) -> Path | None:
    """``path`` with symlinks resolved; None when it cannot be (a symlink loop, a NUL byte, a name
    too long)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def _allowed_roots(cfg: ClientConfig, folder: Path, allow_outside) -> list[Path]:
    extra = [*cfg.allow_outside, *(_env_allowances() if allow_outside is None else allow_outside)]
    roots = [
        folder.resolve(),
        *(_real(folder / os.path.expanduser(a)) for a in extra if str(a).strip()),
    ]
    return [r for r in roots if r is not None]


def _config_paths(cfg: ClientConfig) -> list[tuple[str, str]]:
    """(key, path) of every file client.yaml names."""
    paths = [(f"sources.{i}.path", s.path) for i, s in enumerate(cfg.sources)]
    paths += [
        (f"sources.{i}.join.path", s.join.path)
        for i, s in enumerate(cfg.sources)
        if s.join is not None
    ]
    if cfg.branding.get("logo"):
        paths.append(("branding.logo", cfg.branding["logo"]))
    return paths


def outside_paths(cfg: ClientConfig, folder: Path, allow_outside=None) -> list[tuple[str, str]]:
    """(key, path) of the files client.yaml names that resolve (symlinks followed) outside the
    client's
    folder and outside every allowance: ``allow_outside`` in client.yaml, and ``allow_outside``
    given
    here (None: the ``--allow-outside`` paths, from :data:`ALLOW_OUTSIDE_ENV`)."""
    roots = _allowed_roots(cfg, folder, allow_outside)
    bad = []
    for key, value in _config_paths(cfg):
        real = _real(folder / value)
        if real is None or not any(real == r or real.is_relative_to(r) for r in roots):
            bad.append((key, value))
    return bad


_LOGO_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".svg": "SVG"}


def check_logo(file: Path) -> str | None:
    """Why ``file`` is not usable as a logo (None when it is a PNG, JPEG or SVG image under 2 MB by
    content)."""
    expected = _LOGO_FORMATS.get(file.suffix.lower())
    if expected is None:
        return f"the logo must be a .png, .jpg or .svg file; got {file.suffix or 'no extension'!r}"
    if not file.is_file():
        return "no such file beside client.yaml"
    if file.stat().st_size >= 2_000_000:
        return "the logo is 2 MB or larger; use a smaller image"
    if expected == "SVG":
        import xml.etree.ElementTree as ET

        try:
            _event, root = next(ET.iterparse(file, events=("start",)))
            ok = root.tag.rsplit("}", 1)[-1] == "svg"
        except (ET.ParseError, StopIteration, UnicodeDecodeError):
            ok = False
    else:
        from PIL import Image, UnidentifiedImageError

        # only the expected format is tried, and only its header and checksums are read (verify)
        try:
            with Image.open(file, formats=[expected]) as im:
                ok = im.format == expected
                im.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
        ):
            ok = False
    return (
        None
        if ok
        else f"the file is not a {expected} image by its content; export the logo again as "
        f"{expected}"
    )


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


@dataclass(frozen=True)
class Branding:
    """The usable part of ``branding:`` in client.yaml: a hex colour, a logo file (checked), and a
    note for the
    report's data quality about each part that is ignored."""

    colour: str | None = None
    logo: Path | None = None
    notes: tuple[str, ...] = ()


def branding(cfg: ClientConfig, folder: Path) -> Branding:
    """``branding: {colour: "#1f4e79", logo: logo.png}`` checked: the colour must be a hex colour
    and the logo a
    PNG, JPEG or SVG file beside client.yaml (never one from outside the client's folder, unless
    allowed, as for
    :func:`load_config`); anything else is left out with a note."""
    b = cfg.branding or {}
    colour, logo, notes = b.get("colour") or b.get("color"), None, []
    if colour and not _HEX_COLOUR.fullmatch(colour):
        notes.append(f"branding colour {colour!r} is not a hex colour such as #1f4e79; ignored.")
        colour = None
    if b.get("logo"):
        path = (Path(folder) / b["logo"]).resolve()
        inside = "branding.logo" not in dict(outside_paths(cfg, Path(folder)))
        if path.suffix.lower() in _LOGO_FORMATS and inside and check_logo(path) is None:
            logo = path
        else:
            notes.append(
                f"branding logo {b['logo']!r} is not a PNG, JPEG or SVG file under 2 MB beside "
                "client.yaml; not shown."
            )
    return Branding(colour or None, logo, tuple(notes))


def _env_allowances() -> list[str]:
    return [p for p in os.environ.get(ALLOW_OUTSIDE_ENV, "").split(os.pathsep) if p.strip()]


# long: reading, duplicate keys, schema errors and path checks of client.yaml, each with the fix
def load_config(path: str | Path, allow_outside=None) -> tuple[ClientConfig, Path]:
    """Read and validate ``client.yaml``; return the model and the file's folder.

    Every path it names must lie inside its folder (symlinks resolved) or under
    an allowance: ``allow_outside`` in the file, or ``allow_outside`` here
    (default: the paths ``--allow-outside`` put in :data:`ALLOW_OUTSIDE_ENV`).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "client.yaml"
    if not path.is_file():
        raise DataError(f"{path}: no such client file (expected a client.yaml or its folder)")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; save client.yaml as UTF-8") from None
    except yaml.YAMLError as exc:  # one line: what and where, never a quoted block of the file
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise DataError(f"{path}: not valid YAML{where}: {excerpt(what, 160)[1:-1]}") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of settings at the top level")
    raw.setdefault(
        "slug", path.resolve().parent.name
    )  # `validate client.yaml` inside the folder: not ''

    try:
        cfg = ClientConfig.model_validate(raw)
    except ValidationError as exc:
        raise DataError([_problem(path, e) for e in exc.errors()]) from None
    folder = path.parent
    outside = outside_paths(cfg, folder, allow_outside)
    problems = [
        f"{path}, field {key}: {excerpt(value)} lies outside the client's folder {folder.name}/ "
        "(symlinks "
        f"resolved), so it is not read; move the file into the folder, or allow it explicitly with "
        f"`allow_outside: [<its folder>]` in client.yaml or `--allow-outside <its folder>`"
        if _real(folder / value) is not None
        else f"{path}, field {key}: {excerpt(value)} cannot be resolved (a symbolic link loop, a "
        "NUL byte or a "
        f"name too long), so it is not read; give the file's plain path inside the client's folder"
        for key, value in outside
    ]
    logo = cfg.branding.get("logo")
    if logo and "branding.logo" not in dict(outside) and (why := check_logo(folder / logo)):
        problems.append(f"{path}, field branding.logo: {excerpt(logo)}: {why}")
    if problems:
        raise DataError(problems)
    return cfg, folder
