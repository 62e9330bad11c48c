import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from smsadmin.accounts.roles import Role, has_role
from smsadmin.audit.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def run(*args: str, capsys) -> str:
    call_command(*args)
    return capsys.readouterr().out.strip()


def test_the_roles_exist_as_groups_after_migrating():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"viewer", "sender", "auditor", "admin"} <= names


def test_grant_role_gives_a_person_a_role(capsys):
    person = make_user("gina")
    assert run("grant_role", "gina", "sender", capsys=capsys) == "sender granted for gina"
    assert has_role(type(person).objects.get(pk=person.pk), Role.SENDER)


def test_granting_is_audited(capsys):
    make_user("gina")
    run("grant_role", "gina", "auditor", capsys=capsys)
    event = AuditEvent.objects.get(action="role granted")
    assert event.target == "user:gina"
    assert event.details == {"role": "auditor", "changed": True}


def test_granting_twice_changes_nothing_and_says_so(capsys):
    make_user("gina", "viewer")
    assert (
        run("grant_role", "gina", "viewer", capsys=capsys) == "viewer granted for gina (no change)"
    )


def test_revoke_role_takes_a_role_away_and_is_audited(capsys):
    person = make_user("gina", "sender", "viewer")
    assert run("revoke_role", "gina", "sender", capsys=capsys) == "sender revoked for gina"
    person = type(person).objects.get(pk=person.pk)
    assert not has_role(person, Role.SENDER)
    assert has_role(person, Role.VIEWER)
    event = AuditEvent.objects.get(action="role revoked")
    assert event.details == {"role": "sender", "changed": True}


def test_an_unknown_person_is_an_error():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("grant_role", "nobody", "viewer")


def test_an_unknown_role_is_an_error():
    make_user("gina")
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        call_command("grant_role", "gina", "boss")


def test_admin_includes_every_role_and_sender_includes_viewer():
    boss = make_user("boss", "admin")
    writer = make_user("writer", "sender")
    assert all(has_role(boss, role) for role in Role)
    assert has_role(writer, Role.VIEWER)
    assert not has_role(writer, Role.AUDITOR)
