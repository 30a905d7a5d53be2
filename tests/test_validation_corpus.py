"""The bad-input corpus (tests/fixtures/bad, documented in its README.md): each file gives its
documented
error or warning, through both validate_client (never raises) and load_client (raises DataError
only)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.loaders import validate_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from corpus import CASES  # noqa: E402  (importable once the fixtures folder is on sys.path)

BAD = FIXTURES / "bad"


def _in_bad(value):
    """Settings naming a corpus file as ``bad/<file>`` point at it where it lies."""
    if isinstance(value, dict):
        return {k: _in_bad(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_bad(v) for v in value]
    return str(BAD / value[4:]) if isinstance(value, str) and value.startswith("bad/") else value


def client_for(case, folder: Path) -> Path:
    """A client.yaml in ``folder`` reading the case's file where it lies (raw files are never
    copied): the
    fixtures' folder is an explicit allowance, except for a case that checks the client is
    confined."""
    sources = []
    if not (case.alone and case.table == "activity"):
        sources.append({"table": "activity", "path": str(FIXTURES / "canonical_activity.csv")})
    sources.append({"table": case.table, "path": str(BAD / case.file), **case.source})
    sources += [{"table": table, "path": str(BAD / file)} for table, file in case.extra]
    config = {
        "schema_version": 1,
        "name": case.name,
        "currency": "EUR",
        "year": 2025,
        "sources": sources,
        **({} if case.confined else {"allow_outside": [str(FIXTURES)]}),
        **_in_bad(case.client),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True) + case.yaml_tail, encoding="utf-8")
    return path


def test_corpus_is_large_enough_and_written():
    assert len(CASES) >= 30
    assert len({c.file for c in CASES}) == len(CASES)
    for case in CASES:
        assert (BAD / case.file).is_file(), (
            f"run tests/fixtures/make_fixtures.py ({case.file} missing)"
        )


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_bad_input_gives_its_documented_outcome(case, tmp_path):
    cfg = client_for(case, tmp_path / "client")
    before = (BAD / case.file).read_bytes()
    report = validate_client(cfg)
    if case.expect == "error":
        assert any(re.search(case.match, e) for e in report.errors), report.errors
        with pytest.raises(kh.DataError) as err:
            kh.load_client(cfg)
        assert err.value.problems == report.errors
    else:
        assert report.ok, report.errors
        assert any(re.search(case.match, w) for w in report.warnings), report.warnings
        data = kh.load_client(cfg)
        assert data.warnings == report.warnings
    assert (BAD / case.file).read_bytes() == before  # the raw file is never modified


def test_every_error_names_the_file(tmp_path):
    for case in CASES:
        if case.expect != "error" or case.name == "unknown preset":
            continue
        report = validate_client(client_for(case, tmp_path / case.file))
        assert all(case.file in e for e in report.errors if "client.yaml" not in e), (
            case.file,
            report.errors,
        )
