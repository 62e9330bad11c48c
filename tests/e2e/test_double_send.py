"""However often Send is pressed, one confirmed form sends once."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.compose_steps import NUMBERS, created_ids, fill_message, open_compose, review
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

CONTENT = "Your table for two is booked for 19:30."


def _to_confirmation(page: Page, *, javascript: bool = True) -> None:
    open_compose(page)
    fill_message(page, CONTENT, NUMBERS[0], javascript=javascript)
    review(page)
    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()


def test_a_double_click_on_send_sends_once(page: Page, site: Site):
    _to_confirmation(page)

    page.get_by_role("button", name="Send 1 message").dblclick()

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    assert len(created_ids(page)) == 1
    assert site.upstream_calls("POST /sms") == 1


def test_a_double_click_without_javascript_still_sends_once(open_page, site: Site):
    # Nothing in the page can stop the second submit here: the server must.
    page = open_page(java_script_enabled=False)
    _to_confirmation(page, javascript=False)

    page.get_by_role("button", name="Send 1 message").dblclick()

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    assert site.upstream_calls("POST /sms") == 1


def test_going_back_and_sending_the_same_confirmation_again_does_not_resend(page: Page, site: Site):
    _to_confirmation(page)
    confirmation = page.url
    page.get_by_role("button", name="Send 1 message").click()
    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    [sms_id] = created_ids(page)

    page.goto(confirmation)

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    assert created_ids(page) == [sms_id]
    assert site.upstream_calls("POST /sms") == 1


def test_the_same_confirmation_open_in_two_tabs_sends_once(page: Page, site: Site):
    _to_confirmation(page)
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    expect(other_tab.get_by_role("heading", name="Confirm the send")).to_be_visible()

    page.get_by_role("button", name="Send 1 message").click()
    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    other_tab.get_by_role("button", name="Send 1 message").click()

    expect(other_tab.get_by_role("heading", name="Sent")).to_be_visible()
    assert created_ids(other_tab) == created_ids(page)
    assert site.upstream_calls("POST /sms") == 1
    assert site.audit_events(action="send repeat", actor_username="sam")
