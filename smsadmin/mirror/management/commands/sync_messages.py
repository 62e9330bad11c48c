"""Copy every key's account's messages into the local mirror, within the sync's budget share.

    python manage.py sync_messages                  one run per account, then exit
    python manage.py sync_messages --loop           keep going (the compose service)
    python manage.py sync_messages --key 3 --key 5  only the accounts these keys open

A run stops when the sync's share of a key's minute is spent and the next run
goes on from there; ``--loop`` waits for the budget to come back (or
``--interval`` seconds when all is current) and runs again.
"""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.keys.models import ApiKey
from smsadmin.mirror import sync

HOLDER = "sync_messages command"


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # `docker compose stop` sends SIGTERM: finish like Ctrl-C, with a "stopped" event.
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Copy the messages of every API key's account into the local mirror."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--key",
            type=int,
            action="append",
            dest="key_ids",
            metavar="ID",
            help="Only the account this ApiKey id opens; repeat for several.",
        )
        parser.add_argument(
            "--loop", action="store_true", help="Keep syncing until stopped (for compose)."
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=settings.SMSADMIN_SYNC_INTERVAL,
            metavar="SECONDS",
            help="With --loop: seconds between runs once everything is current "
            "(default: SMSADMIN_SYNC_INTERVAL, %(default)s).",
        )

    def handle(self, *args, key_ids: list[int] | None, loop: bool, interval: int, **options):
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        if key_ids:
            missing = set(key_ids) - set(
                ApiKey.objects.filter(pk__in=key_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No API key with id {', '.join(map(str, sorted(missing)))}.")
        record(Action.SYNC_STARTED, details={"keys": key_ids or "all", "loop": loop})
        if not loop:
            self._finished(self._run(key_ids), always=True)
            return
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            while True:
                reports = self._run(key_ids)
                # A quiet minute is not worth an audit event; anything new or failing is.
                self._finished(reports, always=False)
                time.sleep(self._pause(reports, interval))
                close_old_connections()
        except KeyboardInterrupt:
            record(Action.SYNC_STOPPED, details={"keys": key_ids or "all"})

    def _run(self, key_ids: list[int] | None) -> list[sync.RunReport]:
        keys = ApiKey.objects.in_service().order_by("id")
        if key_ids:
            keys = keys.filter(pk__in=key_ids)
        reports = sync.run_all(keys, holder=HOLDER)
        for report in reports:
            name = f"account {report.account_id}" if report.account_id else "a key"
            if report.account_name:
                name += f" ({report.account_name})"
            self.stdout.write(f"{name}: {report.sentence}")
        return reports

    def _finished(self, reports: list[sync.RunReport], *, always: bool) -> None:
        if not always and not any(report.changed_anything for report in reports):
            return
        failed = any(report.error for report in reports)
        record(
            Action.SYNC_FINISHED,
            outcome=Outcome.UPSTREAM_ERROR if failed else Outcome.OK,
            details={"accounts": [report.details() for report in reports]},
        )

    @staticmethod
    def _pause(reports: list[sync.RunReport], interval: int) -> int:
        """Until the soonest paused account may go on, or the interval when none is paused."""
        waits = [report.wait_seconds for report in reports if report.paused or report.busy]
        return max(1, min([interval, *waits]))
