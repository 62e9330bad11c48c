"""python manage.py sync_messages: one-shot, waiting out a short budget pause."""

import io

import pytest
from django.core.management import CommandError, call_command

from smsadmin.audit.models import AuditEvent
from smsadmin.mirror.management.commands import sync_messages
from smsadmin.mirror.models import MirroredMessage
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


def test_right_after_a_429_it_waits_the_pause_out_then_mirrors_and_finishes(
    sandbox_upstream, viewer, monkeypatch
):
    from smsadmin.sociostacks import budget
    from tests.conftest import RAW_KEY

    sandbox_upstream.control(rate_limit=0)
    give_key(viewer)
    budget.record_rate_limited(budget.key_fingerprint(RAW_KEY), 7)
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        from django.core.cache import cache

        cache.clear()  # the block is over

    monkeypatch.setattr(sync_messages.time, "sleep", sleep)
    # It would close the test's own connection, which lives inside a transaction.
    monkeypatch.setattr(sync_messages, "close_old_connections", lambda: None)
    out = io.StringIO()
    call_command("sync_messages", stdout=out)

    assert pauses == [7]
    assert "Waiting 7 s for the budget, then going on." in out.getvalue()
    assert MirroredMessage.objects.count() == SEEDED
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["sync started", "sync finished"]
    finished = AuditEvent.objects.get(action="sync finished")
    assert finished.details["accounts"][0]["new"] == SEEDED


def test_a_pause_longer_than_it_may_wait_ends_it_with_where_it_stopped(
    sandbox_upstream, viewer, monkeypatch
):
    from smsadmin.sociostacks import budget
    from tests.conftest import RAW_KEY

    give_key(viewer)
    budget.record_rate_limited(budget.key_fingerprint(RAW_KEY), 7)
    monkeypatch.setattr(sync_messages.time, "sleep", lambda seconds: pytest.fail("waited"))
    out = io.StringIO()
    call_command("sync_messages", "--wait", "5", stdout=out)
    assert "it goes on in about 7 s" in out.getvalue()
    assert AuditEvent.objects.filter(action="sync finished").count() == 1
