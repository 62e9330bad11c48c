"""Against a sandbox that behaves like the real 66text server (its [real] quirks on).

A number sent to for the first time gets a contact nobody can read; quotes are
stored as entities unless posted typographic; a "<" strips the rest; exactly
5000 recipients answer no ids; a SIM taken out makes a send "incomplete".
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link
from tests.e2e.compose_steps import (
    DEVICE,
    choose_phone,
    created_ids,
    fill_message,
    open_compose,
    review,
)
from tests.e2e.world import PEOPLE, Site

pytestmark = pytest.mark.e2e

NEW_NUMBER = "+33 6 12 34 56 78"
NEW_E164 = "+33612345678"
QUOTED = 'Tonight\'s "open doors" start at 7'
FULLWIDTH_LESS_THAN = "\N{FULLWIDTH LESS-THAN SIGN}"


def sync_the_mirror(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-panel")).to_contain_text("The mirror is up to date.")


def search(page: Page, **filters: str) -> None:
    page.goto("/search/")
    for label, value in filters.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Search").click()


def test_a_send_to_a_new_number_shows_it_in_the_list_detail_scheduled_and_search(
    page: Page, site: Site
):
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    due = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(9, 0), zone)
    open_compose(page, "sam")
    fill_message(page, "Your table for two is booked.", NEW_NUMBER)
    page.get_by_label("Schedule").check()
    page.get_by_label("Date").fill(due.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill("09:00")
    review(page)
    page.get_by_role("button", name="Schedule 1 message").click()
    [sms_id] = created_ids(page)

    nav_link(page, "Messages").click()
    expect(page.locator(f"#sms-{sms_id}")).to_contain_text(NEW_E164)
    expect(page.locator(f"#sms-{sms_id}")).not_to_contain_text("does not show")

    page.locator(f"#sms-{sms_id}").get_by_role("link", name=str(sms_id)).click()
    expect(page.locator("dl.facts")).to_contain_text(NEW_E164)

    nav_link(page, "Scheduled").click()
    expect(page.locator(f"#sms-{sms_id}")).to_contain_text(NEW_E164)

    sync_the_mirror(page)
    search(page, **{"Phone number": NEW_NUMBER})
    expect(page.locator(f"#mirrored-{sms_id}")).to_contain_text(NEW_E164)


def test_a_message_typed_with_quotes_shows_as_typed_everywhere(page: Page, site: Site):
    open_compose(page, "sam")
    fill_message(page, QUOTED, NEW_NUMBER)
    expect(page.locator("#segments")).to_contain_text("GSM-7")
    expect(page.locator("#segments")).not_to_contain_text("Sociostacks will store and send")
    review(page)
    expect(page.locator(".card .content-full")).to_have_text(QUOTED)
    page.get_by_role("button", name="Send 1 message").click()
    [sms_id] = created_ids(page)

    page.goto(f"/messages/{sms_id}/")
    expect(page.locator(".content-full")).to_have_text(QUOTED)
    nav_link(page, "Messages").click()
    expect(page.locator(f"#sms-{sms_id} .preview")).to_have_text(QUOTED)

    sync_the_mirror(page)
    search(page, **{"Text in the message": "Tonight's \"open"})
    expect(page.locator(f"#mirrored-{sms_id} .preview")).to_have_text(QUOTED)


def test_prices_less_than_5_is_flagged_before_the_send_and_the_fix_keeps_it(page: Page, site: Site):
    open_compose(page, "sam")
    fill_message(page, "Prices < 5 euros this week", NEW_NUMBER)

    preview = page.locator("#stored-preview")
    expect(preview).to_contain_text("Sociostacks will store and send:")
    expect(preview.locator(".content-full")).to_have_text("Prices")
    expect(preview).to_contain_text("“< 5 euros this week” would not be sent")
    preview.get_by_role("button", name=f"Replace “<” with “{FULLWIDTH_LESS_THAN}”").click()

    fixed = f"Prices {FULLWIDTH_LESS_THAN} 5 euros this week"
    expect(page.get_by_label("Message")).to_have_value(fixed)
    expect(page.locator("#stored-preview")).to_have_count(0)
    review(page)
    expect(page.locator(".card .content-full")).to_have_text(fixed)
    page.get_by_role("button", name="Send 1 message").click()
    [sms_id] = created_ids(page)
    page.goto(f"/messages/{sms_id}/")
    expect(page.locator(".content-full")).to_have_text(fixed)


def test_a_5000_recipient_send_posts_at_most_4999_at_a_time_and_reports_5000(
    page: Page,
    site: Site,
    worker,  # two batches are a job: a jobs worker sends them
):
    csv = "number\n" + "".join(f"+49170{index:07d}\n" for index in range(5000))
    open_compose(page, "sam")
    page.get_by_label("Message").fill("Service notice: maintenance tonight.")
    page.get_by_label("Or upload a CSV file").set_input_files(
        files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    choose_phone(page)
    expect(page.locator("#recipients-check")).to_contain_text("5000 valid numbers")
    review(page)
    page.get_by_role("button", name="Send 5000 messages").click()

    expect(page.locator("#send-job")).to_contain_text("This send runs as job")
    # The page follows the job by itself (htmx polling): no reload is needed.
    expect(page.get_by_role("heading", name="Sent", exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator(".flash-success")).to_contain_text("5000 messages handed to")
    expect(page.get_by_role("heading", name="Created messages (5000)")).to_be_visible()
    sizes = [len(post["phone_numbers"].split("\n")) for post in site.sent_posts()]
    assert sizes == [4999, 1]


def test_a_sim_removed_before_confirming_is_named_and_the_text_is_kept(page: Page, site: Site):
    typed = "Your courier arrives between 2 and 4 pm."
    open_compose(page, "sam")
    fill_message(page, typed, NEW_NUMBER)
    sim_label = page.get_by_label("SIM").locator("option:checked").inner_text()
    review(page)
    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()
    site.sandbox.control(remove_sim={"device_id": 1, "subscription_id": 1})

    page.get_by_role("button", name="Send 1 message").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The send did not go out.")
    expect(alert).to_contain_text(f"The SIM “{sim_label}” is no longer in “{DEVICE}”")
    expect(page.get_by_label("Message")).to_have_value(typed)
    expect(page.get_by_label("Recipients")).to_have_value(NEW_E164)
    expect(page.get_by_label("SIM").locator("option", has_text=sim_label)).to_have_count(0)
