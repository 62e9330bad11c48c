"""Move every second factor to the encrypted devices, and leave no plain secret behind.

django-otp's TOTP and static devices kept the app secret and the recovery codes
as plain text. Each becomes an AppDevice / RecoveryCodes row with the same
owner, name, state and counters, its secrets encrypted by keys/crypto.py; the
plain rows are deleted. A session verified with an old device asks for a code
once more.
"""

from django.db import migrations


def encrypt_second_factors(apps, schema_editor):
    from smsadmin.keys import crypto

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    AppDevice = apps.get_model("accounts", "AppDevice")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    shared = (
        "user_id", "name", "confirmed", "throttling_failure_timestamp",
        "throttling_failure_count", "created_at", "last_used_at",
    )  # fmt: skip
    for old in TOTPDevice.objects.all():
        AppDevice.objects.create(
            **{field: getattr(old, field) for field in shared},
            encrypted_key=crypto.encrypt(old.key),
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
        )
    for old in StaticDevice.objects.all():
        new = RecoveryCodes.objects.create(**{field: getattr(old, field) for field in shared})
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=new, ciphertext=crypto.encrypt(token.token))
            for token in StaticToken.objects.filter(device=old)
        )
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_second_factor_devices"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Not reversible: writing the secrets back in the clear is not a way back we offer.
    operations = [migrations.RunPython(encrypt_second_factors, migrations.RunPython.noop)]
