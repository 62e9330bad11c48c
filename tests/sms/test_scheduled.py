import pytest

from tests.conftest import give_key
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import message_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def _scheduled(sms_id: int, when: str) -> dict:
    return message_json(
        sms_id, status="pending", scheduled_datetime=when, datetime="2026-01-01 00:00:00"
    )


def test_it_lists_future_pending_messages_soonest_first(signed_in, upstream):
    fake.directory(upstream)
    fake.messages(
        upstream,
        [
            _scheduled(3, "2099-03-01 10:00:00"),
            message_json(2, status="sent"),
            _scheduled(1, "2099-01-01 10:00:00"),
        ],
    )
    page = signed_in.get("/scheduled/").content.decode()
    assert page.index('id="sms-1"') < page.index('id="sms-3"')
    assert 'id="sms-2"' not in page
    assert "Looked through all 3 messages" in page


def test_it_says_how_far_back_it_looked_when_cut_short(signed_in, upstream, settings):
    settings.SMSADMIN_SCHEDULED_SCAN_PAGES = 1
    fake.directory(upstream)
    fake.messages(
        upstream, [_scheduled(1, "2099-01-01 10:00:00")], total_pages=5, total_results=4001
    )
    page = signed_in.get("/scheduled/").content.decode()
    assert "newest 1 of 4001 messages" in page
    assert fake.calls_to(upstream, "/sms/") == 1
