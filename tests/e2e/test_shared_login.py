import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import pick_operator, sign_in
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_a_shared_login_must_say_who_is_working_before_anything_else(page: Page, site: Site):
    sign_in(page, "desk")

    page.goto("/messages/")
    expect(page.get_by_role("heading", name="Who is using this login?")).to_be_visible()
    assert not site.audit_events(action="list", actor_username="desk")
    choices = page.get_by_role("group", name="Who are you?")
    expect(choices.get_by_role("radio")).to_have_count(4)
    expect(page.get_by_label("Your name")).to_have_count(0)

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Pick your name from the list.")).to_be_visible()

    pick_operator(page, "Priya Patel")

    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.locator("details.user-menu > summary")).to_contain_text("desk · Priya Patel")


def test_maria_picks_her_name_switches_to_sam_and_the_audit_log_names_each(
    page: Page, open_page, site: Site
):
    sign_in(page, "desk", operator="Maria K.")
    page.goto("/messages/")
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()

    page.locator("details.user-menu > summary").click()
    page.get_by_role("link", name="Switch operator").click()
    expect(page.get_by_text("Working now: Maria K.")).to_be_visible()
    pick_operator(page, "Sam")
    page.goto("/scheduled/")
    expect(page.get_by_role("heading", name="Scheduled messages")).to_be_visible()
    expect(page.locator("details.user-menu > summary")).to_contain_text("desk · Sam")

    switched = site.audit_events(action="operator switched", actor_username="desk")[0]
    assert switched["details"] == {"before": "Maria K.", "after": "Sam"}
    listed = site.audit_events(action="list", actor_username="desk")[0]
    scheduled = site.audit_events(action="list scheduled", actor_username="desk")[0]
    assert (listed["operator_name"], scheduled["operator_name"]) == ("Maria K.", "Sam")

    auditor = open_page()
    sign_in(auditor, "ada")
    for action, operator in (("list", "Maria K."), ("list scheduled", "Sam")):
        auditor.goto(f"/audit/?actor=desk&actor_exact=on&action={action}")
        who = auditor.locator("table.audit-table tbody tr").first.locator("td").nth(2)
        expect(who).to_contain_text(f"{operator} (desk) ")


def test_the_next_person_on_the_shared_login_names_themself_again(open_page, site: Site):
    first = open_page()
    sign_in(first, "desk", operator="Priya Patel")
    second = open_page()

    sign_in(second, "desk", operator="Tom Berg")

    expect(second.locator("details.user-menu > summary")).to_contain_text("desk · Tom Berg")
    first.reload()
    expect(first.locator("details.user-menu > summary")).to_contain_text("desk · Priya Patel")


def test_a_shared_login_is_not_offered_a_password_change(page: Page):
    sign_in(page, "desk", operator="Sam")
    page.locator("details.user-menu > summary").click()
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    response = page.goto("/accounts/password/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Only an admin changes this password")).to_be_visible()
