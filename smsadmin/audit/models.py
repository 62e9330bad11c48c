from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    STARTED = "started", "started"  # the attempt half of an attempt/outcome pair
    OK = "ok", "ok"
    DENIED = "denied", "denied"
    INVALID = "invalid", "invalid"
    UPSTREAM_ERROR = "upstream_error", "upstream error"
    FAILED = "failed", "failed"  # our own fault: an unexpected error


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: use prune_audit to apply retention.")


class AuditEvent(models.Model):
    """One thing someone did, chained to the event before it by a keyed hash.

    Only ``smsadmin.audit.recorder.record`` creates rows. ``actor`` has no
    database constraint and is never nulled: deleting a user must not rewrite
    history, and ``actor_username`` keeps the name.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    operator_name = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, db_index=True)
    error_class = models.CharField(max_length=64, blank=True)
    upstream_status = models.PositiveSmallIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="For an outcome: the attempt event it completes.",
    )
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor_username", "-seq"], name="audit_actor_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome} by {self.actor_username or 'anonymous'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: use prune_audit to apply retention.")


class AuditChainHead(models.Model):
    """The single row writers lock to append to the chain one at a time.

    Holding this row's lock while reading the last hash and inserting is what
    keeps concurrent writers from forking the chain. ``anchor_*`` is where
    verification starts after retention pruned older events.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    anchor_seq = models.PositiveBigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="")


class AuditVerification(models.Model):
    """The result of each chain verification, shown on the review page."""

    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    events_checked = models.PositiveBigIntegerField()
    first_bad_seq = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-checked_at"]
