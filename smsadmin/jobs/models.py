"""Work bigger than a request or a minute's budget: a job and its frozen items.

A job's items are fixed when the person confirms it (the exact ids to delete,
the exact numbers and text to send): what was confirmed is what is done, once.
Each item moves pending → in flight → done / failed with a conditional UPDATE
before its upstream call, so a worker that dies mid-call leaves the item in
flight, where the next worker finds it (see running.recover_in_flight).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smsadmin.keys.models import ApiKey


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """Admins see everyone's jobs; everyone else their own."""
        from smsadmin.accounts.roles import Role, has_role

        if has_role(user, Role.ADMIN):
            return self
        return self.filter(owner=user)

    def active(self) -> "JobQuerySet":
        return self.filter(state__in=Job.ACTIVE)


class Job(models.Model):
    class Kind(models.TextChoices):
        DELETE = "delete", _("delete or cancel messages")
        SEND = "send", _("send messages")
        RETENTION = "retention", _("delete messages past the retention period")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job state", "queued")
        RUNNING = "running", pgettext_lazy("job state", "running")
        PAUSED = "paused", pgettext_lazy("job state", "paused by budget")
        DONE = "done", pgettext_lazy("job state", "done")
        CANCELLED = "cancelled", pgettext_lazy("job state", "cancelled")
        FAILED = "failed", pgettext_lazy("job state", "failed")

    ACTIVE = (State.QUEUED, State.RUNNING, State.PAUSED)

    # None for smsadmin's own jobs (retention): only admins see those.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The key whose budget pays; a job whose key was deleted stops (failed).
    api_key = models.ForeignKey(ApiKey, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # English, for the audit event and rows from before title_words; pages show shown_title.
    title = models.CharField(max_length=200)
    # The title language-neutral: a kind and its numbers (smsadmin.jobs.titles).
    title_words = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    # Who confirmed it, for the audit events the worker writes in their name.
    operator_name = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # The worker working on it now: a token and until when its hold lasts.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the next slice of work is due (a continuation task was queued for then).
    wake_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True)
    # A compose send of more than one batch runs as this job; its row shows the outcome.
    send_request = models.OneToOneField(
        "sms.SendRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="job",
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "lease_until"], name="job_state_lease")]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.title}"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language."""
        from smsadmin.jobs import titles

        return titles.shown(self.title, self.title_words)

    @property
    def shown_problem(self) -> str:
        """The stored (English) problem, translated when the catalogue knows it."""
        from django.utils.translation import gettext

        return gettext(self.problem) if self.problem else ""

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(JobItem.State.values, 0)
        for row in self.items.values("state").annotate(n=models.Count("id")):
            found[row["state"]] = row["n"]
        return found


class JobItem(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("job item state", "pending")
        IN_FLIGHT = "in_flight", pgettext_lazy("job item state", "in flight")
        DONE = "done", pgettext_lazy("job item state", "done")
        FAILED = "failed", pgettext_lazy("job item state", "failed")
        # A POST whose answer never came: it may have been carried out, and
        # the API cannot be asked. Never sent again on its own.
        UNKNOWN = "unknown", pgettext_lazy("job item state", "outcome unknown")

    class Method(models.TextChoices):
        DELETE = "DELETE", "DELETE"
        POST = "POST", "POST"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    method = models.CharField(max_length=6, choices=Method.choices)
    sms_id = models.PositiveBigIntegerField(null=True, blank=True)
    # A scheduled message is cancelled (its DELETE), the rest deleted: the words differ.
    cancelling = models.BooleanField(default=False)
    # For a POST: content, numbers, device_id, sim_id.
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    created_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="jobitem_one_per_position")
        ]
        indexes = [models.Index(fields=["job", "state", "position"], name="jobitem_next")]

    def __str__(self) -> str:
        return f"{self.method} item {self.position} of job {self.job_id}"

    @property
    def shown_outcome(self) -> str:
        """The stored (English) outcome, translated when the catalogue knows it."""
        from django.utils.translation import gettext

        return gettext(self.outcome) if self.outcome else ""

    @property
    def target(self) -> str:
        return f"sms:{self.sms_id}" if self.sms_id else f"job:{self.job_id}"


class PersonalisedDraft(models.Model):
    """A personalised send between its preview and its confirmation.

    The file is kept as read, so the confirmation makes the very rows the
    preview showed (its fingerprint is checked too); ``job`` is set once, by
    the one request whose conditional UPDATE confirmed it.
    """

    token = models.UUIDField(unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=100)
    csv_text = models.TextField()
    csv_column = models.CharField(max_length=100, blank=True)
    template = models.TextField()
    send_empty = models.BooleanField(default=False)
    device_id = models.PositiveBigIntegerField()
    sim_id = models.PositiveBigIntegerField()
    device_label = models.CharField(max_length=200, blank=True)
    sim_label = models.CharField(max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"personalised draft {self.token}"
