import json

from django.conf import settings
from django.db import connections, models
from django.utils.translation import pgettext_lazy


class Outcome(models.TextChoices):
    STARTED = "started", pgettext_lazy("audit outcome", "started")  # an attempt's half of a pair
    OK = "ok", pgettext_lazy("audit outcome", "ok")
    DENIED = "denied", pgettext_lazy("audit outcome", "denied")
    INVALID = "invalid", pgettext_lazy("audit outcome", "invalid")
    UPSTREAM_ERROR = "upstream_error", pgettext_lazy("audit outcome", "upstream error")
    FAILED = "failed", pgettext_lazy("audit outcome", "failed")  # our own fault: unexpected


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def recorded_actions(self) -> list[str]:
        """Every action the table holds, in order, for the review page's action filter.

        SELECT DISTINCT would read the whole action index (a million entries);
        this hops from one action to the next, one index seek each.
        """
        database = connections[self.db]
        table = database.ops.quote_name(self.model._meta.db_table)
        with database.cursor() as cursor:
            cursor.execute(
                f"""WITH RECURSIVE found(action) AS (
                    SELECT MIN(action) FROM {table}
                    UNION ALL
                    SELECT (SELECT MIN(action) FROM {table} WHERE action > found.action)
                    FROM found WHERE found.action IS NOT NULL
                ) SELECT action FROM found WHERE action IS NOT NULL"""  # noqa: S608  # nosec B608  # quoted table name
            )
            return [action for (action,) in cursor.fetchall()]

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
    actor_username = models.CharField(max_length=150, blank=True)
    operator_name = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=255, blank=True)
    # The message ids the event is about, from its target and created ids, as
    # ",12,345," so that searching ",12," cannot match 123 or 512.
    message_ids = models.TextField(blank=True, editable=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
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
        # The review page filters on one of these and pages by seq, newest
        # first: each index serves both, so no filter sorts the whole table.
        indexes = [
            models.Index(fields=["actor_username", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
            models.Index(fields=["outcome", "-seq"], name="audit_outcome_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome} by {self.actor_username or 'anonymous'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: use prune_audit to apply retention.")

    @property
    def details_preview(self) -> str:
        """The start of ``details`` as compact JSON, for a table cell."""
        text = json.dumps(self.details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text if len(text) <= 120 else text[:119] + "…"

    @property
    def details_json(self) -> str:
        """``details`` as readable JSON, for pages (escaped there like any text)."""
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True, indent=2)


class AuditMessageRef(models.Model):
    """Which events are about which message: the index behind the review page's message filter.

    ``record`` writes these with the event, from the same ids that fill the
    chained ``AuditEvent.message_ids``; pruning removes them with their events.
    Searching ``message_ids`` instead would read every row of a million.
    """

    sms_id = models.PositiveBigIntegerField()
    event_seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sms_id", "event_seq"], name="audit_message_ref")
        ]

    def __str__(self) -> str:
        return f"sms:{self.sms_id} in #{self.event_seq}"


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

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_seq}"


class AuditVerification(models.Model):
    """The result of each chain verification, shown on the review page."""

    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    complete = models.BooleanField(
        default=True, help_text="False when the check ran out of time before the newest event."
    )
    events_checked = models.PositiveBigIntegerField()
    through_seq = models.PositiveBigIntegerField(
        default=0, help_text="The newest event the check covered."
    )
    first_bad_seq = models.PositiveBigIntegerField(null=True, blank=True)
    first_bad_event_id = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        verdict = "intact" if self.ok else f"broken at #{self.first_bad_seq}"
        if self.ok and not self.complete:
            verdict = f"intact through #{self.through_seq} (not checked further)"
        return f"audit chain {verdict} ({self.checked_at:%Y-%m-%d %H:%M} UTC)"
