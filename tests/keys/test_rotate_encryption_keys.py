import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.test import override_settings

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.keys.models import ApiKey
from tests.conftest import give_key, make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db

K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
RAW_KEYS = {"Own": "ss-own-key-1111", "Other": "ss-other-key-2222", "Team": "ss-team-key-3333"}


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue().strip()


def readable() -> dict[str, str]:
    return {key.label: key.reveal() for key in ApiKey.objects.all()}


@pytest.fixture
def keys_under_k1(viewer):
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K1]):
        give_key(viewer, RAW_KEYS["Own"], label="Own")
        give_key(make_user("olga"), RAW_KEYS["Other"], label="Other")
        team_key("support", RAW_KEYS["Team"], label="Team")


def test_rotation_from_k1_to_k2_keeps_every_key_readable(keys_under_k1):
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2, K1]):
        assert rotate() == "re-encrypted 3, unchanged 0"
        assert readable() == RAW_KEYS
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2]):
        assert readable() == RAW_KEYS
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K1]), pytest.raises(KeyDecryptionError):
        readable()


def test_a_second_run_has_nothing_to_do(keys_under_k1):
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2, K1]):
        rotate()
        assert rotate() == "re-encrypted 0, unchanged 3"
        assert readable() == RAW_KEYS


def test_keys_already_under_the_first_key_are_left_alone(keys_under_k1, viewer):
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2, K1]):
        give_key(viewer, "ss-newer-key-4444", label="Newer")
        newer_before = ApiKey.objects.get(label="Newer").ciphertext
        assert rotate() == "re-encrypted 3, unchanged 1"
        assert ApiKey.objects.get(label="Newer").ciphertext == newer_before


def test_rotation_is_recorded_with_its_counts(keys_under_k1):
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2, K1]):
        rotate()
    done = AuditEvent.objects.filter(action="key rotation").order_by("seq").last()
    assert done.outcome == Outcome.OK
    assert done.details == {"reencrypted": 3, "unchanged": 0}


def test_a_key_it_cannot_decrypt_stops_it_loudly_and_changes_nothing(keys_under_k1):
    broken = ApiKey.objects.get(label="Other")
    ApiKey.objects.filter(pk=broken.pk).update(ciphertext="gAAAAABnot-a-real-token")
    before = dict(ApiKey.objects.values_list("pk", "ciphertext"))
    with (
        override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2, K1]),
        pytest.raises(CommandError, match=f"#{broken.pk} cannot be decrypted"),
    ):
        rotate()
    assert dict(ApiKey.objects.values_list("pk", "ciphertext")) == before
    failed = AuditEvent.objects.filter(action="key rotation").order_by("seq").last()
    assert failed.outcome == Outcome.FAILED
    assert failed.target == f"key:{broken.pk}"
    assert f"#{broken.pk}" in failed.details["error"]


def test_run_from_the_shell_it_exits_non_zero(keys_under_k1):
    ApiKey.objects.filter(label="Own").update(ciphertext="garbage")
    utility = ManagementUtility(["manage.py", "rotate_encryption_keys"])
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[K2]), pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code != 0
