"""In the browser: a personalised send of 5 rows shows the five texts before confirming."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.compose_steps import open_compose
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e

ROWS = [
    ("+49 151 12345611", "Ann", "Monday"),
    ("+49 151 12345622", "Bob", "Tuesday"),
    ("+44 7766 123456", "Cem", "Monday"),
    ("+1 415 555 0123", "Dee", "Friday"),
    ("+49 151 12345655", "Eve <b>&</b>", "Monday"),
]
TEXT = "Hi {name}, see you on {day}."


def texts() -> list[str]:
    return [f"Hi {name}, see you on {day}." for _number, name, day in ROWS]


def test_a_personalised_send_of_five_rows_shows_the_five_texts_then_sends_them(
    page: Page,
    site: Site,
    worker,
):
    csv = "phone,name,day\n" + "".join(f"{n},{name},{day}\n" for n, name, day in ROWS)
    open_compose(page)
    page.get_by_role("link", name=re.compile("Personalised send")).click()
    expect(page.get_by_role("heading", name="Personalised send")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "five.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_label("Message").fill(TEXT)
    page.get_by_label("Device · SIM").select_option(index=1)
    page.get_by_role("button", name="Preview the texts").click()

    expect(page.get_by_role("heading", name="Personalised send: check the texts")).to_be_visible()
    stored = page.locator("table.personalised-rows .stored")
    # What Sociostacks stores: the HTML-like part of the last name is taken out.
    shown = [text.replace("Eve <b>&</b>", "Eve &") for text in texts()]
    expect(stored).to_have_text(shown)
    expect(page.locator("#personalised-total")).to_contain_text(
        "5 messages (5 segments), 5 distinct texts, in 5 upstream calls"
    )
    assert site.upstream_calls("POST /sms") == 0

    page.get_by_role("button", name="Send 5 messages").click()
    expect(page.locator("#job-progress")).to_contain_text("Done: 5 of 5 done", timeout=60_000)
    posts = site.sent_posts()
    assert sorted(post["content"] for post in posts) == sorted(texts())
    by_number = {post["phone_numbers"]: post["content"] for post in posts}
    assert by_number["+4915112345622"] == "Hi Bob, see you on Tuesday."
    assert len(site.audit_events(action="send", outcome="ok")) >= 5
