"""python manage.py sync_messages: one run per account, or a loop for compose."""

import io

import pytest
from django.core.management import CommandError, call_command

from smsadmin.audit.models import AuditEvent
from smsadmin.mirror.management.commands import sync_messages
from smsadmin.mirror.models import MirroredMessage
from smsadmin.mirror.sync import RunReport
from tests.conftest import give_key
from tests.mirror.conftest import OTHER_KEY, SEEDED

pytestmark = pytest.mark.django_db


def test_one_run_mirrors_every_account_and_is_audited(sandbox_upstream, viewer, sender):
    sandbox_upstream.control(rate_limit=0)
    give_key(viewer)
    give_key(sender, OTHER_KEY)
    out = io.StringIO()
    call_command("sync_messages", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert all(f"{SEEDED:,} new messages mirrored" in line for line in lines)
    assert "(Sandbox Account 1)" in lines[0]
    assert MirroredMessage.objects.values("account_id").distinct().count() == 2
    started, finished = AuditEvent.objects.filter(action__startswith="sync ").order_by("seq")
    assert (started.action, finished.action) == ("sync started", "sync finished")
    assert finished.actor is None and len(finished.details["accounts"]) == 2


def test_key_limits_the_run(sandbox_upstream, viewer, sender):
    sandbox_upstream.control(rate_limit=0)
    give_key(viewer)
    other = give_key(sender, OTHER_KEY)
    call_command("sync_messages", "--key", str(other.pk), stdout=io.StringIO())
    assert MirroredMessage.objects.values("account_id").distinct().count() == 1


def test_an_unknown_key_is_refused(db):
    with pytest.raises(CommandError, match="No API key with id 999"):
        call_command("sync_messages", "--key", "999")


def test_the_loop_runs_until_stopped(sandbox_upstream, viewer, monkeypatch):
    sandbox_upstream.control(rate_limit=0)
    give_key(viewer)
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sync_messages.time, "sleep", sleep)
    # It would close the test's own connection, which lives inside a transaction.
    monkeypatch.setattr(sync_messages, "close_old_connections", lambda: None)
    call_command("sync_messages", "--loop", "--interval", "45", stdout=io.StringIO())
    assert pauses == [45, 45]
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    # The second, quiet run leaves no event of its own.
    assert actions == ["sync started", "sync finished", "sync stopped"]


def test_the_loop_waits_only_as_long_as_the_budget_needs():
    paused = RunReport(account_id=1, paused="budget", wait_seconds=17)
    current = RunReport(account_id=2, up_to_date=True)
    assert sync_messages.Command._pause([paused, current], 60) == 17
    assert sync_messages.Command._pause([current], 60) == 60
