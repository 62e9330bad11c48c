"""The tasks on the queue: a job's slice, and the recurring mirror sync.

Task code only names work; what the work is lives in running.py and the
mirror. Any django.tasks backend could run these.
"""

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record

SYNC_HOLDER = "jobs worker"
_SYNC_DUE_KEY = "smsadmin:jobs:sync-due"
_RETENTION_DUE_KEY = "smsadmin:jobs:retention-due"
DAY_SECONDS = 24 * 60 * 60


@task()
def run_job(job_id: int) -> str:
    from smsadmin.jobs.running import run_slice

    return run_slice(job_id).stopped


@task()
def sync_mirror() -> int:
    """One sync run per account, within the sync's budget share; a quiet run leaves no event."""
    from smsadmin.keys.models import ApiKey
    from smsadmin.mirror import sync

    reports = sync.run_all(ApiKey.objects.in_service().order_by("id"), holder=SYNC_HOLDER)
    if any(report.changed_anything for report in reports):
        record(
            Action.SYNC_FINISHED,
            outcome=Outcome.UPSTREAM_ERROR
            if any(report.error for report in reports)
            else Outcome.OK,
            details={"accounts": [report.details() for report in reports], "by": SYNC_HOLDER},
        )
    return len(reports)


def schedule_sync() -> bool:
    """Queue the next sync when its interval has passed; one worker of many queues it."""
    if cache.add(_SYNC_DUE_KEY, True, settings.SMSADMIN_SYNC_INTERVAL):
        sync_mirror.enqueue()
        return True
    return False


@task()
def start_retention() -> int:
    from smsadmin.jobs.retention import start_retention_jobs

    return len(start_retention_jobs())


def schedule_retention() -> bool:
    """Once a day, when retention is on; one worker of many queues it."""
    if settings.SMSADMIN_MESSAGE_RETENTION_DAYS <= 0:
        return False
    if cache.add(_RETENTION_DUE_KEY, True, DAY_SECONDS):
        start_retention.enqueue()
        return True
    return False
