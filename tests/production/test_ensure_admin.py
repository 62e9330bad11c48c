import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smsadmin.accounts.models import User
from smsadmin.accounts.roles import Role, has_role
from smsadmin.audit.models import AuditEvent
from smsadmin.keys.models import ApiKey
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

STRONG = "a long passphrase nobody guesses"
RAW_KEY = "sk-first-key-canary-19af"


@pytest.fixture
def admin_env(monkeypatch):
    monkeypatch.setenv("SMSADMIN_ADMIN_USERNAME", "olga")
    monkeypatch.setenv("SMSADMIN_ADMIN_PASSWORD", STRONG)
    monkeypatch.delenv("SMSADMIN_ADMIN_API_KEY", raising=False)
    return monkeypatch


def test_it_creates_the_first_admin_who_can_sign_in(admin_env, client):
    call_command("ensure_admin")
    olga = User.objects.get(username="olga")
    assert olga.is_superuser and olga.is_staff
    assert has_role(olga, Role.ADMIN)
    assert olga.groups.filter(name="admin").exists()
    assert sign_in(client, "olga", STRONG).status_code == 302
    created = AuditEvent.objects.get(action="admin created")
    assert created.target == "user:olga"
    assert STRONG not in str(created.details)


def test_a_second_run_changes_nothing(admin_env):
    call_command("ensure_admin")
    admin_env.setenv("SMSADMIN_ADMIN_PASSWORD", "a different but long passphrase")
    call_command("ensure_admin")
    assert User.objects.get(username="olga").check_password(STRONG)
    assert AuditEvent.objects.filter(action="admin created").count() == 1


def test_without_a_username_it_does_nothing(monkeypatch):
    monkeypatch.delenv("SMSADMIN_ADMIN_USERNAME", raising=False)
    call_command("ensure_admin")
    assert not User.objects.exists()


def test_it_refuses_a_weak_password(admin_env):
    admin_env.setenv("SMSADMIN_ADMIN_PASSWORD", "olga1234")
    with pytest.raises(CommandError, match="too weak"):
        call_command("ensure_admin")
    assert not User.objects.filter(username="olga").exists()


def test_it_refuses_a_missing_password(admin_env):
    admin_env.delenv("SMSADMIN_ADMIN_PASSWORD")
    with pytest.raises(CommandError, match="SMSADMIN_ADMIN_PASSWORD is not set"):
        call_command("ensure_admin")


def test_it_can_store_a_first_key_encrypted(admin_env):
    admin_env.setenv("SMSADMIN_ADMIN_API_KEY", RAW_KEY)
    call_command("ensure_admin")
    key = ApiKey.objects.get(owner__username="olga")
    assert key.reveal() == RAW_KEY
    assert RAW_KEY not in key.ciphertext
    assert key.hint == RAW_KEY[-4:]
    for event in AuditEvent.objects.all():
        assert RAW_KEY not in str(event.details)
