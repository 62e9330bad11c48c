"""The home page: a dashboard whose figures are the mirror's, for the person's own day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from smsadmin.audit.models import AuditEvent
from smsadmin.sociostacks import budget
from tests.conftest import give_key, make_user
from tests.mirror.conftest import link, mirrored, state_for

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def key(viewer):
    viewer.time_zone = "Europe/Berlin"
    viewer.save()
    return give_key(viewer)


@pytest.fixture
def signed_in(client, viewer, key):
    link(key, 1)
    state_for(1)
    client.force_login(viewer)
    return client


@pytest.fixture
def history(signed_in):
    today, yesterday = NOW - timedelta(hours=2), NOW - timedelta(days=1)
    for _ in range(3):
        mirrored(status="sent", happened_at=today)
    mirrored(status="failed", error="No service", happened_at=today, device_id=2, sim_id=2)
    mirrored(status="failed", error="No service", happened_at=yesterday)
    mirrored(status="failed", error="SIM not ready", happened_at=yesterday)
    for _ in range(2):
        mirrored(direction="received", status="received", happened_at=yesterday, device_id=2)
    mirrored(status="pending", happened_at=today, scheduled_at=NOW + timedelta(hours=5))
    # 23:30 UTC on 8 June is already 9 June in Berlin.
    mirrored(status="sent", happened_at=datetime(2025, 6, 8, 23, 30, tzinfo=UTC))
    mirrored(status="sent", happened_at=NOW - timedelta(days=40))  # before the window
    mirrored(status="sent", happened_at=today, deleted_at=NOW)  # deleted upstream
    mirrored(account_id=2, status="failed", error="Other account", happened_at=today)
    return signed_in


def board(client):
    response = client.get("/")
    assert response.status_code == 200
    return response, response.context["board"]


def test_the_counts_are_the_mirrors(history):
    response, figures = board(history)
    assert figures.totals == {"sent": 4, "failed": 3, "pending": 1, "received": 2}
    days = {day.day.isoformat(): day.counts for day in figures.days}
    assert days["2025-06-10"] == {"sent": 3, "failed": 1, "pending": 1, "received": 0}
    assert days["2025-06-09"] == {"sent": 1, "failed": 2, "pending": 0, "received": 2}
    assert len(figures.days) == 30 and figures.days[0].day.isoformat() == "2025-05-12"
    page = response.content.decode()
    assert "<dt>Sent</dt><dd>4</dd>" in page


def test_failure_rate_and_most_common_errors(history):
    response, figures = board(history)
    assert figures.failure_rate == pytest.approx(100 * 3 / 7)
    assert figures.top_errors == [("No service", 2), ("SIM not ready", 1)]
    assert "42.9 % of the messages that went out" in response.content.decode()


def test_counts_per_device_and_sim(history):
    _, figures = board(history)
    devices = {usage.name: usage.total for usage in figures.devices}
    assert devices == {"Ops Pixel 8": 7, "Backup Galaxy": 3}
    sims = {usage.name: usage.total for usage in figures.sims}
    assert sims["SIM 2 · Vodafone (Backup Galaxy)"] == 1
    assert sims["SIM 1 · o2 (Backup Galaxy)"] == 2


def test_the_chart_has_a_bar_per_day_and_words_besides_colour(history):
    page = history.get("/").content.decode()
    # Three series drawn on each of the two busy days, and four legend swatches.
    assert page.count('<rect class="bar bar-') == 3 + 3 + 4
    assert "<title>Tue 10 Jun: 3 sent</title>" in page
    assert "<title>Mon 9 Jun: 2 received</title>" in page
    assert "The same numbers as a table" in page
    assert "hatched" in page  # the description names the patterns, not only colours


def test_upcoming_scheduled_sends_are_listed(history):
    page = history.get("/").content.decode()
    assert "1 message waiting" in page
    assert "in 5 h 0 min" in page


def test_it_shows_the_budget_used_this_minute_and_the_last_sync(history, key):
    for _ in range(3):
        budget.count_call(key.client().fingerprint)
    page = history.get("/").content.decode()
    assert "57 of 60 upstream calls left this minute" in page
    assert "Last caught up:" in page


def _answered(fingerprint: str, limit: int, remaining: int) -> None:
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining)}
    budget.record_response(fingerprint, headers, status=200)


def test_more_calls_than_the_limit_never_reads_as_more_used_than_there_are(history, key):
    # Upstream's window is not our minute: we counted 5 while it allows 4 and says 1 is left.
    fingerprint = key.client().fingerprint
    for _ in range(5):
        budget.count_call(fingerprint)
    _answered(fingerprint, limit=4, remaining=1)
    page = history.get("/").content.decode()
    assert "1 of 4 upstream calls left this minute" in page
    assert "5 of 4" not in page


def test_a_429_block_reads_as_used_up_and_never_beside_calls_left(history, key):
    fingerprint = key.client().fingerprint
    _answered(fingerprint, limit=60, remaining=3)
    budget.record_rate_limited(fingerprint, 20)
    page = history.get("/").content.decode()
    assert "All 60 upstream calls of this minute are used" in page
    assert "Sociostacks asked us to wait 20 s" in page
    assert "calls left" not in page


def test_looking_makes_no_upstream_call_and_is_audited(history, upstream):
    history.get("/")
    assert len(upstream.calls) == 0
    assert AuditEvent.objects.filter(action="dashboard").count() == 1


def test_before_the_first_sync_it_says_so(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert "Nothing has been copied from Sociostacks" in page
    assert "Last 30 days" not in page


def test_an_auditor_starts_at_the_audit_log(client, auditor):
    client.force_login(auditor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/audit/"


def test_someone_without_a_key_is_sent_to_add_one(client, viewer):
    client.force_login(viewer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/keys/"


def test_it_refuses_a_stranger(client, stranger):
    give_key(stranger)
    client.force_login(stranger)
    assert client.get("/").status_code == 403


def test_an_admin_who_audits_too_still_gets_the_dashboard(client):
    boss = make_user("boss", "admin")
    link(give_key(boss), 1)
    state_for(1)
    client.force_login(boss)
    response = client.get("/")
    assert response.status_code == 200 and "Dashboard" in response.content.decode()
