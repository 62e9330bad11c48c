import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from smsadmin.sociostacks.reads import PAGE_SIZES


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a known time zone.") % {"zone": repr(value)})


# django-otp ships no types, so its devices' reverse managers cannot be resolved.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person, or a team account several people sign in to (``is_shared``)."""

    if TYPE_CHECKING:
        # Put on each request's user by django-otp's OTPMiddleware.
        def is_verified(self) -> bool: ...

    is_shared = models.BooleanField(
        _("shared team login"),
        default=False,
        help_text=_("Several people use this login; each must say who they are after signing in."),
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times are shown and entered in this zone. Empty: the server's zone."),
    )
    phone_region = models.CharField(
        _("phone region"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter country code for numbers typed without +, e.g. DE."),
    )
    default_device_id = models.PositiveIntegerField(null=True, blank=True)
    default_sim_id = models.PositiveIntegerField(_("default SIM"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the language your browser asks for."),
    )
    page_size = models.PositiveIntegerField(
        default=25, choices=[(size, str(size)) for size in PAGE_SIZES]
    )
    daily_send_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Most messages this person may send per day. Empty: the site default."),
    )
    operators_may_type_a_name = models.BooleanField(
        _("operators may type a name"),
        default=False,
        help_text=_(
            "On a shared login: besides picking a listed name, "
            "an operator may type one that is not on the list."
        ),
    )
    session_epoch = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Raised to end every session of this login at once."),
    )

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """What Django's AuthenticationMiddleware checks each session against, every request.

        Raising ``session_epoch`` changes it, so every session of the person
        ends at their next click, whatever the session backend. Epoch 0 keeps
        Django's own value, so sessions from before epochs existed stay valid.
        """
        if not self.session_epoch:
            # A private method of Django's that the stubs leave out.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "smsadmin.accounts.User.session_epoch",
            f"{self.password}\x00{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

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


class Team(models.Model):
    """People and shared logins who may use the team's API keys.

    Not a role: roles are Django groups (accounts/roles.py) and say what a
    person may do; a team says which shared keys they may do it with.
    """

    name = models.CharField(max_length=150, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Operator(models.Model):
    """A name a person may pick when they sign in to a shared login."""

    login = models.ForeignKey(User, on_delete=models.CASCADE, related_name="operators")
    name = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["login", "name"], name="operator_name_per_login")
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.login}"


class PasswordLink(models.Model):
    """A one-time link that lets a person set their password (an invitation or a reset).

    Only the SHA-256 of the link's token is stored: the token itself is shown
    once to the admin who made it (and e-mailed), so a copy of the database
    opens no account.
    """

    class Purpose(models.TextChoices):
        INVITE = "invite", "invitation"
        RESET = "reset", "password reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer link for the same person, or their deactivation, closes this one.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.get_purpose_display()} for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
        )


# The second factor's devices live beside the people they belong to.
from smsadmin.accounts.otp_devices import AppDevice, RecoveryCode, RecoveryCodes  # noqa: E402

__all__ = ["AppDevice", "RecoveryCode", "RecoveryCodes", "User"]
