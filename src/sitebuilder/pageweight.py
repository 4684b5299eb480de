"""What a reader's browser transfers to show a page of the built book.

The site is served the way GitHub Pages serves it: text files gzip-compressed, with
``Cache-Control: max-age=600`` and an ETag. Debian's Chromium, driven by Playwright, visits
a page and this module sums what went over the wire for it, from the Chrome DevTools
Protocol's own accounting (``encodedDataLength``: compressed body plus headers; zero for a
file the browser already had in its cache). The same events say which requests Chromium
treated as render-blocking.

Used by ``tests/test_page_weight.py`` (the budgets) and ``bench/page_weight.py`` (the report).
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import gzip
import hashlib
import http.server
import mimetypes
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The page-weight budgets, in bytes transferred (1 kB = 1000 bytes).
CHAPTER_FIRST_VISIT_BUDGET = 350_000
LANDING_FIRST_VISIT_BUDGET = 250_000
REPEAT_VISIT_BUDGET = 80_000
BLOCKING_SCRIPT_LIMIT = 30_000

# A phone, since the budgets are for readers on slow phones: lazy images load by what the
# reader could scroll to soon, so the viewport matters.
PHONE_VIEWPORT = {"width": 390, "height": 844}
# Generous: on a loaded CI machine a page can take many seconds to go quiet.
PAGE_TIMEOUT_MS = 120_000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# GitHub Pages compresses these; images other than SVG and fonts are already compressed.
_COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "application/x-ipynb+json",
)


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as GitHub Pages serves them: gzip for text, ten minutes of caching."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            content_type = "text/javascript"
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            return
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if accepts_gzip and content_type.startswith(_COMPRESSED_TYPES):
            body = _gzipped(path, path.stat().st_mtime_ns)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) with gzip; yield its base URL."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Transfer:
    """One file a page loaded: what it cost on the wire, and whether it held up rendering."""

    url: str
    resource_type: str
    transferred: int
    render_blocking: bool

    @property
    def name(self) -> str:
        return urllib.parse.urlsplit(self.url).path.lstrip("/")


@dataclass
class PageLoad:
    """Everything one visit to one page transferred."""

    page: str
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.transferred for t in self.transfers)

    @property
    def html(self) -> int:
        return sum(t.transferred for t in self.transfers if t.resource_type == "Document")

    def heaviest(self, count: int = 5) -> list[Transfer]:
        return sorted(self.transfers, key=lambda t: t.transferred, reverse=True)[:count]

    def describe_heaviest(self, count: int = 5) -> str:
        return ", ".join(f"{t.name} {t.transferred / 1e3:.0f} kB" for t in self.heaviest(count))

    def blocking_scripts(self) -> list[Transfer]:
        return [t for t in self.transfers if t.resource_type == "Script" and t.render_blocking]


class _Recorder:
    """Collects the DevTools network events of one page into Transfers."""

    def __init__(self, context: Any, page: Any) -> None:
        self._requests: dict[str, dict[str, Any]] = {}
        self._done: dict[str, int] = {}
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        self._requests[event["requestId"]] = event

    def _finished(self, event: dict[str, Any]) -> None:
        self._done[event["requestId"]] = int(event["encodedDataLength"])

    def take(self, page_name: str) -> PageLoad:
        load = PageLoad(page_name)
        for request_id, transferred in self._done.items():
            sent = self._requests.get(request_id)
            if sent is None or sent["request"]["url"].startswith("data:"):
                continue
            load.transfers.append(
                Transfer(
                    url=sent["request"]["url"],
                    resource_type=sent.get("type", "Other"),
                    transferred=transferred,
                    render_blocking=sent.get("renderBlockingBehavior") == "Blocking",
                )
            )
        self._requests.clear()
        self._done.clear()
        return load


def _settle(page: Any) -> None:
    # Wait for what the page fetches after load (theme scripts, fonts, images near the
    # viewport), as a reader's phone would.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def _read_to_the_end(page: Any) -> None:
    # Scroll a screen at a time, as a reader does, so every lazy chart is fetched.
    height = page.evaluate("document.documentElement.scrollHeight")
    for top in range(0, height, PHONE_VIEWPORT["height"]):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(50)
    _settle(page)


def first_visit(browser: Any, base_url: str, page_path: str, read_to_end: bool = False) -> PageLoad:
    """A reader's first visit to ``page_path``, with an empty cache, on a phone; with
    ``read_to_end``, scrolled to the bottom so that every lazy image loads too."""
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        recorder = _Recorder(context, page)
        page.goto(base_url + page_path, wait_until="load")
        _settle(page)
        if read_to_end:
            _read_to_the_end(page)
        return recorder.take(page_path)
    finally:
        context.close()


def tour(browser: Any, base_url: str, pages: list[str]) -> list[PageLoad]:
    """A reader who opens ``pages`` one after another in one browser, on a phone: the first
    load is a first visit, each later one a visit with what the earlier pages fetched in the
    browser's cache."""
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        recorder = _Recorder(context, page)
        loads = []
        for page_path in pages:
            page.goto(base_url + page_path, wait_until="load")
            _settle(page)
            loads.append(recorder.take(page_path))
        return loads
    finally:
        context.close()


def repeat_visit(browser: Any, base_url: str, before: str, page_path: str) -> PageLoad:
    """A visit to ``page_path`` right after a visit to ``before`` (the shared files cached)."""
    return tour(browser, base_url, [before, page_path])[1]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make browser` installs Debian's Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
