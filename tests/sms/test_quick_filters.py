"""Quick filters on Messages, and the mirror's copy when Sociostacks cannot answer."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from smsadmin.audit.models import AuditEvent
from tests.conftest import give_key
from tests.mirror.conftest import link, mirrored, state_for
from tests.sms import upstream_fakes as fake

pytestmark = pytest.mark.django_db


def shown_ids(page: str) -> list[int]:
    return [int(sms_id) for sms_id in re.findall(r'<tr id="sms-(\d+)"', page)]


@pytest.fixture
def key(viewer):
    return give_key(viewer)


@pytest.fixture
def signed_in(client, viewer, key):
    client.force_login(viewer)
    return client


@pytest.fixture
def mirror(key):
    """Account 1's mirror, caught up a moment ago: sent, failed, received, on two devices."""
    link(key, 1)
    state = state_for(1, last_sync_at=timezone.now() - timedelta(seconds=20))
    messages = {
        "sent": mirrored(sms_id=11, status="sent", device_id=1),
        "failed": mirrored(sms_id=12, status="failed", error="RESULT_ERROR_RADIO_OFF", device_id=2),
        "received": mirrored(sms_id=13, direction="received", status="received", device_id=1),
        "gone": mirrored(sms_id=14, status="failed", deleted_at=timezone.now()),
        "other account": mirrored(account_id=2, sms_id=15, status="failed"),
    }
    return state, messages


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", [12]),
        ("direction=in", [13]),
        ("direction=out", [12, 11]),
        ("device=1", [13, 11]),
        ("status=sent&device=2", []),
    ],
)
def test_each_quick_filter_is_answered_from_the_mirror(
    signed_in, mirror, upstream, query, expected
):
    page = signed_in.get(f"/messages/?{query}").content.decode()

    assert shown_ids(page) == expected
    assert not upstream.calls
    assert "Filtered by the local mirror" in page


def test_the_filters_stay_in_the_pager_links(signed_in, mirror, upstream):
    for sms_id in range(100, 130):
        mirrored(sms_id=sms_id, status="failed")

    page = signed_in.get("/messages/?status=failed&size=10").content.decode()

    assert "Page 1 of 4, 31 messages" in page
    assert "?page=2&amp;size=10&amp;status=failed" in page
    second = signed_in.get("/messages/?status=failed&size=10&page=2").content.decode()
    assert shown_ids(second) == list(range(119, 109, -1))


def test_a_filter_from_an_old_mirror_says_how_old(signed_in, mirror, upstream):
    state, _ = mirror
    state.last_sync_at = timezone.now() - timedelta(hours=2)
    state.save()

    page = signed_in.get("/messages/?status=failed").content.decode()

    assert shown_ids(page) == [12]
    assert "messages since then are not in it" in page


def test_a_filter_without_a_mirror_says_to_sync_first(signed_in, upstream):
    page = signed_in.get("/messages/?status=failed").content.decode()

    assert "no sync has read this key" in page
    assert not upstream.calls


def test_a_made_up_filter_value_is_refused_in_words_and_the_list_shown(signed_in, mirror, upstream):
    fake.directory(upstream)
    fake.messages(upstream, [])

    response = signed_in.get("/messages/?status=delivered")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_filtered_list_is_audited_with_its_filters(signed_in, mirror, viewer):
    signed_in.get("/messages/?status=failed&direction=out")

    event = AuditEvent.objects.filter(action="list").latest("id")
    assert event.details["filters"] == {"status": "failed", "direction": "out"}
    assert event.details["source"] == "mirror"


def test_an_upstream_outage_shows_the_mirrors_copy_with_the_pager(signed_in, mirror, upstream):
    fake.error(upstream, "GET", "/sms/", 503, "Service Unavailable")

    page = signed_in.get("/messages/").content.decode()

    assert "Showing the local mirror's copy instead, as of" in page
    assert shown_ids(page) == [13, 12, 11]
    assert "Page 1 of 1, 3 messages" in page
    assert 'role="alert"' in page  # and the problem is still said


def test_a_spent_budget_with_nothing_cached_shows_the_mirrors_copy(
    signed_in, mirror, upstream, key
):
    from smsadmin.sociostacks import budget

    budget.record_rate_limited(key.client().fingerprint, 30)

    page = signed_in.get("/messages/").content.decode()

    assert shown_ids(page) == [13, 12, 11]
    assert not upstream.calls


def test_the_failure_is_explained_in_plain_words_with_the_code_in_small_print(signed_in, mirror):
    page = signed_in.get("/messages/?status=failed").content.decode()

    assert "The phone&#x27;s radio is off (airplane mode?)" in page
    assert '<small class="code">RESULT_ERROR_RADIO_OFF</small>' in page
