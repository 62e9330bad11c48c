import pytest
from django.contrib.auth.models import Group

from smsadmin.accounts.models import Team
from smsadmin.audit.models import AuditEvent
from tests.conftest import force_login_verified, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    person = make_user("root", is_staff=True, is_superuser=True)
    # The Django admin also asks for a second factor.
    force_login_verified(client, person)
    return person


def change_form(person, **overrides):
    data = {
        "username": person.username,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "page_size": "25",
        "groups": [group.pk for group in person.groups.all()],
    }
    data.update(overrides)
    return data


def test_a_superuser_manages_people_and_roles(client, superuser):
    person = make_user("gina", "viewer")
    sender = Group.objects.get(name="sender")
    auditor = Group.objects.get(name="auditor")
    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        change_form(person, groups=[sender.pk, auditor.pk], is_shared="on"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert set(person.groups.values_list("name", flat=True)) == {"sender", "auditor"}
    assert person.is_shared


def test_role_changes_in_django_admin_are_audited(client, superuser):
    person = make_user("gina", "viewer")
    sender = Group.objects.get(name="sender")
    client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        change_form(person, groups=[sender.pk]),
    )
    events = {
        (event.action, event.target, tuple(sorted(event.details.items())))
        for event in AuditEvent.objects.exclude(action="admin changed")
    }
    assert ("role granted", "user:gina", (("role", "sender"),)) in events
    assert ("role revoked", "user:gina", (("role", "viewer"),)) in events
    changed = AuditEvent.objects.get(action="admin changed")
    assert changed.actor == superuser
    assert changed.target == f"user:{person.pk}"


def test_a_superuser_makes_a_team_apart_from_the_roles(client, superuser):
    member = make_user("gina", "viewer")
    response = client.post("/admin/accounts/team/add/", {"name": "support", "members": [member.pk]})
    assert response.status_code == 302
    assert list(Team.objects.get(name="support").members.all()) == [member]
    assert not Group.objects.filter(name="support").exists()
    assert AuditEvent.objects.get(action="admin added").details == {"object": "support"}


def test_people_without_superuser_rights_do_not_get_in(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_deactivating_in_django_admin_ends_the_persons_sessions(client, superuser):
    from django.test import Client

    person = make_user("gina", "viewer")
    browser = Client()
    browser.force_login(person)
    client.post(f"/admin/accounts/user/{person.pk}/change/", change_form(person, is_active=""))
    person.refresh_from_db()
    assert not person.is_active
    person.is_active = True
    person.save()
    assert browser.get("/accounts/preferences/")["Location"].startswith("/accounts/login/")
