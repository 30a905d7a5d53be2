"""The report as a PDF: the HTML printed by headless Chromium through its DevTools protocol.

Chromium's ``--print-to-pdf`` cannot add a footer of our own, and it ignores CSS ``@page`` margin
boxes, so
the page is printed with ``Page.printToPDF`` (``displayHeaderFooter`` and a ``footerTemplate``
holding the
client's name, the period and the page numbers) over a small websocket client. Paper size, margins,
the
landscape pages of wide tables, page breaks before sections and rows never split come from the
report's
print stylesheet (``preferCSSPageSize``).
"""

from __future__ import annotations

import base64
import html
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from ..core import i18n
from ..core.i18n import _

__all__ = ["PdfError", "find_chromium", "html_to_pdf", "footer_html", "Browser"]

#: Browser executables tried in order; ``KPI_REVIEW_CHROMIUM`` names another one.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]
_A4_INCHES = (8.27, 11.69)


class PdfError(RuntimeError):
    """No engine, or the engine failed: a message for the user, never a traceback."""


def find_chromium() -> str | None:
    """Path of a headless-capable Chromium, or None."""
    named = os.environ.get("KPI_REVIEW_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


NO_ENGINE = (
    "--pdf needs headless Chromium, and none was found (tried {names}). Install it (Debian/Ubuntu: "
    "apt-get install chromium) or name the executable in KPI_REVIEW_CHROMIUM."
)


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        tried = os.environ.get("KPI_REVIEW_CHROMIUM") or ", ".join(CANDIDATES)
        raise PdfError(NO_ENGINE.format(names=tried))
    return path


def footer_html(title: str) -> str:
    """Chromium's footer template: the report's title (client · review year) and "page N of M".

    Chromium fills the ``pageNumber`` and ``totalPages`` spans; the text is escaped client text."""
    page = _("page {page} of {pages}").format(page="\0P\0", pages="\0T\0")
    text = (
        html.escape(f"{title} · {page}")
        .replace("\0P\0", '<span class="pageNumber"></span>')
        .replace("\0T\0", '<span class="totalPages"></span>')
    )
    return (
        f'<div dir="{i18n.direction()}" style="width:100%;font-size:8px;color:#6b7785;padding:0 '
        "12mm;"
        "font-family:system-ui,'Noto Sans','Noto Sans "
        f"Arabic',sans-serif;text-align:center\">{text}</div>"
    )


class Browser:
    """A headless Chromium started for this job alone, ended (by its own process handle) on exit."""

    def __init__(self, executable: str | None = None, timeout: float = 120):
        self.executable = executable or require_chromium()
        self.timeout = timeout

    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="kpi-review-chromium-")
        self._proc = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._port = self._wait_for_port()
        return self

    def __exit__(self, *exc) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _wait_for_port(self) -> int:
        """Chromium writes its DevTools port to ``DevToolsActivePort`` in the profile once it
        listens."""
        marker = Path(self._profile) / "DevToolsActivePort"
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if self._proc.poll() is not None:
                raise PdfError(
                    f"Chromium ({self.executable}) exited at start with code "
                    f"{self._proc.returncode}"
                )
            if marker.is_file() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            time.sleep(0.1)
        raise PdfError(f"Chromium ({self.executable}) did not start within {self.timeout:.0f} s")

    def page(self) -> "_Page":
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self._port}/json/list", timeout=self.timeout
        ) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        if not targets:
            raise PdfError("Chromium opened no page")
        return _Page(targets[0]["webSocketDebuggerUrl"], self.timeout)


class _Page:
    """One tab, driven by DevTools commands over a websocket."""

    def __init__(self, url: str, timeout: float):
        import websocket  # websocket-client

        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self._id = 0

    def close(self) -> None:
        self.ws.close()

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise PdfError(f"Chromium: {method}: {msg['error'].get('message')}")
                return msg.get("result", {})

    def open(self, url: str, width: int | None = None) -> None:
        """Load ``url`` (optionally in a viewport ``width`` px wide) and wait for its load event."""
        self.call("Page.enable")
        if width:
            self.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=width < 600,
            )
        if "loaderId" not in self.call("Page.navigate", url=url):
            return  # the same document, another #fragment: nothing loads
        while json.loads(self.ws.recv()).get("method") != "Page.loadEventFired":
            pass

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")


def html_to_pdf(
    html_path: str | Path, pdf_path: str | Path, title: str, executable: str | None = None
) -> Path:
    """Print a report to an A4 PDF with ``title`` and page numbers in every page's footer."""
    from websocket import WebSocketException

    pdf_path = Path(pdf_path)
    with Browser(executable) as browser:
        try:
            page = browser.page()
            try:
                page.open(Path(html_path).resolve().as_uri())
                result = page.call(
                    "Page.printToPDF",
                    printBackground=True,
                    preferCSSPageSize=True,
                    paperWidth=_A4_INCHES[0],
                    paperHeight=_A4_INCHES[1],
                    displayHeaderFooter=True,
                    headerTemplate="<span></span>",
                    footerTemplate=footer_html(title),
                )
            finally:
                page.close()
        except (OSError, ValueError, WebSocketException) as exc:
            raise PdfError(
                f"Chromium could not print {Path(html_path).name}: {type(exc).__name__}: {exc}"
            ) from None
    pdf_path.write_bytes(base64.b64decode(result["data"]))
    return pdf_path
