import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import sign_in
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_a_shared_login_must_name_its_operator_before_anything_else(page: Page, site: Site):
    sign_in(page, "desk")

    page.goto("/messages/")
    expect(page.get_by_role("heading", name="Who is using this login?")).to_be_visible()
    assert not site.audit_events(action="list", actor_username="desk")

    page.get_by_label("Your name").fill("x")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Type at least two characters")).to_be_visible()

    page.get_by_label("Your name").fill("  Priya   Patel ")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.locator("details.user-menu > summary")).to_contain_text("desk · Priya Patel")


def test_what_the_operator_does_is_recorded_under_their_name(page: Page, site: Site):
    sign_in(page, "desk", operator="Priya Patel")
    page.goto("/messages/")
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()

    events = site.audit_events(action="list", actor_username="desk")
    assert events and events[0]["operator_name"] == "Priya Patel"
    named = site.audit_events(action="operator named", actor_username="desk")
    assert named[0]["operator_name"] == "Priya Patel"


def test_the_next_person_on_the_shared_login_names_themself_again(open_page, site: Site):
    first = open_page()
    sign_in(first, "desk", operator="Priya Patel")
    second = open_page()

    sign_in(second, "desk", operator="Tom Berg")

    expect(second.locator("details.user-menu > summary")).to_contain_text("desk · Tom Berg")
    first.reload()
    expect(first.locator("details.user-menu > summary")).to_contain_text("desk · Priya Patel")
