"""When Sociostacks fails, each page says so in a sentence and offers a way on; never a 500."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import row_ids, sign_in
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

# More failures than a read's retries, so the page really meets them.
PERSISTENT = 20


def _fail(site: Site, mode: str, count: int = PERSISTENT) -> None:
    # Nothing cached either: the page cannot fall back on an earlier answer.
    site.forget_cached_answers()
    site.sandbox.control(fail_next={"count": count, "mode": mode})


def _recover(site: Site) -> None:
    site.sandbox.control(fail_next={"count": 0})


def test_an_unreachable_upstream_is_explained_and_can_be_retried(
    page: Page, site: Site, mode: Mode
):
    sign_in(page, "vera")
    _fail(site, "502")

    response = page.goto("/messages/")

    assert response is not None and response.status == 200
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Sociostacks answered with an error (HTTP 502)")
    # The request id support finds in the logs; vera is no admin, so no address.
    expect(alert).to_contain_text("Request id")
    expect(alert).not_to_contain_text("Address tried")
    expect(page.get_by_role("alert")).to_contain_text("Try again in a moment")
    expect(alert).to_be_visible()
    assert_no_sideways_scroll(page, "the explanation")
    event = site.audit_events(action="list", actor_username="vera")[0]
    assert event["outcome"] == "upstream_error"

    _recover(site)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("nav.pager .summary").first).to_contain_text("120 messages")


def test_an_unreadable_answer_is_explained(page: Page, site: Site):
    sign_in(page, "vera")
    _fail(site, "garbage")

    page.goto("/messages/")

    expect(page.get_by_role("alert")).to_contain_text("could not read")
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_a_proxy_error_page_on_one_message_is_explained(page: Page, site: Site):
    sign_in(page, "vera")
    page.goto("/messages/")
    sms_id = row_ids(page)[0]
    _fail(site, "html")

    response = page.goto(f"/messages/{sms_id}/")

    assert response is not None and response.status < 500
    expect(page.get_by_role("heading", name=f"Message {sms_id}")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Sociostacks")


def test_a_failed_delete_says_the_message_is_still_there(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    sms_id = next(
        sms_id
        for sms_id in row_ids(page)
        if page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").count()
    )
    page.on("dialog", lambda dialog: dialog.accept())
    _fail(site, "503", count=1)

    page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").click()

    row = page.locator(f"#sms-{sms_id}")
    expect(row).to_contain_text(f"Message {sms_id} was not deleted")
    expect(row.get_by_role("link", name=f"Open message {sms_id}")).to_be_visible()
    event = site.audit_events(action="delete", target=f"sms:{sms_id}")[0]
    assert event["outcome"] == "upstream_error"


def test_compose_explains_that_the_phones_could_not_be_loaded(page: Page, site: Site, mode: Mode):
    sign_in(page, "sam")
    _fail(site, "503")

    page.goto("/compose/")

    expect(page.get_by_role("alert")).to_contain_text("The list of devices could not be loaded.")
    expect(page.get_by_label("Message")).to_be_editable()
    assert_no_sideways_scroll(page)
