"""SMSADMIN_MESSAGE_RETENTION_DAYS: a daily job deletes messages older than N days (off: 0)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from smsadmin.jobs import tasks
from smsadmin.jobs.models import Job
from smsadmin.jobs.retention import start_retention_jobs
from tests.conftest import make_user
from tests.mirror.conftest import link, mirrored

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(key):
    link(key, 1)
    now = timezone.now()
    return {
        "old": mirrored(happened_at=now - timedelta(days=40)),
        "older": mirrored(happened_at=now - timedelta(days=400), status="failed"),
        "new": mirrored(happened_at=now - timedelta(days=5)),
        "gone": mirrored(happened_at=now - timedelta(days=50), deleted_at=now),
        "waiting": mirrored(
            happened_at=now - timedelta(days=60),
            status="pending",
            scheduled_at=now + timedelta(days=1),
        ),
        "other account": mirrored(account_id=2, happened_at=now - timedelta(days=90)),
    }


def test_it_is_off_by_default(linked):
    assert start_retention_jobs() == []
    assert tasks.schedule_retention() is False


def test_a_daily_job_lists_exactly_the_messages_past_the_limit(linked, settings):
    settings.SMSADMIN_MESSAGE_RETENTION_DAYS = 30
    (job,) = start_retention_jobs()
    assert job.kind == Job.Kind.RETENTION and job.owner is None
    assert job.title == "Delete 2 messages older than 30 days"
    ids = set(job.items.values_list("sms_id", flat=True))
    assert ids == {linked["old"].sms_id, linked["older"].sms_id}
    assert start_retention_jobs() == []  # still running: no second one


def test_it_is_queued_once_a_day(settings, db):
    settings.SMSADMIN_MESSAGE_RETENTION_DAYS = 30
    assert tasks.schedule_retention() is True
    assert tasks.schedule_retention() is False
    queued = DBTaskResult.objects.filter(task_path="smsadmin.jobs.tasks.start_retention")
    assert queued.count() == 1


def test_admins_see_it_on_the_jobs_page_and_its_owner_is_smsadmin(client, linked, settings):
    settings.SMSADMIN_MESSAGE_RETENTION_DAYS = 30
    (job,) = start_retention_jobs()
    client.force_login(make_user("alice", "admin"))
    listed = client.get("/jobs/").content.decode()
    assert "Delete 2 messages older than 30 days" in listed and "<td>smsadmin</td>" in listed
    assert "Started by smsadmin itself" in client.get(f"/jobs/{job.pk}/").content.decode()
