import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.e2e.browsing import nav_link
from tests.e2e.compose_steps import created_ids, fill_message, open_compose, review
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import PEOPLE, SANDBOX_TIME_ZONE, Site

pytestmark = pytest.mark.e2e

CONTENT = "Reminder: the clinic opens at 10:00 tomorrow."


def _tomorrow_at_nine(zone: ZoneInfo) -> datetime:
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(9, 0), zone)


def test_it_schedules_for_tomorrow_at_nine_in_the_persons_zone_and_cancels_it(
    page: Page, site: Site, mode: Mode
):
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    due = _tomorrow_at_nine(zone)
    open_compose(page, "sam")
    fill_message(page, CONTENT, "+49 151 12345678")

    page.get_by_label("Schedule").check()
    page.get_by_label("Date").fill(due.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill("09:00")
    review(page)

    expect(page.get_by_role("heading", name="Confirm the scheduled send")).to_be_visible()
    when = page.locator("dt:text-is('When') + dd")
    expect(when).to_contain_text(f"{due:%Y-%m-%d} 09:00 in {zone.key} (your time)")
    account_time = due.astimezone(ZoneInfo(SANDBOX_TIME_ZONE))
    expect(when).to_contain_text(f"{account_time:%H:%M} in {SANDBOX_TIME_ZONE}")
    assert_no_sideways_scroll(page, "the confirmation")
    page.get_by_role("button", name="Schedule 1 message").click()

    expect(page.get_by_role("heading", name="Scheduled")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"09:00 ({zone.key})")
    [sms_id] = created_ids(page)
    [post] = site.sent_posts()
    assert "is_scheduled" in post
    # Sociostacks reads the time in the account's zone, not the person's.
    assert post["scheduled_datetime"] == f"{account_time:%Y-%m-%d %H:%M}:00"

    nav_link(page, "Scheduled").click()
    row = page.locator(f"#sms-{sms_id}")
    expect(row).to_be_visible()
    # The due time, in the person's zone and saying which zone that is.
    expect(row.locator("td.when time")).to_have_text(f"{due:%Y-%m-%d} 09:00 {due:%Z}")
    expect(row).to_contain_text(CONTENT)
    assert_no_sideways_scroll(page, "the Scheduled list")

    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    row.get_by_role("link", name="Cancel").click()

    expect(row).to_have_count(0)
    assert questions == [f"Cancel message {sms_id}? It will not be sent."]
    assert site.audit_events(action="cancel", target=f"sms:{sms_id}", outcome="ok")
    page.reload()
    expect(page.get_by_role("heading", name="Scheduled messages")).to_be_visible()
    expect(page.locator(f"#sms-{sms_id}")).to_have_count(0)


def test_a_time_in_the_past_is_refused_before_anything_is_sent(page: Page, site: Site):
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    yesterday = datetime.now(zone).date() - timedelta(days=1)
    open_compose(page, "sam")
    fill_message(page, CONTENT, "+49 151 12345678")

    page.get_by_label("Schedule").check()
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Time").fill("09:00")
    review(page)

    expect(page.get_by_role("heading", name="Compose")).to_be_visible()
    expect(page.locator("fieldset.when")).to_contain_text(re.compile("past", re.IGNORECASE))
    expect(page.get_by_label("Message")).to_have_value(CONTENT)
    assert site.upstream_calls("POST /sms") == 0
