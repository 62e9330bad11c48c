"""List, detail, compose and delete with JavaScript off: plain links and form posts do it all."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import pager_link, pager_summary, row_ids, rows, sign_in
from tests.e2e.compose_steps import NUMBERS, TYPO, created_ids, fill_message, open_compose, review
from tests.e2e.world import SEEDED_MESSAGES, Site

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(open_page) -> Page:
    return open_page(java_script_enabled=False)


def test_it_lists_pages_through_and_changes_the_page_size(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")
    expect(pager_summary(page)).to_have_text(f"Page 1 of 5, {SEEDED_MESSAGES} messages")

    pager_link(page, "Next").click()
    expect(pager_summary(page)).to_contain_text("Page 2 of 5")
    expect(rows(page)).to_have_count(25)

    page.get_by_label("Per page").select_option("50")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"size=50"))
    expect(pager_summary(page)).to_have_text(f"Page 1 of 3, {SEEDED_MESSAGES} messages")
    expect(rows(page)).to_have_count(50)


def test_it_opens_a_message(page: Page, site: Site):
    sign_in(page, "vera")
    page.goto("/messages/")
    newest = row_ids(page)[0]

    page.get_by_role("link", name=str(newest), exact=True).click()

    expect(page.get_by_role("heading", name=f"Message {newest}")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Status")
    assert site.audit_events(action="view", target=f"sms:{newest}")


def test_it_deletes_a_message_after_asking(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    sms_id = next(
        sms_id
        for sms_id in row_ids(page)
        if page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").count()
    )

    page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name=f"Delete message {sms_id}?")).to_be_visible()
    assert site.upstream_calls("DELETE /sms/{id}") == 0
    page.get_by_role("button", name=f"Delete message {sms_id}").click()

    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Message {sms_id} was deleted.")
    assert sms_id not in row_ids(page)
    assert site.upstream_calls("DELETE /sms/{id}") == 1


def test_it_deletes_from_the_message_page_too(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    sms_id = row_ids(page)[3]
    page.goto(f"/messages/{sms_id}/")

    page.get_by_role("link", name=re.compile(r"this message…$")).click()
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", name=f"Message {sms_id}")).to_be_visible()
    assert site.upstream_calls("DELETE /sms/{id}") == 0

    page.get_by_role("link", name=re.compile(r"this message…$")).click()
    page.get_by_role("button", name=re.compile(rf"message {sms_id}$")).click()

    expect(page.get_by_role("status")).to_contain_text(f"Message {sms_id} was")
    assert site.upstream_calls("DELETE /sms/{id}") == 1


def test_it_composes_flags_a_typo_and_sends_after_confirming(page: Page, site: Site):
    open_compose(page)
    fill_message(page, "Plain forms only.", "\n".join([NUMBERS[0], TYPO]), javascript=False)
    review(page)

    expect(page.get_by_text("1 entry is not a valid phone number")).to_be_visible()
    expect(page.locator("#recipients-check")).to_contain_text(TYPO)
    expect(page.get_by_label("Message")).to_have_value("Plain forms only.")
    page.get_by_label("Recipients").fill("\n".join(NUMBERS))
    review(page)

    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()
    assert site.upstream_calls("POST /sms") == 0
    page.get_by_role("button", name="Send 3 messages").click()

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    assert len(created_ids(page)) == 3
    assert site.upstream_calls("POST /sms") == 1
