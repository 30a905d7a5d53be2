"""A non-editable install works anywhere: a wheel in a fresh virtual environment runs the demo.

The wheel is built from this checkout without network (``--no-build-isolation`` uses the setuptools
already installed) and installed with ``--no-deps --no-index`` into a new virtual environment; the
dependencies come from the test's own environment through a ``.pth`` file (a plain path entry, so
the
editable install of the checkout is not picked up). Then ``kpi-review demo`` runs one demo client
from
a folder outside the checkout. Skipped, with the reason, where the wheel or the venv cannot be
built.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_helpers.run.demo import EXPECTED_DECISIONS

ROOT = Path(__file__).resolve().parent.parent
RUN_DATE = "2026-01-20"
SLUG = "northwind-home"

pytestmark = pytest.mark.install


def _run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"  # a copy, so the build writes nothing into the checkout
    shutil.copytree(
        ROOT / "kpi_helpers",
        source / "kpi_helpers",
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheel = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            tmp / "dist",
            source,
        ],
        timeout=600,
    )
    wheels = sorted((tmp / "dist").glob("kpi_helpers-*.whl"))
    if wheel.returncode or not wheels:
        pytest.skip(f"the wheel cannot be built offline here: {wheel.stderr[-500:]}")
    made = _run([sys.executable, "-m", "venv", tmp / "venv"], timeout=300)
    py = tmp / "venv" / "bin" / "python"
    if made.returncode or not py.exists():
        pytest.skip(f"no virtual environment with pip can be made here: {made.stderr[-500:]}")
    purelib = Path(
        _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    (purelib / "zz_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    inst = _run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheels[0]], timeout=300
    )
    assert inst.returncode == 0, inst.stderr[-2000:]
    return tmp / "venv"


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_installed_package_is_the_wheel_with_its_data(venv):
    code = (
        "import kpi_helpers, json; from kpi_helpers.core.resources import notebook_path, "
        "demo_data_dir; "
        "from kpi_helpers.core import i18n; print(json.dumps([kpi_helpers.__file__, "
        "str(notebook_path()), "
        "str(demo_data_dir()), str(i18n.LOCALE_DIR), str(i18n.FONT_DIR)]))"
    )
    res = _run([venv / "bin" / "python", "-c", code], cwd=venv, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    paths = [Path(p) for p in json.loads(res.stdout)]
    assert all(p.is_relative_to(venv) for p in paths), paths  # not the checkout: a real install
    assert paths[1].is_file() and (paths[2] / SLUG / "client.yaml").is_file()
    assert (paths[3] / "ru" / "LC_MESSAGES").is_dir() and list(paths[4].glob("*.ttf"))


def test_demo_runs_from_the_wheel_and_writes_nothing_into_the_package(venv, tmp_path):
    package = Path(
        _run(
            [venv / "bin" / "python", "-c", "import kpi_helpers; print(kpi_helpers.__file__)"],
            cwd=tmp_path,
        ).stdout.strip()
    ).parent
    before = _files(package)
    # nbconvert's templates are data files of the environment that holds the dependencies, not of
    # the new venv
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {
        "MPLBACKEND": "Agg",
        "JUPYTER_PATH": os.path.join(sys.prefix, "share", "jupyter"),
    }
    res = _run(
        [
            venv / "bin" / "kpi-review",
            "demo",
            SLUG,
            "--out",
            tmp_path / "out",
            "--clients",
            tmp_path / "clients",
            "--run-date",
            RUN_DATE,
            "--workers",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert (tmp_path / "clients" / SLUG / "client.yaml").is_file()
    report = tmp_path / "out" / RUN_DATE / SLUG
    assert (report / "annual_review.html").is_file() and (
        tmp_path / "out" / RUN_DATE / "index.html"
    ).is_file()
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert Path(manifest["parameters"]["notebook"]).is_relative_to(
        venv
    )  # the packaged notebook ran
    with open(report / "decisions.csv", encoding="utf-8-sig", newline="") as f:
        got = {(r["channel"], r["tactic"]): r["decision"] for r in csv.DictReader(f)}
    for tactic, expected in EXPECTED_DECISIONS[SLUG].items():  # the demo's built-in truths
        assert got[tactic] == expected, tactic
    assert _files(package) == before
