import pytest
from django.test import Client

from smsadmin.accounts.models import Team, User
from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "front desk passphrase 9"
DESK = {
    "username": "front-desk",
    "roles": ["sender"],
    "operators": "Maria K.\n  Sam  \n\nMaria K.",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_an_admin_makes_a_shared_login_with_its_operators(as_admin):
    support = Team.objects.create(name="Support")
    response = as_admin.post("/people/shared/new/", {**DESK, "teams": [support.pk]}, follow=True)
    assert "The shared login front-desk is ready." in response.content.decode()
    desk = User.objects.get(username="front-desk")
    assert desk.is_shared and not desk.operators_may_type_a_name
    assert list(desk.operators.values_list("name", flat=True)) == ["Maria K.", "Sam"]
    assert list(desk.groups.values_list("name", flat=True)) == ["sender"]
    assert list(desk.teams.all()) == [support]
    assert sign_in(Client(), "front-desk", PASSWORD).status_code == 302


def test_it_is_audited_without_the_password(as_admin, admin_user):
    as_admin.post("/people/shared/new/", {**DESK, "may_type_a_name": "on"})
    event = AuditEvent.objects.get(action="shared login created")
    assert (event.actor, event.target) == (admin_user, "user:front-desk")
    assert event.details["after"]["operators"] == ["Maria K.", "Sam"]
    assert event.details["after"]["may_type_a_name"] is True
    assert PASSWORD not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password2": "something else entirely"}, "The two password fields didn"),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "front-desk-1", "password2": "front-desk-1"}, "too similar to the username"),
        ({"operators": ""}, "List at least one operator, or let operators type their name"),
        ({"operators": "X"}, "“X”: a name needs 2 to 64 characters."),
        ({"username": "sam"}, "A user with that username already exists."),
    ],
)
def test_bad_input_is_explained_and_no_login_is_made(as_admin, sender, change, error):
    response = as_admin.post("/people/shared/new/", {**DESK, **change})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(is_shared=True).exists()


def test_it_refuses_anyone_but_an_admin(client, not_an_admin):
    assert_refused(client, not_an_admin, "get", "/people/shared/new/")
    assert_refused(client, not_an_admin, "post", "/people/shared/new/", DESK)
    assert not User.objects.filter(username="front-desk").exists()
