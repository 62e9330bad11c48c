import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link, pager_link, pager_summary, row_ids, rows, sign_in
from tests.e2e.world import SEEDED_MESSAGES, Site

pytestmark = pytest.mark.e2e


def test_it_lists_the_newest_messages_first_with_names_for_numbers(page: Page, site: Site):
    sign_in(page, "vera")
    nav_link(page, "Messages").click()

    expect(pager_summary(page)).to_have_text(f"Page 1 of 5, {SEEDED_MESSAGES} messages")
    expect(rows(page)).to_have_count(25)
    ids = row_ids(page)
    assert ids == sorted(ids, reverse=True)
    # Each row names its contact or shows the number, never just a contact id.
    expect(page.locator("tbody").get_by_text(re.compile(r"^\+\d{8,}$")).first).to_be_visible()
    assert site.audit_events(action="list", actor_username="vera")[0]["details"]["page"] == 1


def test_it_pages_through_the_messages(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")
    first_page = row_ids(page)

    pager_link(page, "Next").click()

    expect(pager_summary(page)).to_have_text(f"Page 2 of 5, {SEEDED_MESSAGES} messages")
    expect(page).to_have_url(re.compile(r"page=2"))
    second_page = row_ids(page)
    assert len(second_page) == 25
    assert max(second_page) < min(first_page)

    pager_link(page, "Last").click()
    expect(pager_summary(page)).to_have_text(f"Page 5 of 5, {SEEDED_MESSAGES} messages")
    expect(rows(page)).to_have_count(SEEDED_MESSAGES - 4 * 25)
    expect(pager_link(page, "Next")).to_have_attribute("aria-disabled", "true")

    pager_link(page, "Previous").click()
    expect(pager_summary(page)).to_contain_text("Page 4 of 5")


def test_it_changes_the_page_size(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")

    page.get_by_label("Per page").select_option("10")

    expect(pager_summary(page)).to_have_text(f"Page 1 of 12, {SEEDED_MESSAGES} messages")
    expect(rows(page)).to_have_count(10)
    expect(page).to_have_url(re.compile(r"size=10"))

    pager_link(page, "Next").click()
    expect(pager_summary(page)).to_contain_text("Page 2 of 12")
    expect(rows(page)).to_have_count(10)


def test_it_opens_one_message(page: Page, site: Site):
    sign_in(page, "vera")
    page.goto("/messages/")
    newest = row_ids(page)[0]
    preview = rows(page).first.locator(".preview").inner_text()

    page.get_by_role("link", name=str(newest), exact=True).click()

    expect(page.get_by_role("heading", name=f"Message {newest}")).to_be_visible()
    expect(page).to_have_url(f"{site.url}/messages/{newest}/")
    expect(page.locator(".content-full")).to_contain_text(preview.rstrip("…"))
    expect(page.locator("dl.facts")).to_contain_text("Status")
    assert site.audit_events(action="view", target=f"sms:{newest}", actor_username="vera")

    page.get_by_role("link", name=re.compile("All messages")).click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()


def test_a_message_that_does_not_exist_says_so(page: Page):
    sign_in(page, "vera")
    response = page.goto("/messages/987654/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Message 987654 was not found")).to_be_visible()
