"""The batch at scale: broken clients isolated, no kernel left behind, Dask, and hostile client
text."""

import json
import re
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEMO, write_tiny_client

RUN_DATE = "2026-02-01"
NOTEBOOKS = Path(__file__).parent / "notebooks"
CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def kpi_review(*args, timeout=600):
    env = os.environ | {"MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "kpi_helpers.run.cli", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _kernels() -> set[int]:
    """PIDs of ipykernel processes running this interpreter, warm kernels (named ``kpi-kernel``,
    forked from
    the runner's fork server) and the fork servers themselves."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
                comm = (proc / "comm").read_text().strip()
            except OSError:
                continue
            if cmd[0] != sys.executable.encode():
                continue
            if (
                b"ipykernel_launcher" in cmd
                or comm == "kpi-kernel"
                or b"multiprocessing.forkserver" in b" ".join(cmd)
            ):
                pids.add(int(proc.name))
    return pids


def _kernels_left(before: set[int], wait_s: float = 30.0) -> set[int]:
    """Kernels started since ``before`` that are still running after waiting (bounded) for their
    shutdown.

    A kernel that was told to stop may take a moment to exit on a loaded machine: poll instead of
    sampling once, and give up after ``wait_s`` seconds."""
    deadline = time.monotonic() + wait_s
    while (left := _kernels() - before) and time.monotonic() < deadline:
        time.sleep(0.25)
    return left


def test_broken_clients_are_isolated(tmp_path):
    before = _kernels()
    out = tmp_path / "reports"

    def corrupt(df):
        df = df.astype({"spend": object})
        df.loc[0, "spend"] = "lots"
        return df

    bad = write_tiny_client(tmp_path / "bad-data", activity_edit=corrupt)
    res = kpi_review(
        "batch",
        *(DEMO / s / "client.yaml" for s in ("northwind-home", "harbour-plumbing")),
        bad,
        "--out",
        out,
        "--run-date",
        RUN_DATE,
        "--workers",
        "2",
    )
    assert res.returncode == 1, res.stderr
    dies = write_tiny_client(tmp_path / "kernel-dies")
    assert (
        kpi_review(
            "run",
            dies,
            "--out",
            out,
            "--run-date",
            RUN_DATE,
            "--notebook",
            NOTEBOOKS / "kills_its_kernel.ipynb",
        ).returncode
        == 1
    )
    hangs = write_tiny_client(tmp_path / "hangs")
    assert (
        kpi_review(
            "run",
            hangs,
            "--out",
            out,
            "--run-date",
            RUN_DATE,
            "--timeout",
            "8",
            "--notebook",
            NOTEBOOKS / "hangs.ipynb",
        ).returncode
        == 1
    )
    day = out / RUN_DATE
    batch = {c["slug"]: c for c in json.loads((day / "batch.json").read_text())["clients"]}
    assert {s: c["status"] for s, c in batch.items()} == {
        "northwind-home": "ok",
        "harbour-plumbing": "ok",
        "bad-data": "failed",
        "kernel-dies": "failed",
        "hangs": "failed",
    }
    assert "'lots' is not a number" in batch["bad-data"]["error"]
    assert "kernel died" in batch["kernel-dies"]["error"]
    assert "timed out" in batch["hangs"]["error"]
    for slug in ("bad-data", "kernel-dies", "hangs"):
        assert not (day / slug / "annual_review.html").exists()
        assert (day / slug / "run.log").is_file()
        cells = json.loads((day / slug / "annual_review.ipynb").read_text())[
            "cells"
        ]  # written once, at the end
        assert any(c.get("execution_count") for c in cells if c["cell_type"] == "code"), slug
    assert not list(day.glob(".*")), "temporary folders left behind"
    assert not _kernels_left(before), "a kernel process was left behind"


def test_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cl:
        res = kpi_review(
            "batch",
            DEMO / "harbour-plumbing",
            DEMO / "stackline-analytics",
            "--out",
            tmp_path,
            "--run-date",
            RUN_DATE,
            "--dask",
            cl.scheduler_address,
        )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / RUN_DATE / "stackline-analytics" / "annual_review.html").is_file()
    assert (tmp_path / RUN_DATE / "harbour-plumbing" / "annual_review.html").is_file()


PAYLOADS = {
    "name": "Evil <script>window.PWNED=1</script> & Co",
    "tactic": '<img src=x onerror="window.PWNED=2"> $x$ promo',
}


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")

    def rename(df):
        df["tactic"] = df["tactic"].replace({"Search A": PAYLOADS["tactic"]})
        return df

    cfg = write_tiny_client(tmp / "hostile", activity_edit=rename)
    costs = pd.read_csv(cfg.parent / "costs.csv", dtype=str, keep_default_na=False)
    costs["tactic"] = costs["tactic"].replace({"Search A": PAYLOADS["tactic"]})
    costs.to_csv(cfg.parent / "costs.csv", index=False)
    cfg.write_text(
        cfg.read_text().replace('name: "Tiny <b>Test</b> & Co"', f"name: '{PAYLOADS['name']}'")
    )
    res = kpi_review("run", cfg, "--out", tmp / "reports", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    return tmp / "reports" / RUN_DATE


def test_hostile_text_is_escaped_in_html_and_sidecars(hostile_report):
    html = (hostile_report / "hostile" / "annual_review.html").read_text()
    assert "<script>window.PWNED" not in html and "<img src=x onerror" not in html
    assert "&lt;script&gt;window.PWNED=1&lt;/script&gt;" in html
    index = (hostile_report / "index.html").read_text()
    assert "<script>window.PWNED" not in index and "&lt;script&gt;" in index
    assert (
        "Content-Security-Policy" in html and "script-src" not in html
    )  # default-src 'none' covers scripts


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed (CI installs it; with CI=true this is a failure)",
)
@pytest.mark.parametrize("page", ["hostile/annual_review.html", "index.html"])
def test_hostile_text_creates_no_element_in_chromium(hostile_report, page, tmp_path):
    assert CHROMIUM, "CI=true but chromium is missing"
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path}",
            "--dump-dom",
            (hostile_report / page).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "<html" in dom
    # no element the payloads would create, and the text shows literally
    assert not re.search(r"<script[^>]*>[^<]*PWNED", dom)  # no script element from the payload
    assert not re.search(r"<img[^>]*onerror", dom)  # no img element from the payload
    assert "&lt;script&gt;window.PWNED=1&lt;/script&gt;" in dom
    if page != "index.html":
        assert '&lt;img src=x onerror="window.PWNED=2"&gt; $x$ promo' in dom


def test_unsafe_and_duplicate_slugs_are_refused(tmp_path):
    from kpi_helpers.run.batch import RunOptions, run_batch
    from kpi_helpers.core.schema import DataError

    cfg = write_tiny_client(tmp_path / "a")
    cfg.write_text(cfg.read_text() + "slug: ../../etc\n")
    res = kpi_review("run", cfg, "--out", tmp_path / "out", "--run-date", RUN_DATE)
    assert res.returncode == 1
    assert (
        "field slug: String should match pattern"
        in json.loads((tmp_path / "out" / RUN_DATE / "a" / "manifest.json").read_text())["error"]
    )
    one, two = write_tiny_client(tmp_path / "one"), write_tiny_client(tmp_path / "two")
    for c in (one, two):
        c.write_text(c.read_text() + "slug: same\n")
    with pytest.raises(DataError, match="have the same slug 'same'"):
        run_batch([one, two], RunOptions(out=tmp_path / "out2", run_date=RUN_DATE), progress=False)


def _run_warm(code: str, log: Path) -> str:
    import nbformat
    from nbclient import NotebookClient

    from kpi_helpers.run.kernel import kernel_manager_for

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(
        nb, kernel_manager_class=kernel_manager_for(log, warm=True), timeout=120
    ).execute()
    return "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()


def test_warm_kernel_is_ready_when_it_answers(tmp_path):
    """The batch's kernel client counts a kernel ready once it has answered kernel_info and its idle
    status for that request has come on IOPub: the first cell then runs, and nothing of the start
    is left unread on IOPub for the first cell to trip over."""
    import asyncio
    from queue import Empty

    from kpi_helpers.run.kernel import ReadyKernelClient, kernel_manager_for

    async def run():
        km = kernel_manager_for(tmp_path / "k.log", warm=True)()
        await km.start_kernel()
        kc = km.client()
        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            assert isinstance(kc, ReadyKernelClient)
            try:
                left = await kc.get_iopub_msg(timeout=0.5)
            except Empty:
                left = None
            assert left is None, left["msg_type"]
            reply = await kc.execute_interactive(
                "print(6 * 7)", timeout=60, output_hook=seen.append
            )
            assert reply["content"]["status"] == "ok"
        finally:
            kc.stop_channels()
            await km.shutdown_kernel()

    seen = []
    asyncio.run(run())
    assert any(m["content"].get("text", "").strip() == "42" for m in seen)


def test_warm_kernels_share_no_state(tmp_path):
    """Kernels forked one after the other from one warm fork server: each is a new process that has
    the stack
    imported, and none sees what an earlier one set (module globals, the report language)."""
    before = _kernels()
    first = _run_warm(
        "import os, kpi_helpers as kh\nfrom kpi_helpers.core import i18n\nkh.LEFT_BY_FIRST = 1\n"
        "i18n.set_language('ru')\nprint(os.getpid(), i18n.language())",
        tmp_path / "a.log",
    )
    second = _run_warm(
        "import os, sys\nwarm = 'kpi_helpers.report.show' in sys.modules\nimport kpi_helpers as "
        "kh\n"
        "from kpi_helpers.core import i18n\nprint(os.getpid(), i18n.language(), warm, "
        "hasattr(kh, 'LEFT_BY_FIRST'))",
        tmp_path / "b.log",
    )
    pid1, lang1 = first.split()
    pid2, lang2, warm, leaked = second.split()
    assert lang1 == "ru" and pid1 != pid2
    assert (lang2, warm, leaked) == ("en", "True", "False")
    assert not (_kernels() - before) - _forkservers(), "a warm kernel was left behind"


def test_kernels_get_one_blas_thread(tmp_path, monkeypatch):
    """A batch kernel and the fork server it comes from (where numpy, hence OpenBLAS, was imported)
    run with one
    BLAS thread; a value the user set is kept."""
    from kpi_helpers.run.kernel import kernel_env

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    env = kernel_env()
    assert [env[k] for k in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")] == [
        "1",
        "1",
        "3",
    ]
    assert kernel_env({"X": "y"}) == {
        "X": "y",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    out = _run_warm(
        "import os\nfrom pathlib import Path\n"
        "server = Path(f'/proc/{os.getppid()}/environ').read_bytes().split(b'\\0')\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), b'OPENBLAS_NUM_THREADS=1' in server)",
        tmp_path / "k.log",
    )
    assert out.split() == ["1", "True"]


def test_inline_charts_render_once_and_still_show(tmp_path):
    """In a kernel with the inline backend, the report style drops pyplot's post-cell redraw (a
    render whose
    pixels nobody uses); the chart still reaches the notebook as a PNG, drawn by the inline
    backend."""
    import nbformat
    from nbclient import NotebookClient

    from kpi_helpers.run.kernel import kernel_manager_for

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(c)
            for c in (
                "%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom kpi_helpers.report "
                "import plots\n"
                "before = plt._draw_all_if_interactive in "
                "get_ipython().events.callbacks['post_execute']\n"
                "plots.use_report_style()\nplots.use_report_style()",
                "print(before, plt._draw_all_if_interactive in "
                "get_ipython().events.callbacks['post_execute'])",
                "import pandas as pd\nax = plots.plot_monthly_trend(pd.DataFrame({'year': [2024, "
                "2025], 'month': [1, 1], "
                "'period': pd.to_datetime(['2024-01-01', '2025-01-01']), 'revenue': [1.0, 2.0]}))",
            )
        ]
    )
    NotebookClient(
        nb, kernel_manager_class=kernel_manager_for(tmp_path / "k.log", warm=True), timeout=120
    ).execute()
    assert nb.cells[1].outputs[0]["text"].split() == ["True", "False"]
    assert [o for o in nb.cells[2].outputs if "image/png" in o.get("data", {})], (
        "the chart was not displayed"
    )


def _forkservers() -> set[int]:
    """This test process's own fork server (it lives as long as the process)."""
    return {
        p
        for p in _kernels()
        if (Path("/proc") / str(p) / "comm").read_text().strip() != "kpi-kernel"
        and b"multiprocessing.forkserver" in (Path("/proc") / str(p) / "cmdline").read_bytes()
    }
