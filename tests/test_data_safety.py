"""Issue 16: client files are data, never a way in.

Reads are confined to the client's folder; nothing outside it is read or quoted without an explicit
allowance; what the loader accepts holds no silently wrong number; a hostile file ends in a
DataError
naming file, row and fix, the same in ``validate`` and ``run``, never in a traceback or an HTML
report.
The bad-input files themselves are cases of the corpus (tests/fixtures/corpus.py).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kpi_helpers as kh
from kpi_helpers.loaders.config import ALLOW_OUTSIDE_ENV, ClientConfig, branding, load_config
from kpi_helpers.loaders import validate_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad"
sys.path.insert(0, str(FIXTURES))
from corpus import CASES  # noqa: E402

from test_validation_corpus import client_for  # noqa: E402

SECRET = "secret-4f1c: not to be shown"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2), "#1f4e79").save(buf, "PNG")
    return buf.getvalue()


PNG_1X1 = _png()


def case(file: str):
    return next(c for c in CASES if c.file == file)


def write_client(folder: Path, sources: list[dict], **settings) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = {"name": "Safety", "currency": "EUR", "year": 2025, "sources": sources, **settings}
    (folder / "client.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    return folder / "client.yaml"


@pytest.fixture()
def outside(tmp_path):
    """A folder beside the client's holding a file that is not a table and must never be quoted."""
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "notes.csv").write_text(f"{SECRET}\n{SECRET} again\n", encoding="utf-8")
    return other


def _activity(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "activity.csv").write_bytes((FIXTURES / "canonical_activity.csv").read_bytes())


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_a_path_outside_the_folder_is_neither_read_nor_quoted(tmp_path, outside, how):
    folder = tmp_path / "client"
    _activity(folder)
    path = {
        "relative": "../elsewhere/notes.csv",
        "absolute": str(outside / "notes.csv"),
        "symlink": "link.csv",
    }[how]
    if how == "symlink":
        (folder / "link.csv").symlink_to(outside / "notes.csv")
    cfg = write_client(
        folder, [{"table": "activity", "path": "activity.csv"}, {"table": "costs", "path": path}]
    )
    report = validate_client(cfg)
    assert len(report.errors) == 1 and "field sources.1.path" in report.errors[0]
    assert (
        "lies outside the client's folder" in report.errors[0]
        and "--allow-outside" in report.errors[0]
    )
    assert report.sources == []  # no source was opened
    with pytest.raises(kh.DataError) as err:
        kh.load_client(cfg)
    assert err.value.problems == report.errors
    assert all(SECRET not in e for e in report.errors)


def test_the_allowance_lets_a_shared_file_be_read_and_quotes_one_short_line(tmp_path, outside):
    folder = tmp_path / "client"
    _activity(folder)
    cfg = write_client(
        folder,
        [
            {"table": "activity", "path": "activity.csv"},
            {"table": "costs", "path": "../elsewhere/notes.csv"},
        ],
    )
    for report in (
        validate_client(cfg, allow_outside=[outside]),
        validate_client(
            write_client(
                tmp_path / "c2",
                [
                    {"table": "activity", "path": str(folder / "activity.csv")},
                    {"table": "costs", "path": str(outside / "notes.csv")},
                ],
                allow_outside=[str(outside), str(folder)],
            )
        ),
    ):
        # read now (it is no table: the error says so), quoting at most a short escaped excerpt
        assert report.errors and all("lies outside" not in e for e in report.errors)
        assert all("\n" not in e and e.count(SECRET) <= 1 for e in report.errors)
        assert all(
            len(q) <= 62 for e in report.errors for q in re.findall(r"'[^']*secret[^']*'", e)
        )


def test_the_command_line_allowance(tmp_path, outside):
    folder = tmp_path / "client"
    _activity(folder)
    (outside / "activity.csv").write_bytes((FIXTURES / "canonical_activity.csv").read_bytes())
    write_client(folder, [{"table": "activity", "path": "../elsewhere/activity.csv"}])
    env = {k: v for k, v in os.environ.items() if k != ALLOW_OUTSIDE_ENV}

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "kpi_helpers.run.cli", "validate", folder, *a],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused, allowed = run(), run("--allow-outside", str(outside))
    assert (
        refused.returncode == 1
        and "sources.0.path" in refused.stdout
        and "Traceback" not in refused.stderr
    )
    assert allowed.returncode == 0, allowed.stdout


def test_a_logo_outside_the_folder_is_never_embedded(tmp_path, outside):
    from kpi_helpers.report.show import _branding

    (outside / "logo.png").write_bytes(PNG_1X1)
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "own.png").write_bytes(PNG_1X1)
    for logo, shown in (
        ("../elsewhere/logo.png", False),
        (str(outside / "logo.png"), False),
        ("own.png", True),
    ):
        cfg = ClientConfig(
            name="x",
            year=2025,
            sources=[{"table": "activity", "path": "a.csv"}],
            branding={"logo": logo},
        )
        rv = SimpleNamespace(config=cfg, data=SimpleNamespace(folder=folder), data_quality=[])
        _style, img = _branding(rv)
        assert ("base64," in img) is shown and bool(branding(cfg, folder).notes) is not shown
        assert (
            rv.data_quality == []
        )  # the note comes from build_review: displaying never changes the review
    assert (
        load_config(
            write_client(
                folder, [{"table": "activity", "path": "a.csv"}], branding={"logo": "own.png"}
            )
        )[0].branding["logo"]
        == "own.png"
    )


@pytest.mark.parametrize(
    "file, fix, visits",
    [
        ("german_whole.csv", {"decimal": ",", "thousands": "."}, [1084, 2500, 17]),
        ("us_thousands.csv", {"thousands": ","}, [2014, 17]),
    ],
)
def test_the_fix_an_ambiguity_message_offers_works(tmp_path, file, fix, visits):
    c = case(file)
    report = validate_client(client_for(c, tmp_path / "as-is"))
    message = next(e for e in report.errors if "is ambiguous" in e)
    for key, value in fix.items():
        assert f"`{key}: {json.dumps(value)}`" in message
    assert "reads 2.014" not in message  # a count column is never offered the decimal reading
    fixed = type(c)(**{**c.__dict__, "source": fix})
    data = kh.load_client(client_for(fixed, tmp_path / "fixed"))
    expected = [
        visits[i % len(visits)] for i in range(24)
    ]  # the file cycles through its values month by month
    assert data.activity["visits"].tolist() == expected


def test_a_decimal_comma_after_thousands_of_whole_numbers(tmp_path):
    """The marks are decided on every cell, not the first ones: 3 000 whole numbers, then one
    decimal comma."""
    rows = [f"2025-{(i % 12) + 1:02d};email;T{i};{i}" for i in range(3000)] + [
        "2025-12;email;Last;1 234,5"
    ]
    folder = tmp_path / "fr"
    folder.mkdir()
    (folder / "activity.csv").write_text(
        "period;channel;tactic;spend\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    data = kh.load_client(write_client(folder, [{"table": "activity", "path": "activity.csv"}]))
    assert (
        data.inputs[0]["decimal"] == ","
        and data.activity["spend"].sum() == sum(range(3000)) + 1234.5
    )


def test_an_override_for_an_absent_tactic_stops_a_review_built_from_tables(tmp_path):
    from conftest import write_tiny_client

    data = kh.load_client(write_tiny_client(tmp_path / "tiny"))
    data.config.overrides = [
        kh.loaders.config.Override(
            channel="email", tactic="Newsleter", decision="keep", comment="c"
        )
    ]
    with pytest.raises(
        kh.DataError, match=r"overrides\.0: no tactic 'Newsleter' .*did you mean 'Newsletter'"
    ):
        kh.build_review(data)


def test_a_far_stray_cell_is_read_in_bounded_memory_and_time():
    """The 5 KB workbook declares A1:XFD1048576: the reader must not build that grid (~137 GB
    once)."""
    code = (
        "import resource, sys, time; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
        "from kpi_helpers.loaders.readers import read_raw; from pathlib import Path; t = "
        "time.perf_counter(); "
        f"raw = read_raw(Path({str(BAD / 'far_cell.xlsx')!r}), 'far_cell.xlsx', lambda c: False); "
        "print(raw.frame.shape, round(time.perf_counter() - t, 1), raw.notes)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    shape, seconds = (
        re.match(r"\((\d+), (\d+)\) ([\d.]+)", res.stdout).group(1, 2),
        float(res.stdout.split()[2]),
    )
    assert shape == ("2", "8") and seconds < 30 and "XFD1048576" in res.stdout


# Property: whatever numbers a file holds and however it writes them, an accepted file's totals are
# finite
# and equal to a plain re-parse of its cells with the marks declared (or, undeclared, the true
# values).

MARKS = st.sampled_from([(".", ""), (".", ","), (",", ""), (",", "."), (",", " "), (".", " ")])


def _write_number(cents: int, decimals: int, decimal: str, thousands: str) -> str:
    whole, frac = divmod(cents, 100)
    digits = f"{whole:,}".replace(",", thousands) if thousands else str(whole)
    return digits + (decimal + f"{frac:02d}"[:decimals] if decimals else "")


def _plain(text: str, decimal: str, thousands: str) -> float:
    return float(
        text.replace(thousands, "").replace(decimal, ".")
        if thousands
        else text.replace(decimal, ".")
    )


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    values=st.lists(
        st.tuples(st.integers(0, 10**13), st.sampled_from([0, 1, 2])), min_size=1, max_size=40
    ),
    marks=MARKS,
    declare=st.booleans(),
)
def test_accepted_numbers_are_finite_and_what_the_file_says(values, marks, declare):
    decimal, thousands = marks
    delimiter = ";" if "," in marks else ","
    cells = [_write_number(c - c % (10 ** (2 - d)), d, decimal, thousands) for c, d in values]
    truth = [(c - c % (10 ** (2 - d))) / 100 for c, d in values]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["period", "channel", "tactic", "spend"])
    writer.writerows([["2025-01", "email", f"T{i}", cell] for i, cell in enumerate(cells)])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "activity.csv").write_text(buf.getvalue(), encoding="utf-8")
        source = {
            "table": "activity",
            "path": "activity.csv",
            **({"decimal": decimal, "thousands": thousands} if declare else {}),
        }
        try:
            data = kh.load_client(write_client(folder, [source]))
        except kh.DataError:
            event("refused")
            # refusing is allowed (e.g. an ambiguous 1,084 undeclared); a wrong number is not
            return
    event("accepted, declared" if declare else "accepted, detected")
    spend = data.activity["spend"]
    assert np.isfinite(spend.sum())
    assert spend.tolist() == pytest.approx(truth, rel=1e-12)
    if declare:
        assert spend.tolist() == pytest.approx(
            [_plain(c, decimal, thousands) for c in cells], rel=1e-12
        )


def test_declared_marks_always_load(tmp_path):
    """The property above must not pass by refusing everything: declared marks are always
    accepted."""
    cells = [_write_number(123456789, 2, ",", "."), _write_number(108400, 0, ",", ".")]
    (tmp_path / "activity.csv").write_text(
        "period;channel;tactic;spend\n"
        + "".join(f"2025-01;email;T{i};{c}\n" for i, c in enumerate(cells)),
        encoding="utf-8",
    )
    data = kh.load_client(
        write_client(
            tmp_path,
            [{"table": "activity", "path": "activity.csv", "decimal": ",", "thousands": "."}],
        )
    )
    assert data.activity["spend"].tolist() == [1234567.89, 1084.0]


RUN_CASES = (
    "outside_folder.csv",
    "nan_hurdle.csv",
    "nul_byte.csv",
    "formulas.xlsx",
    "us_thousands.csv",
    "unknown_override.csv",
)


def test_run_fails_with_the_validate_message_and_no_report(tmp_path):
    """One case per kind of failure (configuration, confinement, reader, numbers, links) through
    `batch`:
    the manifest holds validate's messages, the terminal no traceback, the run folder no HTML and no
    line
    of the file outside the client's folder."""
    configs = {c: client_for(case(c), tmp_path / "clients" / Path(c).stem) for c in RUN_CASES}
    out = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if k != ALLOW_OUTSIDE_ENV} | {"MPLBACKEND": "Agg"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_helpers.run.cli",
            "batch",
            *configs.values(),
            "--out",
            out,
            "--run-date",
            "2026-03-01",
            "--workers",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr + res.stdout, res.stderr[-3000:]
    day = out / "2026-03-01"
    for file, cfg in configs.items():
        folder = day / Path(file).stem
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "failed" and not (folder / "annual_review.html").exists()
        errors = validate_client(cfg).errors
        assert errors and all(e in manifest["error"] for e in errors), (
            file,
            manifest["error"],
            errors,
        )
    shown = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in day.rglob("*")
        if p.is_file() and p.suffix in (".json", ".html", ".log")
    )
    assert "secret: first line" not in shown and "secret: second" not in shown


def test_a_chart_sheet_first_is_passed_over_for_the_sheet_of_cells(tmp_path):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    for row in (["period", "channel", "tactic", "spend"], ["2025-01", "email", "News", 10.5]):
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=2))
    wb.create_chartsheet("Chart", 0).add_chart(chart)
    wb.save(tmp_path / "activity.xlsx")
    assert kh.load_client(
        write_client(tmp_path, [{"table": "activity", "path": "activity.xlsx"}])
    ).activity["spend"].tolist() == [10.5]
    report = validate_client(
        write_client(
            tmp_path / "c",
            [{"table": "activity", "path": "../activity.xlsx", "sheet": "Chart"}],
            allow_outside=[".."],
        )
    )
    assert report.errors == [
        "activity.xlsx: sheet 'Chart' is a chart, not cells; name a sheet of data: 'Sheet'"
    ]


@pytest.mark.parametrize(
    "head, tail, message",
    [
        ("cp1251", "cp1251", None),
        ("utf-8", "utf-8", None),
        ("cp1251", "utf-8", "the first 1024 KiB are cp1251, but further on the text is UTF-8"),
        (
            "utf-8",
            "cp1251",
            "the first 1024 KiB are utf-8 with non-ASCII letters, but further on the bytes are not",
        ),
    ],
)
def test_mixed_encodings_past_the_sample_are_reported(tmp_path, head, tail, message):
    row = "2025-01,email,Рассылка,10\n"
    n = (1 << 20) // len(row.encode(head)) + 100  # past the 1 MiB the detectors look at
    (tmp_path / "activity.csv").write_bytes(
        ("period,channel,tactic,spend\n" + row * n).encode(head) + row.encode(tail)
    )
    report = validate_client(
        write_client(tmp_path, [{"table": "activity", "path": "activity.csv"}])
    )
    if message is None:
        assert (
            report.ok
            and report.sources[0]["encoding"] == head
            and report.sources[0]["rows_in"] == n + 1
        )
    else:
        assert (
            len(report.errors) == 1
            and "mixed encodings" in report.errors[0]
            and message in report.errors[0]
        )


def test_validate_finds_what_stops_the_review_itself(tmp_path):
    """Row checks pass customers above leads with a warning, but the review's funnel tests cannot:
    the command
    computes the review's tables too, so `validate` fails where `run` would, with the same
    message."""
    cfg = client_for(case("customers_above_leads.csv"), tmp_path / "client")
    assert validate_client(cfg).ok  # the data checks alone
    with pytest.raises(kh.DataError) as stop:
        kh.build_review(cfg)
    res = subprocess.run(
        [sys.executable, "-m", "kpi_helpers.run.cli", "validate", cfg],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"MPLBACKEND": "Agg"},
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"the review stops: {stop.value.problems[0]}" in res.stdout


def test_the_new_data_quality_notes_come_in_the_report_language(tmp_path):
    from kpi_helpers.core import i18n

    try:
        i18n.set_language("ru")
        warnings = validate_client(client_for(case("orders_early.csv"), tmp_path / "c")).warnings
    finally:
        i18n.set_language("en")
    assert any(
        "датированы раньше привлечения клиента" in w and "2025-01-10" in w for w in warnings
    ), warnings
