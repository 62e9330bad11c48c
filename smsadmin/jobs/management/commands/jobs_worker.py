"""Run queued jobs: django-tasks-db's worker, plus the housekeeping every worker does.

    python manage.py jobs_worker            one worker; start several for more

Besides running tasks, each worker checks every few seconds for jobs whose
worker died (their lease ran out) and queues them again, settles compose
sends whose web worker died mid-send as "outcome unknown", and queues the
mirror sync every SMSADMIN_SYNC_INTERVAL seconds and, when
SMSADMIN_MESSAGE_RETENTION_DAYS is set, the daily retention jobs (only one
worker of many queues each).
"""

import logging
import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from smsadmin.jobs.running import recover_stalled
from smsadmin.jobs.tasks import schedule_retention, schedule_sync
from smsadmin.sms.compose.sending import settle_all_abandoned

logger = logging.getLogger("smsadmin.jobs")

HOUSEKEEPING_SECONDS = 5.0


def _housekeeping(stop: threading.Event, sync: bool) -> None:
    while not stop.wait(HOUSEKEEPING_SECONDS):
        try:
            recover_stalled()
            settle_all_abandoned()
            if sync:
                schedule_sync()
            schedule_retention()
        except Exception:
            # A database hiccup must not end the housekeeping for good.
            logger.exception("jobs housekeeping failed")
        finally:
            close_old_connections()


class Command(DbWorkerCommand):
    help = "Run queued jobs (bulk deletes, long sends) and the recurring mirror sync."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-sync", action="store_true", help="Do not queue the recurring mirror sync."
        )

    def handle(self, *args, no_sync: bool = False, **options):  # type: ignore[override]
        stop = threading.Event()
        recover_stalled()
        thread = threading.Thread(
            target=_housekeeping, args=(stop, not no_sync), daemon=True, name="jobs-housekeeping"
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
