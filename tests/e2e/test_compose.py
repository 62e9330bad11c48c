import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link
from tests.e2e.compose_steps import (
    DEVICE,
    E164,
    NUMBERS,
    TYPO,
    created_ids,
    fill_message,
    open_compose,
    review,
)
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

SECOND_DEVICE = "Backup Galaxy A54"
CONTENT = "Your parcel is ready for pickup until Friday. Reply STOP to opt out."


def test_it_flags_an_invalid_number_lets_it_be_fixed_then_sends_after_confirming(
    page: Page, site: Site
):
    open_compose(page)
    pasted = "\n".join([NUMBERS[0], NUMBERS[1], TYPO, NUMBERS[2]])
    fill_message(page, CONTENT, pasted)

    check = page.locator("#recipients-check")
    expect(check).to_contain_text("3 valid numbers")
    expect(check).to_contain_text("1 not valid")
    expect(check.get_by_text(TYPO)).to_be_visible()

    review(page)

    expect(page.get_by_role("heading", name="Compose")).to_be_visible()
    expect(page.get_by_text("1 entry is not a valid phone number")).to_be_visible()
    expect(page.get_by_label("Message")).to_have_value(CONTENT)
    expect(page.get_by_label("Recipients")).to_have_value(pasted)
    expect(page.get_by_label("Device").locator("option:checked")).to_have_text(DEVICE)
    assert site.upstream_calls("POST /sms") == 0

    page.get_by_label("Recipients").fill("\n".join(NUMBERS))
    expect(check).to_contain_text("3 valid numbers")
    expect(check).not_to_contain_text("not valid")
    review(page)

    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()
    card = page.locator(".card")
    for number in E164:
        expect(card).to_contain_text(number)
    expect(card.locator(".content-full")).to_have_text(CONTENT)
    expect(card).to_contain_text(DEVICE)
    expect(card).to_contain_text("Now")
    assert site.upstream_calls("POST /sms") == 0

    page.get_by_role("button", name="Send 3 messages").click()

    expect(page.get_by_role("heading", name="Sent")).to_be_visible()
    expect(page.get_by_role("heading", name="Created messages (3)")).to_be_visible()
    ids = created_ids(page)
    assert len(ids) == 3
    [post] = site.sent_posts()
    assert sorted(re.split(r"[\n,]", post["phone_numbers"])) == sorted(E164)
    assert post["content"] == CONTENT
    assert "is_scheduled" not in post
    event = site.audit_events(action="send", outcome="ok")[0]
    assert sorted(event["details"]["created_ids"]) == sorted(ids)

    page.get_by_role("link", name=f"#{ids[0]}").click()
    expect(page.get_by_role("heading", name=f"Message {ids[0]}")).to_be_visible()
    expect(page.locator(".content-full")).to_have_text(CONTENT)


def test_it_counts_segments_while_typing(page: Page):
    open_compose(page)

    page.get_by_label("Message").fill("x" * 161)

    expect(page.locator("#segments")).to_contain_text("161 / 1000 characters")
    expect(page.locator("#segments")).to_contain_text("2 segments")


def test_a_send_that_fails_upstream_keeps_everything_that_was_typed(page: Page, site: Site):
    open_compose(page)
    fill_message(page, CONTENT, "\n".join(NUMBERS))
    review(page)
    expect(page.get_by_role("heading", name="Confirm the send")).to_be_visible()
    site.sandbox.control(fail_next={"count": 1, "mode": "503"})

    page.get_by_role("button", name="Send 3 messages").click()

    expect(page.get_by_role("alert")).to_contain_text("The send did not go out.")
    expect(page.get_by_label("Message")).to_have_value(CONTENT)
    expect(page.get_by_label("Recipients")).to_have_value("\n".join(E164))
    event = site.audit_events(action="send")[0]
    assert event["outcome"] == "upstream_error"


def test_typing_a_date_or_a_time_chooses_schedule(page: Page, mode: Mode):
    open_compose(page)
    expect(page.get_by_label("Send now")).to_be_checked()

    page.get_by_label("Time").fill("09:00")
    expect(page.get_by_label("Schedule")).to_be_checked()

    page.get_by_label("Send now").check()
    page.get_by_label("Date").fill("2031-04-30")
    expect(page.get_by_label("Schedule")).to_be_checked()
    assert_no_sideways_scroll(page)


def test_the_help_example_is_a_valid_number_and_the_last_phone_is_preselected(
    page: Page, site: Site, mode: Mode
):
    # Alice, as nobody else here sends from the second phone and its SIM.
    open_compose(page, "alice")
    help_text = page.locator("#id_recipients_helptext").inner_text()
    example = re.search(r"e\.g\. (.+)\.$", help_text)
    assert example, help_text

    page.get_by_label("Recipients").fill(example[1])

    check = page.locator("#recipients-check")
    expect(check).to_contain_text("1 valid number")
    expect(check).not_to_contain_text("not valid")

    page.get_by_label("Message").fill(CONTENT)
    page.get_by_label("Device").select_option(label=SECOND_DEVICE)
    sim = page.get_by_label("SIM")
    expect(sim.locator("optgroup")).to_have_count(0)
    expect(sim.locator("option")).to_have_count(1)  # its one SIM, chosen with it
    chosen = sim.input_value()
    review(page)
    page.get_by_role("button", name="Send 1 message").click()
    expect(page.get_by_role("heading", name="Sent")).to_be_visible()

    nav_link(page, "Compose").click()

    expect(page.get_by_label("Device").locator("option:checked")).to_have_text(SECOND_DEVICE)
    expect(page.get_by_label("SIM")).to_have_value(chosen)
    assert_no_sideways_scroll(page)
    assert site.upstream_calls("POST /sms") == 1
