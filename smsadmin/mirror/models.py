"""A local copy of each Sociostacks account's messages, so they can be searched.

Upstream can neither filter nor sort and allows 60 calls a minute; the mirror
answers searches, exports and the dashboard from the database instead.

Rows are keyed by the Sociostacks *account* (the ``id`` of ``GET /user``) and
the message id, not by our ApiKey row: a person's key and a team's key may
open the same account, and must then see, and fill, the same mirror.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from smsadmin.keys.models import ApiKey


class Direction(models.TextChoices):
    SENT = "sent", pgettext_lazy("direction", "sent")
    RECEIVED = "received", pgettext_lazy("direction", "received")


class Status(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "pending")
    SENT = "sent", pgettext_lazy("status", "sent")
    FAILED = "failed", pgettext_lazy("status", "failed")
    RECEIVED = "received", pgettext_lazy("status", "received")


class KeyAccount(models.Model):
    """Which Sociostacks account an API key opens, as upstream said when asked.

    ``fingerprint`` is the key's budget fingerprint when that was checked: a
    key whose secret was replaced since no longer counts as opening the account.
    """

    key = models.OneToOneField(ApiKey, on_delete=models.CASCADE, related_name="mirror_account")
    account_id = models.PositiveBigIntegerField(db_index=True)
    account_name = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64)
    resolved_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} opens account {self.account_id}"


LIVE = Q(deleted_at__isnull=True)


class MirroredMessage(models.Model):
    """One upstream message as last read, with the contact's number and name copied in.

    The number and name are copied (not joined) so that a search over a million
    rows filters one table through one index. ``happened_at`` is upstream's
    ``datetime``: the creation time, overwritten when the status changes.
    """

    account_id = models.PositiveBigIntegerField()
    sms_id = models.PositiveBigIntegerField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    status = models.CharField(max_length=10)
    error = models.CharField(max_length=64, blank=True)
    content = models.TextField(blank=True)
    happened_at = models.DateTimeField()
    scheduled_at = models.DateTimeField(null=True, blank=True)
    device_id = models.PositiveBigIntegerField(null=True, blank=True)
    sim_id = models.PositiveBigIntegerField("SIM subscription id", null=True, blank=True)
    contact_id = models.PositiveBigIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Digits only, so "+44 7700", "0044 7700" and "447700" find the same rows.
    phone_digits = models.CharField(max_length=40, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    synced_by = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField()
    # The number of the last full pass that saw the message upstream; one that
    # finishes without seeing it knows it was deleted.
    full_pass = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account_id", "sms_id"], name="mirror_account_sms")
        ]
        # Every search names the account and (but for "deleted") live rows,
        # and sorts by time: each partial index below serves one filter plus
        # that order, so no search sorts the whole account.
        indexes = [
            models.Index(
                fields=["account_id", "happened_at", "sms_id"],
                condition=LIVE,
                name="mirror_live_time",
            ),
            models.Index(
                fields=["account_id", "status", "happened_at", "sms_id"],
                condition=LIVE,
                name="mirror_live_status_time",
            ),
            models.Index(
                fields=["account_id", "device_id", "sim_id", "happened_at"],
                condition=LIVE,
                name="mirror_live_device_time",
            ),
            models.Index(
                fields=["account_id", "phone_digits", "happened_at"],
                condition=LIVE,
                name="mirror_live_phone_time",
            ),
            models.Index(fields=["account_id", "contact_id"], name="mirror_contact"),
            # The dashboard's "upcoming": pending messages by when they go out.
            models.Index(
                fields=["account_id", "scheduled_at"],
                condition=LIVE & Q(status="pending"),
                name="mirror_live_pending_due",
            ),
            models.Index(
                fields=["account_id", "deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="mirror_deleted",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.sms_id} of account {self.account_id}"

    @property
    def is_outgoing(self) -> bool:
        return self.direction == Direction.SENT

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class SyncState(models.Model):
    """Where the mirror of one account stands: what it holds, and any walk paused halfway.

    ``head_id``: every upstream message with this id or a lower one has been
    read at least once (set when the first full walk ends). ``head_walk`` and
    ``full_walk`` are walks (see walking.py) stopped by the budget, resumed on
    the next run. ``lease_until`` lets one sync at a time work on the account,
    whichever process it runs in.
    """

    account_id = models.PositiveBigIntegerField(unique=True)
    account_name = models.CharField(max_length=200, blank=True)
    key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The key the last run used.",
    )
    head_id = models.PositiveBigIntegerField(null=True, blank=True)
    head_walk = models.JSONField(null=True, blank=True)
    full_walk = models.JSONField(null=True, blank=True)
    full_passes = models.PositiveIntegerField(default=0)
    last_full_pass_at = models.DateTimeField(null=True, blank=True)
    # Devices and their SIMs as last listed, for names and the search filters;
    # a device removed upstream stays, so old messages keep a name.
    devices = models.JSONField(default=list, blank=True)
    upstream_total = models.PositiveBigIntegerField(null=True, blank=True)
    mirrored = models.PositiveBigIntegerField(default=0, help_text="Live rows in the mirror.")
    last_sync_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mirror last caught up with upstream."
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_calls = models.PositiveIntegerField(default=0)
    last_outcome = models.CharField(max_length=200, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"mirror of account {self.account_id}"

    @property
    def is_complete(self) -> bool:
        """The first full walk has ended: every message up to ``head_id`` is here."""
        return self.head_id is not None

    def device_names(self) -> dict[int, str]:
        return {int(device["id"]): device["name"] for device in self.devices}

    def sim_labels(self) -> dict[tuple[int, int], str]:
        return {
            (int(device["id"]), int(sim["id"])): sim["label"]
            for device in self.devices
            for sim in device.get("sims", [])
        }


class StatusTally(models.Model):
    """Live messages of an account per UTC quarter hour and status (see tallies.py).

    Written only by the database's triggers on MirroredMessage.
    """

    account_id = models.PositiveBigIntegerField()
    quarter = models.DateTimeField()
    status = models.CharField(max_length=10)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "quarter", "status"], name="mirror_status_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.status} of account {self.account_id} from {self.quarter}"


class UsageTally(models.Model):
    """Live messages of an account per device, SIM, status and error, per span (see tallies.py).

    ``span`` is 15 (a UTC quarter hour from ``start``) or 1440 (a UTC day);
    ``error`` is kept for failed messages only. Written only by the triggers.
    """

    account_id = models.PositiveBigIntegerField()
    span = models.PositiveSmallIntegerField()
    start = models.DateTimeField()
    device_id = models.PositiveBigIntegerField()  # 0: none named
    sim_id = models.PositiveBigIntegerField()  # 0: none named
    status = models.CharField(max_length=10)
    error = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "span", "start", "device_id", "sim_id", "status", "error"],
                name="mirror_usage_tally",
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.status} of account {self.account_id} from {self.start}"
