"""Fixtures for the browser tests: one world per pytest process, a fresh browser context per test.

The world (tests/e2e/world.py) is the real site under gunicorn on a temporary
SQLite database, with the sandbox as its Sociostacks. Under xdist each worker
builds its own on its own free ports, so workers never share state. Before
each test the sandbox is reseeded and the site's shared cache emptied, so
every test starts from the same messages.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e.browsing import DESKTOP, ConsoleWatch
from tests.e2e.modes import MODES, Mode
from tests.e2e.world import (
    PROJECT_ROOT,
    Site,
    prepare_database,
    site_environment,
    start_gunicorn,
    start_sandbox,
    stop_process,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Long enough for a page that waits on the sandbox, short enough that a broken
# flow fails in seconds rather than minutes.
ACTION_TIMEOUT_MS = 10_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        metavar="DIR",
        default=None,
        help="write PNGs of each main page (light and dark, desktop and phone) to DIR",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    site = getattr(item, "funcargs", {}).get("site")
    if report.failed and isinstance(site, Site):
        # What the server said is often the quickest way to see why a flow broke.
        report.sections.append(("site log (last lines)", site.server_log_tail()))
    return report


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("e2e")
    sandbox = start_sandbox()
    server = None
    try:
        environment = site_environment(workdir, sandbox.url)
        prepare_database(environment)
        log_path = workdir / "gunicorn.log"
        server, url = start_gunicorn(environment, log_path)
        yield Site(url, workdir / "e2e.sqlite3", sandbox, log_path, environment)
    finally:
        if server is not None:
            stop_process(server)
        sandbox.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(scripts/ensure-chromium installs it; `make test` runs that).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_world(site: Site) -> None:
    site.reset()


@pytest.fixture
def open_page(browser: Browser, site: Site) -> Iterator[Callable[..., Page]]:
    """Opens a page in a new browser context (options as for `browser.new_context`).

    Every page is watched: a CSP violation anywhere fails the test, because it
    means something inline slipped into a template.
    """
    opened: list[tuple[BrowserContext, ConsoleWatch]] = []

    def open_(**context_options) -> Page:
        options = {"base_url": site.url, "viewport": DESKTOP, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        watch = ConsoleWatch(page)
        page.console_watch = watch  # type: ignore[attr-defined]
        opened.append((context, watch))
        return page

    yield open_
    violations = [text for _, watch in opened for text in watch.csp_violations]
    for context, _ in opened:
        context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.fixture(params=MODES, ids=str)
def mode(request: pytest.FixtureRequest) -> Mode:
    """Light and dark, laptop and phone: a test that takes this runs in each.

    A test may narrow it with ``@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)``.
    """
    return request.param


@pytest.fixture
def page(request: pytest.FixtureRequest, open_page: Callable[..., Page]) -> Page:
    """A page at desktop size in light mode, or in the test's ``mode`` if it takes one."""
    if "mode" in request.fixturenames:
        return open_page(**request.getfixturevalue("mode").context_options)
    return open_page()


@pytest.fixture
def worker(site: Site) -> Iterator[subprocess.Popen]:
    """One jobs worker beside the site, as `make run` and Compose start it."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--no-sync", "-v", "0"],
        cwd=PROJECT_ROOT,
        env=site.environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    stop_process(process)
    # The sandbox gets its messages back with the next reset; so must the mirror.
    with site._connect() as connection:
        connection.execute("UPDATE mirror_mirroredmessage SET deleted_at = NULL")
