import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import sign_in, sign_out
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_it_asks_a_visitor_to_sign_in_first(page: Page):
    page.goto("/messages/")

    expect(page.get_by_role("heading", name="Sign in to smsadmin")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_it_refuses_a_wrong_password_and_keeps_the_username(page: Page, site: Site):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill("not her password at all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("vera")
    expect(page.get_by_label("Password")).to_have_value("")
    assert site.audit_events(action="failed login", outcome="denied")


def test_it_signs_a_person_in_and_back_to_where_they_were_going(page: Page, site: Site):
    page.goto("/scheduled/")
    sign_in(page, "vera")

    expect(page).to_have_url(f"{site.url}/scheduled/")
    expect(page.get_by_role("heading", name="Scheduled messages")).to_be_visible()
    expect(page.locator("details.user-menu > summary")).to_contain_text("vera")
    assert site.audit_events(action="login", actor_username="vera")


def test_it_signs_a_person_out(page: Page, site: Site):
    sign_in(page, "vera")
    sign_out(page)

    page.goto("/messages/")
    expect(page.get_by_role("heading", name="Sign in to smsadmin")).to_be_visible()
    assert site.audit_events(action="logout", actor_username="vera")
