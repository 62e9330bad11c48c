"""The search page: every filter, combinations, counts, paging, the URL, and who sees what."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from smsadmin.audit.models import AuditEvent
from tests.conftest import give_key
from tests.mirror.conftest import link, mirrored, state_for

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.fixture
def key(viewer):
    viewer.time_zone = "Europe/Berlin"
    viewer.phone_region = "GB"
    viewer.save()
    return give_key(viewer)


@pytest.fixture
def signed_in(client, viewer, key):
    link(key, 1)
    state_for(1)
    client.force_login(viewer)
    return client


@pytest.fixture
def rows(signed_in):
    """Five messages of account 1, one of them deleted upstream, and one of account 2."""
    return {
        "A": mirrored(
            content="Your code is 1234",
            happened_at=at("2025-03-04 10:00"),
        ),
        "B": mirrored(
            status="failed",
            error="No service",
            device_id=2,
            sim_id=1,
            phone="+4915112345678",
            contact_name="Lena Schmidt",
            content="Termin bestätigt",
            # 00:30 on 6 March in Berlin, though still the 5th in UTC.
            happened_at=at("2025-03-05 23:30"),
        ),
        "C": mirrored(
            direction="received",
            status="received",
            device_id=2,
            sim_id=2,
            phone="+33612345678",
            contact_name="Louis Martin",
            content="Oui merci",
            happened_at=at("2025-03-06 08:00"),
        ),
        "D": mirrored(
            status="pending",
            phone="+447700900999",
            contact_name="Ada Smith",
            content="Reminder: parcel ready",
            happened_at=at("2025-03-06 12:00"),
            scheduled_at=at("2025-03-07 09:00"),
        ),
        "E": mirrored(
            content="Old promo", happened_at=at("2025-03-04 11:00"), deleted_at=timezone.now()
        ),
        "other": mirrored(account_id=2, content="Another account's secret"),
    }


def found(client, query: str, rows) -> set[str]:
    page = client.get(f"/search/?{query}").content.decode()
    ids = {int(match) for match in re.findall(r'id="mirrored-(\d+)"', page)}
    return {name for name, row in rows.items() if row.sms_id in ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"A", "B", "C", "D"}),
        ("status=failed", {"B"}),
        ("status=pending", {"D"}),
        ("status=deleted", {"E"}),
        ("direction=received", {"C"}),
        ("direction=sent", {"A", "B", "D"}),
        ("date_from=2025-03-06", {"B", "C", "D"}),
        ("date_to=2025-03-05", {"A"}),
        ("date_from=2025-03-05&date_to=2025-03-05", set()),
        ("device=2", {"B", "C"}),
        ("sim=2%3A2", {"C"}),
        ("phone=%2B44+7700", {"A", "D"}),
        ("phone=07700+900123", {"A"}),
        ("phone=0049+151", {"B"}),
        ("phone=900999", {"D"}),
        ("contact=ada", {"A", "D"}),
        ("q=CODE", {"A"}),
        ("direction=sent&device=1&date_from=2025-03-05", {"D"}),
        ("phone=%2B44&q=parcel", {"D"}),
        ("status=failed&device=1", set()),
        ("contact=ada&date_to=2025-03-04&status=sent", {"A"}),
    ],
)
def test_each_filter_and_combination_finds_the_right_messages(signed_in, rows, query, expected):
    assert found(signed_in, query, rows) == expected


def test_it_never_shows_another_accounts_messages(signed_in, rows):
    page = signed_in.get("/search/?q=secret").content.decode()
    assert "Another account" not in page
    assert "<strong>0</strong> messages match" in page


def test_the_count_is_exact_and_pages_follow_the_filters(signed_in, viewer):
    viewer.page_size = 10
    viewer.save()
    for _ in range(25):
        mirrored(status="failed", error="No service")
    mirrored(status="sent")
    page = signed_in.get("/search/?status=failed").content.decode()
    assert "<strong>25</strong> messages match; showing 1\N{EN DASH}10" in page
    assert 'href="?status=failed&amp;page=2"' in page
    last = signed_in.get("/search/?status=failed&page=3").content.decode()
    assert "showing 21\N{EN DASH}25" in last
    assert len(re.findall(r'id="mirrored-', last)) == 5


def test_oldest_first_reverses_the_order(signed_in, rows):
    newest = signed_in.get("/search/").content.decode()
    oldest = signed_in.get("/search/?sort=oldest").content.decode()
    order = re.findall(r'id="mirrored-(\d+)"', newest)
    assert order == list(reversed(re.findall(r'id="mirrored-(\d+)"', oldest)))
    assert order[0] == str(rows["D"].sms_id)


def test_an_invalid_search_says_why_and_keeps_what_was_typed(signed_in, rows):
    page = signed_in.get(
        "/search/?phone=%2B44+7700&date_from=2025-03-06&date_to=2025-03-01"
    ).content.decode()
    assert "The last day comes before the first." in page
    assert 'value="+44 7700"' in page
    assert 'id="mirrored-' not in page


def test_a_phone_filter_needs_digits(signed_in, rows):
    page = signed_in.get("/search/?phone=abc").content.decode()
    assert "A phone number needs at least one digit." in page


def test_each_search_is_audited_with_its_filters(signed_in, rows):
    signed_in.get("/search/?status=failed&device=2")
    event = AuditEvent.objects.get(action="search")
    assert event.outcome == "ok"
    assert event.details["filters"] == {"status": "failed", "device": "2"}
    assert event.details["matched"] == 1


def test_htmx_gets_only_the_search_fragment(signed_in, rows):
    response = signed_in.get("/search/?status=sent", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="search"' in body
    assert "HX-Request" in response["Vary"]


def test_message_content_is_escaped(signed_in):
    mirrored(content='<script>alert("x")</script>', contact_name="<b>Eve</b>")
    page = signed_in.get("/search/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Eve</b>" not in page


def test_the_page_says_how_fresh_the_mirror_is(signed_in, rows):
    page = signed_in.get("/search/").content.decode()
    assert "Searched the local mirror, last caught up with Sociostacks" in page


def test_searching_makes_no_upstream_call(signed_in, rows, upstream):
    signed_in.get("/search/?q=code")
    assert len(upstream.calls) == 0


def test_before_the_first_sync_it_offers_one(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    page = client.get("/search/").content.decode()
    assert "Nothing has been copied from Sociostacks" in page
    assert "Sync now" in page


def test_it_refuses_a_stranger(client, stranger):
    give_key(stranger)
    client.force_login(stranger)
    response = client.get("/search/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="permission denied").exists()


def test_a_key_whose_secret_changed_shows_nothing_until_synced_again(signed_in, key, rows):
    key.set_secret("sk-test-a-different-secret-0000")
    key.save()
    page = signed_in.get("/search/").content.decode()
    assert 'id="mirrored-' not in page


def test_a_nonsense_page_number_shows_the_first_page(signed_in, rows):
    page = signed_in.get("/search/?page=%C2%B2").content.decode()
    assert "showing 1\N{EN DASH}4" in page
