"""The dashboard's counts come from tallies the database keeps: they must equal a scan.

Every way a mirrored row changes is made here (insert, a status change that
moves its time, a device change, marked gone, back again, deleted, the sync's
own upsert), in zones whose midnight is not UTC's, and the dashboard is then
compared with the same figures counted row by row from the messages.
"""

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from smsadmin.mirror import dashboard, tallies
from smsadmin.mirror.models import LIVE, MirroredMessage, StatusTally, SyncState, UsageTally
from tests.mirror.conftest import mirrored, state_for

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 30, 9, 40, tzinfo=UTC)  # the day Berlin moves its clocks
ZONES = ("UTC", "Europe/Berlin", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham")
STATUSES = ("sent", "failed", "pending", "received")
ERRORS = ("No service", "SIM not ready", "")


def scanned(account_id: int, zone: ZoneInfo, now: datetime) -> dict:
    """The dashboard's figures counted from the messages themselves, one by one."""
    state = state_for_account(account_id)
    names, labels = state.device_names(), state.sim_labels()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=dashboard.DAYS - 1)
    per_day: dict = defaultdict(Counter)
    devices: dict = defaultdict(Counter)
    sims: dict = defaultdict(Counter)
    errors: Counter = Counter()
    for row in MirroredMessage.objects.filter(LIVE, account_id=account_id):
        day = row.happened_at.astimezone(zone).date()
        if not first <= day <= today:
            continue
        device = names.get(row.device_id, "?") if row.device_id else "no device"
        sim = labels.get((row.device_id, row.sim_id), f"SIM {row.sim_id}")
        per_day[day][row.status] += 1
        devices[device][row.status] += 1
        sims[f"{sim} ({device})"][row.status] += 1
        if row.status == "failed" and row.error:
            errors[row.error] += 1
    return {
        "days": {day: dict(counts) for day, counts in per_day.items()},
        "devices": sorted((name, dict(c)) for name, c in devices.items()),
        "sims": sorted((name, dict(c)) for name, c in sims.items()),
        "errors": sorted(errors.items(), key=lambda pair: (-pair[1], pair[0]))[:5],
    }


def shown(account_id: int, zone: ZoneInfo, now: datetime) -> dict:
    board = dashboard.summary(state_for_account(account_id), zone, now)
    return {
        "days": {
            day.day: {s: n for s, n in day.counts.items() if n} for day in board.days if day.total
        },
        "devices": sorted((u.name, u.counts) for u in board.devices),
        "sims": sorted((u.name, u.counts) for u in board.sims),
        "errors": board.top_errors,
    }


def state_for_account(account_id: int) -> SyncState:
    return SyncState.objects.filter(account_id=account_id).first() or state_for(account_id)


def random_rows(rng: random.Random, count: int) -> list[MirroredMessage]:
    rows = []
    for _ in range(count):
        status = rng.choice(STATUSES)
        device = rng.choice((1, 2, None))
        rows.append(
            mirrored(
                account_id=rng.choice((1, 1, 1, 2)),
                status=status,
                direction="received" if status == "received" else "sent",
                error=rng.choice(ERRORS) if status == "failed" else "",
                # Minutes at random, so rows fall near every quarter hour and midnight.
                happened_at=NOW - timedelta(minutes=rng.randrange(0, 34 * 24 * 60)),
                device_id=device,
                sim_id=rng.choice((1, 2)) if device else None,
            )
        )
    return rows


def assert_same_as_a_scan() -> None:
    for name in ZONES:
        zone = ZoneInfo(name)
        for account_id in (1, 2):
            assert shown(account_id, zone, NOW) == scanned(account_id, zone, NOW), name


def test_a_new_message_is_counted_at_once():
    state_for_account(1)
    mirrored(status="failed", error="No service", happened_at=NOW - timedelta(minutes=5))
    board = dashboard.summary(state_for_account(1), ZoneInfo("UTC"), NOW)
    assert board.totals["failed"] == 1
    assert board.top_errors == [("No service", 1)]


def test_counts_equal_a_scan_after_every_kind_of_change():
    rng = random.Random(19)
    rows = random_rows(rng, 300)
    assert_same_as_a_scan()

    for row in rng.sample(rows, 60):  # upstream's datetime moves with the status
        MirroredMessage.objects.filter(pk=row.pk).update(
            status="failed",
            error="SIM not ready",
            happened_at=row.happened_at + timedelta(minutes=rng.randrange(1, 3000)),
        )
    for row in rng.sample(rows, 30):
        MirroredMessage.objects.filter(pk=row.pk).update(device_id=2, sim_id=1)
    gone = rng.sample(rows, 40)
    MirroredMessage.objects.filter(pk__in=[row.pk for row in gone]).update(deleted_at=NOW)
    assert_same_as_a_scan()

    MirroredMessage.objects.filter(pk__in=[row.pk for row in gone[:15]]).update(deleted_at=None)
    MirroredMessage.objects.filter(pk__in=[row.pk for row in rows[:25]]).delete()
    MirroredMessage.objects.filter(pk__in=[row.pk for row in rows[25:50]]).update(
        content="edited text", contact_name="Someone else"
    )
    assert_same_as_a_scan()


def test_the_syncs_upsert_is_counted(settings):
    from smsadmin.mirror import storing

    state_for_account(1)
    existing = mirrored(status="pending", happened_at=NOW - timedelta(hours=3))
    adapt = connection.ops.adapt_datetimefield_value
    later = adapt(NOW - timedelta(minutes=1))
    values = {column: None for column in storing._COLUMNS} | {
        "account_id": 1,
        "direction": "sent",
        "status": "sent",
        "error": "",
        "content": "Hello",
        "happened_at": later,
        "device_id": 1,
        "sim_id": 1,
        "synced_at": later,
        "full_pass": 0,
        "phone": "",
        "phone_digits": "",
        "contact_name": "",
    }
    rows = [
        tuple((values | {"sms_id": sms_id})[column] for column in storing._COLUMNS)
        for sms_id in (existing.sms_id, 900_001, 900_002)
    ]
    storing._upsert(rows, update=storing._REFRESHED)
    board = dashboard.summary(state_for_account(1), ZoneInfo("UTC"), NOW)
    assert board.totals == {"sent": 3, "failed": 0, "pending": 0, "received": 0}
    assert_same_as_a_scan()


def test_rebuild_counts_what_the_triggers_counted():
    random_rows(random.Random(7), 120)
    kept = sorted(
        StatusTally.objects.filter(n__gt=0).values_list("account_id", "quarter", "status", "n")
    )
    used = sorted(
        UsageTally.objects.filter(n__gt=0).values_list(
            "account_id", "span", "start", "device_id", "sim_id", "status", "error", "n"
        )
    )
    tallies.rebuild(connection)
    assert sorted(StatusTally.objects.values_list("account_id", "quarter", "status", "n")) == kept
    assert (
        sorted(
            UsageTally.objects.values_list(
                "account_id", "span", "start", "device_id", "sim_id", "status", "error", "n"
            )
        )
        == used
    )
    assert_same_as_a_scan()


def test_every_migration_leaves_the_counting_and_text_triggers_in_place():
    """A later migration that rebuilds the messages table on SQLite drops its triggers.

    The test database is built by running every migration, so this fails as
    soon as one does that without calling tallies.install and text.install again.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = {
                "mirror_tally_insert", "mirror_tally_delete", "mirror_tally_update_old",
                "mirror_tally_update_new", "mirror_text_insert", "mirror_text_delete",
                "mirror_text_update",
            }  # fmt: skip
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = {"mirror_tally"}
        assert expected <= {name for (name,) in cursor.fetchall()}
