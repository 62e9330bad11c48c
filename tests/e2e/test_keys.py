import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link, sign_in
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import SPARE_KEY, Site

pytestmark = pytest.mark.e2e


def test_a_person_without_a_key_is_sent_to_add_one(page: Page):
    sign_in(page, "nina")
    page.goto("/messages/")

    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_text("You need a Sociostacks API key")).to_be_visible()


def test_a_wrong_key_is_refused_the_right_one_saved_never_shown_and_deleted(page: Page, site: Site):
    """Nina ends as she began, without a key, so the flow can run in any order."""
    sign_in(page, "nina")
    page.goto("/keys/")
    page.get_by_role("link", name="Add a key").click()
    page.get_by_label("Label").fill("Nina's phones")
    page.get_by_label("API key").fill("e2e-not-a-real-key-0000")
    page.get_by_role("button", name="Check and save").click()

    expect(page.get_by_text("Sociostacks refused this key")).to_be_visible()
    expect(page.get_by_label("Label")).to_have_value("Nina's phones")
    expect(page.get_by_label("API key")).to_have_value("")

    page.get_by_label("API key").fill(SPARE_KEY)
    page.get_by_role("button", name="Check and save").click()

    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("“Nina's phones” is saved")
    expect(page.get_by_role("row", name=re.compile("Nina's phones"))).to_contain_text(
        "••••" + SPARE_KEY[-4:]
    )
    assert SPARE_KEY not in page.content()

    page.get_by_role("link", name="Replace the secret of “Nina's phones”").click()
    expect(page.get_by_label("API key")).to_have_value("")
    assert SPARE_KEY not in page.content()

    nav_link(page, "Messages").click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.locator("nav.pager .summary").first).to_contain_text("120 messages")

    added = site.audit_events(action="key added", actor_username="nina")
    assert [event["outcome"] for event in added if event["outcome"] != "started"] == [
        "ok",
        "upstream_error",
    ]
    everything = str(site.audit_events(actor_username="nina"))
    assert SPARE_KEY not in everything
    assert SPARE_KEY not in site.server_log.read_text()

    page.goto("/keys/")
    page.get_by_role("link", name="Delete “Nina's phones”").click()
    page.get_by_role("button", name="Delete this key").click()

    expect(page.get_by_role("status")).to_contain_text("“Nina's phones” is deleted")
    expect(page.get_by_text("You have no API key yet.")).to_be_visible()
    assert site.audit_events(action="key deleted", actor_username="nina")


def test_adding_a_key_asks_before_switching_the_account(page: Page, site: Site, mode: Mode):
    """Vera ends with the one key she began with, so the flow can run in any order."""
    sign_in(page, "vera")
    page.goto("/keys/")
    header = page.locator("#working-account")
    expect(header).to_be_visible()
    before = header.inner_text()
    page.get_by_role("link", name="Add a key").click()
    page.get_by_label("Label").fill("Alpha spare")  # sorts before "Ops phones"
    page.get_by_label("API key").fill(SPARE_KEY)
    page.get_by_role("button", name="Check and save").click()

    question = page.get_by_role("region", name="Work with the new key?")
    expect(question).to_contain_text("You still work with “Ops phones”")
    expect(question).to_contain_text(
        re.compile(r"Work with “Alpha spare” \(Sociostacks account .+\) instead\?")
    )
    expect(header).to_have_text(before)
    assert_no_sideways_scroll(page, "the question")
    nav_link(page, "Messages").click()
    expect(page.locator("nav.pager .summary").first).to_contain_text("120 messages")

    page.goto("/keys/")
    page.get_by_role("link", name="Add a key").click()
    page.get_by_label("Label").fill("Spare again")
    page.get_by_label("API key").fill(SPARE_KEY)
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("This key is already stored as “Alpha spare”")).to_be_visible()

    page.goto("/keys/")
    page.get_by_role("radio", name="Alpha spare").check()
    page.get_by_role("button", name="Work with the selected key").click()
    expect(page.get_by_role("status")).to_contain_text("You now work with “Alpha spare”")
    expect(header).not_to_have_text(before)

    page.get_by_role("link", name="Delete “Alpha spare”").click()
    page.get_by_role("button", name="Delete this key").click()
    expect(page.get_by_role("status")).to_contain_text("“Alpha spare” is deleted")
    expect(header).to_have_text(before)
    assert_no_sideways_scroll(page)


def test_replacing_a_key_with_one_of_another_account_names_both_and_waits(page: Page, mode: Mode):
    sign_in(page, "vera")
    page.goto("/keys/")
    page.get_by_role("button", name="Check “Ops phones” with Sociostacks").click()
    expect(page.get_by_role("status")).to_contain_text("“Ops phones” works")
    ops_account = page.locator("#working-account strong").inner_text()

    page.get_by_role("link", name="Replace the secret of “Ops phones”").click()
    page.get_by_label("API key").fill(SPARE_KEY)
    page.get_by_role("button", name="Check and replace").click()

    warning = page.get_by_role("alert").filter(has_text="This key opens the Sociostacks account")
    expect(warning).to_contain_text(f"not {ops_account}, which “Ops phones” opened until now")
    expect(
        page.get_by_label(re.compile(r"Yes, “.+” is the account to use from now on"))
    ).to_be_visible()
    assert SPARE_KEY not in page.content()
    assert_no_sideways_scroll(page, "the warning")

    page.goto("/keys/")
    expect(page.get_by_role("row", name=re.compile("Ops phones"))).to_contain_text("••••9a7e")
    expect(page.locator("#working-account")).to_contain_text(ops_account)
