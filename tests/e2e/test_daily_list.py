"""Daily use of the message list and the phone layout, as a team would notice it.

Dense rows at laptop size, stacked cards and one Menu button on a phone, no
page that scrolls sideways (light and dark), a loading indicator while a swap
is on its way, quick filters in the URL, and the mirror's copy when
Sociostacks is down.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import PHONE, pager_link, pager_summary, row_ids, rows, sign_in
from tests.e2e.pages import MAIN_PAGES, open_main_page
from tests.e2e.world import SEEDED_MESSAGES, Site

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
SCHEMES = ("light", "dark")
# Pages beyond the main ones that a phone user reaches from the menus.
MORE_PAGES = (
    "/inbox/",
    "/texts/",
    "/accounts/2fa/",
    "/accounts/password/",
    "/messages/?status=failed",
)


def _scroll_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_page_of_25_messages_fits_in_one_and_a_half_screens(open_page, scheme):
    page = open_page(viewport=LAPTOP, color_scheme=scheme)
    sign_in(page, "sam")

    page.goto("/messages/?size=25")

    expect(rows(page)).to_have_count(25)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 1.5 * LAPTOP["height"], f"the page is {height}px tall"
    line = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    tallest = max(rows(page).evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)"))
    assert tallest <= 2 * line + 16, "a row takes more than two lines"


def test_a_cut_message_shows_its_whole_text_on_hover_and_on_its_page(open_page):
    page = open_page(viewport=LAPTOP)
    sign_in(page, "vera")
    page.goto("/messages/")
    preview = rows(page).first.locator(".preview")
    whole = preview.get_attribute("title")

    rows(page).first.get_by_role("link", name=str(row_ids(page)[0])).click()

    expect(page.locator(".content-full")).to_have_text(whole)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_page_scrolls_sideways_on_a_phone(open_page, site: Site, scheme):
    page = open_page(viewport=PHONE, color_scheme=scheme)
    too_wide = []
    for main_page in MAIN_PAGES:
        open_main_page(page, main_page)
        if (width := _scroll_width(page)) > PHONE["width"]:
            too_wide.append(f"{main_page.name}: {width}px")
    sign_in(page, "alice")
    for path in MORE_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if (width := _scroll_width(page)) > PHONE["width"]:
            too_wide.append(f"{path}: {width}px")

    assert not too_wide, "wider than a 390px phone: " + ", ".join(too_wide)


def test_on_a_phone_the_list_is_stacked_cards(open_page):
    page = open_page(viewport=PHONE)
    sign_in(page, "sam")
    page.goto("/messages/")

    card = rows(page).first
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert card.evaluate("row => getComputedStyle(row).display") == "grid"
    for part in (".party", ".badge", "time", ".preview"):
        expect(card.locator(part).first).to_be_visible()
    # Number above the text, as on a card: not side by side as in a table.
    party, preview = card.locator(".party").bounding_box(), card.locator(".preview").bounding_box()
    assert party["y"] < preview["y"]


def test_the_phone_menu_opens_without_javascript(open_page):
    page = open_page(viewport=PHONE, java_script_enabled=False)
    sign_in(page, "vera")
    page.goto("/messages/")
    expect(page.locator(".nav-wide")).to_be_hidden()

    page.locator("details.nav-menu > summary").click()
    page.locator("details.nav-menu").get_by_role("link", name="Search").click()

    expect(page.get_by_role("heading", name="Search messages")).to_be_visible()


def test_the_dashboard_chart_labels_stay_readable_on_a_phone(open_page):
    page = open_page(viewport=PHONE)
    sign_in(page, "alice")
    page.goto("/")

    sizes = page.locator(".day-chart text.axis").evaluate_all(
        """labels => labels.map(label =>
            parseFloat(getComputedStyle(label).fontSize) * label.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 12, f"smallest label {min(sizes):.1f}px"
    assert _scroll_width(page) <= PHONE["width"]


def test_compose_fits_a_phone(open_page):
    page = open_page(viewport=PHONE)
    sign_in(page, "sam")
    page.goto("/compose/")

    expect(page.get_by_label("Message")).to_be_visible()
    rights = page.locator("main :is(input, select, textarea, button):visible").evaluate_all(
        "fields => fields.map(field => field.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= PHONE["width"], "a field reaches past the screen"
    assert _scroll_width(page) <= PHONE["width"]


def test_a_swap_shows_the_loading_indicator_until_it_arrives(page: Page, site: Site):
    sign_in(page, "vera")
    page.goto("/messages/")
    expect(page.locator("#loading")).to_be_hidden()
    site.forget_cached_answers()
    site.sandbox.control(latency_ms=1500)
    try:
        page.get_by_label("Per page").select_option("10")

        expect(page.locator("#loading")).to_be_visible()
        expect(page.locator("#loading")).to_contain_text("Loading")
        expect(rows(page)).to_have_count(10)
        expect(page.locator("#loading")).to_be_hidden()
    finally:
        site.sandbox.control(latency_ms=0)


def test_quick_filters_answer_from_the_mirror_and_stay_in_the_url(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")

    page.get_by_label("Status").select_option("failed")

    expect(page).to_have_url(re.compile(r"status=failed"))
    expect(page.get_by_role("status").filter(has_text="local mirror")).to_be_visible()
    badges = page.locator("tbody tr .badge")
    expect(badges.first).to_be_visible()
    assert set(badges.all_inner_texts()) == {"failed"}
    page.get_by_label("In/out").select_option("in")
    expect(page).to_have_url(re.compile(r"status=failed.*direction=in|direction=in.*status=failed"))

    page.reload()
    expect(page.get_by_label("Status")).to_have_value("failed")
    expect(page.get_by_label("In/out")).to_have_value("in")


def test_an_outage_with_nothing_cached_shows_the_mirrors_copy_and_the_pager(page: Page, site: Site):
    sign_in(page, "vera")
    site.forget_cached_answers()
    site.sandbox.control(fail_next={"count": 50, "mode": "503"})
    try:
        page.goto("/messages/")

        expect(page.get_by_role("alert")).to_contain_text("Sociostacks")
        expect(page.get_by_role("status").filter(has_text="local mirror's copy")).to_contain_text(
            "as of"
        )
        expect(rows(page)).to_have_count(25)
        expect(pager_summary(page)).to_have_text(f"Page 1 of 5, {SEEDED_MESSAGES} messages")
        first = row_ids(page)

        pager_link(page, "Next").click()

        expect(pager_summary(page)).to_contain_text("Page 2 of 5")
        assert max(row_ids(page)) < min(first)
    finally:
        site.sandbox.control(fail_next={"count": 0})
