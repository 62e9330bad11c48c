import pytest

from smsadmin.audit.models import AuditEvent
from tests.conftest import give_key
from tests.sms import upstream_fakes as fake

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    return client


def test_it_shows_every_field_in_words(signed_in, upstream):
    fake.directory(upstream, [{**fake.CONTACT, "has_opted_out": True}])
    fake.one_message(upstream, 9, status="failed", error="No service", content="Line one\nLine two")
    page = signed_in.get("/messages/9/").content.decode()
    assert "Message 9" in page
    assert "+447700900123" in page and "Ada Lovelace" in page
    assert "opted out" in page
    assert "Ops Pixel 8" in page and "SIM 1 · Telekom" in page
    assert "No service" in page
    assert "Line one\nLine two" in page


def test_an_unknown_id_is_a_friendly_404(signed_in, upstream):
    fake.error(upstream, "GET", "/sms/404", 404, "The resource you are looking for does not exist.")
    response = signed_in.get("/messages/404/")
    assert response.status_code == 404
    assert "Message 404 was not found" in response.content.decode()


def test_a_viewer_sees_no_delete_button(signed_in, upstream):
    fake.directory(upstream)
    fake.one_message(upstream, 9)
    assert "Delete this message" not in signed_in.get("/messages/9/").content.decode()


def test_a_sender_sees_cancel_for_a_future_pending_message(client, sender, upstream):
    give_key(sender)
    client.force_login(sender)
    fake.directory(upstream)
    fake.one_message(
        upstream,
        9,
        status="pending",
        scheduled_datetime="2099-01-01 09:00:00",
        datetime="2026-01-01 09:00:00",
    )
    page = client.get("/messages/9/").content.decode()
    assert "Cancel this message" in page


def test_viewing_is_audited_with_the_message_id(signed_in, upstream, viewer):
    fake.directory(upstream)
    fake.one_message(upstream, 9)
    signed_in.get("/messages/9/")
    event = AuditEvent.objects.get(action="view")
    assert event.target == "sms:9"
    assert event.outcome == "ok"


def test_opening_a_message_from_the_list_needs_no_upstream_call(signed_in, upstream):
    from tests.sociostacks.payloads import message_json

    fake.directory(upstream)
    fake.messages(upstream, [message_json(9, content="from the list")])
    signed_in.get("/messages/")
    calls_after_list = len(upstream.calls)

    page = signed_in.get("/messages/9/").content.decode()

    assert "from the list" in page
    assert len(upstream.calls) == calls_after_list


def test_a_write_after_the_list_makes_the_message_fetched_again(signed_in, upstream):
    from smsadmin.sociostacks import budget
    from tests.conftest import RAW_KEY
    from tests.sociostacks.payloads import message_json

    fake.directory(upstream)
    fake.messages(upstream, [message_json(9, status="pending")])
    signed_in.get("/messages/")
    budget.invalidate(budget.key_fingerprint(RAW_KEY))
    fetched = fake.one_message(upstream, 9, status="sent")

    signed_in.get("/messages/9/")

    assert fetched.call_count == 1
