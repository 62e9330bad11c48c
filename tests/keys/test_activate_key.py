import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.selection import active_key
from tests.conftest import give_key, make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


def test_a_person_with_two_keys_picks_one_and_the_choice_sticks(client, viewer):
    give_key(viewer, label="A first")
    second = give_key(viewer, label="B second")
    client.force_login(viewer)
    response = client.post("/keys/active/", {"key": second.pk}, follow=True)
    assert (
        "You now work with “B second” (Sociostacks account not checked yet)."
        in response.content.decode()
    )
    assert active_key(viewer) == second
    client.logout()
    client.force_login(viewer)
    page = client.get("/keys/").content.decode()
    assert f'id="use-key-{second.pk}" form="choose-active" checked' in page


def test_a_team_member_may_pick_the_team_key(client):
    member = make_user("mia", "viewer")
    Team.objects.create(name="support").members.add(member)
    give_key(member, label="Own")
    shared = team_key("support", "ss-team-key-9999", label="Support line")
    client.force_login(member)
    client.post("/keys/active/", {"key": shared.pk})
    assert active_key(member) == shared


def test_picking_is_recorded(client, viewer):
    key = give_key(viewer, "ss-pick-me-7777", label="Ops phones")
    client.force_login(viewer)
    client.post("/keys/active/", {"key": key.pk})
    event = AuditEvent.objects.get(action="key activated")
    assert event.target == f"key:{key.pk}"
    assert event.details == {"label": "Ops phones", "hint": "7777"}


def test_a_stranger_s_key_cannot_be_picked(client, viewer, stranger):
    own = give_key(viewer, label="Own")
    theirs = give_key(stranger, label="Theirs")
    client.force_login(viewer)
    response = client.post("/keys/active/", {"key": theirs.pk}, follow=True)
    assert "Pick one of the keys you can use." in response.content.decode()
    assert active_key(viewer) == own
    refused = AuditEvent.objects.get(action="key activated")
    assert refused.outcome == Outcome.INVALID
    assert refused.target == f"key:{theirs.pk}"


def test_a_team_key_of_another_team_cannot_be_picked(client, viewer):
    other = team_key("night-shift", "ss-night-key-7777")
    client.force_login(viewer)
    client.post("/keys/active/", {"key": other.pk})
    assert active_key(viewer) is None


def test_with_htmx_it_answers_the_refreshed_tables(client, viewer):
    give_key(viewer, label="A first")
    second = give_key(viewer, label="B second")
    client.force_login(viewer)
    response = client.post("/keys/active/", {"key": second.pk}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="key-tables">')
    assert "You now work with “B second” (Sociostacks account not checked yet)." in body
    assert f'id="use-key-{second.pk}" form="choose-active" checked' in body
