"""`kpi-review run` / `batch` end to end, into a temporary folder, on a machine with stale
kernelspecs."""

import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import DEMO, write_tiny_client
from kpi_helpers.loaders.config import load_config

RUN_DATE = "2026-01-15"


@pytest.fixture(scope="module")
def stale_jupyter(tmp_path_factory):
    """A Jupyter data dir whose python3 and kpi-review kernelspecs point at an interpreter that does
    not exist."""
    root = tmp_path_factory.mktemp("jupyter")
    for name in ("python3", "kpi-review"):
        spec = root / "kernels" / name
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        "/nonexistent/bin/python",
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                    ],
                    "display_name": "stale",
                    "language": "python",
                }
            )
        )
    env = os.environ | {
        "JUPYTER_DATA_DIR": str(root),
        "JUPYTER_PATH": str(root),
        "MPLBACKEND": "Agg",
    }
    return env


def kpi_review(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "kpi_helpers.run.cli", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def one_run(tmp_path_factory, stale_jupyter):
    out = tmp_path_factory.mktemp("reports")
    res = kpi_review(
        "run",
        DEMO / "harbour-plumbing" / "client.yaml",
        "--out",
        out,
        "--run-date",
        RUN_DATE,
        env=stale_jupyter,
    )
    return out, res


def test_run_writes_every_file(one_run):
    out, res = one_run
    assert res.returncode == 0, res.stderr
    folder = out / RUN_DATE / "harbour-plumbing"
    for name in (
        "annual_review.ipynb",
        "annual_review.html",
        "scorecard.csv",
        "decisions.csv",
        "tables.xlsx",
        "summary.json",
        "manifest.json",
    ):
        assert (folder / name).is_file(), name
    assert (out / RUN_DATE / "index.html").is_file() and (out / RUN_DATE / "batch.json").is_file()
    assert not list((out / RUN_DATE).glob(".*tmp*")), "temporary folder left behind"


def test_html_has_no_code_and_no_network(one_run):
    out, _ = one_run
    html = (out / RUN_DATE / "harbour-plumbing" / "annual_review.html").read_text(encoding="utf-8")
    assert "build_review" not in html and "import kpi_helpers" not in html
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    assert (
        "jp-InputArea-editor" not in body
        and "jp-InputPrompt" not in body
        and "jp-OutputPrompt" not in body
    )
    assert "<script" not in html  # self-contained and static: no require.js, no MathJax from a CDN
    assert "<img" in html and "kr-table" in html
    assert "Harbour Plumbing &amp; Heating" in html  # client text escaped


def test_charts_leave_the_kernel_as_palette_pngs_with_alt_text(one_run):
    """Each chart is made a 128-colour palette PNG in the kernel (plots.use_report_style), so the
    analyst's notebook and the report carry the same small picture; the report's images have an alt
    text in the report's language (no second pass of nbconvert over the page)."""
    import base64
    import json

    from kpi_helpers.report.export import _is_palette

    folder = one_run[0] / RUN_DATE / "harbour-plumbing"
    nb = json.loads((folder / "annual_review.ipynb").read_text(encoding="utf-8"))
    pngs = [
        o["data"]["image/png"]
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(pngs) >= 5 and all(_is_palette(p) for p in pngs)
    html = (folder / "annual_review.html").read_text(encoding="utf-8")
    shown = re.findall(r'<img alt="Chart" src="data:image/png;base64,([^"]+)"', html)
    assert sorted(shown) == sorted(pngs)  # the kernel's pictures, not encoded again
    assert base64.b64decode(shown[0])[:8] == b"\x89PNG\r\n\x1a\n"


def test_sidecars(one_run):
    out, _ = one_run
    folder = out / RUN_DATE / "harbour-plumbing"
    assert (
        (folder / "decisions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    )  # UTF-8 BOM for Excel
    dec = pd.read_csv(folder / "decisions.csv", encoding="utf-8-sig")
    assert list(dec.columns[:4]) == ["channel", "tactic", "decision", "reason"]
    sc = pd.read_csv(folder / "scorecard.csv", encoding="utf-8-sig")
    assert list(sc.columns[:3]) == ["year", "channel", "tactic"] and "roi" in sc
    assert set(pd.ExcelFile(folder / "tables.xlsx").sheet_names) >= {
        "scorecard",
        "decisions",
        "funnel",
        "plan_vs_actual",
    }
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["parameters"]["run_date"] == RUN_DATE
    assert {i["table"] for i in manifest["inputs_loaded"]} >= {"activity", "costs"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) for i in manifest["inputs"])
    summary = json.loads((folder / "summary.json").read_text())
    assert sum(summary["decisions"].values()) == len(dec)


def test_rerun_same_date_skips_unless_forced(one_run, stale_jupyter):
    out, _ = one_run
    html = out / RUN_DATE / "harbour-plumbing" / "annual_review.html"
    before = html.stat().st_mtime_ns
    res = kpi_review(
        "run", DEMO / "harbour-plumbing", "--out", out, "--run-date", RUN_DATE, env=stale_jupyter
    )
    assert res.returncode == 0 and "skipped" in res.stderr
    assert html.stat().st_mtime_ns == before


def test_bad_client_fails_alone_and_leaves_no_html(tmp_path, stale_jupyter):
    def corrupt(df):
        df = df.astype({"visits": object})
        df.loc[3, "visits"] = "n/a"
        return df

    bad = write_tiny_client(tmp_path / "bad-client", activity_edit=corrupt)
    good = write_tiny_client(tmp_path / "good-client")
    out = tmp_path / "reports"
    res = kpi_review("batch", bad, good, "--out", out, "--run-date", RUN_DATE, env=stale_jupyter)
    assert res.returncode == 1
    bad_dir, good_dir = out / RUN_DATE / "bad-client", out / RUN_DATE / "good-client"
    assert not (bad_dir / "annual_review.html").exists()
    manifest = json.loads((bad_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert "activity.csv, row 5, column \"visits\": 'n/a'" in manifest["error"]
    assert (good_dir / "annual_review.html").exists()
    batch = json.loads((out / RUN_DATE / "batch.json").read_text())
    assert {c["slug"]: c["status"] for c in batch["clients"]} == {
        "bad-client": "failed",
        "good-client": "ok",
    }
    index = (out / RUN_DATE / "index.html").read_text()
    assert "failed" in index and "good-client/annual_review.html" in index
    # client text is escaped in the report: the tiny client's name holds HTML
    html = (good_dir / "annual_review.html").read_text()
    assert "Tiny &lt;b&gt;Test&lt;/b&gt; &amp; Co" in html and "<b>Test</b>" not in html


def test_usage_errors_exit_2(tmp_path, stale_jupyter):
    assert kpi_review("run", tmp_path / "nowhere", env=stale_jupyter).returncode == 2
    assert (
        kpi_review(
            "run", DEMO / "harbour-plumbing", "--run-date", "15/01/2026", env=stale_jupyter
        ).returncode
        == 2
    )


def test_validate_and_init(tmp_path, stale_jupyter):
    res = kpi_review("validate", DEMO / "northwind-home" / "client.yaml", env=stale_jupyter)
    assert res.returncode == 0 and "OK" in res.stdout
    res = kpi_review("init", tmp_path / "newclient", env=stale_jupyter)
    assert res.returncode == 0 and (tmp_path / "newclient" / "client.yaml").is_file()
    res = kpi_review(
        "init", tmp_path / "shop", "--goal", "sales", "--business", "ecommerce", env=stale_jupyter
    )
    cfg, _ = load_config(tmp_path / "shop" / "client.yaml")
    assert [t.kpi for t in cfg.targets] == ["customers", "aov", "cac", "roi", "conversion_rate"]
    assert cfg.targets[2].change == -0.1  # CAC: lower is better


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (.ci/run installs it)"
)
def test_report_renders_in_headless_chromium(one_run, tmp_path):
    out, _ = one_run
    html = out / RUN_DATE / "harbour-plumbing" / "annual_review.html"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        ["chromium", *flags, "--dump-dom", html.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert dom.count("<table") >= 5 and dom.count("<img") >= 3
    assert "build_review" not in dom
    png = tmp_path / "shot.png"
    subprocess.run(
        ["chromium", *flags, "--window-size=1280,1600", f"--screenshot={png}", html.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert png.stat().st_size > 50_000  # a blank page is a few kB


def test_report_fits_under_300_kb_with_its_own_stylesheet(one_run):
    out, _ = one_run
    html = out / RUN_DATE / "harbour-plumbing" / "annual_review.html"
    text = html.read_text(encoding="utf-8")
    assert html.stat().st_size < 300_000
    assert "--jp-" not in text and "JupyterLab" not in text  # no inlined JupyterLab theme
    assert text.count("<img") >= 3 and "@media print" in text and "@page" in text


_LAYOUT = """(() => { const w = document.documentElement.clientWidth;
  const inScroll = e => { for (let p = e.parentElement; p; p = p.parentElement)
      if (p.classList && p.classList.contains('kr-scroll')) return p; return null; };
  const clipped = [...document.querySelectorAll('table, img, .kr-card')].filter(e => {
      const r = e.getBoundingClientRect();
      return !inScroll(e) && (r.right > w + 1 || r.left < -1); }).length;
  const boxes = [...document.querySelectorAll('.kr-scroll')];
  return {page: document.documentElement.scrollWidth > w, clipped,
          scrolling: boxes.filter(b => b.scrollWidth > b.clientWidth + 1).length,
          boxOutside: boxes.filter(b => b.getBoundingClientRect().right > w + 1).length}; })()"""


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (.ci/run installs it)"
)
def test_no_table_is_clipped_at_1280_or_390_px(one_run):
    from kpi_helpers.report.pdf import Browser

    out, _ = one_run
    url = (out / RUN_DATE / "harbour-plumbing" / "annual_review.html").resolve().as_uri()
    with Browser() as browser:
        seen = {}
        for width in (1280, 390):
            page = browser.page()
            page.open(url, width=width)
            seen[width] = page.evaluate(_LAYOUT)
            page.close()
    for (
        width,
        s,
    ) in seen.items():  # the page never scrolls sideways; a wide table scrolls inside its own box
        assert not s["page"] and not s["clipped"] and not s["boxOutside"], (width, s)
    assert seen[1280]["scrolling"] == 0, "a table needs sideways scrolling on a 1280 px screen"


def test_pdf_without_an_engine_is_a_clear_error(tmp_path, stale_jupyter):
    env = stale_jupyter | {"KPI_REVIEW_CHROMIUM": str(tmp_path / "no-such-browser")}
    res = kpi_review(
        "run",
        DEMO / "harbour-plumbing",
        "--pdf",
        "--out",
        tmp_path,
        "--run-date",
        RUN_DATE,
        env=env,
    )
    assert res.returncode == 2
    assert "--pdf needs headless Chromium" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / RUN_DATE).exists()  # refused before any client ran


@pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None,
    reason="Debian chromium and poppler-utils (pdftotext) are needed",
)
def test_pdf_holds_the_decisions_and_headline_numbers(tmp_path, stale_jupyter):
    from kpi_helpers.core import i18n
    from kpi_helpers.metrics.catalog import format_value

    res = kpi_review(
        "run",
        DEMO / "harbour-plumbing",
        "--pdf",
        "--out",
        tmp_path,
        "--run-date",
        RUN_DATE,
        env=stale_jupyter,
    )
    assert res.returncode == 0, res.stderr
    folder = tmp_path / RUN_DATE / "harbour-plumbing"
    pdf = folder / "annual_review.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    summary = json.loads((folder / "summary.json").read_text())
    i18n.set_language("en")
    for k in ("revenue", "cost", "roi"):
        head = summary["headline"][k]
        assert format_value(head["value"], head["unit"], summary["currency"]) in text, k
    for tactic in pd.read_csv(folder / "decisions.csv", encoding="utf-8-sig")["tactic"]:
        assert " ".join(tactic.split()) in text, tactic
    pages = int(re.search(r"page 1 of (\d+)", text).group(1))  # the footer: title and page numbers
    assert (
        pages > 5
        and "Harbour Plumbing & Heating (local services) · annual marketing review 2025" in text
    )
