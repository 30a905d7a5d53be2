"""The committed notebook's outputs compare equal on any day and whatever fonts the machine has.

nbval (run by ``make test``) compares the committed outputs of
``kpi_helpers/notebooks/annual_review.ipynb`` with a
fresh execution. These tests run the same comparison on a day other than the one the outputs were
written: once with the run date passed as a parameter, once with the machine's clock moved by
``faketime`` (Debian's package, which ``.ci/run`` installs; skipped where it is absent), and with a
machine locale other than English, so a volatile date, a locale-dependent format or a font warning
on
stderr fails here rather than on the first day after the outputs were made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "kpi_helpers" / "notebooks" / "annual_review.ipynb"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
OTHER_DAY = "2031-03-04"


def _nbval(notebook: Path, *, prefix: list[str] = (), env_extra: dict | None = None):
    env = os.environ | {"MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"} | (env_extra or {})
    cmd = [
        *prefix,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(SANITIZE),
        str(notebook),
    ]
    return subprocess.run(
        cmd, cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=600
    )


def _with_parameters(tmp_path: Path, **params) -> Path:
    """A copy of the committed notebook whose parameters cell sets ``params`` (outputs
    untouched)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    lines = "".join(cell["source"]).splitlines()
    for name, value in params.items():
        lines = [f"{name} = {value!r}" if ln.startswith(f"{name} =") else ln for ln in lines]
    cell["source"] = "\n".join(lines)
    copy = tmp_path / NOTEBOOK.name
    copy.write_text(json.dumps(nb), encoding="utf-8")
    return copy


def test_outputs_compare_equal_with_another_run_date(tmp_path):
    config = str(ROOT / "kpi_helpers" / "demo_data" / "northwind-home" / "client.yaml")
    nb = _with_parameters(tmp_path, run_date=OTHER_DAY, client_config=config)
    res = _nbval(nb, env_extra={"LANG": "ru_RU.UTF-8", "LC_ALL": "ru_RU.UTF-8"})
    assert res.returncode == 0, res.stdout[-4000:]
    assert " passed" in res.stdout and "failed" not in res.stdout


@pytest.mark.skipif(
    shutil.which("faketime") is None, reason="faketime (Debian package) not installed"
)
def test_outputs_compare_equal_on_another_day_by_the_clock():
    res = _nbval(NOTEBOOK, prefix=["faketime", f"{OTHER_DAY} 09:30:00"])
    assert res.returncode == 0, res.stdout[-4000:]
    assert " passed" in res.stdout and "failed" not in res.stdout


def test_the_sanitiser_masks_the_date_in_every_language():
    """The title's run date is masked whatever the language and calendar writes it as."""
    import configparser
    import re

    import kpi_helpers as kh
    from kpi_helpers.report import show

    cfg = configparser.ConfigParser()
    cfg.read(SANITIZE)
    rules = [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]

    def sanitized(html: str) -> str:
        for rx, rep in rules:
            html = rx.sub(rep, html)
        return html

    for slug, language in (("northwind-home", "en"), ("okna-sever", "ru"), ("ketab-negah", "fa")):
        config = ROOT / "kpi_helpers" / "demo_data" / slug / "client.yaml"
        rv = kh.build_review(config, run_date="2026-11-23", language=language)
        a = show.title(rv).data
        b = show.title(dataclasses.replace(rv, run_date=dt.date.fromisoformat(OTHER_DAY))).data
        assert a != b, "the run date should be visible in the title"
        assert sanitized(a) == sanitized(b), (language, a, b)


def test_charts_ask_only_for_fonts_that_exist(caplog):
    """Bold chart titles find a bold face whether or not the machine has its own Noto fonts.

    Reproduces a machine without (or with a stale cache of) the system's Noto Sans Arabic: only the
    bundled faces are registered, and drawing every kind of chart text must log no findfont warning
    (which a kernel writes to stderr, failing nbval)."""
    import logging

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from kpi_helpers.report import plots

    matplotlib.use("Agg")
    fm = font_manager.fontManager
    saved = list(fm.ttflist)
    from kpi_helpers.core import i18n

    bundled = str(i18n.FONT_DIR)
    fm.ttflist = [
        f for f in fm.ttflist if "Noto Sans Arabic" not in f.name or f.fname.startswith(bundled)
    ]
    fm._findfont_cached.cache_clear()
    try:
        plots.use_report_style()
        with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
            fig, ax = plt.subplots()
            ax.set_title("Return on investment · بازگشت سرمایه")
            ax.text(0.5, 0.5, "normal · عادی", fontweight="normal")
            ax.text(0.5, 0.2, "bold · پررنگ", fontweight="bold")
            fig.canvas.draw()
            plt.close(fig)
        assert not [r for r in caplog.records if "findfont" in r.getMessage()], caplog.text
    finally:
        fm.ttflist = saved
        fm._findfont_cached.cache_clear()
