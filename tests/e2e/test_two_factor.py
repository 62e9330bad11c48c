"""Setting up two-factor sign-in: a code refused during the pause says to wait, not "wrong"."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import sign_in
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

WRONG = "000000"
# The pause after a wrong code doubles (1 s, 2 s, 4 s, ...): within a few
# tries it outlasts the time a submit takes, however slow the machine.
TRIES = 6


def _send_code(page: Page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-factor sign-in").click()


def test_a_code_typed_in_the_pause_after_a_wrong_one_is_told_to_wait(
    page: Page, site: Site, mode: Mode
):
    site.forget_two_factor_setup("vera")
    sign_in(page, "vera")
    page.goto("/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("two-factor sign-in")

    _send_code(page, WRONG)

    refusal = page.locator("form").get_by_text(re.compile("That code did not match|^Wait "))
    expect(refusal).to_contain_text("That code did not match")
    expect(refusal).to_contain_text(re.compile(r"wait \d+ seconds? and enter the code"))
    waiting = page.get_by_text(re.compile(r"^Wait \d+ seconds?, then enter the code your app"))
    for _ in range(TRIES):
        _send_code(page, WRONG)
        expect(refusal).to_be_visible()
        if waiting.count():
            break
    expect(waiting).to_contain_text("the right one too")
    expect(waiting).to_be_visible()
    assert_no_sideways_scroll(page)
    site.forget_two_factor_setup("vera")
