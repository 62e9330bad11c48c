from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from smsadmin.accounts.models import Team
from smsadmin.accounts.roles import Role, has_role
from smsadmin.keys import crypto
from smsadmin.sociostacks.budget import key_fingerprint

if TYPE_CHECKING:
    from smsadmin.sociostacks.types import Account


def fingerprint_of(raw_key: str) -> str:
    """The HMAC the site names a key by everywhere (never the key, nor a plain hash of it)."""
    return key_fingerprint(raw_key)


class ApiKeyQuerySet(models.QuerySet):
    def usable_by(self, user) -> "ApiKeyQuerySet":
        """The person's own keys and the keys of the teams they belong to; none once deactivated."""
        if not user.is_active:
            return self.none()
        return self.filter(Q(owner=user) | Q(team__members=user)).distinct()

    def in_service(self) -> "ApiKeyQuerySet":
        """Keys work may be done with: team keys, and the keys of people not deactivated."""
        return self.filter(Q(owner__isnull=True) | Q(owner__is_active=True))

    def visible_to(self, user) -> "ApiKeyQuerySet":
        """Keys the person may see by label and hint: usable ones, and every team's for an admin."""
        if has_role(user, Role.ADMIN):
            return self.filter(Q(owner=user) | Q(team__isnull=False))
        return self.usable_by(user)


class ApiKey(models.Model):
    """A Sociostacks API key, stored encrypted; only its last four characters are clear.

    It belongs to one person (``owner``) or to a team (``team``): every
    member may use a team key, none may see it.
    """

    label = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    ciphertext = models.TextField(editable=False)
    hint = models.CharField(max_length=4, editable=False, help_text="Last four characters.")
    # Adding or replacing a key refuses one whose fingerprint is stored already
    # (keys/views.py). Not a database constraint: installations made before
    # may hold copies, and their rows must still load, migrate and be deleted.
    fingerprint = models.CharField(
        max_length=24,
        blank=True,
        editable=False,
        db_index=True,
        help_text="HMAC of the raw key (budget.key_fingerprint): finds a key stored twice.",
    )
    account_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    account_name = models.CharField(max_length=200, blank=True, editable=False)
    account_time_zone = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(team__isnull=True))
                | (Q(owner__isnull=True) & Q(team__isnull=False)),
                name="apikey_one_owner_or_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} (…{self.hint})"

    @property
    def masked(self) -> str:
        return f"••••{self.hint}"

    def may_be_changed_by(self, user) -> bool:
        """Owners change their own keys; only an admin changes a team's key."""
        if self.team_id is not None:
            return has_role(user, Role.ADMIN)
        return self.owner_id == user.pk

    def remember_account(self, account: "Account") -> None:
        """Note which Sociostacks account the key opened, and when that was checked."""
        self.account_id = account.id
        self.account_name = account.name[:200]
        self.account_time_zone = account.timezone[:64]
        self.verified_at = timezone.now()

    def audit_details(self) -> dict[str, str]:
        """What an audit event may say about the key: never more than label, hint and team."""
        details = {"label": self.label, "hint": self.hint}
        if self.team is not None:
            details["team"] = self.team.name
        return details

    @property
    def account_label(self) -> str:
        """The Sociostacks account as people know it: its name, else its number."""
        if self.account_name:
            return self.account_name
        if self.account_id is not None:
            return f"#{self.account_id}"
        return gettext("not checked yet")

    def set_secret(self, raw_key: str) -> None:
        self.ciphertext = crypto.encrypt(raw_key)
        self.hint = raw_key[-4:]
        self.fingerprint = fingerprint_of(raw_key)

    def reveal(self) -> str:
        """The raw key, for the upstream client only. Never render or log it."""
        return crypto.decrypt(self.ciphertext, row_id=self.pk)

    def client(self, *, read_timeout: float | None = None):
        """A client for this key; ``read_timeout`` shortens the wait for a page a person watches."""
        from smsadmin.sociostacks.client import SociostacksClient

        timeout = None
        if read_timeout is not None:
            timeout = (settings.SOCIOSTACKS_TIMEOUT[0], read_timeout)
        return SociostacksClient(self.reveal(), timeout=timeout)


class ActiveKeyChoice(models.Model):
    """Which of their usable keys a person works with; the choice sticks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="active_key_choice"
    )
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.user} works with {self.key}"
