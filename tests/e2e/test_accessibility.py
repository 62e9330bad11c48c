import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import (
    axe_violations,
    describe_violations,
    focus_ring,
    rows,
    serve_axe,
    sign_in,
)
from tests.e2e.compose_steps import DEVICE
from tests.e2e.pages import MAIN_PAGES, MainPage, open_main_page
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

STATUS_WORDS = {"sent", "failed", "pending", "received", "scheduled"}


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=lambda main_page: main_page.name)
def test_the_page_has_no_serious_accessibility_violations(page: Page, main_page: MainPage):
    serve_axe(page)
    open_main_page(page, main_page)

    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        if violations := axe_violations(page):
            found[scheme] = describe_violations(violations)

    assert not found, "\n".join(f"In {scheme} mode:\n{text}" for scheme, text in found.items())


def test_every_form_control_has_a_visible_label(page: Page):
    sign_in(page, "alice")
    unlabelled: list[str] = []
    for path in (
        "/messages/",
        "/compose/",
        "/audit/",
        "/keys/",
        "/accounts/preferences/",
        "/people/",
        "/people/invite/",
        "/people/shared/new/",
        "/people/teams/",
    ):
        page.goto(path)
        unlabelled += page.evaluate(
            """path => [...document.querySelectorAll("input, select, textarea, button")]
                .filter(el => el.type !== "hidden" && el.offsetParent !== null)
                .filter(el => {
                    const text = [...(el.labels || [])].map(l => l.textContent.trim()).join("")
                        || (el.tagName === "BUTTON" ? el.textContent.trim() : "")
                        || el.getAttribute("aria-label") || "";
                    return !text;
                })
                .map(el => `${path}: <${el.tagName.toLowerCase()} name=${el.name}>`)""",
            path,
        )
    assert not unlabelled, "controls without a label:\n" + "\n".join(unlabelled)


def test_focus_is_always_visible_when_tabbing(page: Page):
    sign_in(page, "alice")
    invisible: list[str] = []
    for path in ("/messages/", "/compose/"):
        page.goto(path)
        for _ in range(30):
            page.keyboard.press("Tab")
            ring = focus_ring(page)
            if ring["tag"] == "body":
                break
            if ring["moved"] and (ring["outlineStyle"] == "none" or ring["outlineWidth"] < 2):
                invisible.append(f"{path}: <{ring['tag']}> {ring['text'][:40]!r}")
    assert not invisible, "focused without a visible outline:\n" + "\n".join(invisible)


def test_status_is_never_told_by_colour_alone(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/?size=100")
    expect(rows(page)).to_have_count(100)

    badges = page.locator("tbody .badge").all_inner_texts()

    assert len(badges) == 100
    words = {re.sub(r"[^a-z]", "", text) for text in badges}
    assert words <= STATUS_WORDS
    assert {"sent", "failed", "received"} <= words


def _tab_to(page: Page, locator) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(60):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_compose_and_send_with_the_keyboard_alone(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/compose/")

    _tab_to(page, page.get_by_label("Message"))
    page.keyboard.type("Typed without a mouse.")
    _tab_to(page, page.get_by_label("Recipients"))
    page.keyboard.type("+49 151 12345678")
    device = page.get_by_label("Device")
    _tab_to(page, device)
    # Type-ahead picks the phone in one change (arrowing through would ask for each phone's SIMs).
    page.keyboard.type(DEVICE[:3])
    expect(device.locator("option:checked")).to_have_text(DEVICE)
    sim = page.get_by_label("SIM")
    expect(sim.locator("optgroup")).to_have_count(0)
    _tab_to(page, sim)
    page.keyboard.press("ArrowDown")
    expect(sim).not_to_have_value("")
    _tab_to(page, page.get_by_role("button", name="Review before sending"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()
    _tab_to(page, page.get_by_role("button", name="Send 1 message"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    assert site.upstream_calls("POST /sms") == 1
    assert site.sent_posts()[0]["content"] == "Typed without a mouse."
