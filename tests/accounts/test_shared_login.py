from urllib.parse import quote

import pytest

from smsadmin.audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "FrontDesk/2.0 (Kiosk)"}


@pytest.fixture
def team_login(client):
    user = make_user("frontdesk", "sender", is_shared=True)
    client.force_login(user)
    return user


def name_operator(client, name: str = "Priya", next_url: str = "/keys/"):
    return client.post("/accounts/operator/", {"operator_name": name, "next": next_url}, **BROWSER)


@pytest.mark.parametrize(
    "path", ["/", "/keys/", "/messages/", "/compose/", "/accounts/preferences/", "/admin/"]
)
def test_a_shared_login_must_name_its_operator_before_any_page(client, team_login, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/operator/?next={quote(path, safe='')}"


def test_a_form_post_is_stopped_too(client, team_login):
    response = client.post("/keys/add/", {"label": "x", "api_key": "ss-key-0000"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/operator/")


def test_an_htmx_request_is_sent_there_by_htmx(client, team_login):
    response = client.get("/keys/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/operator/?next=%2Fkeys%2F"


def test_the_operator_page_asks_for_a_name_with_a_visible_label(client, team_login):
    page = client.get("/accounts/operator/?next=/keys/").content.decode()
    assert '<label for="id_operator_name">Your name</label>' in page
    assert "frontdesk" in page


def test_after_naming_themself_the_person_goes_on_and_the_header_shows_the_name(client, team_login):
    response = name_operator(client)
    assert response["Location"] == "/keys/"
    page = client.get("/keys/").content.decode()
    assert 'title="Operator on this shared login">Priya</span>' in page


def test_a_too_short_name_is_refused(client, team_login):
    page = name_operator(client, " x ").content.decode()
    assert "Type at least two characters" in page
    assert client.get("/keys/").status_code == 302


def test_the_name_is_escaped_in_the_header(client, team_login):
    name_operator(client, "<b>Eve</b>")
    page = client.get("/keys/").content.decode()
    assert "<b>Eve</b>" not in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page


def test_every_audit_event_after_naming_carries_the_name_address_and_browser(client, team_login):
    name_operator(client)
    client.get("/keys/", **BROWSER)
    client.get("/audit/", **BROWSER)
    events = AuditEvent.objects.filter(
        action__in=["operator named", "keys viewed", "permission denied"]
    )
    assert {event.action for event in events} == {
        "operator named",
        "keys viewed",
        "permission denied",
    }
    for event in events:
        assert event.actor == team_login
        assert event.operator_name == "Priya"
        assert event.ip_address == "203.0.113.9"
        assert event.user_agent == "FrontDesk/2.0 (Kiosk)"


def test_the_name_lasts_for_the_session_only(client, team_login):
    name_operator(client)
    client.logout()
    client.force_login(team_login)
    assert client.get("/keys/").status_code == 302


def test_a_personal_login_is_not_asked(client, sender):
    client.force_login(sender)
    assert client.get("/keys/").status_code == 200
