"""Each main page at desktop and phone width.

In the normal suite this checks that each page renders at both widths without
a console error, a CSP violation or a page wider than the screen. With
`--screenshots DIR` (`make screenshots`) it also writes PNGs for the README,
light and dark, named `<page>-<scheme>-<desktop|phone>.png`: what fits on the
screen, as a person first sees the page.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.browsing import DESKTOP, PHONE
from tests.e2e.pages import MAIN_PAGES, MainPage, open_main_page

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def screenshot_dir(request: pytest.FixtureRequest) -> Path | None:
    target = request.config.getoption("--screenshots", default=None)
    if target is None:
        return None
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=lambda main_page: main_page.name)
def test_the_page_renders_cleanly_at_every_width(
    page: Page, main_page: MainPage, screenshot_dir: Path | None
):
    open_main_page(page, main_page)
    schemes = ("light", "dark") if screenshot_dir else ("light",)
    too_wide = []

    for width_name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        if overflow > 0:
            too_wide.append(f"{width_name}: {overflow}px wider than the screen")
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            if screenshot_dir:
                page.screenshot(
                    path=screenshot_dir / f"{main_page.name}-{scheme}-{width_name}.png",
                    animations="disabled",
                    caret="hide",
                )

    assert not page.console_watch.script_errors, "\n".join(page.console_watch.script_errors)
    assert not too_wide, "\n".join(too_wide)
