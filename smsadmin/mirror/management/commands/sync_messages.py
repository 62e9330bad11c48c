"""Copy every key's account's messages into the local mirror, within the sync's budget share.

    python manage.py sync_messages                  sync every account now, then exit
    python manage.py sync_messages --key 3 --key 5  only the accounts these keys open

A one-shot command: the recurring sync is the jobs worker's (``jobs_worker``
queues one every SMSADMIN_SYNC_INTERVAL seconds). A run that has to pause (a
429 from upstream, or the sync's share of the minute spent) waits the pause
out when it is short, up to ``--wait`` seconds at a time and ``MAX_ROUNDS``
times, and goes on; a longer pause ends the command with where it stopped,
and the next run (the worker's, or this command again) resumes there.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext, gettext_lazy, ngettext

from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.keys.models import ApiKey
from smsadmin.mirror import sync

HOLDER = "sync_messages command"
MAX_ROUNDS = 5
DEFAULT_WAIT = 60


class Command(BaseCommand):
    help = gettext_lazy("Copy the messages of every API key's account into the local mirror.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--key",
            type=int,
            action="append",
            dest="key_ids",
            metavar="ID",
            help=gettext("Only the account this ApiKey id opens; repeat for several."),
        )
        parser.add_argument(
            "--wait",
            type=int,
            default=DEFAULT_WAIT,
            metavar="SECONDS",
            help=gettext(
                "Wait out a budget pause this short and go on (default %(default)s; 0: never)."
            ),
        )

    def handle(self, *args, key_ids: list[int] | None, wait: int, **options):
        if wait < 0:
            raise CommandError(gettext("--wait cannot be negative."))
        if key_ids:
            missing = set(key_ids) - set(
                ApiKey.objects.filter(pk__in=key_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(
                    ngettext(
                        "No API key with id %(ids)s.", "No API keys with ids %(ids)s.", len(missing)
                    )
                    % {"ids": ", ".join(map(str, sorted(missing)))}
                )
        record(Action.SYNC_STARTED, details={"keys": key_ids or "all"})
        keys = ApiKey.objects.in_service().order_by("id")
        if key_ids:
            keys = keys.filter(pk__in=key_ids)
        # Each account's latest report; a report without an account (a key
        # blocked before its account was known) counts only from the last round.
        by_account: dict[int, sync.RunReport] = {}
        for _round in range(MAX_ROUNDS):
            reports = self._run(keys)
            by_account |= {report.account_id: report for report in reports if report.account_id}
            waiting = [report for report in reports if report.paused or report.busy]
            pause = max([1, *(report.wait_seconds for report in waiting)])
            if not waiting or pause > wait:
                break
            self.stdout.write(
                gettext("Waiting %(seconds)s s for the budget, then going on.") % {"seconds": pause}
            )
            time.sleep(pause)
            close_old_connections()
            accounts = [report.account_id for report in waiting]
            if None not in accounts:
                # Only the accounts that paused; a key blocked before its account
                # was known keeps them all.
                keys = keys.filter(mirror_account__account_id__in=accounts)
        unknown = [report for report in reports if not report.account_id]
        self._finished([*by_account.values(), *unknown])

    def _run(self, keys) -> list[sync.RunReport]:
        reports = sync.run_all(keys, holder=HOLDER)
        for report in reports:
            values = {
                "id": report.account_id,
                "name": report.account_name,
                "sentence": report.sentence,
            }
            if report.account_id and report.account_name:
                line = gettext("account %(id)s (%(name)s): %(sentence)s") % values
            elif report.account_id:
                line = gettext("account %(id)s: %(sentence)s") % values
            elif report.account_name:
                line = gettext("a key (%(name)s): %(sentence)s") % values
            else:
                line = gettext("a key: %(sentence)s") % values
            self.stdout.write(line)
        return reports

    def _finished(self, reports: list[sync.RunReport]) -> None:
        failed = any(report.error for report in reports)
        record(
            Action.SYNC_FINISHED,
            outcome=Outcome.UPSTREAM_ERROR if failed else Outcome.OK,
            details={"accounts": [report.details() for report in reports]},
        )
