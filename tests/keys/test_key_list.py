import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from smsadmin.keys.selection import choose_active_key
from tests.conftest import give_key, make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    """A viewer in team "support"."""
    user = make_user("mia", "viewer")
    Team.objects.create(name="support").members.add(user)
    return user


def test_it_shows_the_owners_keys_by_label_and_hint(client, viewer):
    give_key(viewer, "ss-owner-key-0001", label="Ops phones")
    client.force_login(viewer)
    page = client.get("/keys/").content.decode()
    assert "Ops phones" in page
    assert "••••0001" in page
    assert "ss-owner-key-0001" not in page


def test_it_marks_the_active_key_and_offers_to_switch(client, viewer):
    give_key(viewer, "ss-first-key-1111", label="First")
    second = give_key(viewer, "ss-second-key-2222", label="Second")
    choose_active_key(viewer, second)
    client.force_login(viewer)
    page = client.get("/keys/").content.decode()
    assert f'value="{second.pk}" id="use-key-{second.pk}" form="choose-active" checked' in page
    assert page.count('badge-active">active') == 1
    assert f'<label for="use-key-{second.pk}">Second</label>' in page
    assert "Work with the selected key" in page


def test_a_team_member_sees_the_team_key_by_label_and_hint_but_cannot_change_it(client, member):
    key = team_key("support", "ss-team-key-9999", label="Support line")
    client.force_login(member)
    page = client.get("/keys/").content.decode()
    assert "Support line" in page
    assert "••••9999" in page
    assert "team support" in page
    assert "Only an admin can change a team's key." in page
    assert f"/keys/{key.pk}/replace/" not in page
    assert "ss-team-key-9999" not in page


def test_it_does_not_show_a_strangers_keys(client, viewer, stranger):
    give_key(stranger, "ss-stranger-key-5555", label="Private stuff")
    team_key("other-team", "ss-other-team-key-6666", label="Other team")
    client.force_login(viewer)
    page = client.get("/keys/").content.decode()
    assert "Private stuff" not in page
    assert "Other team" not in page


def test_a_person_without_keys_is_told_how_to_get_one(client, viewer):
    client.force_login(viewer)
    page = client.get("/keys/").content.decode()
    assert "You have no API key yet." in page
    assert "ask an admin to give your team one" in page
    assert 'href="/keys/add/"' in page


def test_an_admin_sees_every_team_key_and_can_add_one(client, admin_user):
    Team.objects.create(name="support")
    key = team_key("night-shift", "ss-night-key-7777", label="Night line")
    client.force_login(admin_user)
    page = client.get("/keys/").content.decode()
    assert "Team keys" in page
    assert "Night line" in page
    assert 'href="/keys/team/add/"' in page
    assert f"/keys/{key.pk}/replace/" in page


@pytest.mark.parametrize("role_fixture", ["viewer", "sender", "auditor", "stranger"])
def test_only_an_admin_sees_the_team_keys_section(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    team_key("night-shift", "ss-night-key-7777", label="Night line")
    page = client.get("/keys/").content.decode()
    assert "Team keys" not in page
    assert "/keys/team/add/" not in page


def test_looking_at_the_keys_is_recorded(client, viewer):
    client.force_login(viewer)
    client.get("/keys/")
    event = AuditEvent.objects.get(action="keys viewed")
    assert event.actor == viewer


def test_an_htmx_request_gets_only_the_tables(client, viewer):
    give_key(viewer, label="Ops phones")
    client.force_login(viewer)
    response = client.get("/keys/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="key-tables">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
