"""Audit events cannot be changed or removed: not through the ORM, not with SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from smsadmin.audit.models import AppendOnlyError, AuditEvent
from smsadmin.audit.recorder import record
from tests.audit.conftest import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    record("login", username="ada")
    return record("view", target="sms:5", details={"content": "hello"})


def _refused_by_database(sql: str, params: list[object] | None = None) -> None:
    # The refused statement aborts PostgreSQL's transaction: keep it in a savepoint.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_it_refuses_saving_a_changed_event(event):
    event.details = {"content": "edited"}
    with pytest.raises(AppendOnlyError):
        event.save()
    event.refresh_from_db()
    assert event.details == {"content": "hello"}


def test_it_refuses_deleting_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_queryset_updates_and_deletes(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="edited")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "edited"
    # bulk_update joins the surrounding transaction: give it a savepoint of its own.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.filter(action="edited").count() == 0
    assert AuditEvent.objects.count() == 2


def test_the_database_refuses_an_sql_update(event):
    _refused_by_database("UPDATE audit_auditevent SET details = '{}' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.details == {"content": "hello"}


def test_the_database_refuses_an_sql_delete(event):
    _refused_by_database("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    _refused_by_database("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


@pytest.mark.postgres
def test_postgresql_refuses_truncating_the_table(event):
    # SQLite has no TRUNCATE; `make test` runs this on its PostgreSQL pass.
    assert connection.vendor == "postgresql", "run with DATABASE_URL pointing at PostgreSQL"
    _refused_by_database("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_inserting_stays_possible(event):
    record("logout", username="ada")
    assert AuditEvent.objects.count() == 3


def test_the_triggers_can_be_lifted_and_restored_in_one_transaction(event):
    tamper("UPDATE audit_auditevent SET action = 'edited' WHERE id = %s", [event.pk])
    _refused_by_database("UPDATE audit_auditevent SET action = 'again' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "edited"


def test_flush_empties_the_whole_database_log_included_and_keeps_the_triggers(event):
    """Test suites flush between transactional tests; the triggers must not stop that."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    fresh = record("login", username="ada")
    assert fresh.seq == 1
    _refused_by_database("DELETE FROM audit_auditevent WHERE id = %s", [fresh.pk])
