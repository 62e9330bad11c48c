"""Keys never switch the account a person works with unasked, and the same key is stored once."""

import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key
from tests.conftest import give_key, make_user
from tests.keys import fakes

pytestmark = pytest.mark.django_db

FIRST, SECOND = "ss-first-key-1111", "ss-second-key-2222"


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


def _checked(key: ApiKey, account_id: int, name: str) -> ApiKey:
    key.account_id, key.account_name = account_id, name
    key.save()
    return key


def add(client, label: str, raw_key: str):
    return client.post("/keys/add/", {"label": label, "api_key": raw_key})


def test_adding_a_key_keeps_the_one_worked_with_and_asks(signed_in, viewer, upstream):
    working = _checked(give_key(viewer, FIRST, label="Zulu phones"), 9, "Harbour Ops")
    fakes.account_ok(upstream, id=12, name="Night Shift")
    # "Alpha" sorts before "Zulu": without a pick of its own, it used to win silently.
    response = add(signed_in, "Alpha phones", SECOND)
    new = ApiKey.objects.get(label="Alpha phones")
    assert response["Location"] == f"/keys/?added={new.pk}"
    assert active_key(viewer) == working
    page = signed_in.get(response["Location"]).content.decode()
    assert "You still work with “Zulu phones” (Sociostacks account Harbour Ops)." in page
    assert "Work with “Alpha phones” (Sociostacks account Night Shift) instead?" in page
    assert "Account: <strong>Harbour Ops</strong>" in page

    page = signed_in.post("/keys/active/", {"key": new.pk}, follow=True).content.decode()
    assert active_key(viewer) == new
    assert "Account: <strong>Night Shift</strong>" in page
    assert "instead?" not in signed_in.get(f"/keys/?added={new.pk}").content.decode()


def test_a_first_key_is_worked_with_at_once(signed_in, viewer, upstream):
    fakes.account_ok(upstream)
    page = add(signed_in, "Ops phones", FIRST)
    assert page["Location"] == "/keys/"
    assert active_key(viewer) == ApiKey.objects.get()
    assert "You work with it now." in signed_in.get("/keys/").content.decode()


def test_a_team_key_does_not_switch_its_members(client, admin_user, upstream):
    member = make_user("mia", "viewer")
    team = Team.objects.create(name="support")
    team.members.add(member)
    old = fakes.team_key("support", FIRST, label="Zulu line")
    assert active_key(member) == old
    fakes.account_ok(upstream)
    client.force_login(admin_user)
    client.post("/keys/team/add/", {"team": team.pk, "label": "Alpha line", "api_key": SECOND})
    assert ApiKey.objects.filter(label="Alpha line").exists()
    assert active_key(member) == old


def test_the_same_key_cannot_be_added_twice(signed_in, viewer, upstream):
    give_key(viewer, FIRST, label="Ops phones")
    page = add(signed_in, "Again", FIRST).content.decode()
    assert "This key is already stored as “Ops phones” (••••1111)" in page
    assert ApiKey.objects.count() == 1
    assert len(upstream.calls) == 0  # refused without asking Sociostacks
    event = AuditEvent.objects.get(action="key added")
    assert event.outcome == Outcome.INVALID and FIRST not in str(event.details)


def test_someone_else_s_key_is_not_named(signed_in, upstream):
    give_key(make_user("olga", "viewer"), FIRST, label="Olga's secret label")
    page = add(signed_in, "Mine", FIRST).content.decode()
    assert "already stored in smsadmin for someone else" in page
    assert "Olga" not in page


def test_a_replacement_may_not_be_a_key_stored_elsewhere(client, viewer):
    give_key(viewer, FIRST, label="One")
    other = give_key(viewer, SECOND, label="Two")
    client.force_login(viewer)
    page = client.post(f"/keys/{other.pk}/replace/", {"api_key": FIRST}).content.decode()
    assert "already stored as “One”" in page
    other.refresh_from_db()
    assert other.reveal() == SECOND


def test_replacing_with_a_key_of_another_account_warns_and_names_both(client, viewer, upstream):
    key = _checked(give_key(viewer, FIRST, label="Ops phones"), 9, "Harbour Ops")
    fakes.account_ok(upstream, id=12, name="Night Shift")
    client.force_login(viewer)
    page = client.post(f"/keys/{key.pk}/replace/", {"api_key": SECOND}).content.decode()
    assert (
        "This key opens the Sociostacks account Night Shift, not Harbour Ops, which "
        "“Ops phones” opened until now." in page
    )
    assert "Yes, “Night Shift” is the account to use from now on" in page
    assert SECOND not in page
    key.refresh_from_db()
    assert key.reveal() == FIRST

    response = client.post(
        f"/keys/{key.pk}/replace/",
        {"api_key": SECOND, "other_account": "12", "switch_account": "on"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.reveal() == SECOND and key.account_name == "Night Shift"
    outcome = AuditEvent.objects.filter(action="key replaced", outcome=Outcome.OK).get()
    assert outcome.details["old_account"] == "Harbour Ops"


def test_a_go_ahead_for_one_account_does_not_pass_a_third(client, viewer, upstream):
    key = _checked(give_key(viewer, FIRST, label="Ops phones"), 9, "Harbour Ops")
    fakes.account_ok(upstream, id=13, name="Somebody Else")
    client.force_login(viewer)
    page = client.post(
        f"/keys/{key.pk}/replace/",
        {"api_key": SECOND, "other_account": "12", "switch_account": "on"},
    ).content.decode()
    assert "not Harbour Ops" in page
    key.refresh_from_db()
    assert key.reveal() == FIRST


def test_a_key_of_the_same_account_replaces_without_asking(client, viewer, upstream):
    key = _checked(give_key(viewer, FIRST, label="Ops phones"), 9, "Harbour Ops")
    fakes.account_ok(upstream, id=9, name="Harbour Ops")
    client.force_login(viewer)
    assert client.post(f"/keys/{key.pk}/replace/", {"api_key": SECOND}).status_code == 302


def test_the_header_names_the_account_worked_with(client, viewer):
    _checked(give_key(viewer, FIRST, label="Ops phones"), 9, "Harbour Ops")
    client.force_login(viewer)
    assert "Account: <strong>Harbour Ops</strong>" in client.get("/keys/").content.decode()
