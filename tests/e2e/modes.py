"""The four ways a person sees the site: light or dark, on a laptop or on a phone.

A test that takes the ``mode`` fixture (tests/e2e/conftest.py) runs once in
each; its ``page`` opens at that mode's size and colour scheme. On a phone the
main navigation sits behind the Menu button: ``nav_link`` (tests/e2e/browsing.py)
opens it first, as a person would.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCHEMES = ("light", "dark")


@dataclass(frozen=True)
class Mode:
    scheme: str
    size: str  # "desktop" or "phone"

    @property
    def viewport(self) -> dict[str, int]:
        return PHONE if self.is_phone else LAPTOP

    @property
    def is_phone(self) -> bool:
        return self.size == "phone"

    @property
    def context_options(self) -> dict:
        """For ``open_page``: this mode's screen and colour scheme."""
        return {"viewport": self.viewport, "color_scheme": self.scheme}

    def __str__(self) -> str:
        return f"{self.scheme}-{self.size}"


MODES = tuple(Mode(scheme, size) for size in ("desktop", "phone") for scheme in SCHEMES)
# For a measure that only makes sense at one size: that size, light and dark.
ON_A_LAPTOP = tuple(mode for mode in MODES if not mode.is_phone)
ON_A_PHONE = tuple(mode for mode in MODES if mode.is_phone)


def scroll_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def assert_no_sideways_scroll(page: Page, where: str = "") -> None:
    """The page is no wider than the screen: nothing to scroll to sideways."""
    width, screen = scroll_width(page), page.evaluate("() => window.innerWidth")
    assert width <= screen, f"{where or page.url} is {width}px wide on a {screen}px screen"
