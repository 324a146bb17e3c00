"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright cannot download a browser here, so the tests launch /usr/bin/chromium (installed by
scripts/system-deps.sh). Outside CI a machine without it skips these tests, saying why; with CI=true
they fail instead, so that CI never passes without having run them.

Every page is watched: a JavaScript error, a Content-Security-Policy violation, a static file that fails to
load, or any request to a host other than the live server's loopback address fails the test. Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route

CHROMIUM = Path("/usr/bin/chromium")
# The flags the machine's notes give for Chromium here: no sandbox as root, no GPU, and none of the
# background connections to Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Schemes that never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
# Runs in every page before its own scripts: hands each Content-Security-Policy violation to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__gridworkCspViolation({
    directive: event.effectiveDirective || event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, document: event.documentURI,
  });
});
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run; scripts/system-deps.sh installs Chromium)")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # Keep each phase's report on the test, so that the page fixture can tell a failed test at teardown.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all the browser tests."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements/dev.txt)")

    # Playwright's sync API marks its event loop as running in this thread between calls, and Django then
    # refuses ORM calls from "an async context" (SynchronousOnlyOperation). Django's documented escape
    # hatch is DJANGO_ALLOW_ASYNC_UNSAFE; it is set only while Playwright runs, i.e. for these tests, and
    # the previous value is restored after, so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What went wrong on the pages of one test; ``check()`` fails the test if anything did."""

    js_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)

    def check(self) -> None:
        problems = [
            *(f"JavaScript error: {e}" for e in self.js_errors),
            *(f"Content-Security-Policy violation: {v}" for v in self.csp_violations),
            *(f"asset failed to load: {a}" for a in self.failed_assets),
            *(f"request to a non-loopback host (aborted): {u}" for u in self.offsite_requests),
        ]
        assert not problems, "\n".join(problems)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/browser/NAME.png (git-ignored, kept by CI as an artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def watch_page(page: Page, watch: PageWatch) -> None:
    """Report what goes wrong on ``page`` into ``watch``: JavaScript errors, error statuses of its requests, its own
    files failing to load (``check()`` then fails the test)."""

    def on_console(message: ConsoleMessage) -> None:
        # A page answered with an error status (the 404 and 429 the tests ask for) is logged as
        # "Failed to load resource"; failed assets are caught by on_response, with their URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            where = f"{message.text} ({message.location.get('url', '')})"
            if "Content Security Policy" in message.text:
                watch.csp_violations.append(where)
            else:
                watch.js_errors.append(where)

    def on_violation(_source: Any, violation: dict[str, Any]) -> None:
        watch.csp_violations.append("{directive} blocked {blocked} ({source}:{line}) on {document}".format(**violation))

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            watch.failed_assets.append(f"{response.status} {response.url}")

    def on_request_failed(req: Request) -> None:
        # Off-site requests are aborted on purpose and reported as such; a loopback asset that fails is a bug.
        # A page's own data request (fetch) that the browser cancels because the user moved on to the next page
        # is not: a server that failed it would have answered with an error status, caught by on_response.
        # Chromium does not always report such a request as "fetch", nor with its headers (seen under load, for
        # the similar-reports fetch cancelled by the form's submission): only the page's own files — styles,
        # scripts, images, fonts — must never be cancelled; anything else cancelled (ERR_ABORTED) is a request the
        # page no longer needed.
        own_file = req.resource_type in {"stylesheet", "script", "image", "font"}
        cancelled_by_navigation = not own_file and req.failure == "net::ERR_ABORTED"
        if req.url not in watch.offsite_requests and req.resource_type != "document" and not cancelled_by_navigation:
            watch.failed_assets.append(f"{req.failure} {req.resource_type} {req.url}")

    # Chromium logs each violation to the console; the page's securitypolicyviolation events say the same with the
    # directive and the place, and catch what a console message might not (an init script is not subject to the CSP).
    page.expose_binding("__gridworkCspViolation", on_violation)
    page.add_init_script(CSP_LISTENER)
    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.js_errors.append(f"{error.name}: {error.message}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


@pytest.fixture
def page(browser: Browser, live_server: Any, watch: PageWatch, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) in Chinese, watched for errors and off-site requests."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)

    def guard(route: Route, req: Request) -> None:
        url = urlsplit(req.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            watch.offsite_requests.append(req.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()

    watch_page(page, watch)
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            # What the browser showed when the test failed, for whoever reads CI's log.
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            screenshot(page, f"FAILED-{name}")
        else:
            watch.check()
    finally:
        context.close()
