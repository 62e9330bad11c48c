"""Filling the compose form as a person does; shared by the compose, schedule and send flows."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link, sign_in

DEVICE = "Ops Pixel 8"
# Valid mobile numbers of three countries, as people paste them.
NUMBERS = ("+49 151 12345678", "+44 7766 123456", "+1 415 555 0123")
E164 = ("+4915112345678", "+447766123456", "+14155550123")
TYPO = "+49 151 234"


def open_compose(page: Page, username: str = "sam") -> None:
    sign_in(page, username)
    nav_link(page, "Compose").click()
    expect(page.get_by_role("heading", name="Compose")).to_be_visible()


def choose_phone(page: Page, *, javascript: bool = True) -> None:
    """The first phone and its first SIM.

    With JavaScript the SIM list narrows to the chosen phone's SIMs; without,
    it lists every phone's SIMs in groups, the first phone's first.
    """
    page.get_by_label("Device").select_option(label=DEVICE)
    sim = page.get_by_label("SIM")
    if javascript:
        # Pick only once htmx has swapped in this phone's list.
        expect(sim.locator("optgroup")).to_have_count(0)
        sim.select_option(index=1)
    else:
        first_sim = sim.locator(f"optgroup[label='{DEVICE}'] option").first
        sim.select_option(value=first_sim.get_attribute("value"))


def fill_message(page: Page, content: str, numbers: str, *, javascript: bool = True) -> None:
    page.get_by_label("Message").fill(content)
    page.get_by_label("Recipients").fill(numbers)
    choose_phone(page, javascript=javascript)


def review(page: Page) -> None:
    page.get_by_role("button", name="Review before sending").click()


def created_ids(page: Page) -> list[int]:
    """The message ids the result page lists as created."""
    texts = page.locator("ul.ids a").all_inner_texts()
    return [int(text.removeprefix("#")) for text in texts]
