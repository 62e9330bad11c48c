"""Filling the mirror from the sandbox: budget, increments, status changes, deletions, resuming."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from smsadmin.accounts.models import Team
from smsadmin.keys.models import ApiKey
from smsadmin.mirror import sync
from smsadmin.mirror.allowance import ASKED_TO_WAIT
from smsadmin.mirror.models import LIVE, KeyAccount, MirroredMessage, SyncState
from smsadmin.sms.models import SentMessage
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.errors import RateLimited
from tests.conftest import RAW_KEY, give_key
from tests.mirror.conftest import RATE_LIMIT, SEEDED, upstream_calls

pytestmark = pytest.mark.django_db

SHARE = RATE_LIMIT // 2


@pytest.fixture
def key(viewer):
    return give_key(viewer)


def next_minute(clock, sandbox) -> None:
    clock.shift(timedelta(seconds=61))
    # The sandbox counts its window on a monotonic clock the test cannot move.
    sandbox.control(reset_rate_limit=True)


def sync_until_current(key, sandbox, clock, *, most_minutes: int = 20) -> list[int]:
    """Runs a minute apart until the mirror is current; the upstream calls of each."""
    calls = []
    for _ in range(most_minutes):
        before = upstream_calls(sandbox)
        report = sync.run(key, holder="test")
        calls.append(upstream_calls(sandbox) - before)
        assert not report.error, report.error
        if report.up_to_date:
            return calls
        next_minute(clock, sandbox)
    raise AssertionError(f"not current after {most_minutes} minutes: {calls}")


def upstream_ids(sandbox, raw_key: str = RAW_KEY) -> set[int]:
    """Every message id upstream holds, read past the site (its budget stays untouched)."""
    sandbox.control(rate_limit=0)
    ids: set[int] = set()
    page = 1
    while True:
        answer = requests.get(
            f"{sandbox.url}/sms/",
            params={"page": page, "results_per_page": 1000},
            headers={"Authorization": f"Bearer {raw_key}"},
            timeout=10,
        ).json()
        ids.update(row["sms_id"] for row in answer["data"])
        if page >= answer["meta"]["total_pages"]:
            return ids
        page += 1


def live_ids() -> set[int]:
    return set(MirroredMessage.objects.filter(LIVE).values_list("sms_id", flat=True))


def send(key, count: int, *, prefix: str = "+4477009", **extra) -> list[int]:
    numbers = [f"{prefix}{n:05d}" for n in range(count)]
    return key.client().create_messages(
        content="Your table is ready",
        device_id=1,
        sim_subscription_id=1,
        phone_numbers=numbers,
        **extra,
    )


def test_a_first_sync_spends_at_most_its_share_of_each_minute(sandbox_upstream, key, clock):
    calls = sync_until_current(key, sandbox_upstream, clock)
    assert all(spent <= SHARE for spent in calls), calls
    assert len(calls) >= 2  # the share, not the work, decided when to stop
    assert MirroredMessage.objects.filter(LIVE).count() == SEEDED
    assert live_ids() == upstream_ids(sandbox_upstream)


def test_people_keep_the_other_half_of_the_minute(sandbox_upstream, key):
    report = sync.run(key, holder="test")
    assert report.paused and report.paused != ASKED_TO_WAIT
    client = key.client()
    for page in range(1, RATE_LIMIT - SHARE + 1):
        client.list_messages(page, 10)  # none of these is refused
    with pytest.raises(RateLimited):
        client.list_messages(1, 10)


def test_a_paused_sync_resumes_and_misses_nothing_that_arrived_meanwhile(
    sandbox_upstream, key, clock
):
    first = sync.run(key, holder="test")
    assert first.paused and not first.up_to_date
    assert SyncState.objects.get().full_walk is not None
    next_minute(clock, sandbox_upstream)
    send(key, 1500)
    next_minute(clock, sandbox_upstream)
    sync_until_current(key, sandbox_upstream, clock)
    assert live_ids() == upstream_ids(sandbox_upstream)


def test_a_later_sync_reads_only_what_is_new(sandbox_upstream, key):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    send(key, 3)
    sandbox_upstream.control(reset_stats=True)
    report = sync.run(key, holder="test")
    assert sandbox_upstream.stats()["by_route"].get("GET /sms") == 1
    assert "GET /sms/{id}" not in sandbox_upstream.stats()["by_route"]
    assert report.new == 3 and report.up_to_date
    assert MirroredMessage.objects.filter(LIVE).count() == SEEDED + 3


def test_status_changes_on_the_newest_page_reach_the_mirror(sandbox_upstream, key):
    sandbox_upstream.control(rate_limit=0, send_delay_seconds=0)
    sync.run(key, holder="test")
    now = timezone.now()
    due = MirroredMessage.objects.filter(status="pending", scheduled_at__lte=now)
    due_ids = list(due.values_list("sms_id", flat=True))
    assert due_ids
    sandbox_upstream.control(tick=True)  # the phone reports them sent or failed
    sync.run(key, holder="test")
    statuses = set(
        MirroredMessage.objects.filter(sms_id__in=due_ids).values_list("status", flat=True)
    )
    assert statuses <= {"sent", "failed"}


def test_a_pending_message_deep_in_the_list_is_read_again_until_final(sandbox_upstream, key, clock):
    sandbox_upstream.control(rate_limit=0, send_delay_seconds=0)
    # Due in a minute: sooner than anything the sandbox seeded as scheduled.
    [later] = send(key, 1, prefix="+4477001", scheduled_at=timezone.now() + timedelta(minutes=1))
    send(key, 1200)  # pushes it off the newest page
    sandbox_upstream.control(tick=True)
    sync.run(key, holder="test")
    assert MirroredMessage.objects.get(sms_id=later).status == "pending"

    clock.shift(timedelta(minutes=3))
    sandbox_upstream.control(tick=True, reset_stats=True)
    sync.run(key, holder="test")
    assert MirroredMessage.objects.get(sms_id=later).status in {"sent", "failed"}
    routes = sandbox_upstream.stats()["by_route"]
    # One straggler: reading it alone is cheaper than reading its page.
    assert routes.get("GET /sms/{id}") == 1 and routes.get("GET /sms") == 1


def test_a_batch_of_pending_messages_is_read_again_by_page(sandbox_upstream, key, clock):
    sandbox_upstream.control(rate_limit=0, send_delay_seconds=0)
    batch = send(key, 6, prefix="+4477001", scheduled_at=timezone.now() + timedelta(minutes=1))
    send(key, 1200)
    sandbox_upstream.control(tick=True)
    sync.run(key, holder="test")

    clock.shift(timedelta(minutes=3))
    sandbox_upstream.control(tick=True, reset_stats=True)
    report = sync.run(key, holder="test")
    statuses = set(
        MirroredMessage.objects.filter(sms_id__in=batch).values_list("status", flat=True)
    )
    assert statuses <= {"sent", "failed"}
    routes = sandbox_upstream.stats()["by_route"]
    # Six stragglers on one page: one page read instead of six message reads.
    assert routes.get("GET /sms") == 2 and "GET /sms/{id}" not in routes
    assert report.rechecked == 6


def test_a_message_deleted_elsewhere_is_marked_by_the_next_full_pass(
    sandbox_upstream, key, settings
):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    victim = MirroredMessage.objects.order_by("sms_id").first()
    key.client().delete_message(victim.sms_id)  # outside the site: nothing tells the mirror

    sync.run(key, holder="test")
    victim.refresh_from_db()
    assert victim.deleted_at is None  # only a full pass can notice

    settings.SMSADMIN_SYNC_FULL_PASS_HOURS = 0
    report = sync.run(key, holder="test")
    victim.refresh_from_db()
    assert victim.deleted_at is not None and report.deleted == 1
    assert MirroredMessage.objects.filter(LIVE).count() == SEEDED - 1
    assert SyncState.objects.get().mirrored == SEEDED - 1


def test_a_row_marked_deleted_by_mistake_comes_back_when_seen(sandbox_upstream, key, settings):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    row = MirroredMessage.objects.order_by("sms_id").first()
    MirroredMessage.objects.filter(pk=row.pk).update(deleted_at=timezone.now())
    settings.SMSADMIN_SYNC_FULL_PASS_HOURS = 0
    sync.run(key, holder="test")
    row.refresh_from_db()
    assert row.deleted_at is None


def test_keys_opening_the_same_account_share_one_mirror(sandbox_upstream, viewer, sender):
    sandbox_upstream.control(rate_limit=0)
    team = Team.objects.create(name="Operations")
    team.members.add(sender)
    personal = give_key(viewer)
    team_key = ApiKey(label="Team key", team=team, created_by=sender)
    team_key.set_secret(RAW_KEY)
    team_key.save()

    reports = sync.run_all(ApiKey.objects.order_by("id"), holder="test")
    assert len(reports) == 1
    accounts = set(KeyAccount.objects.values_list("account_id", flat=True))
    assert len(accounts) == 1 and KeyAccount.objects.count() == 2
    assert MirroredMessage.objects.count() == SEEDED
    assert set(MirroredMessage.objects.values_list("synced_by", flat=True)) == {personal.pk}


def test_an_upstream_failure_is_reported_and_the_next_run_goes_on(sandbox_upstream, key):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")  # user, devices, contacts cached; mirror complete
    sandbox_upstream.control(fail_next={"count": 3, "mode": "503"})
    failed = sync.run(key, holder="test")
    assert "could not be reached" in failed.error
    assert SyncState.objects.get().last_error == failed.error
    send(key, 2)
    recovered = sync.run(key, holder="test")
    assert recovered.new == 2 and not recovered.error
    assert SyncState.objects.get().last_error == ""


def test_a_second_sync_of_the_same_account_waits_its_turn(sandbox_upstream, key):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    SyncState.objects.update(lease_until=timezone.now() + timedelta(minutes=1), lease_holder="x")
    sandbox_upstream.control(reset_stats=True)
    report = sync.run(key, holder="test")
    assert report.busy
    assert sandbox_upstream.stats()["by_route"].get("GET /sms") is None


def test_it_stops_at_once_when_upstream_says_wait(sandbox_upstream, key):
    budget.record_rate_limited(key.client().fingerprint, 30)
    report = sync.run(key, holder="test")
    assert report.paused == ASKED_TO_WAIT and report.wait_seconds >= 29
    assert upstream_calls(sandbox_upstream) == 0


def file_numbers(key, sms_ids: list[int], numbers: list[str]) -> None:
    """What a send through the compose screen writes down for the messages it made."""
    account_id = key.client().get_account().id
    SentMessage.objects.bulk_create(
        SentMessage(account_id=account_id, sms_id=sms_id, phone=number)
        for sms_id, number in zip(sms_ids, numbers, strict=True)
    )


def test_numbers_smsadmin_sent_to_reach_the_mirror_though_upstream_hides_their_contacts(
    sandbox_upstream, key
):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    ids = send(key, 2, prefix="+3361234")
    file_numbers(key, ids, ["+33612340000", "+33612340001"])

    sync.run(key, holder="test")

    rows = MirroredMessage.objects.filter(sms_id__in=ids).order_by("sms_id")
    assert [(row.phone, row.phone_digits) for row in rows] == [
        ("+33612340000", "33612340000"),
        ("+33612340001", "33612340001"),
    ]


def test_a_message_mirrored_before_its_number_was_filed_gets_it_on_the_next_run(
    sandbox_upstream, key
):
    sandbox_upstream.control(rate_limit=0)
    sync.run(key, holder="test")
    [sms_id] = send(key, 1, prefix="+3361234")
    sync.run(key, holder="test")
    assert MirroredMessage.objects.get(sms_id=sms_id).phone == ""
    file_numbers(key, [sms_id], ["+33612340000"])

    sync.run(key, holder="test")

    assert MirroredMessage.objects.get(sms_id=sms_id).phone == "+33612340000"


def test_quotes_are_mirrored_as_quotes(sandbox_upstream, key):
    sandbox_upstream.control(rate_limit=0)
    requests.post(
        f"{sandbox_upstream.url}/sms",
        data={
            "content": 'it\'s a "test"',
            "device_id": "1",
            "sim_subscription_id": "1",
            "phone_numbers": "+33612340000",
        },
        headers={"Authorization": f"Bearer {RAW_KEY}"},
        timeout=10,
    )

    sync.run(key, holder="test")

    newest = MirroredMessage.objects.order_by("-sms_id").first()
    assert newest.content == 'it\'s a "test"'
