import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Sum, When
from django.utils import timezone

from smsadmin.sociostacks import content

# A draft nobody confirmed holds message text and phone numbers; it is not
# kept longer than this.
UNCONFIRMED_KEEP = timedelta(days=7)


class SendRequestQuerySet(models.QuerySet):
    def messages_sent_since(self, user, since: datetime) -> int:
        """Messages this person sent (or is sending) from ``since`` on, one per recipient.

        A send still in flight counts whole, so two sends at once cannot both
        squeeze under a cap; a failed or partial one counts what went out.
        """
        total = self.filter(user=user, claimed_at__gte=since).aggregate(
            total=Sum(
                Case(
                    When(state=SendRequest.State.SENDING, then=F("recipient_count")),
                    default=F("sent_count"),
                )
            )
        )["total"]
        return total or 0

    def unconfirmed_and_old(self, now: datetime) -> "SendRequestQuerySet":
        return self.filter(state=SendRequest.State.PENDING, created_at__lt=now - UNCONFIRMED_KEEP)


class SendRequest(models.Model):
    """One confirmed-or-about-to-be-confirmed send, keyed by the form's one-time token.

    The compose form carries ``token``; the confirmation page is this row in
    state ``pending``. Sending moves it to ``sending`` with one conditional
    UPDATE, which exactly one request can win (``sending.claim``): a double
    click, a reload, a resubmit or a second tab find the row already claimed
    and are shown its result instead of sending again. The API has no
    idempotency key of its own, so this row is the only thing standing between
    a repeated POST and a repeated SMS.
    """

    class State(models.TextChoices):
        PENDING = "pending", "waiting for confirmation"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        PARTIAL = "partial", "partly sent"
        FAILED = "failed", "failed"

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="send_requests"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of content, recipients, device, SIM and time."
    )

    content = models.TextField()
    numbers = models.JSONField(default=list, help_text="Recipients, E.164, no duplicates.")
    recipients_source = models.CharField(max_length=255, blank=True)
    duplicates_removed = models.PositiveIntegerField(default=0)
    invalid_left_out = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(
        default=list, help_text="[number, reason] for numbers that may not receive SMS."
    )
    device_id = models.PositiveIntegerField()
    sim_id = models.PositiveIntegerField("SIM subscription id")
    device_label = models.CharField(max_length=200, blank=True)
    sim_label = models.CharField("SIM label", max_length=200, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    encoding = models.CharField(max_length=8)
    segments = models.PositiveIntegerField()

    recipient_count = models.PositiveIntegerField()
    sent_count = models.PositiveIntegerField(
        default=0, help_text="Recipients in the POSTs Sociostacks accepted."
    )
    unconfirmed_count = models.PositiveIntegerField(
        default=0,
        help_text="Of those, recipients whose message ids the answer did not list: "
        "their messages were most likely created, but that is not known.",
    )
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    sms_ids = models.JSONField(default=list)
    unsent_numbers = models.JSONField(default=list)
    error = models.TextField(blank=True, help_text="What went wrong, as shown to the person.")
    error_fix_url = models.CharField(max_length=200, blank=True)
    error_fix_label = models.CharField(max_length=100, blank=True)

    objects = SendRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "claimed_at"], name="sendrequest_user_claimed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending") | Q(claimed_at__isnull=False),
                name="sendrequest_claimed_when_not_pending",
            )
        ]

    def __str__(self) -> str:
        return f"send {self.token} by {self.user_id} ({self.state})"

    @property
    def recipients_source_text(self) -> str:
        """Where the numbers came from, in the language of this request (stored without words)."""
        from smsadmin.sms.compose.recipients import describe_source

        return describe_source(self.recipients_source)

    @property
    def is_scheduled(self) -> bool:
        return self.scheduled_at is not None

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.SENT, self.State.PARTIAL, self.State.FAILED}

    @property
    def total_segments(self) -> int:
        """What the send costs: one message per recipient, each billed per segment."""
        return self.recipient_count * self.segments

    @property
    def confirmed_count(self) -> int:
        """Messages known to exist: Sociostacks answered their ids."""
        return len(self.sms_ids)

    @property
    def stored_content(self) -> str:
        """The text as Sociostacks stores it and the phone sends it."""
        return content.rewrite(self.content).stored

    @property
    def progress_percent(self) -> int:
        if not self.batches_total:
            return 0
        return round(100 * self.batches_done / self.batches_total)


class SentMessage(models.Model):
    """A message smsadmin created, with the number it went to.

    An upstream message carries no number, only a contact, and a send to a
    number that is not yet one of the account's contacts makes a contact
    nobody can read (sociostacks-api.md): only the sender ever knows where
    such a message went. So every id a send's answer lists is written here
    with its number, in the transaction that records that answer on the
    send; pages, the mirror, search and export take numbers from here.

    Keyed like the mirror, by the Sociostacks account and the message id.
    """

    account_id = models.PositiveBigIntegerField()
    sms_id = models.PositiveBigIntegerField()
    phone = models.CharField(max_length=16, help_text="E.164, as sent.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    send_request = models.ForeignKey(
        SendRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_messages",
        help_text="The send that created it (who sent it, with what).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "sms_id"], name="sentmessage_account_sms")
        ]
        indexes = [
            models.Index(fields=["account_id", "phone", "created_at"], name="sentmessage_phone")
        ]

    def __str__(self) -> str:
        return f"message {self.sms_id} of account {self.account_id} to {self.phone}"


class LastSender(models.Model):
    """The phone and SIM a person last confirmed a send from, with one key.

    Compose preselects them next time: people send from the same phone day
    after day, and devices differ from one Sociostacks account to another.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey("keys.ApiKey", on_delete=models.CASCADE, related_name="+")
    device_id = models.PositiveBigIntegerField()
    sim_id = models.PositiveBigIntegerField()
    used_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="last_sender_per_user_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.user} last sent from device {self.device_id} SIM {self.sim_id}"

    @classmethod
    def remember(cls, user, key, device_id: int, sim_id: int) -> None:
        cls.objects.update_or_create(
            user=user, key=key, defaults={"device_id": device_id, "sim_id": sim_id}
        )
