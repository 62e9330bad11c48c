"""Daily use of the message list and the phone layout, as a team would notice it.

Dense rows at laptop size, stacked cards and one Menu button on a phone, no
page that scrolls sideways, a loading indicator while a swap is on its way,
quick filters in the URL, and the mirror's copy when Sociostacks is down.
Each runs light and dark, on a laptop and a phone (tests/e2e/modes.py), except
a measure of one size: that one runs at its size, light and dark.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import pager_link, pager_summary, row_ids, rows, sign_in
from tests.e2e.modes import (
    LAPTOP,
    ON_A_LAPTOP,
    ON_A_PHONE,
    PHONE,
    Mode,
    assert_no_sideways_scroll,
    scroll_width,
)
from tests.e2e.pages import MAIN_PAGES, open_main_page
from tests.e2e.world import SEEDED_MESSAGES, Site

pytestmark = pytest.mark.e2e

# Pages beyond the main ones that a phone user reaches from the menus.
MORE_PAGES = (
    "/inbox/",
    "/texts/",
    "/accounts/2fa/",
    "/accounts/password/",
    "/messages/?status=failed",
)


@pytest.mark.parametrize("mode", ON_A_LAPTOP, ids=str)
def test_a_page_of_25_messages_fits_in_one_and_a_half_screens(page: Page, mode: Mode):
    sign_in(page, "sam")

    page.goto("/messages/?size=25")

    expect(rows(page)).to_have_count(25)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 1.5 * LAPTOP["height"], f"the page is {height}px tall"
    line = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    tallest = max(rows(page).evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)"))
    assert tallest <= 2 * line + 16, "a row takes more than two lines"
    assert_no_sideways_scroll(page)


def test_a_cut_message_shows_its_whole_text_on_hover_and_on_its_page(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")
    preview = rows(page).first.locator(".preview")
    whole = preview.get_attribute("title")

    rows(page).first.get_by_role("link", name=str(row_ids(page)[0])).click()

    expect(page.locator(".content-full")).to_have_text(whole)
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_no_page_scrolls_sideways_on_a_phone(page: Page, mode: Mode):
    too_wide = []
    for main_page in MAIN_PAGES:
        open_main_page(page, main_page)
        if (width := scroll_width(page)) > PHONE["width"]:
            too_wide.append(f"{main_page.name}: {width}px")
    sign_in(page, "alice")
    for path in MORE_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if (width := scroll_width(page)) > PHONE["width"]:
            too_wide.append(f"{path}: {width}px")

    assert not too_wide, "wider than a 390px phone: " + ", ".join(too_wide)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_on_a_phone_the_list_is_stacked_cards(page: Page, mode: Mode):
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
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_on_a_phone_the_bar_has_one_menu_button_and_the_whole_account(page: Page, mode: Mode):
    sign_in(page, "sam")
    page.goto("/messages/")

    expect(page.locator(".nav-wide")).to_be_hidden()
    menu = page.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    line = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    assert menu.bounding_box()["height"] < 1.5 * line + 16, "the Menu button wraps"
    account = page.locator("#working-account")
    expect(account).to_be_visible()
    expect(account).to_have_text(re.compile(r"^(Account|Key): \S"))
    assert account.evaluate("a => a.scrollWidth <= a.clientWidth"), "the account is cut short"
    box = account.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_the_phone_menu_opens_without_javascript(open_page, mode: Mode):
    page = open_page(**mode.context_options, java_script_enabled=False)
    sign_in(page, "vera")
    page.goto("/messages/")
    expect(page.locator(".nav-wide")).to_be_hidden()

    page.locator("details.nav-menu > summary").click()
    page.locator("details.nav-menu").get_by_role("link", name="Search").click()

    expect(page.get_by_role("heading", name="Search messages")).to_be_visible()
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_the_dashboard_chart_labels_stay_readable_on_a_phone(page: Page, mode: Mode):
    sign_in(page, "alice")
    page.goto("/")

    sizes = page.locator(".day-chart text.axis").evaluate_all(
        """labels => labels.map(label =>
            parseFloat(getComputedStyle(label).fontSize) * label.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 12, f"smallest label {min(sizes):.1f}px"
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("mode", ON_A_PHONE, ids=str)
def test_compose_fits_a_phone(page: Page, mode: Mode):
    sign_in(page, "sam")
    page.goto("/compose/")

    expect(page.get_by_label("Message")).to_be_visible()
    rights = page.locator("main :is(input, select, textarea, button):visible").evaluate_all(
        "fields => fields.map(field => field.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= PHONE["width"], "a field reaches past the screen"
    assert_no_sideways_scroll(page)


def test_a_swap_shows_the_loading_indicator_until_it_arrives(page: Page, site: Site, mode: Mode):
    sign_in(page, "vera")
    page.goto("/messages/")
    expect(page.locator("#loading")).to_be_hidden()
    site.forget_cached_answers()
    site.sandbox.control(latency_ms=1500)
    try:
        page.get_by_label("Per page").select_option("10")

        expect(page.locator("#loading")).to_be_visible()
        expect(page.locator("#loading")).to_contain_text("Loading")
        assert_no_sideways_scroll(page, "the list while it loads")
        expect(rows(page)).to_have_count(10)
        expect(page.locator("#loading")).to_be_hidden()
    finally:
        site.sandbox.control(latency_ms=0)


def test_quick_filters_answer_from_the_mirror_and_stay_in_the_url(page: Page, mode: Mode):
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
    assert_no_sideways_scroll(page)


def test_an_outage_with_nothing_cached_shows_the_mirrors_copy_and_the_pager(
    page: Page, site: Site, mode: Mode
):
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
        assert_no_sideways_scroll(page, "the mirror's copy")
        first = row_ids(page)

        pager_link(page, "Next").click()

        expect(pager_summary(page)).to_contain_text("Page 2 of 5")
        assert max(row_ids(page)) < min(first)
    finally:
        site.sandbox.control(fail_next={"count": 0})


def test_each_row_tells_direction_status_and_zone_and_the_phones_error_in_words(
    page: Page, mode: Mode
):
    sign_in(page, "sam")  # in America/New_York, far from the account's zone
    page.goto("/messages/?status=failed")

    row = rows(page).filter(has=page.locator(".phone-error")).first
    expect(row.locator(".direction")).to_have_text("↑ out")
    expect(row.locator(".badge")).to_have_text("failed")
    when = row.locator("time").first
    expect(when).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T$"))
    expect(when).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    error = row.locator(".phone-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile(r"^The (phone|SIM)"))
    expect(error).to_have_attribute("title", re.compile(r"^The .+ \(.+\)$"))
    assert_no_sideways_scroll(page)

    row.locator("td.id a").click()

    # The message's own page has room for the raw code, in small print.
    explained = page.locator("dt:text-is('Error from the phone') + dd .phone-error")
    expect(explained).to_contain_text(re.compile(r"^The (phone|SIM)"))
    raw = explained.locator("small.code")
    expect(raw).to_be_visible()
    assert raw.evaluate("code => parseFloat(getComputedStyle(code).fontSize)") < page.evaluate(
        "() => parseFloat(getComputedStyle(document.body).fontSize)"
    )
    assert_no_sideways_scroll(page)


def test_the_list_gives_one_budget_figure(page: Page, mode: Mode):
    sign_in(page, "vera")
    page.goto("/messages/")

    budget = page.locator("main").get_by_text(re.compile(r"upstream call|rate limit"))
    expect(budget).to_have_count(1)
    # The e2e sandbox sets no limit, and the page says so rather than inventing one.
    expect(budget).to_contain_text("Sociostacks does not rate limit this key")
    expect(budget).to_be_visible()
    assert_no_sideways_scroll(page)
