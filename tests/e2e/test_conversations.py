"""Answering people: the inbox, a conversation, reply, send again, reschedule, who sent it."""

import re
import sqlite3
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.types import Message
from tests.e2e.browsing import sign_in
from tests.e2e.compose_steps import created_ids, fill_message, open_compose, review
from tests.e2e.world import OPS_KEY, PEOPLE, SANDBOX_TIME_ZONE, Site

pytestmark = pytest.mark.e2e


def mirrored(site: Site, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(site.database, timeout=20) as connection:
        return connection.execute(sql, args).fetchall()


def badge_count(page: Page) -> int:
    badge = page.locator("#inbox-badge")
    expect(badge).to_have_text(re.compile(r"^\d+"))
    return int(re.match(r"\d+", badge.inner_text()).group())


def test_a_received_message_is_answered_on_the_sim_it_came_in_on(page: Page, site: Site):
    sign_in(page, "sam")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("Inbox")
    ).click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    before = badge_count(page)
    first = page.locator("tbody tr").first
    sms_id = int(first.get_attribute("id").removeprefix("inbox-"))
    [(device_id, sim_id, question)] = mirrored(
        site,
        "SELECT device_id, sim_id, content FROM mirror_mirroredmessage WHERE sms_id = ?",
        sms_id,
    )
    first.get_by_role("link", name="Reply").click()

    expect(page.get_by_role("heading", name=re.compile("Conversation with"))).to_be_visible()
    expect(page.locator(".bubble-in").last).to_contain_text(question[:30])
    page.get_by_role("button", name="Write a reply…").click()

    expect(page.get_by_role("heading", name="Compose")).to_be_visible()
    number = page.get_by_label("Recipients").input_value()
    assert number.startswith("+")
    page.get_by_label("Message").fill("Thursday works, see you then.")
    review(page)
    page.get_by_role("button", name="Send 1 message").click()
    expect(page.get_by_role("heading", name="Sent")).to_be_visible()

    [post] = site.sent_posts()
    assert (post["device_id"], post["sim_subscription_id"]) == (str(device_id), str(sim_id))
    assert post["phone_numbers"] == number
    page.goto("/inbox/")
    assert badge_count(page) == before - 1
    expect(page.locator(f"#inbox-{sms_id}")).to_have_count(0)

    # The conversation now holds both directions, the reply after the question.
    page.goto(f"/conversations/{number}/")
    text = page.locator("ol.thread").inner_text()
    assert text.index(question[:30]) < text.index("Thursday works, see you then.")


def test_send_again_on_a_failed_message_links_the_two(page: Page, site: Site):
    [(failed_id,)] = mirrored(
        site,
        "SELECT sms_id FROM mirror_mirroredmessage WHERE status = 'failed' "
        "AND direction = 'sent' ORDER BY sms_id DESC LIMIT 1",
    )
    sign_in(page, "sam")
    page.goto(f"/messages/{failed_id}/")
    page.get_by_role("link", name="Send again…").click()
    expect(page.get_by_text(f"Sending message {failed_id} again")).to_be_visible()
    review(page)
    page.get_by_role("button", name="Send 1 message").click()
    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    [new_id] = created_ids(page)

    page.goto(f"/messages/{new_id}/")
    expect(page.locator(".provenance")).to_contain_text(f"Sends again message {failed_id}")
    expect(page.locator(".provenance")).to_contain_text("Sent by sam")
    page.goto(f"/messages/{failed_id}/")
    expect(page.locator(".provenance")).to_contain_text(f"Sent again as message {new_id}")


def _schedule(page: Page, content: str, due: datetime) -> int:
    open_compose(page, "sam")
    fill_message(page, content, "+49 151 12345678")
    page.get_by_label("Schedule").check()
    page.get_by_label("Date").fill(due.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill(due.strftime("%H:%M"))
    review(page)
    page.get_by_role("button", name="Schedule 1 message").click()
    expect(page.get_by_role("heading", name="Scheduled")).to_be_visible()
    [sms_id] = created_ids(page)
    return sms_id


def _reschedule(page: Page, sms_id: int, due: datetime) -> None:
    page.goto(f"/messages/{sms_id}/")
    page.get_by_role("link", name="Reschedule…").click()
    expect(page.get_by_text(f"Rescheduling message {sms_id}")).to_be_visible()
    expect(page.get_by_label("Schedule")).to_be_checked()
    page.get_by_label("Date").fill(due.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill(due.strftime("%H:%M"))
    review(page)


def _tomorrow(zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(hour, minute), zone)


def _scheduled_upstream(site: Site, content: str) -> list[Message]:
    """What Sociostacks holds: pending messages with this content."""
    client = SociostacksClient(OPS_KEY, base_url=site.sandbox.url)
    listed = client.list_messages(page=1, results_per_page=250).items
    return [m for m in listed if m.content == content and m.status == "pending"]


def test_reschedule_moves_the_time_leaving_one_scheduled_message(page: Page, site: Site):
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    content = "Your appointment reminder (rescheduled)"
    old_id = _schedule(page, content, _tomorrow(zone, 9))
    _reschedule(page, old_id, _tomorrow(zone, 15, 30))
    page.get_by_role("button", name="Schedule 1 message").click()
    expect(page.get_by_role("heading", name="Scheduled")).to_be_visible()
    expect(page.locator("#reschedule-problem")).to_have_count(0)

    [message] = _scheduled_upstream(site, content)
    assert message.scheduled_at == _tomorrow(zone, 15, 30)
    [post] = site.sent_posts()[-1:]
    in_account_zone = _tomorrow(zone, 15, 30).astimezone(ZoneInfo(SANDBOX_TIME_ZONE))
    assert post["scheduled_datetime"] == f"{in_account_zone:%Y-%m-%d %H:%M}:00"
    page.goto(f"/messages/{old_id}/")
    expect(page.get_by_role("heading", name=f"Message {old_id} — cancelled")).to_be_visible()
    expect(page.locator(".provenance")).to_contain_text("Cancelled by sam")


def test_a_failing_delete_during_reschedule_is_explained_with_a_retry(page: Page, site: Site):
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    content = "Delivery window changed"
    old_id = _schedule(page, content, _tomorrow(zone, 10))
    _reschedule(page, old_id, _tomorrow(zone, 16))

    def fail_the_delete(route: Route) -> None:
        # Let the send through; once it has created the new message, the next
        # upstream call is the old one's DELETE, on the result page it redirects to.
        sent = route.fetch(max_redirects=0)
        site.sandbox.control(fail_next={"count": 1, "mode": "503"})
        route.fulfill(response=sent)

    page.route("**/compose/send/**", fail_the_delete)
    page.get_by_role("button", name="Schedule 1 message").click()
    problem = page.locator("#reschedule-problem")
    expect(problem).to_contain_text("Both messages exist now")
    assert len(_scheduled_upstream(site, content)) == 2
    page.unroute("**/compose/send/**")

    problem.get_by_role("button", name=f"Try cancelling message {old_id} again").click()
    expect(page.get_by_text(f"Message {old_id} was cancelled.")).to_be_visible()
    assert len(_scheduled_upstream(site, content)) == 1


def test_sent_by_shows_the_operator_of_a_shared_login(page: Page, site: Site):
    sign_in(page, "desk", operator="Maria K.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Compose").click()
    fill_message(page, "Front desk says hello", "+49 151 12345678")
    review(page)
    page.get_by_role("button", name="Send 1 message").click()
    [sms_id] = created_ids(page)
    page.goto(f"/messages/{sms_id}/")
    expect(page.locator(".provenance")).to_contain_text("Sent by Maria K. (desk)")


def test_a_saved_text_is_inserted_in_compose(page: Page, site: Site):
    sign_in(page, "sam")
    page.goto("/texts/new/")
    page.get_by_label("Name", exact=True).fill("Pickup ready")
    page.get_by_label("Text").fill("Hi {name}, your parcel is ready for pickup.")
    page.get_by_label("When the name is not known").fill("there")
    page.get_by_role("button", name="Save").click()
    row = page.locator("tr", has_text="Pickup ready")
    expect(row).to_contain_text("1")
    row.get_by_role("link", name="Use").click()
    expect(page.get_by_label("Message")).to_have_value("Hi there, your parcel is ready for pickup.")


def test_typing_a_contacts_name_adds_its_number(page: Page, site: Site):
    client = SociostacksClient(OPS_KEY, base_url=site.sandbox.url)
    directory = list(client.all_contacts().values())
    names = [contact.name for contact in directory if contact.name]
    # A contact whose name no other contact shares, and the first word it starts with.
    contact = next(c for c in directory if c.name and names.count(c.name) == 1)
    typed = contact.name.split()[0][:4]

    open_compose(page)
    page.get_by_label("Message").fill("Your parcel is ready.")
    page.get_by_label("Recipients").press_sequentially(typed, delay=30)
    suggestion = page.locator("#contact-suggestions").get_by_role(
        "button", name=re.compile(re.escape(contact.name))
    )
    expect(suggestion).to_contain_text(contact.phone_number)
    suggestion.click()

    expect(page.get_by_label("Recipients")).to_have_value(contact.phone_number + "\n")
    expect(page.locator("#recipients-check")).to_contain_text("1 valid number")
    # A name typed whole, without picking, stands for its number in the check too.
    page.get_by_label("Recipients").fill(contact.name)
    expect(page.locator("#recipients-check")).to_contain_text(
        f"line 1: {contact.name} → {contact.phone_number}"
    )
