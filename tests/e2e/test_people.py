"""An admin manages people in the site: invitations, deactivation, the rules, and who may not."""

import itertools
import json

import pytest
from playwright.sync_api import Page, expect

from smsadmin.accounts.people_urls import urlpatterns as people_urls
from tests.e2e.browsing import nav_link, sign_in
from tests.e2e.world import TEAM, Site

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "maria's own long passphrase"
# Each invitation in this world needs a username nobody has yet.
_numbers = itertools.count(1)


def invite(page: Page, *roles: str, team: str | None = None) -> tuple[str, str]:
    """As a signed-in admin, invite a person; their username and the link shown once."""
    username = f"maria{next(_numbers)}"
    page.goto("/people/")
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("K.")
    page.get_by_label("Email address").fill(f"{username}@example.test")
    for role in roles:
        page.get_by_role("group", name="Roles").get_by_label(f"{role}:").check()
    if team:
        page.get_by_role("group", name="Teams").get_by_label(team).check()
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", name=f"{username} is invited")).to_be_visible()
    expect(page.get_by_text("It is shown only now")).to_be_visible()
    return username, page.get_by_label("Set-password link").input_value()


def accept(page: Page, link: str, password: str = NEW_PASSWORD) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(password)
    page.get_by_role("button", name="Set my password").click()


def sign_in_as(page: Page, username: str, password: str = NEW_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_invited_sender_sets_a_password_composes_and_is_gone_once_deactivated(
    page: Page, open_page, site: Site
):
    sign_in(page, "alice")
    username, link = invite(page, "sender", team=TEAM)

    newcomer = open_page()
    accept(newcomer, link)
    expect(newcomer.get_by_text(f"Your password is set. Sign in as {username}.")).to_be_visible()
    sign_in_as(newcomer, username)
    nav_link(newcomer, "Compose").click()
    expect(newcomer.get_by_role("heading", name="Compose")).to_be_visible()
    expect(newcomer.get_by_label("Message")).to_be_visible()

    # The link worked once.
    used = open_page()
    response = used.goto(link)
    assert response is not None and response.status == 410
    expect(used.get_by_role("heading", name="This link was already used")).to_be_visible()

    page.goto("/people/")
    page.get_by_role("link", name=username, exact=True).click()
    page.get_by_role("link", name=f"Deactivate {username}").click()
    page.get_by_role("button", name=f"Deactivate {username}").click()
    expect(page.get_by_text(f"{username} is deactivated")).to_be_visible()

    nav_link(newcomer, "Messages").click()
    expect(newcomer.get_by_role("heading", name="Sign in to smsadmin")).to_be_visible()
    sign_in_as(newcomer, username)
    expect(newcomer.get_by_role("alert")).to_contain_text("correct username and password")
    events = [event["action"] for event in site.audit_events(target=f"user:{username}")]
    assert {"person invited", "password set by link", "person deactivated"} <= set(events)


def test_a_tampered_link_gets_a_clear_page(page: Page, open_page):
    sign_in(page, "alice")
    _, link = invite(page, "viewer")
    stranger = open_page()
    response = stranger.goto(link[:-6] + "xxxxx/")
    assert response is not None and response.status == 404
    expect(stranger.get_by_role("heading", name="This link is not valid")).to_be_visible()


def test_the_last_admin_cannot_demote_themself(page: Page, site: Site):
    sign_in(page, "alice")
    nav_link(page, "People").click()
    page.get_by_role("link", name="alice", exact=True).click()
    roles = page.get_by_role("group", name="Roles")
    roles.get_by_label("admin:").uncheck()
    roles.get_by_label("sender:").check()
    page.get_by_role("button", name="Save roles").click()

    expect(page.get_by_text("alice is the only admin")).to_be_visible()
    expect(roles.get_by_label("admin:")).to_be_checked()
    expect(nav_link(page, "People")).to_be_visible()
    refused = site.audit_events(action="roles changed", actor_username="alice")[0]
    assert refused["outcome"] == "denied"


def _every_people_url(site: Site) -> list[str]:
    ids = {
        "user_id": site.row_id("accounts_user", username="vera"),
        "team_id": site.row_id("accounts_team", name=TEAM),
    }
    paths = []
    for pattern in people_urls:
        route = str(pattern.pattern)
        for name, value in ids.items():
            route = route.replace(f"<int:{name}>", str(value))
        paths.append(f"/people/{route}")
    return paths


def test_a_sender_gets_403_on_every_people_url_by_get_and_by_post(page: Page, site: Site):
    sign_in(page, "sam")
    expect(nav_link(page, "People")).to_have_count(0)
    before = site.audit_events()[0]["seq"]
    headers = json.loads(page.locator("body").get_attribute("hx-headers"))
    paths = _every_people_url(site)
    assert len(paths) == 13
    for path in paths:
        assert page.request.get(f"{site.url}{path}").status == 403, f"GET {path}"
        answer = page.request.post(
            f"{site.url}{path}", form={"roles": "admin", "members": "1"}, headers=headers
        )
        assert answer.status == 403, f"POST {path}"
    since = [event for event in site.audit_events(actor_username="sam") if event["seq"] > before]
    assert {event["action"] for event in since} == {"permission denied"}
    denied = {(event["target"], event["details"]["method"]) for event in since}
    assert {(path, method) for path in paths for method in ("GET", "POST")} <= denied
