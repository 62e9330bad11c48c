"""Reading: paging quirks, parsing, retries and what every call leaves behind."""

import logging
from datetime import UTC, datetime

import pytest
import requests
from django.core.cache import cache
from responses import matchers

from smsadmin.sociostacks import (
    InvalidRequest,
    RateLimited,
    SociostacksClient,
    UpstreamUnavailable,
    budget,
)
from smsadmin.sociostacks.client import USER_AGENT

from .payloads import API_KEY, BASE, message_json, page_json

LIST_URL = f"{BASE}/sms/"
RATE_HEADERS = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "41"}


def device_json(device_id: int) -> dict:
    return {
        "id": device_id,
        "name": f"Phone {device_id}",
        "sims": [
            {
                "subscription_id": 3,
                "phone_number": "+4915112345678",
                "carrier_name": "Telekom",
                "display_name": "Work",
                "slot_index": 0,
            }
        ],
        "device_model": "Pixel 8",
        "device_brand": "Google",
        "device_os": "14",
        "device_battery": 77,
        "device_is_charging": 1,
        "total_sent_sms": 10,
        "total_pending_sms": 2,
        "total_received_sms": 4,
        "total_failed_sms": 1,
        "last_ping_datetime": "2025-10-29 03:32:12",
    }


def test_it_lists_messages_and_parses_them(api, mocked):
    mocked.get(
        LIST_URL,
        json=page_json([message_json(1), message_json(2, type="received", status="received")]),
        match=[matchers.query_param_matcher({"page": "1", "results_per_page": "25"})],
    )

    page = api.list_messages()

    first = page.items[0]
    assert [m.sms_id for m in page.items] == [1, 2]
    assert first.created_at == datetime(2025, 10, 29, 3, 32, 12, tzinfo=UTC)
    assert first.is_outgoing and not first.is_pending
    assert not page.items[1].is_outgoing
    assert (page.page, page.total, page.total_pages) == (1, 2, 1)
    assert not page.has_next and not page.has_prev


def test_it_accepts_meta_page_as_a_string_and_total_instead_of_total_results(api, mocked):
    body = page_json([message_json(26)], page="2", total_pages=3)
    del body["meta"]["total_results"]
    body["meta"]["total"] = 51
    mocked.get(LIST_URL, json=body)

    page = api.list_messages(page=2)

    assert page.page == 2
    assert page.total == 51
    assert page.has_next and page.has_prev


def test_a_page_past_the_end_is_empty(api, mocked):
    mocked.get(LIST_URL, json=page_json([], page=9, total_pages=0, total_results=0))

    page = api.list_messages(page=9)

    assert page.items == ()
    assert not page.has_next


def test_it_tolerates_the_vendor_pages_doubled_quotes_and_blank_dates(api, mocked):
    row = message_json(scheduled_datetime='"2025-10-29 03:32:12"', datetime="")
    mocked.get(f"{BASE}/sms/1", json={"data": row})

    message = api.get_message(1)

    assert message.scheduled_at == datetime(2025, 10, 29, 3, 32, 12, tzinfo=UTC)
    assert message.created_at is None


def test_scheduled_differs_only_beyond_a_minute(api, mocked):
    mocked.get(
        f"{BASE}/sms/1",
        json={"data": message_json(scheduled_datetime="2025-10-29 05:00:00")},
    )

    message = api.get_message(1)

    assert message.scheduled_differs
    assert message.is_scheduled_in_future(datetime(2025, 10, 29, 4, 0, tzinfo=UTC))
    assert not message.is_scheduled_in_future(datetime(2025, 10, 29, 6, 0, tzinfo=UTC))


def test_it_reads_content_with_the_two_quote_entities_decoded_and_nothing_else(api, mocked):
    stored = "it&#39;s a &#34;test&#34; &amp; <b>&lt;3</b>"
    mocked.get(f"{BASE}/sms/1", json={"data": message_json(1, content=stored)})

    assert api.get_message(1).content == 'it\'s a "test" &amp; <b>&lt;3</b>'


@pytest.mark.parametrize("size", [0, 20, 2000, -25])
def test_it_refuses_page_sizes_upstream_would_ignore_before_calling(api, mocked, size):
    with pytest.raises(InvalidRequest):
        api.list_messages(results_per_page=size)

    assert len(mocked.calls) == 0


def test_it_refuses_page_zero_before_calling(api, mocked):
    with pytest.raises(InvalidRequest):
        api.list_messages(page=0)

    assert len(mocked.calls) == 0


def test_get_is_retried_on_503_then_succeeds(api, mocked, retry_pauses):
    mocked.get(f"{BASE}/sms/1", status=503)
    mocked.get(f"{BASE}/sms/1", status=502)
    mocked.get(f"{BASE}/sms/1", json={"data": message_json()})

    assert api.get_message(1).sms_id == 1
    assert len(mocked.calls) == 3
    assert len(retry_pauses) == 2


def test_get_gives_up_after_two_retries(api, mocked):
    mocked.get(f"{BASE}/sms/1", body=requests.ConnectionError("reset"))

    with pytest.raises(UpstreamUnavailable):
        api.get_message(1)

    assert len(mocked.calls) == 3


def test_500_is_not_retried(api, mocked):
    mocked.get(f"{BASE}/sms/1", status=500)

    with pytest.raises(UpstreamUnavailable):
        api.get_message(1)

    assert len(mocked.calls) == 1


def test_it_identifies_itself_and_authenticates(api, mocked):
    mocked.get(f"{BASE}/sms/1", json={"data": message_json()})

    api.get_message(1)

    sent = mocked.calls[0].request.headers
    assert sent["User-Agent"].startswith("smsadmin/")
    assert sent["User-Agent"] == USER_AGENT
    assert sent["Authorization"] == f"Bearer {API_KEY}"
    assert sent["Accept"] == "application/json"


def test_it_records_rate_headers_and_counts_calls(api, mocked):
    mocked.get(f"{BASE}/sms/1", json={"data": message_json()}, headers=RATE_HEADERS)

    api.get_message(1)
    api.get_message(1)

    assert budget.calls_left(api.fingerprint) == 41
    assert budget.current_state(api.fingerprint).limit == 60
    assert budget.calls_this_minute(api.fingerprint) == 2


def test_it_logs_one_line_per_call_and_never_the_key(api, mocked, caplog):
    mocked.get(f"{BASE}/sms/1", status=503)
    mocked.get(f"{BASE}/sms/1", json={"data": message_json()})
    mocked.get(f"{BASE}/sms/2", body=requests.ReadTimeout(f"Bearer {API_KEY} timed out"))
    caplog.set_level(logging.INFO, logger="smsadmin.sociostacks")

    api.get_message(1)
    with pytest.raises(UpstreamUnavailable):
        api.get_message(2)

    lines = [r.getMessage() for r in caplog.records if r.name == "smsadmin.sociostacks"]
    assert len(lines) == 3
    assert "method=GET path=/sms/1 status=503" in lines[0]
    assert "status=200" in lines[1]
    assert "status=ReadTimeout" in lines[2]
    assert all(API_KEY not in line for line in caplog.text.splitlines())
    assert API_KEY not in repr(api)


def test_the_raw_key_never_reaches_the_cache(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "UTC"}}, headers=RATE_HEADERS)
    mocked.get(f"{BASE}/sms/1", status=429, headers={"X-RateLimit-Reset": "5"})
    api.account_timezone()
    with pytest.raises(RateLimited):
        api.get_message(1)

    stored = cache._cache  # LocMemCache's own dict: made keys and pickled values
    assert len(stored) >= 4
    assert all(api.fingerprint in key and API_KEY not in key for key in stored)
    assert all(API_KEY.encode() not in value for value in stored.values())


def test_the_fingerprint_is_not_the_key(api):
    assert len(api.fingerprint) == 24
    assert api.fingerprint not in API_KEY
    assert SociostacksClient(API_KEY).fingerprint == api.fingerprint


def test_it_parses_devices_and_their_sims(api, mocked):
    mocked.get(f"{BASE}/devices/4", json={"data": device_json(4)})

    device = api.get_device(4)

    assert device.model == "Pixel 8" and device.is_charging
    assert device.totals.failed == 1
    assert device.sims[0].label == "SIM 1 · Telekom · +4915112345678"


def test_all_contacts_walks_every_page_at_the_largest_size(api, mocked):
    def contacts(first: int, count: int) -> list[dict]:
        return [
            {"id": i, "phone_number": f"+49{i}", "name": "", "has_opted_out": i == 1}
            for i in range(first, first + count)
        ]

    for number, rows in ((1, contacts(1, 1000)), (2, contacts(1001, 500))):
        mocked.get(
            f"{BASE}/contacts/",
            json=page_json(rows, page=number, total_pages=2, total_results=1500),
            match=[matchers.query_param_matcher({"page": number, "results_per_page": 1000})],
        )

    everyone = api.all_contacts()

    assert len(everyone) == 1500
    assert everyone[1].has_opted_out and not everyone[2].has_opted_out
    assert len(mocked.calls) == 2


def test_all_devices_stops_at_an_empty_page_whatever_the_meta_says(api, mocked):
    mocked.get(f"{BASE}/devices/", json=page_json([device_json(1)], total_pages=5))
    mocked.get(f"{BASE}/devices/", json=page_json([], page=2, total_pages=5))

    assert [d.id for d in api.all_devices()] == [1]
    assert len(mocked.calls) == 2


def test_get_account(api, mocked):
    mocked.get(
        f"{BASE}/user",
        json={
            "data": {
                "id": 1,
                "name": "Ops",
                "email": "ops@example.test",
                "language": "english",
                "timezone": "Europe/Berlin",
            }
        },
    )

    assert api.get_account().timezone == "Europe/Berlin"


def test_an_unknown_account_time_zone_falls_back_to_utc(api, mocked, caplog):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "Mars/Olympus_Mons"}})

    assert api.account_timezone().key == "UTC"
    assert "Mars/Olympus_Mons" in caplog.text


def test_the_account_time_zone_is_fetched_once_an_hour(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "Asia/Tokyo"}})

    zones = {api.account_timezone().key for _ in range(3)}

    assert zones == {"Asia/Tokyo"}
    assert len(mocked.calls) == 1
