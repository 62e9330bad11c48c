import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

PAGE_SIZES = (10, 25, 50, 100, 250, 500, 1000)


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


class User(AbstractUser):
    """A person, or a team account several people sign in to (``is_shared``)."""

    is_shared = models.BooleanField(
        "shared team login",
        default=False,
        help_text="Several people use this login; each must say who they are after signing in.",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Times are shown and entered in this zone. Empty: the server's zone.",
    )
    phone_region = models.CharField(
        "phone region",
        max_length=2,
        blank=True,
        help_text="Two-letter country code for numbers typed without +, e.g. DE.",
    )
    default_device_id = models.PositiveIntegerField(null=True, blank=True)
    default_sim_id = models.PositiveIntegerField("default SIM", null=True, blank=True)
    page_size = models.PositiveIntegerField(
        default=25, choices=[(size, str(size)) for size in PAGE_SIZES]
    )
    daily_send_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Most messages this person may send per day. Empty: the site default.",
    )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    @property
    def region_for_numbers(self) -> str | None:
        return (self.phone_region or settings.DEFAULT_PHONE_REGION or "").upper() or None

    @property
    def effective_daily_cap(self) -> int | None:
        cap = self.daily_send_cap if self.daily_send_cap is not None else None
        if cap is None:
            cap = settings.SMSADMIN_DAILY_SEND_CAP or None
        return cap


# The second factor's devices live beside the people they belong to.
from smsadmin.accounts.otp_devices import AppDevice, RecoveryCode, RecoveryCodes  # noqa: E402

__all__ = ["AppDevice", "RecoveryCode", "RecoveryCodes", "User"]
