import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link, row_ids, sign_in
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def _vera_reads_a_message(open_page) -> int:
    """Something to review: Vera lists the messages and opens the newest."""
    page = open_page()
    sign_in(page, "vera")
    page.goto("/messages/")
    sms_id = row_ids(page)[0]
    page.goto(f"/messages/{sms_id}/")
    expect(page.get_by_role("heading", name=f"Message {sms_id}")).to_be_visible()
    page.context.close()
    return sms_id


def _filter(page: Page, **fields: str) -> None:
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Show events").click()


def _audit_rows(page: Page):
    return page.locator("table.audit-table tbody tr")


def test_an_auditor_filters_the_log_by_person_action_and_message(open_page, site: Site, mode: Mode):
    sms_id = _vera_reads_a_message(open_page)
    page = open_page(**mode.context_options)
    sign_in(page, "ada")

    nav_link(page, "Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(_audit_rows(page).first).to_be_visible()

    _filter(page, Person="vera", Action="view")

    expect(page).to_have_url(re.compile(r"actor=vera"))
    rows = _audit_rows(page)
    # Other flows in this session may have had Vera open messages too.
    expect(rows).to_have_count(len(site.audit_events(actor_username="vera", action="view")))
    for row in rows.all():
        expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^vera opened message \d+\.$"))
    expect(rows.first).to_contain_text(f"vera opened message {sms_id}.")
    expect(rows.first).to_contain_text("ok")
    assert_no_sideways_scroll(page, "the review")

    page.get_by_role("link", name="Clear filters").click()
    _filter(page, **{"Message id": str(sms_id)})
    about = [e for e in site.audit_events() if f",{sms_id}," in e["message_ids"]]
    # Page views are hidden until asked for; one box shows them.
    expect(rows.filter(has_text="opened message")).to_have_count(0)
    page.get_by_label("Show page views").check()
    page.get_by_role("button", name="Show events").click()
    expect(rows).to_have_count(len(about))
    expect(rows.first).to_contain_text(f"vera opened message {sms_id}.")

    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Audit event #\d+: view"))).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(f"sms:{sms_id}")

    page.goto("/audit/?views=on")  # Ada's own searches carry their filters as details
    row = _audit_rows(page).filter(has=page.locator("details")).first
    details = row.locator("details")
    expect(details.locator("pre")).not_to_be_visible()
    if mode.is_phone:
        # A phone leaves the Details column out: the event's own page has them.
        expect(details.locator("summary")).to_be_hidden()
        shown_there = details.locator("pre").text_content()
        row.get_by_role("link").first.click()
        expect(page.locator("pre.content-full")).to_have_text(shown_there)
    else:
        details.locator("summary").click()
        expect(details.locator("pre")).to_be_visible()
    assert_no_sideways_scroll(page, "an event's details")

    viewed = site.audit_events(action="audit viewed", actor_username="ada")
    assert any(
        event["details"].get("filters") == {"actor": "vera", "action": "view"} for event in viewed
    )


def test_an_auditor_exports_what_the_filters_match_as_csv(open_page, site: Site):
    sms_id = _vera_reads_a_message(open_page)
    page = open_page()
    sign_in(page, "ada")
    page.goto("/audit/")
    _filter(page, Person="vera", Action="view")
    matching = site.audit_events(actor_username="vera", action="view")
    expect(_audit_rows(page)).to_have_count(len(matching))

    with page.expect_download() as download:
        page.get_by_role("link", name="Export all matching events (CSV)").first.click()

    assert re.fullmatch(r"audit-\d{8}-\d{6}\.csv", download.value.suggested_filename)
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(row["actor_username"], row["action"], row["target"]) for row in exported] == [
        ("vera", "view", event["target"]) for event in matching
    ]
    assert exported[0]["target"] == f"sms:{sms_id}"
    assert [row["hash"] for row in exported] == [event["hash"] for event in matching]
    assert site.audit_events(action="audit exported", actor_username="ada")


def test_an_auditor_checks_the_chain(open_page):
    page = open_page()
    sign_in(page, "ada")
    page.goto("/audit/")

    page.get_by_role("button", name="Verify now").click()

    expect(page.get_by_role("status")).to_contain_text("The audit chain is intact")
    expect(page.locator("section.verification")).to_contain_text("intact")


def test_a_sender_cannot_open_the_audit_log(page: Page, site: Site):
    sign_in(page, "sam")
    expect(nav_link(page, "Audit")).to_have_count(0)

    response = page.goto("/audit/export.csv")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You are not allowed to do that")).to_be_visible()
