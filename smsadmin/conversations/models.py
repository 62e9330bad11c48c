"""What the team decided about received messages, and the texts it reuses.

Both are local to smsadmin: Sociostacks knows nothing of either. Handled state
is keyed like the mirror, by Sociostacks account and message id, so everyone
whose key opens the account shares it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from smsadmin.sms.compose.segments import SegmentCount, count_segments


class HandledMessage(models.Model):
    account_id = models.PositiveBigIntegerField()
    sms_id = models.PositiveBigIntegerField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The operator's name on a shared login: the account alone would say "frontdesk".
    operator_name = models.CharField(max_length=64, blank=True)
    handled_at = models.DateTimeField()
    # "reply" when a reply marked it, "marked" when someone pressed the button.
    how = models.CharField(max_length=16, default="marked")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "sms_id"], name="handled_account_sms")
        ]

    def __str__(self) -> str:
        return f"message {self.sms_id} of account {self.account_id} handled"

    @property
    def handler_name(self) -> str:
        name = (
            self.handled_by.get_username() if self.handled_by else gettext("someone since removed")
        )
        return f"{self.operator_name} ({name})" if self.operator_name else name


class SavedText(models.Model):
    """A text the team reuses; ``{name}`` becomes the contact's name when one is known."""

    name = models.CharField(max_length=80, unique=True)
    text = models.TextField(max_length=1000)
    name_fallback = models.CharField(
        "when the name is not known",
        max_length=40,
        blank=True,
        help_text="Used for {name} when the contact's name is not known, e.g. “there”.",
    )
    default_device_id = models.PositiveBigIntegerField(null=True, blank=True)
    default_sim_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def segment_count(self) -> SegmentCount:
        return count_segments(self.text)

    def filled(self, contact_name: str, fallback: str) -> str:
        """The text with ``{name}`` replaced: the contact's name, else ``fallback``."""
        return self.text.replace("{name}", contact_name.strip() or fallback)


class MessageLink(models.Model):
    """A message made from another: sent again after it failed, or its rescheduled copy."""

    class Kind(models.TextChoices):
        SENT_AGAIN = "sent again", "sent again"
        RESCHEDULED = "rescheduled", "rescheduled"

    old_sms_id = models.PositiveBigIntegerField(db_index=True)
    new_sms_id = models.PositiveBigIntegerField(db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old_sms_id", "new_sms_id"], name="message_link_pair")
        ]

    def __str__(self) -> str:
        return f"{self.old_sms_id} {self.kind} as {self.new_sms_id}"
