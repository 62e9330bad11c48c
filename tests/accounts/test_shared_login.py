"""Signing in to a shared login: "Who are you?" from the admin's list, switching, the header."""

from urllib.parse import quote

import pytest

from smsadmin.accounts.models import Operator
from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "FrontDesk/2.0 (Kiosk)"}


def shared_login(*names: str, may_type_a_name: bool = False):
    login = make_user(
        "frontdesk", "sender", is_shared=True, operators_may_type_a_name=may_type_a_name
    )
    Operator.objects.bulk_create(Operator(login=login, name=name) for name in names)
    return login


@pytest.fixture
def team_login(client):
    login = shared_login("Maria K.", "Sam")
    client.force_login(login)
    return login


def pick(client, name: str, next_url: str = "/keys/"):
    return client.post("/accounts/operator/", {"operator": name, "next": next_url}, **BROWSER)


def header_operator(client) -> str:
    page = client.get("/keys/").content.decode()
    marker = 'title="Operator on this shared login">'
    return page.split(marker, 1)[1].split("</span>", 1)[0] if marker in page else ""


@pytest.mark.parametrize(
    "path", ["/", "/keys/", "/messages/", "/compose/", "/accounts/preferences/", "/admin/"]
)
def test_it_asks_who_is_working_before_any_page(client, team_login, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/operator/?next={quote(path, safe='')}"


def test_it_stops_a_form_post_too(client, team_login):
    response = client.post("/keys/add/", {"label": "x", "api_key": "ss-key-0000"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/operator/")


def test_it_sends_an_htmx_request_there_by_htmx(client, team_login):
    response = client.get("/keys/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Location" not in response
    assert response["HX-Redirect"] == "/accounts/operator/?next=%2Fkeys%2F"


def test_it_offers_the_admins_list_and_no_free_text(client, team_login):
    page = client.get("/accounts/operator/?next=/keys/").content.decode()
    assert "<legend>Who are you?</legend>" in page
    assert 'value="Maria K."' in page and 'value="Sam"' in page
    assert 'name="operator_name"' not in page


def test_a_name_from_the_list_goes_on_to_the_page_and_into_the_header(client, team_login):
    response = pick(client, "Maria K.")
    assert response["Location"] == "/keys/"
    assert header_operator(client) == "Maria K."


def test_a_name_not_on_the_list_is_refused(client, team_login):
    response = client.post("/accounts/operator/", {"operator": "Mallory"})
    assert "Select a valid choice" in response.content.decode()
    response = client.post("/accounts/operator/", {"operator_name": "Mallory"})
    assert "Pick your name from the list." in response.content.decode()
    assert client.get("/keys/").status_code == 302


def test_free_text_is_offered_only_when_the_admin_allows_it(client):
    login = shared_login("Maria K.", may_type_a_name=True)
    client.force_login(login)
    page = client.get("/accounts/operator/").content.decode()
    assert "Not on the list? Type your name" in page
    client.post("/accounts/operator/", {"operator_name": "  Priya   Patel "})
    assert header_operator(client) == "Priya Patel"


def test_a_typed_name_needs_two_characters(client):
    client.force_login(shared_login(may_type_a_name=True))
    page = client.post("/accounts/operator/", {"operator_name": " x "}).content.decode()
    assert '<label for="id_operator_name">Your name</label>' in page
    assert "Type at least two characters" in page
    assert client.get("/keys/").status_code == 302


def test_a_typed_name_is_escaped_in_the_header(client):
    client.force_login(shared_login(may_type_a_name=True))
    client.post("/accounts/operator/", {"operator_name": "<b>Eve</b>"})
    page = client.get("/keys/").content.decode()
    assert "<b>Eve</b>" not in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page


def test_without_any_operator_it_says_to_ask_an_admin(client):
    client.force_login(shared_login())
    page = client.get("/accounts/operator/").content.decode()
    assert "No operators are listed for this login yet" in page
    client.post("/accounts/operator/", {"operator_name": "Anyone"})
    assert client.get("/keys/").status_code == 302


def test_switching_operator_keeps_the_session_and_is_audited(client, team_login):
    pick(client, "Maria K.")
    session_before = client.session.session_key
    page = client.get("/accounts/operator/").content.decode()
    assert "Working now: <strong>Maria K.</strong>" in page
    pick(client, "Sam")
    assert client.session.session_key == session_before
    assert header_operator(client) == "Sam"
    switched = AuditEvent.objects.get(action="operator switched")
    assert switched.details == {"before": "Maria K.", "after": "Sam"}
    assert switched.operator_name == "Sam"
    assert AuditEvent.objects.filter(action="operator named").count() == 1


def test_each_operators_actions_carry_their_own_name(client, team_login):
    pick(client, "Maria K.")
    client.get("/keys/", **BROWSER)
    pick(client, "Sam")
    client.get("/keys/", **BROWSER)
    viewed = AuditEvent.objects.filter(action="keys viewed").order_by("seq")
    assert [event.operator_name for event in viewed] == ["Maria K.", "Sam"]
    for event in viewed:
        assert (event.actor, event.ip_address, event.user_agent) == (
            team_login,
            "203.0.113.9",
            "FrontDesk/2.0 (Kiosk)",
        )


def test_a_name_the_admin_took_off_the_list_must_choose_again(client, team_login):
    pick(client, "Maria K.")
    Operator.objects.filter(login=team_login, name="Maria K.").delete()
    response = client.get("/keys/")
    assert response["Location"] == "/accounts/operator/?next=%2Fkeys%2F"
    page = client.get("/accounts/operator/").content.decode()
    assert "“Maria K.” is no longer on this login&#x27;s list" in page
    assert "Working now" not in page
    # Nothing polls under the dropped name while the page asks again.
    assert 'title="Operator on this shared login"' not in page
    assert client.get("/keys/").status_code == 302


def test_the_name_lasts_for_the_session_only(client, team_login):
    pick(client, "Maria K.")
    client.logout()
    client.force_login(team_login)
    assert client.get("/keys/").status_code == 302


def test_a_personal_login_is_not_asked(client, sender):
    client.force_login(sender)
    assert client.get("/keys/").status_code == 200
    assert client.get("/accounts/operator/")["Location"] == "/"


def test_a_shared_login_cannot_change_its_own_password(client, team_login):
    pick(client, "Maria K.")
    page = client.get("/keys/").content.decode()
    assert 'href="/accounts/password/"' not in page
    assert 'href="/accounts/operator/">Switch operator</a>' in page
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 403
    assert "Only an admin changes this password" in response.content.decode()
    team_login.refresh_from_db()
    assert team_login.check_password("correct horse battery")
    denied = AuditEvent.objects.get(action="permission denied")
    assert (denied.outcome, denied.operator_name) == (Outcome.DENIED, "Maria K.")


def test_a_person_still_changes_their_own_password(client, sender):
    client.force_login(sender)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response["Location"] == "/accounts/password/done/"
    sender.refresh_from_db()
    assert sender.check_password("a brand new passphrase")
