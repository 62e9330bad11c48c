import pytest
from django.contrib.auth.models import Group

from smsadmin.accounts import people
from smsadmin.accounts.roles import Role
from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def roles_of(person) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def test_an_admin_changes_a_persons_roles(as_admin, viewer):
    response = as_admin.post(
        f"/people/{viewer.pk}/roles/", {"roles": ["sender", "auditor"]}, follow=True
    )
    assert "vera&#x27;s roles are changed." in response.content.decode()
    assert roles_of(viewer) == {"sender", "auditor"}


def test_the_change_is_audited_with_before_and_after(as_admin, admin_user, viewer):
    as_admin.post(f"/people/{viewer.pk}/roles/", {"roles": ["sender", "auditor"]})
    event = AuditEvent.objects.get(action="roles changed")
    assert (event.actor, event.target, event.outcome) == (admin_user, "user:vera", Outcome.OK)
    assert event.details == {"before": ["viewer"], "after": ["sender", "auditor"]}


def test_no_change_is_said_and_recorded_as_no_change(as_admin, viewer):
    response = as_admin.post(f"/people/{viewer.pk}/roles/", {"roles": ["viewer"]}, follow=True)
    assert "vera already had exactly these roles." in response.content.decode()
    event = AuditEvent.objects.get(action="roles changed")
    assert (event.target, event.outcome) == ("user:vera", Outcome.OK)
    assert event.details == {"roles": ["viewer"], "changed": False}


def test_taking_every_role_away_leaves_a_person_who_sees_nothing(as_admin, client, viewer):
    as_admin.post(f"/people/{viewer.pk}/roles/", {})
    assert roles_of(viewer) == set()


def test_groups_that_are_not_roles_are_left_alone(as_admin, viewer):
    other = Group.objects.create(name="made-in-django-admin")
    viewer.groups.add(other)
    as_admin.post(f"/people/{viewer.pk}/roles/", {"roles": ["sender"]})
    assert roles_of(viewer) == {"sender", "made-in-django-admin"}


def test_an_admin_cannot_take_away_their_own_admin_role(as_admin, admin_user):
    make_user("bob", "admin")
    response = as_admin.post(f"/people/{admin_user.pk}/roles/", {"roles": ["sender"]}, follow=True)
    assert "You cannot take away your own admin role" in response.content.decode()
    assert roles_of(admin_user) == {"admin"}
    refused = AuditEvent.objects.get(action="roles changed")
    assert refused.outcome == Outcome.DENIED
    assert refused.details["before"] == ["admin"] and refused.details["wanted"] == ["sender"]


def test_an_admin_may_add_roles_to_their_own(as_admin, admin_user):
    as_admin.post(f"/people/{admin_user.pk}/roles/", {"roles": ["admin", "auditor"]})
    assert roles_of(admin_user) == {"admin", "auditor"}


def test_the_last_admin_cannot_be_demoted(as_admin, admin_user):
    response = as_admin.post(f"/people/{admin_user.pk}/roles/", {"roles": ["sender"]}, follow=True)
    assert "alice is the only admin" in response.content.decode()
    assert roles_of(admin_user) == {"admin"}


def test_another_admin_may_be_demoted_while_one_stays(as_admin):
    bob = make_user("bob", "admin")
    as_admin.post(f"/people/{bob.pk}/roles/", {"roles": ["viewer"]})
    assert roles_of(bob) == {"viewer"}


def test_a_deactivated_admin_does_not_count_as_the_other_admin(admin_user):
    bob = make_user("bob", "admin", is_active=False)
    with pytest.raises(people.Refused, match="only admin"):
        people.change_roles(Who(actor=bob), admin_user, [Role.SENDER])


def test_only_a_superuser_changes_a_superuser(as_admin):
    root = make_user("root", is_superuser=True, is_staff=True)
    response = as_admin.post(f"/people/{root.pk}/roles/", {"roles": ["viewer"]}, follow=True)
    assert (
        "root is a superuser: only another superuser changes that account"
        in response.content.decode()
    )
    assert roles_of(root) == set()


def test_an_unknown_role_is_explained(as_admin, viewer):
    response = as_admin.post(f"/people/{viewer.pk}/roles/", {"roles": ["boss"]})
    assert response.status_code == 400
    assert (
        "Select a valid choice. boss is not one of the available choices."
        in response.content.decode()
    )
    assert roles_of(viewer) == {"viewer"}


def test_an_unknown_person_is_a_404(as_admin):
    assert as_admin.post("/people/999999/roles/", {"roles": ["viewer"]}).status_code == 404


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, viewer):
    assert_refused(
        client, not_an_admin, "post", f"/people/{viewer.pk}/roles/", {"roles": ["admin"]}
    )
    assert_refused(
        client, not_an_admin, "post", f"/people/{not_an_admin.pk}/roles/", {"roles": ["admin"]}
    )
    assert roles_of(viewer) == {"viewer"}
    assert "admin" not in roles_of(not_an_admin)
