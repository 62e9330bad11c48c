import pytest
from django.contrib.auth.models import Group

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key
from tests.conftest import make_user
from tests.keys import fakes

pytestmark = pytest.mark.django_db

RAW = "ss-team-secret-5150"


@pytest.fixture
def support(db) -> Team:
    return Team.objects.create(name="support")


def add_team_key(client, team: Team, label: str = "Support line", raw_key: str = RAW):
    return client.post("/keys/team/add/", {"team": team.pk, "label": label, "api_key": raw_key})


def test_an_admin_attaches_a_checked_key_to_a_team(client, admin_user, support, upstream):
    fakes.account_ok(upstream)
    client.force_login(admin_user)
    response = add_team_key(client, support)
    assert response.status_code == 302
    key = ApiKey.objects.get()
    assert key.team == support
    assert key.owner is None
    assert key.created_by == admin_user
    assert key.reveal() == RAW
    assert fakes.bearer_of(upstream.calls[0]) == RAW


def test_the_team_choice_offers_teams_not_roles(client, admin_user, support):
    client.force_login(admin_user)
    page = client.get("/keys/team/add/").content.decode()
    assert f'<option value="{support.pk}">support</option>' in page
    for role in ("viewer", "sender", "auditor", "admin"):
        assert f">{role}</option>" not in page


def test_a_role_group_cannot_be_given_a_key(client, admin_user, support, upstream):
    client.force_login(admin_user)
    # Teams and role groups are two tables: pick a role whose id no team has too.
    roles = Group.objects.filter(name__in=("viewer", "sender", "auditor", "admin"))
    role = next(group for group in roles if not Team.objects.filter(pk=group.pk).exists())
    response = add_team_key(client, role)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not ApiKey.objects.exists()
    assert len(upstream.calls) == 0


def test_without_teams_the_page_says_how_to_make_one(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/keys/team/add/").content.decode()
    assert "There are no teams yet." in page
    assert 'href="/people/teams/"' in page


def test_a_refused_team_key_is_not_saved(client, admin_user, support, upstream):
    fakes.key_refused(upstream)
    client.force_login(admin_user)
    page = add_team_key(client, support).content.decode()
    assert "Sociostacks refused this key" in page
    assert not ApiKey.objects.exists()


def test_the_attempt_names_the_team(client, admin_user, support, upstream):
    fakes.account_ok(upstream)
    client.force_login(admin_user)
    add_team_key(client, support)
    done = AuditEvent.objects.filter(action="key added", outcome=Outcome.OK).get()
    assert done.details["team"] == "support"
    assert done.details["hint"] == "5150"


def test_every_member_may_use_the_team_key(client, admin_user, support, upstream):
    fakes.account_ok(upstream)
    client.force_login(admin_user)
    add_team_key(client, support)
    member = make_user("mia", "viewer")
    support.members.add(member)
    outsider = make_user("olaf", "viewer")
    assert active_key(member) == ApiKey.objects.get()
    assert active_key(outsider) is None


def test_no_member_can_see_the_team_key(client, support):
    member = make_user("mia", "viewer")
    support.members.add(member)
    fakes.team_key("support", RAW, label="Support line")
    client.force_login(member)
    page = client.get("/keys/").content.decode()
    assert "Support line" in page
    assert RAW not in page


@pytest.mark.parametrize("role_fixture", ["viewer", "sender", "auditor", "stranger"])
def test_only_an_admin_may_add_a_team_key(client, request, role_fixture, support, upstream):
    person = request.getfixturevalue(role_fixture)
    client.force_login(person)
    assert client.get("/keys/team/add/").status_code == 403
    response = add_team_key(client, support)
    assert response.status_code == 403
    assert "This needs the <strong>admin</strong> role" in response.content.decode()
    assert not ApiKey.objects.exists()
    assert len(upstream.calls) == 0
    assert AuditEvent.objects.filter(
        action="permission denied", actor=person, outcome=Outcome.DENIED
    ).exists()
