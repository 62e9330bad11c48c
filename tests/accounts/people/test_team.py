"""Who may use a team's keys: the team's members, chosen by an admin, enforced on the server."""

import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from smsadmin.keys.selection import active_key
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user
from tests.keys.fakes import team_key


@pytest.fixture
def support(db) -> Team:
    return Team.objects.create(name="Support")


pytestmark = pytest.mark.django_db


def test_an_admin_chooses_the_people_and_shared_logins_who_may_use_the_team_keys(
    as_admin, support, sender, viewer
):
    desk = make_user("desk", "sender", is_shared=True)
    page = as_admin.get(f"/people/teams/{support.pk}/").content.decode()
    assert "desk, shared login" in page
    response = as_admin.post(
        f"/people/teams/{support.pk}/", {"members": [sender.pk, desk.pk]}, follow=True
    )
    assert "Team Support&#x27;s members are saved." in response.content.decode()
    assert set(support.members.all()) == {sender, desk}


def test_only_members_see_the_team_key_in_the_picker_and_others_are_refused(
    as_admin, client, support, sender, viewer
):
    key = team_key("Support", "ss-team-key-4321", label="Support line")
    as_admin.post(f"/people/teams/{support.pk}/", {"members": [sender.pk]})
    client.force_login(sender)
    assert f'id="use-key-{key.pk}"' in client.get("/keys/").content.decode()
    assert active_key(sender) == key
    client.force_login(viewer)
    assert f'id="use-key-{key.pk}"' not in client.get("/keys/").content.decode()
    response = client.post("/keys/active/", {"key": key.pk}, follow=True)
    assert "Pick one of the keys you can use." in response.content.decode()
    assert active_key(viewer) is None


def test_taking_someone_out_of_the_team_takes_the_key_away(as_admin, support, sender):
    key = team_key("Support", "ss-team-key-4321")
    support.members.add(sender)
    assert active_key(sender) == key
    as_admin.post(f"/people/teams/{support.pk}/", {})
    assert active_key(sender) is None


def test_the_keys_page_shows_an_admin_who_may_use_each_team_key(as_admin, support, sender):
    support.members.add(sender)
    team_key("Support", "ss-team-key-4321", label="Support line")
    page = as_admin.get("/keys/").content.decode()
    assert "sam · <a href=" in page
    assert f'href="/people/teams/{support.pk}/"' in page


def test_it_is_audited_with_before_and_after(as_admin, admin_user, support, sender, viewer):
    support.members.add(viewer)
    as_admin.post(f"/people/teams/{support.pk}/", {"members": [sender.pk]})
    event = AuditEvent.objects.get(action="team members changed")
    assert (event.actor, event.target) == (admin_user, f"team:{support.pk}")
    assert event.details == {"team": "Support", "before": ["vera"], "after": ["sam"]}


def test_no_change_is_recorded_as_no_change(as_admin, support, sender):
    support.members.add(sender)
    as_admin.post(f"/people/teams/{support.pk}/", {"members": [sender.pk]})
    event = AuditEvent.objects.get(action="team members changed")
    assert event.details == {"team": "Support", "members": ["sam"], "changed": False}


def test_an_unknown_team_is_a_404(as_admin):
    assert as_admin.get("/people/teams/999999/").status_code == 404


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, support):
    assert_refused(client, not_an_admin, "get", f"/people/teams/{support.pk}/")
    assert_refused(
        client, not_an_admin, "post", f"/people/teams/{support.pk}/", {"members": [not_an_admin.pk]}
    )
    assert not support.members.exists()
