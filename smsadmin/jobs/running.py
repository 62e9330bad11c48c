"""Running a job: one worker at a time, item by item, within the jobs' budget share.

A job runs in slices. A slice is one task on the queue (``tasks.run_job``): it
takes the job's lease with a conditional UPDATE (so two workers never work on
one job), works through pending items until the budget share is spent, the
job is cancelled or done, or ``SLICE_SECONDS`` have passed, and then leaves a
continuation on the queue, due when the budget allows. Other tasks (the sync,
other jobs) get the worker in between.

Each item is claimed (pending → in flight) by a conditional UPDATE before its
upstream call, and finished after it. A worker killed mid-call leaves its item
in flight and its lease running out; ``recover_stalled`` (every worker runs it
regularly) queues the job again, and the next slice finds the item:

- a DELETE is simply tried again: a second DELETE of a deleted message
  answers 404, "already gone";
- a POST may have created its messages, and the API cannot be asked (it has
  no idempotency key), so it becomes "outcome unknown" for a person to check,
  and is never sent again on its own.
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from smsadmin import problems
from smsadmin.accounts.models import User
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, audited, record
from smsadmin.jobs import pacing, titles
from smsadmin.jobs.models import Job, JobItem
from smsadmin.keys.models import ApiKey
from smsadmin.problems import problem_for
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import (
    NotFound,
    RateLimited,
    SociostacksError,
    UpstreamUnavailable,
)

logger = logging.getLogger("smsadmin.jobs")

SLICE_SECONDS = 20.0
# A wait this short is slept through inside the slice; a longer one frees the worker.
SHORT_WAIT_SECONDS = 3
# A job whose continuation was due this long ago without a worker holding it
# lost its task (a worker died between two slices): it is queued again.
STALL_GRACE = timedelta(seconds=15)
DELETE_TRIES = 3

# Stored in English with the item, translated where shown (JobItem.shown_outcome).
DELETED = gettext_noop("deleted")
CANCELLED = gettext_noop("cancelled")
ALREADY_GONE = gettext_noop("already gone")


def _lease() -> timedelta:
    return timedelta(seconds=settings.SMSADMIN_JOBS_LEASE_SECONDS)


# --- Creating and queueing ----------------------------------------------------


def delete_items(messages: Sequence[tuple[int, bool]]) -> list[dict[str, Any]]:
    """Items for (sms_id, cancelling) pairs: one DELETE each."""
    return [
        {"method": JobItem.Method.DELETE, "sms_id": sms_id, "cancelling": cancelling}
        for sms_id, cancelling in messages
    ]


def create_job(
    *,
    owner: User | None,
    api_key: ApiKey,
    kind: Job.Kind,
    items: Sequence[dict[str, Any]],
    who: Who,
    details: dict[str, Any] | None = None,
    title: str = "",
    title_words: dict[str, Any] | None = None,
) -> Job:
    """The job with its items frozen as given, on record, queued once committed.

    ``title_words`` (see smsadmin.jobs.titles) words the title in each reader's
    language; ``title`` is the English one, made from them when not given.
    """
    title = title or titles.english(title_words or {})
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            api_key=api_key,
            kind=kind,
            title=title[:200],
            title_words=title_words or {},
            total=len(items),
            operator_name=who.operator_name[:64],
            ip_address=who.ip_address,
            request_id=who.request_id[:64],
            wake_at=timezone.now(),
        )
        JobItem.objects.bulk_create(
            JobItem(job=job, position=position, **item) for position, item in enumerate(items)
        )
    record(
        Action.JOB_CONFIRMED,
        who=who,
        target=f"job:{job.pk}",
        details={"kind": kind, "title": job.title, "items": len(items), **(details or {})},
    )
    enqueue(job.pk)
    return job


def enqueue(job_id: int, *, after_seconds: int = 0) -> None:
    from smsadmin.jobs.tasks import run_job

    task = run_job
    if after_seconds > 0:
        task = run_job.using(run_after=timezone.now() + timedelta(seconds=after_seconds))
    task.enqueue(job_id)


def recover_stalled(now=None) -> list[int]:
    """Queue again the active jobs that lost their worker.

    Either the lease ran out (the worker died mid-slice: live workers renew it
    before every call), or nobody holds the job and its next slice is overdue
    (the worker died between two slices, before queueing the next). The
    conditional UPDATE lets only one of several workers running this queue it.
    """
    now = now or timezone.now()
    active = Job.objects.active()
    overdue = Q(wake_at__isnull=True) | Q(wake_at__lt=now - STALL_GRACE)
    queued = []
    for job_id in active.filter(lease_until__lt=now).values_list("pk", flat=True):
        if active.filter(pk=job_id, lease_until__lt=now).update(
            lease_token="", lease_until=None, wake_at=now
        ):
            queued.append(job_id)
    for job_id in active.filter(overdue, lease_until__isnull=True).values_list("pk", flat=True):
        if active.filter(overdue, pk=job_id, lease_until__isnull=True).update(wake_at=now):
            queued.append(job_id)
    for job_id in queued:
        enqueue(job_id)
    return queued


# --- Who did it ---------------------------------------------------------------


def who_of(job: Job) -> Who:
    """The person who confirmed the job: its events are theirs, written by the worker."""
    if job.owner is None:
        return Who()
    return Who(
        actor=job.owner,
        actor_username=job.owner.get_username(),
        operator_name=job.operator_name,
        ip_address=job.ip_address,
        request_id=job.request_id,
    )


# --- The lease ----------------------------------------------------------------


def _take_lease(job_id: int, token: str) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.active()
        .filter(pk=job_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_token=token, lease_until=now + _lease())
    )


def _renew(job_id: int, token: str) -> bool:
    return bool(
        Job.objects.filter(pk=job_id, lease_token=token).update(
            lease_until=timezone.now() + _lease()
        )
    )


def _release(job_id: int, token: str, **changes: Any) -> None:
    Job.objects.filter(pk=job_id, lease_token=token).update(
        lease_token="", lease_until=None, **changes
    )


# --- Running a slice ----------------------------------------------------------


@dataclass
class SliceReport:
    done: int = 0
    stopped: str = ""


def run_slice(
    job_id: int,
    *,
    slice_seconds: float = SLICE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> SliceReport:
    """Work on the job for a while, if no other worker holds it."""
    token = uuid.uuid4().hex
    if not _take_lease(job_id, token):
        return SliceReport(stopped="held by another worker or finished")
    return _Slice(Job.objects.select_related("owner", "api_key").get(pk=job_id), token).run(
        slice_seconds, sleep
    )


class _Slice:
    def __init__(self, job: Job, token: str) -> None:
        self.job = job
        self.token = token
        self.who = who_of(job)
        self.report = SliceReport()
        self.fingerprint = ""

    def run(self, slice_seconds: float, sleep: Callable[[float], None]) -> SliceReport:
        try:
            return self._run(slice_seconds, sleep)
        except BaseException:
            # Let the lease run out rather than release it: whatever was in
            # flight must be looked at by the next slice, not taken as pending.
            logger.exception("job %s: slice failed", self.job.pk)
            raise

    def _run(self, slice_seconds: float, sleep: Callable[[float], None]) -> SliceReport:
        job = self.job
        if job.state == Job.State.QUEUED:
            Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now())
            record(
                Action.JOB_STARTED,
                who=self.who,
                target=f"job:{job.pk}",
                details={"kind": job.kind, "items": job.total},
            )
        elif job.state == Job.State.PAUSED:
            Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
        recover_in_flight(job, self.who)
        if job.api_key is None:
            return self._finish(Job.State.FAILED, problems.JOB_KEY_GONE)
        client = job.api_key.client()
        self.fingerprint = client.fingerprint
        deadline = time.monotonic() + slice_seconds
        while True:
            # Renewed while the job runs, so people's reads leave its share alone.
            pacing.reserve(client.fingerprint)
            if Job.objects.filter(pk=job.pk, cancel_requested=True).exists():
                return self._finish(Job.State.CANCELLED)
            item = job.items.filter(state=JobItem.State.PENDING).order_by("position").first()
            if item is None:
                return self._finish(Job.State.DONE)
            wait = pacing.refusal(client.fingerprint)
            if wait is not None:
                if wait.seconds <= SHORT_WAIT_SECONDS and time.monotonic() < deadline:
                    sleep(wait.seconds)
                    continue
                return self._pause(wait)
            if time.monotonic() >= deadline:
                return self._continue_later(0, "")
            if not _renew(job.pk, self.token):
                self.report.stopped = "lease lost"
                return self.report
            if not _claim(item):
                continue
            pacing.count_job_call(client.fingerprint)
            retry_after = perform(item, client, job, self.who)
            if retry_after is not None:
                return self._pause(pacing.Wait(pacing.RATE_LIMITED, retry_after))
            self.report.done += 1

    def _pause(self, wait: pacing.Wait) -> SliceReport:
        return self._continue_later(wait.seconds, wait.reason)

    def _continue_later(self, seconds: int, reason: str) -> SliceReport:
        # Released before the continuation is queued, so the continuation never
        # finds the job still held; a crash in between is what recover_stalled is for.
        state = Job.State.PAUSED if reason else Job.State.RUNNING
        _release(
            self.job.pk,
            self.token,
            state=state,
            problem=reason,
            wake_at=timezone.now() + timedelta(seconds=seconds),
        )
        enqueue(self.job.pk, after_seconds=seconds)
        self.report.stopped = reason or "slice over"
        return self.report

    def _finish(self, state: Job.State, problem: str = "") -> SliceReport:
        job = self.job
        _release(
            job.pk,
            self.token,
            state=state,
            finished_at=timezone.now(),
            problem=problem,
            wake_at=None,
        )
        job.refresh_from_db()
        if self.fingerprint:
            pacing.release(self.fingerprint)
        record_end(job, self.who)
        self.report.stopped = state
        return self.report


def record_end(job: Job, who: Who) -> None:
    from smsadmin.jobs.sends import settle_send_request

    settle_send_request(job)
    counts = job.counts()
    record(
        Action.JOB_FINISHED,
        who=who,
        outcome=Outcome.OK if job.state == Job.State.DONE else Outcome.FAILED,
        target=f"job:{job.pk}",
        details={"state": job.state, "kind": job.kind, **counts},
    )


def _claim(item: JobItem) -> bool:
    return bool(
        JobItem.objects.filter(pk=item.pk, state=JobItem.State.PENDING).update(
            state=JobItem.State.IN_FLIGHT, attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
    )


def settle(item: JobItem, state: JobItem.State, outcome: str, **fields: Any) -> None:
    JobItem.objects.filter(pk=item.pk, state=JobItem.State.IN_FLIGHT).update(
        state=state, outcome=outcome[:500], finished_at=timezone.now(), **fields
    )


def recover_in_flight(job: Job, who: Who) -> None:
    """Items a dead worker left in flight: DELETEs go again, POSTs become "outcome unknown"."""
    stranded = job.items.filter(state=JobItem.State.IN_FLIGHT)
    for item in stranded.filter(method=JobItem.Method.POST):
        settle(item, JobItem.State.UNKNOWN, problems.WORKER_DIED_MID_SEND)
        record(
            Action.SEND,
            who=who,
            outcome=Outcome.FAILED,
            target=item.target,
            details={"job": job.pk, "item": item.position, "outcome": "unknown: worker died"},
        )
    stranded.filter(method=JobItem.Method.DELETE).update(state=JobItem.State.PENDING)


# --- One item -----------------------------------------------------------------


def perform(item: JobItem, client: SociostacksClient, job: Job, who: Who) -> int | None:
    """Carry out one claimed item; the seconds to wait when upstream said 429."""
    if item.method == JobItem.Method.DELETE:
        return _delete(item, client, job, who)
    from smsadmin.jobs.sends import post

    return post(item, client, job, who)


def _sms_id(item: JobItem) -> int:
    # A DELETE item is made for one message: its id is frozen with it.
    if item.sms_id is None:
        raise ValueError(f"job item {item.pk} deletes no message")
    return item.sms_id


def _delete(item: JobItem, client: SociostacksClient, job: Job, who: Who) -> int | None:
    from smsadmin.mirror import storing

    action = Action.CANCEL if item.cancelling else Action.DELETE
    try:
        with audited(
            action, who=who, target=item.target, details={"job": job.pk, "item": item.position}
        ):
            client.delete_message(_sms_id(item))
    except NotFound:
        outcome = ALREADY_GONE
    except RateLimited as error:
        # Refused, so certainly not done: back in line after the pause.
        JobItem.objects.filter(pk=item.pk).update(state=JobItem.State.PENDING)
        return error.retry_after
    except UpstreamUnavailable as error:
        if item.attempts < DELETE_TRIES:
            # A DELETE may be asked again: at worst the second answer is "already gone".
            JobItem.objects.filter(pk=item.pk).update(state=JobItem.State.PENDING)
        else:
            settle(item, JobItem.State.FAILED, problem_for(error).sentence)
        return None
    except SociostacksError as error:
        settle(item, JobItem.State.FAILED, problem_for(error).sentence)
        return None
    else:
        outcome = CANCELLED if item.cancelling else DELETED
    settle(item, JobItem.State.DONE, outcome)
    if job.api_key is not None:
        storing.mark_deleted(job.api_key, _sms_id(item))
    return None


# --- Asked by people ----------------------------------------------------------


def request_cancel(job: Job, who: Who) -> bool:
    """Stop the job before its next upstream call; finished items stay done.

    A job no worker holds right now (queued, paused) is ended here; a running
    one is ended by its worker, which looks before every call.
    """
    if not Job.objects.active().filter(pk=job.pk).update(cancel_requested=True):
        return False
    record(
        Action.JOB_CANCELLED,
        who=who,
        target=f"job:{job.pk}",
        details={"kind": job.kind, **job.counts()},
    )
    token = uuid.uuid4().hex
    if _take_lease(job.pk, token):
        _release(
            job.pk,
            token,
            state=Job.State.CANCELLED,
            finished_at=timezone.now(),
            wake_at=None,
            problem="",
        )
        job.refresh_from_db()
        record_end(job, who_of(job))
    return True


@dataclass(frozen=True)
class Estimate:
    count: int
    calls: int
    seconds: int
    per_minute: int

    @property
    def duration(self) -> str:
        return pacing.duration_words(self.seconds)


def estimate(count: int, api_key: ApiKey) -> Estimate:
    fingerprint = api_key.client().fingerprint
    # What is left of this minute may already be spent or kept for people.
    wait = pacing.refusal(fingerprint)
    return Estimate(
        count=count,
        calls=count,
        seconds=(wait.seconds if wait else 0) + pacing.expected_seconds(count, fingerprint),
        per_minute=pacing.per_minute(fingerprint),
    )


def eta_seconds(job: Job) -> int | None:
    if not job.is_active:
        return None
    pending = job.items.filter(state__in=[JobItem.State.PENDING, JobItem.State.IN_FLIGHT]).count()
    fingerprint = job.api_key.client().fingerprint if job.api_key else None
    wait = 0
    if job.state == Job.State.PAUSED and job.wake_at is not None:
        wait = max(0, int((job.wake_at - timezone.now()).total_seconds()))
    return wait + pacing.expected_seconds(pending, fingerprint) if pending else wait
