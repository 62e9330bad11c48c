"""A German-speaking sender schedules a message and reads its time the German way (issue 21).

Sam's browser asks for German (the context's locale, so Accept-Language is
de-DE). Sam lives in New York; the message is for tomorrow 09:00 there, which
German pages write ``02.12.2026 09:00`` (smsadmin/formats/de/formats.py,
SHORT_DATETIME_FORMAT ``d.m.Y H:i``). The form is filled by its fields' ids,
so the steps do not depend on the wording; the words checked are the
glossary's (locale/GLOSSARY.md: Nachricht, geplant) and Django's German.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.compose_steps import DEVICE, created_ids
from tests.e2e.world import PASSWORD, PEOPLE, Site

pytestmark = pytest.mark.e2e

CONTENT = "Erinnerung: Die Praxis öffnet morgen um 10:00."
GERMAN = {"locale": "de-DE", "extra_http_headers": {"Accept-Language": "de-DE,de;q=0.9"}}
ENGLISH_BUTTONS = re.compile(r"Review before sending|Schedule \d+ message|Sign in|Send \d+ message")


def _tomorrow_at_nine(zone: ZoneInfo) -> datetime:
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(9, 0), zone)


def sign_in_in_german(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("details.user-menu")).to_be_visible()


class Findings:
    """What is not yet German, gathered so the flow runs to its end and every finding shows."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def expect_in(self, where: str, text: str, wanted: str | re.Pattern[str]) -> None:
        found = wanted.search(text) if isinstance(wanted, re.Pattern) else wanted in text
        if not found:
            shown = wanted.pattern if isinstance(wanted, re.Pattern) else wanted
            self.problems.append(f"{where}: expected {shown!r}, the page shows {text[:300]!r}")

    def german_buttons(self, page: Page, where: str) -> None:
        for label in page.locator("main button:visible").all_inner_texts():
            if ENGLISH_BUTTONS.search(label):
                self.problems.append(f"{where}: the button {label!r} is still English")


def test_a_german_sender_schedules_for_tomorrow_nine_and_reads_it_as_d_m_y(open_page, site: Site):
    page = open_page(**GERMAN)
    zone = ZoneInfo(PEOPLE["sam"].time_zone)
    due = _tomorrow_at_nine(zone)
    shown = f"{due:%d.%m.%Y} 09:00"  # 02.12.2026 09:00 on 1 December 2026
    findings = Findings()

    sign_in_in_german(page, "sam")
    page.goto("/compose/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("#id_content").fill(CONTENT)
    page.locator("#id_recipients").fill("+49 151 12345678")
    page.locator("#id_device").select_option(label=DEVICE)
    expect(page.locator("#id_sim optgroup")).to_have_count(0)
    page.locator("#id_sim").select_option(index=1)
    page.locator("input[name='when'][value='later']").check()
    page.locator("#id_send_date").fill(due.strftime("%Y-%m-%d"))
    page.locator("#id_send_time").fill("09:00")
    findings.german_buttons(page, "compose")
    page.locator("button[name='action'][value='review']").click()

    confirm = page.locator("button[data-once]")
    expect(confirm).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    # The lines that give the time (the person's, the account's and UTC).
    when = " | ".join(
        line for line in page.locator("main dl").inner_text().splitlines() if "09:00" in line
    )
    findings.expect_in("confirmation, the time (SHORT_DATETIME_FORMAT)", when, shown)
    findings.expect_in(
        "confirmation, its button (glossary: Nachricht)", confirm.inner_text(), "Nachricht"
    )
    findings.german_buttons(page, "confirmation")
    confirm.click()

    status = page.get_by_role("status").filter(has_text="09:00")
    expect(status).to_be_visible()
    said = status.inner_text()
    findings.expect_in("result, the time", said, shown)
    findings.expect_in("result (glossary: geplant)", said, re.compile("geplant", re.IGNORECASE))
    [sms_id] = created_ids(page)
    [post] = site.sent_posts()
    assert "is_scheduled" in post

    page.goto("/scheduled/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    findings.expect_in(
        "Scheduled page, its heading (glossary: geplant)",
        page.locator("h1").inner_text(),
        re.compile("geplant", re.IGNORECASE),
    )
    row = page.locator(f"#sms-{sms_id}")
    expect(row).to_contain_text(CONTENT)
    findings.expect_in("Scheduled list, the time", row.locator("td.when time").inner_text(), shown)
    findings.german_buttons(page, "Scheduled page")
    if findings.problems:
        pytest.fail("Not yet German:\n" + "\n".join(findings.problems), pytrace=False)


def test_the_sign_in_pages_picker_turns_a_german_page_english(open_page):
    page = open_page(**GERMAN)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Bei smsadmin anmelden")).to_be_visible()
    page.get_by_label("Sprache", exact=True).select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in to smsadmin")).to_be_visible()
