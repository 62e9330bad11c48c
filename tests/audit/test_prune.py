"""prune_audit: retention that records itself and leaves a chain that still verifies."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditMessageRef
from smsadmin.audit.recorder import record
from smsadmin.audit.verify import check_chain
from tests.audit.conftest import events

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def history() -> dict[str, list[AuditEvent]]:
    """Events in January, March and June 2026; the clock then stands at NOW."""
    made: dict[str, list[AuditEvent]] = {}
    for month, day in (
        ("january", datetime(2026, 1, 10, tzinfo=UTC)),
        ("march", datetime(2026, 3, 10, tzinfo=UTC)),
        ("june", datetime(2026, 6, 10, tzinfo=UTC)),
    ):
        with time_machine.travel(day, tick=False):
            made[month] = [record("view", target=f"sms:{n}") for n in range(1, 6)]
    return made


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_refuses_without_a_date_or_a_setting(history, settings):
    settings.SMSADMIN_AUDIT_RETENTION_DAYS = 0
    with pytest.raises(CommandError, match="without a cut-off"):
        call_command("prune_audit")
    assert AuditEvent.objects.count() == 15
    assert events("audit pruned") == []


def test_it_refuses_a_date_it_cannot_read(history):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("prune_audit", "--before", "15/06/2026")


def test_it_refuses_a_date_in_the_future(history):
    with pytest.raises(CommandError, match="future"):
        call_command("prune_audit", "--before", "2026-07-01")


def test_it_refuses_to_cut_into_the_retention_period(history, settings):
    settings.SMSADMIN_AUDIT_RETENTION_DAYS = 180
    with pytest.raises(CommandError, match="younger than 180 days"):
        call_command("prune_audit", "--before", "2026-04-01")
    assert AuditEvent.objects.count() == 15


def test_it_removes_events_before_the_date_and_records_what_it_did(history, capsys):
    call_command("prune_audit", "--before", "2026-02-01")
    assert "Removed 5 audit events" in capsys.readouterr().out
    first_kept = history["march"][0]
    assert AuditEvent.objects.order_by("seq").first().pk == first_kept.pk
    (pruned,) = events("audit pruned")
    assert pruned.details == {
        "removed": 5,
        "cutoff": "2026-02-01T00:00:00+00:00",
        "first_kept_seq": first_kept.seq,
        "anchor_seq": first_kept.seq - 1,
    }
    head = AuditChainHead.objects.get()
    assert (head.anchor_seq, head.anchor_hash) == (first_kept.seq - 1, first_kept.prev_hash)
    # The message index forgets the removed events with them.
    assert min(AuditMessageRef.objects.values_list("event_seq", flat=True)) == first_kept.seq


def test_the_chain_still_verifies_after_pruning(history):
    call_command("prune_audit", "--before", "2026-04-01")
    report = check_chain()
    assert report.ok, report.problem
    assert report.events_checked == 6  # June's five and the "audit pruned" event
    call_command("verify_audit")


def test_a_missing_event_right_after_the_anchor_is_still_caught(history):
    from tests.audit.conftest import tamper

    call_command("prune_audit", "--before", "2026-02-01")
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [history["march"][0].pk])
    assert check_chain().first_bad_seq == history["march"][0].seq


def test_the_retention_setting_is_the_default_cut_off(history, settings):
    settings.SMSADMIN_AUDIT_RETENTION_DAYS = 30
    call_command("prune_audit")
    assert {event.target for event in AuditEvent.objects.filter(action="view")} == {
        f"sms:{n}" for n in range(1, 6)
    }
    assert AuditEvent.objects.filter(action="view").count() == 5
    assert check_chain().ok


def test_pruning_everything_leaves_a_verifiable_chain(history):
    call_command("prune_audit", "--before", "2026-06-15")
    assert [event.action for event in events()] == ["audit pruned"]
    assert check_chain().ok
    record("login", username="ada")
    assert check_chain().ok


def test_pruning_twice_and_with_nothing_to_remove(history, capsys):
    call_command("prune_audit", "--before", "2026-02-01")
    call_command("prune_audit", "--before", "2026-02-01")
    assert "No audit events created before 2026-02-01" in capsys.readouterr().out
    assert [event.details["removed"] for event in events("audit pruned")] == [5, 0]
    assert check_chain().ok


def test_the_table_is_protected_again_after_pruning(history):
    call_command("prune_audit", "--before", "2026-02-01")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 11
