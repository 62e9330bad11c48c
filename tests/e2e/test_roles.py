import json

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import sign_in
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_a_viewer_sees_no_compose_and_no_delete(page: Page):
    sign_in(page, "vera")
    page.goto("/messages/")

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Messages")).to_be_visible()
    expect(navigation.get_by_role("link", name="Compose")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Delete selected…")).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)


def test_a_viewer_is_refused_compose_by_its_address(page: Page, site: Site):
    sign_in(page, "vera")

    response = page.goto("/compose/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You are not allowed to do that")).to_be_visible()
    expect(page.locator("main")).to_contain_text("sender")
    expect(page.get_by_label("Message")).to_have_count(0)
    denied = site.audit_events(action="permission denied", actor_username="vera")
    assert denied[0]["target"] == "/compose/"
    assert denied[0]["outcome"] == "denied"


def test_a_viewer_cannot_delete_by_posting_either(page: Page, site: Site):
    sign_in(page, "vera")
    page.goto("/messages/")

    response = page.request.post(
        f"{site.url}/messages/1/delete/",
        form={"verb": "Delete"},
        headers=json.loads(page.locator("body").get_attribute("hx-headers")),
    )

    assert response.status == 403
    assert site.upstream_calls("DELETE /sms/{id}") == 0


def test_an_auditor_sees_the_audit_log_but_not_the_messages(page: Page, site: Site):
    sign_in(page, "ada")

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Audit")).to_be_visible()
    expect(navigation.get_by_role("link", name="Messages")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Compose")).to_have_count(0)

    response = page.goto("/messages/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You are not allowed to do that")).to_be_visible()


def test_a_sender_sees_compose(page: Page):
    sign_in(page, "sam")

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Compose")).to_be_visible()


def test_an_auditor_starts_at_the_audit_log(page: Page):
    page.goto("/accounts/login/")

    sign_in(page, "ada")

    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
