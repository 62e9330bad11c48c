"""The engine against the sandbox over real HTTP: items done once, paced, resumable."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.recorder import Who
from smsadmin.jobs import running
from smsadmin.jobs.models import Job, JobItem
from smsadmin.jobs.sends import send_items
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY
from tests.jobs.conftest import calls, delete_job, still_upstream, upstream_ids

pytestmark = pytest.mark.django_db


def no_sleep(seconds: float) -> None:
    pass


def run(job: Job) -> running.SliceReport:
    return running.run_slice(job.pk, sleep=no_sleep)


def test_a_delete_job_deletes_each_message_once_and_says_so(owner, key, on_sandbox):
    ids = upstream_ids(on_sandbox, 5)
    job = delete_job(owner, key, ids)
    on_sandbox.control(reset_stats=True)

    report = run(job)

    job.refresh_from_db()
    assert job.state == Job.State.DONE and report.done == 5
    assert job.counts()["done"] == 5
    assert still_upstream(on_sandbox, ids) == set()
    assert calls(on_sandbox, "DELETE /sms/{id}") == 5


def test_every_item_leaves_an_attempt_and_an_outcome_in_the_persons_name(owner, key, on_sandbox):
    ids = upstream_ids(on_sandbox, 2)
    job = delete_job(owner, key, ids)
    run(job)

    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "outcome", "target"))
    assert actions[0] == ("job confirmed", Outcome.OK, f"job:{job.pk}")
    assert actions[1] == ("job started", Outcome.OK, f"job:{job.pk}")
    assert actions[2:6] == [
        ("delete", Outcome.STARTED, f"sms:{ids[0]}"),
        ("delete", Outcome.OK, f"sms:{ids[0]}"),
        ("delete", Outcome.STARTED, f"sms:{ids[1]}"),
        ("delete", Outcome.OK, f"sms:{ids[1]}"),
    ]
    assert actions[6] == ("job finished", Outcome.OK, f"job:{job.pk}")
    item_event = AuditEvent.objects.filter(action="delete").last()
    assert (item_event.actor_id, item_event.operator_name) == (owner.pk, "Maria K.")
    assert item_event.details["job"] == job.pk


def test_a_message_someone_else_deleted_first_is_already_gone_not_failed(owner, key, on_sandbox):
    ids = upstream_ids(on_sandbox, 2)
    SociostacksClient(RAW_KEY, base_url=on_sandbox.url).delete_message(ids[0])
    job = delete_job(owner, key, ids)
    run(job)

    first, second = job.items.order_by("position")
    assert (first.state, first.outcome) == (JobItem.State.DONE, "already gone")
    assert (second.state, second.outcome) == (JobItem.State.DONE, "deleted")


def test_jobs_spend_only_their_share_of_the_minute_then_pause(owner, key, on_sandbox, settings):
    settings.SMSADMIN_JOBS_BUDGET_SHARE = 0.1  # (60 - 5) * 0.1: 5 calls a minute
    ids = upstream_ids(on_sandbox, 8)
    job = delete_job(owner, key, ids)
    on_sandbox.control(reset_stats=True, reset_rate_limit=True, rate_limit=60)

    run(job)

    job.refresh_from_db()
    assert job.state == Job.State.PAUSED
    assert "share of this minute" in job.problem
    assert calls(on_sandbox, "DELETE /sms/{id}") == 5
    assert job.counts()["pending"] == 3
    continuation = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
    assert continuation.run_after is not None and continuation.run_after > timezone.now()
    assert running.eta_seconds(job) >= 1


def test_a_429_pauses_until_the_reset_and_the_refused_item_is_tried_again(owner, key, on_sandbox):
    ids = upstream_ids(on_sandbox, 4)
    job = delete_job(owner, key, ids)
    on_sandbox.control(reset_stats=True, reset_rate_limit=True, rate_limit=60)
    # Someone outside this site spends the key's whole minute, unknown to us.
    outside = SociostacksClient(RAW_KEY, base_url=on_sandbox.url)
    for _ in range(60):
        outside.get_account()
    cache.clear()

    run(job)

    job.refresh_from_db()
    assert job.state == Job.State.PAUSED
    assert "asked us to wait" in job.problem
    states = list(job.items.order_by("position").values_list("state", flat=True))
    assert states == ["pending"] * 4
    assert calls(on_sandbox, "DELETE /sms/{id}") == 1  # the refused one, then no more
    assert job.wake_at > timezone.now() + timedelta(seconds=30)

    on_sandbox.control(reset_rate_limit=True)
    cache.clear()  # the block upstream announced is over
    run(job)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert still_upstream(on_sandbox, ids) == set()


def test_a_cancel_stops_the_job_before_its_next_call(owner, key, on_sandbox, monkeypatch):
    ids = upstream_ids(on_sandbox, 6)
    job = delete_job(owner, key, ids)
    on_sandbox.control(reset_stats=True)
    real_delete = SociostacksClient.delete_message

    def delete_then_cancel(self, sms_id):
        real_delete(self, sms_id)
        running.request_cancel(job, Who(actor=owner, actor_username=owner.username))

    monkeypatch.setattr(SociostacksClient, "delete_message", delete_then_cancel)
    run(job)

    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    assert calls(on_sandbox, "DELETE /sms/{id}") == 1
    assert job.counts() == {"pending": 5, "in_flight": 0, "done": 1, "failed": 0, "unknown": 0}
    assert AuditEvent.objects.filter(action="job cancelled").count() == 1
    assert AuditEvent.objects.get(action="job finished").details["state"] == "cancelled"


def test_a_queued_job_is_cancelled_at_once_without_a_call(owner, key, on_sandbox):
    job = delete_job(owner, key, upstream_ids(on_sandbox, 3))
    on_sandbox.control(reset_stats=True)
    assert running.request_cancel(job, Who(actor=owner, actor_username=owner.username))

    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED
    run(job)  # its queued task finds nothing to do
    assert calls(on_sandbox, "DELETE /sms/{id}") == 0


def test_a_job_held_by_a_live_worker_is_not_taken_by_another(owner, key, on_sandbox):
    job = delete_job(owner, key, upstream_ids(on_sandbox, 2))
    assert running._take_lease(job.pk, "other-worker")
    on_sandbox.control(reset_stats=True)

    report = run(job)

    assert report.done == 0 and calls(on_sandbox, "DELETE /sms/{id}") == 0


def _dead_worker_left(job: Job, position: int) -> None:
    """What a worker killed mid-call leaves: its item in flight, its lease running out."""
    JobItem.objects.filter(job=job, position=position).update(
        state=JobItem.State.IN_FLIGHT, attempts=1, claimed_at=timezone.now()
    )
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        lease_token="dead",
        lease_until=timezone.now() - timedelta(seconds=1),
        wake_at=timezone.now() - timedelta(minutes=5),
    )


def test_a_delete_in_flight_when_its_worker_died_is_tried_again(owner, key, on_sandbox):
    ids = upstream_ids(on_sandbox, 2)
    job = delete_job(owner, key, ids)
    SociostacksClient(RAW_KEY, base_url=on_sandbox.url).delete_message(ids[0])  # it got through
    _dead_worker_left(job, 0)

    assert running.recover_stalled() == [job.pk]
    run(job)

    first = job.items.get(position=0)
    assert (first.state, first.outcome, first.attempts) == ("done", "already gone", 2)
    job.refresh_from_db()
    assert job.state == Job.State.DONE


def test_a_post_in_flight_when_its_worker_died_is_never_sent_again(owner, key, on_sandbox):
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    job = running.create_job(
        owner=owner,
        api_key=key,
        kind=Job.Kind.SEND,
        title="Send",
        items=send_items("Hello", ["+4915112345678"], device.id, device.sims[0].subscription_id)
        + send_items("Hello", ["+4915112345679"], device.id, device.sims[0].subscription_id),
        who=Who(actor=owner, actor_username=owner.username),
    )
    _dead_worker_left(job, 0)
    on_sandbox.control(reset_stats=True)

    run(job)

    first, second = job.items.order_by("position")
    assert first.state == JobItem.State.UNKNOWN
    assert "not known whether these messages were created" in first.outcome
    assert second.state == JobItem.State.DONE and len(second.created_ids) == 1
    assert calls(on_sandbox, "POST /sms") == 1
    unknown = AuditEvent.objects.filter(action="send", details__outcome="unknown: worker died")
    assert unknown.count() == 1


def test_a_post_answered_with_a_502_is_outcome_unknown_and_not_resent(owner, key, on_sandbox):
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    job = running.create_job(
        owner=owner,
        api_key=key,
        kind=Job.Kind.SEND,
        title="Send",
        items=send_items("Hi", ["+4915112345678"], device.id, device.sims[0].subscription_id),
        who=Who(actor=owner, actor_username=owner.username),
    )
    SociostacksClient(RAW_KEY, base_url=on_sandbox.url).account()  # cached for the job
    on_sandbox.control(reset_stats=True, fail_next={"count": 1, "mode": "502"})

    run(job)
    run(job)

    (item,) = job.items.all()
    assert item.state == JobItem.State.UNKNOWN
    assert calls(on_sandbox, "POST /sms") == 1


def test_a_job_whose_key_was_deleted_stops_and_says_why(owner, key, on_sandbox):
    job = delete_job(owner, key, upstream_ids(on_sandbox, 1))
    key.delete()
    run(job)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "key" in job.problem


def test_the_estimate_counts_calls_at_the_jobs_share(owner, key, settings):
    settings.SMSADMIN_JOBS_BUDGET_SHARE = 0.5
    estimate = running.estimate(1214, key)
    assert (estimate.count, estimate.calls, estimate.per_minute) == (1214, 1214, 27)
    assert estimate.duration == "45 min"


def test_a_post_whose_account_read_failed_was_never_made_so_it_failed_plainly(
    owner, key, on_sandbox
):
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    job = running.create_job(
        owner=owner,
        api_key=key,
        kind=Job.Kind.SEND,
        title="Send",
        items=send_items("Hi", ["+4915112345678"], device.id, device.sims[0].subscription_id),
        who=Who(actor=owner, actor_username=owner.username),
    )
    cache.clear()  # the account is not cached: the job must read it first
    on_sandbox.control(reset_stats=True, fail_next={"count": 3, "mode": "502"})

    run(job)

    (item,) = job.items.all()
    assert item.state == JobItem.State.FAILED
    assert calls(on_sandbox, "POST /sms") == 0
