"""The second factor's django-otp devices, their secrets encrypted like the API keys.

django-otp's own TOTP and static devices keep the app secret and the recovery
codes as plain text (readable in ``dumpdata`` or a stolen backup). These two
are the same devices for django-otp (``verify_token``, throttling, the
``otp_device_id`` of a verified session), with each secret stored as
ciphertext made by ``keys/crypto.py`` and decrypted only to check a code or
show the enrolment QR code. The TOTP arithmetic is django-otp's own.
"""

import time
from binascii import unhexlify

from django.conf import settings
from django.db import models, transaction
from django.utils.crypto import constant_time_compare
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from smsadmin.keys import crypto

# What each stored secret is, in error messages.
APP_DEVICE_HOLDS = "two-factor secret"
RECOVERY_CODE_HOLDS = "recovery code"


def _new_app_secret() -> str:
    return crypto.encrypt(random_hex(20))


class AppDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238); its secret is stored encrypted."""

    encrypted_key = models.TextField(default=_new_app_secret, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: a code works once.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        hex_key = crypto.decrypt(
            self.encrypted_key, row_id=self.pk, what=APP_DEVICE_HOLDS, target=f"otp-app:{self.pk}"
        )
        return unhexlify(hex_key.encode())

    # The enrolment URL, exactly as django-otp builds it from bin_key and the settings.
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token: object) -> bool:
        """django-otp's TOTPDevice.verify_token, over the decrypted secret."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(str(token))
        except ValueError:
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(code, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """Single-use recovery codes; each is stored encrypted and deleted once used."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def add_codes(self, codes: list[str]) -> None:
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=self, ciphertext=crypto.encrypt(code)) for code in codes
        )

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        typed = str(token)
        with transaction.atomic():
            # Fernet is not deterministic, so a code is found by decrypting each
            # (ten at most); locked, so two requests cannot both spend one code.
            match = next(
                (code for code in self.codes.select_for_update() if code.matches(typed)), None
            )
            if match is not None:
                match.delete()
        if match is None:
            self.throttle_increment(commit=True)
            return False
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    ciphertext = models.TextField(editable=False)

    def __str__(self) -> str:
        return f"recovery code #{self.pk}"

    def matches(self, typed: str) -> bool:
        code = crypto.decrypt(
            self.ciphertext, row_id=self.pk, what=RECOVERY_CODE_HOLDS, target=f"otp-code:{self.pk}"
        )
        return constant_time_compare(code, typed)
