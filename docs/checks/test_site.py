"""The built documentation site, checked in a real browser (Debian's headless Chromium).

Run by ``nox -s docs`` after the build, with ``YUNXIAO_DOCS_SITE`` naming the built site. The
site is served on 127.0.0.1 and every request for another origin is refused and recorded, so
what passes here works offline: no CDN, no font or script from elsewhere.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from functools import cache, partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

if not os.environ.get("YUNXIAO_DOCS_SITE"):
    raise RuntimeError(
        "YUNXIAO_DOCS_SITE must name the built site: run these checks with `nox -s docs`"
    )
SITE = Path(os.environ["YUNXIAO_DOCS_SITE"])
SCREENSHOTS = SITE.parent / "screenshots"
PAGES = sorted(
    path.relative_to(SITE).as_posix()
    for path in SITE.rglob("*.html")
    if not path.relative_to(SITE).parts[0].startswith("_")
)
CONTRACT_PAGE = "contract/openapi.html"
# The operations openapi.yaml describes: the rendered contract must show each of them.
OPERATIONS = ("GetPipelineEmasArtifactUrl", "GetEmasArtifactDownloadUrl")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The site over HTTP on loopback (a page served from file:// would hide broken paths
    that a web server shows, and block the search's script)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not on PATH (nox -s docs installs it as root)"
    with sync_playwright() as playwright:
        # --no-sandbox: Chromium's sandbox refuses to run as root, which CI is.
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


class Visit:
    """One page in a fresh browser context, with what went wrong while it loaded."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.problems: list[str] = []
        self.context.route("**/*", self._only_the_site)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status} for {response.url}")
            ),
        )

    def _only_the_site(self, route: Route) -> None:
        url = route.request.url
        if url.startswith((self.base_url, "data:", "blob:")):
            route.continue_()
        else:
            self.problems.append(f"a request left the site: {url}")
            route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _failed(self, request: Request) -> None:
        if request.url.startswith(self.base_url):
            self.problems.append(f"failed to load {request.url}: {request.failure}")

    def open(self, path: str) -> Page:
        self.page.goto(self.base_url + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser, base_url: str) -> Iterator[Visit]:
    opened = Visit(browser, base_url)
    yield opened
    opened.close()


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"id", "name"} and value:
                self.ids.add(value)


@cache
def _ids_of(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def test_the_site_has_every_section() -> None:
    for page in (
        "index.html",
        "getting-started.html",
        "reference/api.html",
        "reference/cli.html",
        "guides/emulator.html",
        "guides/contract-checks.html",
        "guides/troubleshooting.html",
        "guides/performance.html",
        "guides/reliability.html",
        "contract/index.html",
        CONTRACT_PAGE,
    ):
        assert page in PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_no_console_error_and_no_missing_asset(visit: Visit, path: str) -> None:
    page = visit.open(path)
    if path == CONTRACT_PAGE:
        page.wait_for_selector(".swagger-ui .opblock")
    broken_images = page.eval_on_selector_all(
        "img", "images => images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    visit.problems += [f"image did not load: {src}" for src in broken_images]
    assert not visit.problems, f"{path}:\n" + "\n".join(visit.problems)


@pytest.mark.parametrize("path", PAGES)
def test_every_internal_link_and_anchor_of_the_page_resolves(visit: Visit, path: str) -> None:
    page = visit.open(path)
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    broken = []
    for href in hrefs:
        if not href.startswith(visit.base_url):
            continue  # another site: not followed (the checks run offline)
        address, fragment = urldefrag(href)
        target = SITE / unquote(urlsplit(address).path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href}: no such file")
        elif fragment and target.suffix == ".html" and unquote(fragment) not in _ids_of(target):
            broken.append(f"{href}: no anchor #{fragment} in {target.relative_to(SITE)}")
    assert not broken, f"{path}:\n" + "\n".join(sorted(set(broken)))


def test_the_rendered_contract_shows_every_operation(visit: Visit) -> None:
    page = visit.open(CONTRACT_PAGE)
    page.wait_for_selector(".swagger-ui .opblock")
    rendered = page.inner_text("#swagger-ui")
    for operation in OPERATIONS:
        assert operation in rendered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "contract.png", full_page=False)
    assert (SCREENSHOTS / "contract.png").stat().st_size > 0
    assert not visit.problems, "\n".join(visit.problems)


def test_home_page_screenshot(visit: Visit) -> None:
    page = visit.open("index.html")
    assert "yunxiao-emas" in page.title()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=False)
    assert (SCREENSHOTS / "home.png").stat().st_size > 0


def test_search_finds_pages_offline(visit: Visit) -> None:
    page = visit.open("search.html?q=emulator")
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    found = page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.href)"
    )
    assert any("guides/emulator.html" in href for href in found), found
    assert not visit.problems, "\n".join(visit.problems)
