"""Two-factor secrets and recovery codes are encrypted at rest (issue 22)."""

import base64
import importlib
import io

import django_otp
import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smsadmin.accounts.otp_devices import AppDevice, RecoveryCode, RecoveryCodes
from tests.accounts.test_twofactor import code_for, enrolled, frozen  # noqa: F401
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def every_row_as_stored() -> str:
    """What a stolen database file or backup holds, table by table."""
    found = []
    with connection.cursor() as cursor:
        for table in ("accounts_appdevice", "accounts_recoverycode"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            found += [str(row) for row in cursor.fetchall()]
    return "\n".join(found)


def secret_spellings(device: AppDevice) -> list[str]:
    key = device.bin_key
    return [key.hex(), key.hex().upper(), base64.b32encode(key).decode()]


def test_the_database_holds_neither_the_app_secret_nor_a_recovery_code(enrolled):  # noqa: F811
    device, codes = enrolled
    stored = every_row_as_stored()
    assert device.encrypted_key in stored
    for secret in [*secret_spellings(device), *codes]:
        assert secret not in stored
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()


def test_dumpdata_shows_no_secret(enrolled):  # noqa: F811
    device, codes = enrolled
    out = io.StringIO()
    call_command("dumpdata", "accounts", "otp_totp", "otp_static", stdout=out)
    dumped = out.getvalue()
    assert "accounts.appdevice" in dumped and "accounts.recoverycode" in dumped
    for secret in [*secret_spellings(device), *codes]:
        assert secret not in dumped


def test_django_otp_verifies_codes_against_the_encrypted_devices(enrolled, frozen):  # noqa: F811
    device, codes = enrolled
    user = device.user
    assert django_otp.user_has_device(user)
    verified = django_otp.verify_token(user, device.persistent_id, code_for(device))
    assert verified is not None and verified.persistent_id.startswith("accounts.appdevice/")
    recovery = RecoveryCodes.objects.get(user=user)
    assert django_otp.verify_token(user, recovery.persistent_id, codes[0]) is not None
    assert django_otp.verify_token(user, recovery.persistent_id, codes[0]) is None
    assert RecoveryCode.objects.filter(device=recovery).count() == len(codes) - 1


def test_the_migration_encrypts_existing_plain_devices_and_removes_them(frozen):  # noqa: F811
    person = make_user("olga", "viewer")
    plain = TOTPDevice.objects.create(user=person, name="Old phone", confirmed=True, drift=1)
    static = StaticDevice.objects.create(user=person, name="Old codes", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.create(device=static, token="efgh6789")
    migration = importlib.import_module(
        "smsadmin.accounts.migrations.0005_encrypt_second_factor_secrets"
    )
    migration.encrypt_second_factors(apps, connection.schema_editor())

    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists() and not StaticToken.objects.exists()
    moved = AppDevice.objects.get(user=person)
    assert (moved.name, moved.confirmed, moved.drift) == ("Old phone", True, 1)
    assert moved.bin_key == plain.bin_key
    assert plain.key not in every_row_as_stored()
    code = totp(plain.bin_key, plain.step, plain.t0, plain.digits, plain.drift)
    assert moved.verify_token(f"{code:06d}")
    codes = RecoveryCodes.objects.get(user=person)
    assert codes.verify_token("efgh6789") and not codes.verify_token("efgh6789")
    assert "abcd2345" not in every_row_as_stored()


def test_rotate_encryption_keys_covers_app_secrets_and_recovery_codes(enrolled):  # noqa: F811
    device, codes = enrolled
    secret = device.bin_key
    newer = Fernet.generate_key().decode()
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[newer, *settings.SMSADMIN_ENCRYPTION_KEYS]):
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert out.getvalue().strip() == f"re-encrypted {1 + len(codes)}, unchanged 0"
    with override_settings(SMSADMIN_ENCRYPTION_KEYS=[newer]):
        fresh = AppDevice.objects.get(pk=device.pk)
        assert fresh.bin_key == secret
        recovery = RecoveryCodes.objects.get(user=device.user)
        assert recovery.verify_token(codes[1])
