"""Two-factor sign-in: who needs it, enrolling an authenticator app, checking codes.

A person's second factor is one authenticator app (TOTP) plus one device
holding single-use recovery codes: django-otp devices whose secrets are stored
encrypted (accounts/otp_devices.py). A code
is always checked through ``django_otp.verify_token``, which locks the device
row, so two requests racing with the same code cannot both pass; TOTP devices
remember the last time step they accepted (``last_t``), so a code that worked
once is refused afterwards, and both kinds slow down after wrong guesses.
"""

import base64
import math
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

import django_otp
import segno
from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Error as CheckError
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken

from smsadmin.accounts.models import User
from smsadmin.accounts.otp_devices import AppDevice, RecoveryCode, RecoveryCodes
from smsadmin.accounts.roles import Role, has_role

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

_EVERYONE = "all"
_NOBODY = "none"


def required_roles(setting: str) -> frozenset[str] | None:
    """The roles named by SMSADMIN_2FA_REQUIRED; None means everyone."""
    value = setting.strip().lower()
    if value == _EVERYONE:
        return None
    if value in ("", _NOBODY):
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def check_requirement_setting(**kwargs: object) -> list[CheckMessage]:
    """A misspelt role must stop the site from starting, not silently require nobody."""
    roles = required_roles(settings.SMSADMIN_2FA_REQUIRED)
    unknown = sorted((roles or frozenset()) - {role.value for role in Role})
    if not unknown:
        return []
    return [
        CheckError(
            f"SMSADMIN_2FA_REQUIRED names unknown roles: {', '.join(unknown)}.",
            hint='Use "none", "all", or a comma list of viewer, sender, auditor, admin.',
            id="smsadmin.E201",
        )
    ]


def is_required_for(user: User) -> bool:
    roles = required_roles(settings.SMSADMIN_2FA_REQUIRED)
    if roles is None:
        return True
    return any(has_role(user, role) for role in Role if role.value in roles)


def has_second_factor(user: User) -> bool:
    """As ``django_otp.user_has_device(user, confirmed=True)``, in one query.

    The two-factor middleware asks on every page of a person without a
    second factor, and django-otp asks each kind of device in turn: with four
    kinds installed, four queries a page.
    """
    if user.is_anonymous:
        return False
    kinds = [
        Exists(model.objects.devices_for_user(user, confirmed=True))
        for model in django_otp.device_classes()
    ]
    if not kinds:
        return False
    return User.objects.filter(pk=user.pk).filter(reduce(operator.or_, kinds)).exists()


def with_second_factor(users: Iterable[User]) -> set[int]:
    """The ids of those among ``users`` who have a second factor, in two queries for any number."""
    ids = [user.pk for user in users]
    return {
        user_id
        for kind in (AppDevice, RecoveryCodes)
        for user_id in kind.objects.filter(user_id__in=ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    }


def pending_app_device(user: User) -> tuple[AppDevice, bool]:
    """The not yet confirmed authenticator device and whether it is new.

    Made once, so reloading the setup page keeps the secret already scanned.
    """
    device = AppDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is not None:
        return device, False
    return AppDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False), True


@dataclass(frozen=True)
class Enrolment:
    """What a person needs to add the account to an authenticator app."""

    qr_data_uri: str
    secret: str

    @classmethod
    def of(cls, device: AppDevice) -> "Enrolment":
        qr = segno.make(device.config_url, error="m")
        secret = base64.b32encode(device.bin_key).decode()
        return cls(
            # A light background, so the code scans from a dark-themed page too.
            qr_data_uri=qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        )


def seconds_to_wait(device: Device) -> int:
    """How long the device refuses every code, the right one too, after wrong ones; 0 if not.

    django-otp pauses a device after a wrong code (1 s, then doubling): a
    correct code typed in that pause fails exactly like a wrong one.
    """
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("locked_until") is None:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def wait_text(seconds: int) -> str:
    return ngettext(
        "Wait %(seconds)s second, then enter the code your app shows then: after a wrong code "
        "every code is refused for a moment, the right one too, and the pause doubles with "
        "each wrong code.",
        "Wait %(seconds)s seconds, then enter the code your app shows then: after a wrong code "
        "every code is refused for a moment, the right one too, and the pause doubles with "
        "each wrong code.",
        seconds,
    ) % {"seconds": seconds}


def confirm_app_device(user: User, device: AppDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; returns fresh recovery codes, or None."""
    if verify(device, code) is None:
        return None
    with transaction.atomic():
        AppDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        AppDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes; the plain codes are returned only here."""
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = _distinct_tokens(RECOVERY_CODE_COUNT)
    device.add_codes(codes)
    return codes


def _distinct_tokens(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(StaticToken.random_token())
    return sorted(codes)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def remove_second_factor(user: User) -> None:
    with transaction.atomic():
        for device in django_otp.devices_for_user(user, confirmed=None):
            device.delete()


_TOTP_SHAPE = re.compile(r"\d{6}")


def normalised(code: str) -> str:
    """A code as typed, without the spaces and dashes people add when copying."""
    return re.sub(r"[\s-]", "", code).lower()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a sign-in code: the device that accepted it, or why not."""

    device: Device | None
    refusal: str = ""

    @property
    def used_recovery_code(self) -> bool:
        return isinstance(self.device, RecoveryCodes)


def check_code(user: User, code: str) -> CodeCheck:
    """Check a six-digit app code or a recovery code against the person's confirmed devices.

    The code's shape picks the device kind, so a recovery code typed into the
    box never counts as a wrong guess against the authenticator app.
    """
    code = normalised(code)
    kind = AppDevice if _TOTP_SHAPE.fullmatch(code) else RecoveryCodes
    devices = [d for d in django_otp.devices_for_user(user) if isinstance(d, kind)]
    for device in devices:
        if wait := seconds_to_wait(device):
            return CodeCheck(None, wait_text(wait))
        verified = verify(device, code)
        if verified is not None:
            return CodeCheck(verified)
    if kind is AppDevice:
        return CodeCheck(
            None,
            gettext(
                "That code did not match. Codes change every 30 seconds and each works once: "
                "wait for the next one. If it keeps failing, check the time on your phone."
            ),
        )
    return CodeCheck(None, gettext("That is not an unused recovery code for this account."))


def verify(device: Device, code: str) -> Device | None:
    """One code against one device, with the device row locked while it is checked."""
    return django_otp.verify_token(device.user, device.persistent_id, normalised(code))
