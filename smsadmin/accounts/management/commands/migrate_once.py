"""Wait for the database, then apply migrations once however many web containers start at once.

Every web container runs this on start. On PostgreSQL the containers queue on
an advisory lock: the first applies the migrations, the others then find
nothing left to do. The lock belongs to the database session, so a container
that dies half way releases it. SQLite is one file on one machine: it just
migrates.
"""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection
from django.utils.translation import gettext

# Any fixed 64-bit number works; this one spells "smsadmin" in ASCII.
MIGRATION_LOCK_ID = int.from_bytes(b"smsadmin", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Command(BaseCommand):
    help = "Wait for the database, then apply migrations (once, even with several replicas)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="how long to wait for the database to answer (default 60)",
        )

    def handle(self, *args: Any, wait: float, **options: Any) -> None:
        self._wait_for_database(wait)
        verbosity = int(options["verbosity"])
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=verbosity)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            call_command("migrate", interactive=False, verbosity=verbosity)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])

    def _wait_for_database(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                connection.ensure_connection()
                return
            except OperationalError as error:
                connection.close()
                if time.monotonic() >= deadline:
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    raise CommandError(
                        gettext(
                            "The database did not answer within %(seconds)s seconds (%(reason)s)."
                        )
                        % {"seconds": f"{wait:g}", "reason": reason}
                    ) from error
                self.stderr.write(gettext("Waiting for the database…"))
                time.sleep(1)
