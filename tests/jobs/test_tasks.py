"""The queue's tasks: a job's slice, and the mirror sync every SMSADMIN_SYNC_INTERVAL."""

import pytest
from django_tasks_db.models import DBTaskResult

from smsadmin.audit.models import AuditEvent
from smsadmin.jobs import tasks
from smsadmin.mirror.models import MirroredMessage
from tests.jobs.conftest import delete_job, upstream_ids

pytestmark = pytest.mark.django_db


def test_a_confirmed_job_is_on_the_queue_and_its_task_runs_it(owner, key, on_sandbox):
    job = delete_job(owner, key, upstream_ids(on_sandbox, 2))
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "smsadmin.jobs.tasks.run_job"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert tasks.run_job.call(job.pk) == "done"


def test_the_sync_is_queued_once_per_interval_whatever_the_number_of_workers(db):
    assert tasks.schedule_sync() is True
    assert tasks.schedule_sync() is False  # another worker, the same interval
    assert DBTaskResult.objects.filter(task_path="smsadmin.jobs.tasks.sync_mirror").count() == 1


def test_the_sync_task_fills_the_mirror_and_says_so(owner, key, on_sandbox):
    assert tasks.sync_mirror.call() == 1
    assert MirroredMessage.objects.count() == 120
    finished = AuditEvent.objects.get(action="sync finished")
    assert finished.details["by"] == "jobs worker"
    tasks.sync_mirror.call()  # nothing new: no event
    assert AuditEvent.objects.filter(action="sync finished").count() == 1
