from collections.abc import Iterator
from pathlib import Path

import pytest

from smsadmin.accounts.models import User
from smsadmin.audit.models import AuditChainHead, AuditEvent
from tests.conftest import make_user
from tests.threads import in_own_thread, sqlite_file_for_threads


def events(action: str | None = None) -> list[AuditEvent]:
    """Every event so far (of ``action``, when given), oldest first."""
    found = AuditEvent.objects.order_by("seq")
    return list(found.filter(action=action) if action else found)


def after(event: AuditEvent | None, action: str | None = None) -> list[AuditEvent]:
    """The events recorded after ``event`` (all of them when None), oldest first."""
    found = AuditEvent.objects.order_by("seq")
    if event is not None:
        found = found.filter(seq__gt=event.seq)
    return list(found.filter(action=action) if action else found)


@pytest.fixture
def superuser(db) -> User:
    return make_user("root", is_staff=True, is_superuser=True)


def insert_beyond(newest) -> None:
    """Put an event by hand after ``newest``, naming its hash, without moving the chain head."""
    tamper(
        "INSERT INTO audit_auditevent (seq, created_at, actor_username, operator_name,"
        " user_agent, session_hash, request_id, action, target, message_ids, outcome,"
        " error_class, details, prev_hash, hash)"
        " VALUES (%s, %s, 'mallory', '', '', '', '', 'view', '', '', 'ok', '', '{}', %s, %s)",
        [newest.seq + 1, newest.created_at, newest.hash, "e" * 64],
    )


def tamper(sql: str, params: list[object] | None = None) -> None:
    """Change the audit table by hand, as someone who dropped the triggers would."""
    from django.db import connection, transaction

    from smsadmin.audit import triggers

    with transaction.atomic():
        triggers.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        triggers.install(connection)


@pytest.fixture
def database_for_threads(django_db_setup, django_db_blocker, tmp_path: Path) -> Iterator[None]:
    """A database several connections use at once, committing for real, as in production.

    For writers in threads, and for the worker processes of a parallel walk of
    the chain (they open connections of their own, so they see only what was
    committed).

    Not ``transaction=True``: its flush afterwards would also remove the roles
    the migrations made, from under every later test on this worker. Instead:

    - on SQLite the threads get a migrated file of their own, thrown away after
      (see ``sqlite_file_for_threads``).
    - PostgreSQL's test database takes the threads as it is; what they wrote
      is removed afterwards (the audit tables were empty before, as every
      other test leaves them).
    """
    with django_db_blocker.unblock(), sqlite_file_for_threads(tmp_path) as on_a_file:
        if on_a_file:
            yield
            return
        try:
            yield
        finally:
            in_own_thread(remove_what_the_threads_wrote)


def remove_what_the_threads_wrote() -> None:
    from smsadmin.audit.models import AuditMessageRef, AuditVerification

    tamper("DELETE FROM audit_auditevent")
    AuditChainHead.objects.all().delete()
    AuditMessageRef.objects.all().delete()
    AuditVerification.objects.all().delete()
