import pytest

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


def test_it_lists_teams_with_members_and_keys(as_admin, sender):
    Team.objects.create(name="Support").members.add(sender)
    team_key("Support", "ss-team-key-4321", label="Support line")
    page = as_admin.get("/people/teams/").content.decode()
    assert ">Support</a>" in page
    assert "<td>sam</td>" in page
    assert "Support line <code>••••4321</code>" in page


def test_an_admin_makes_a_team_and_goes_on_to_choose_its_members(as_admin, admin_user):
    response = as_admin.post("/people/teams/", {"name": "  Night   shift "})
    team = Team.objects.get()
    assert team.name == "Night shift"
    assert response["Location"] == f"/people/teams/{team.pk}/"
    event = AuditEvent.objects.get(action="team created")
    assert (event.actor, event.target) == (admin_user, f"team:{team.pk}")
    assert event.details == {"before": None, "after": {"team": "Night shift", "members": []}}


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Admin", "That is the name of a role"),
        ("Support", "Team with this Name already exists."),
        ("", "This field is required."),
    ],
)
def test_a_bad_name_is_explained(as_admin, name, error):
    Team.objects.create(name="Support")
    response = as_admin.post("/people/teams/", {"name": name})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Team.objects.count() == 1


def test_it_refuses_anyone_but_an_admin(client, not_an_admin):
    assert_refused(client, not_an_admin, "get", "/people/teams/")
    assert_refused(client, not_an_admin, "post", "/people/teams/", {"name": "Mine"})
    assert not Team.objects.exists()
