import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.e2e.browsing import row_ids, rows, sign_in
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def _first_deletable(page: Page) -> int:
    """The newest row whose action is Delete (scheduled rows say Cancel instead)."""
    for sms_id in row_ids(page):
        if page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").count():
            return sms_id
    raise AssertionError("no deletable message on the first page")


def test_a_sender_deletes_a_message_from_the_list(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    sms_id = _first_deletable(page)
    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").click()

    expect(page.locator(f"#sms-{sms_id}")).to_have_count(0)
    assert questions == [f"Delete message {sms_id}?"]
    assert site.upstream_calls("DELETE /sms/{id}") == 1
    assert site.audit_events(action="delete", target=f"sms:{sms_id}", outcome="ok")

    page.reload()
    expect(rows(page).first).to_be_visible()
    assert sms_id not in row_ids(page)
    page.goto(f"/messages/{sms_id}/")
    # Sociostacks has forgotten it; smsadmin still says what happened, and who did it.
    expect(page.get_by_role("heading", name=f"Message {sms_id} — deleted")).to_be_visible()
    expect(page.locator(".provenance")).to_contain_text("Deleted by sam")


def test_saying_no_to_the_question_keeps_the_message(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    sms_id = _first_deletable(page)
    page.on("dialog", lambda dialog: dialog.dismiss())

    page.locator(f"#sms-{sms_id}").get_by_role("link", name="Delete").click()

    expect(page.locator(f"#sms-{sms_id}")).to_be_visible()
    assert site.upstream_calls("DELETE /sms/{id}") == 0


def test_a_sender_cancels_a_scheduled_message(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/scheduled/")
    first = page.locator("tbody tr[id^='sms-']").first
    sms_id = int(first.get_attribute("id").removeprefix("sms-"))
    page.on("dialog", lambda dialog: dialog.accept())

    first.get_by_role("link", name="Cancel").click()

    expect(page.locator(f"#sms-{sms_id}")).to_have_count(0)
    assert site.audit_events(action="cancel", target=f"sms:{sms_id}", outcome="ok")
    page.reload()
    expect(page.get_by_role("heading", name="Scheduled messages")).to_be_visible()
    expect(page.locator(f"#sms-{sms_id}")).to_have_count(0)


def test_bulk_delete_asks_first_then_reports_each_message(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/messages/")
    chosen = row_ids(page)[1:3]
    for sms_id in chosen:
        page.get_by_label(f"Select message {sms_id}").check()

    page.get_by_role("button", name="Delete selected…").click()
    expect(page.get_by_role("heading", name="Delete or cancel 2 messages?")).to_be_visible()
    assert site.upstream_calls("DELETE /sms/{id}") == 0
    page.get_by_role("button", name="Delete 2 messages").click()

    for sms_id in chosen:
        expect(
            page.get_by_role("row", name=re.compile(rf"^{sms_id}\b.*\bdeleted$"))
        ).to_be_visible()
    assert site.upstream_calls("DELETE /sms/{id}") == 2
    page.get_by_role("link", name="Back to the messages").click()
    expect(rows(page).first).to_be_visible()
    assert not set(chosen) & set(row_ids(page))
