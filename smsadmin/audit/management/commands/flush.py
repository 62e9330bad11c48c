from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from smsadmin.audit import triggers


class Command(flush.Command):
    """Django's flush, which empties every table, audit log included.

    The append-only triggers would refuse that, so they are lifted for the
    flush and restored in the same transaction. Test suites flush between
    transactional tests; in production, flush wipes the whole database anyway.
    """

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            triggers.remove(connection)
            super().handle(**options)
            triggers.install(connection)
