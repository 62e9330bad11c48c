"""Sending and deleting: exact form fields, refusals, batches, never a second POST."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from smsadmin.sociostacks import (
    BatchResult,
    InvalidRequest,
    PartialSendError,
    UpstreamUnavailable,
    ValidationRefused,
    budget,
)

from .payloads import BASE, error_json, multipart_fields

POST_URL = f"{BASE}/sms"
NUMBERS = ["+4915100000001", "+4915100000002"]


def numbers(count: int) -> list[str]:
    return [f"+1555{i:07d}" for i in range(count)]


def send(api, **overrides):
    arguments = {
        "content": "Hello world",
        "device_id": 1,
        "sim_subscription_id": 3,
        "phone_numbers": NUMBERS,
        **overrides,
    }
    return api.create_messages(**arguments)


def test_an_immediate_send_has_no_is_scheduled_field(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [11, 12]}})

    assert send(api) == [11, 12]

    request = mocked.calls[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert multipart_fields(request) == {
        "content": "Hello world",
        "device_id": "1",
        "sim_subscription_id": "3",
        "phone_numbers": "+4915100000001\n+4915100000002",
    }


def test_a_scheduled_send_is_timed_in_the_account_zone(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "America/New_York"}})
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [11, 12]}})

    send(api, scheduled_at=datetime(2099, 7, 1, 16, 0, 5, 999, tzinfo=UTC))

    fields = multipart_fields(mocked.calls[-1].request)
    assert fields["is_scheduled"] == "1"
    assert fields["scheduled_datetime"] == "2099-07-01 12:00:05"


@pytest.mark.parametrize(
    "when",
    [
        datetime(2099, 7, 1, 16, 0),
        datetime.now(UTC) - timedelta(minutes=1),
        datetime.now(UTC),
    ],
    ids=["naive", "past", "now"],
)
def test_it_refuses_naive_or_past_schedules_before_calling(api, mocked, when):
    with pytest.raises(InvalidRequest):
        send(api, scheduled_at=when)

    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"content": "x" * 1001},
        {"content": "   "},
        {"phone_numbers": []},
        {"phone_numbers": ["  ", ""]},
        {"phone_numbers": "+4915100000001"},
        {"phone_numbers": ["+4915100000001,+4915100000002"]},
        {"device_id": 0},
        {"sim_subscription_id": "3"},
    ],
    ids=["1001 chars", "blank", "none", "blank numbers", "one string", "comma", "id", "sim"],
)
def test_it_refuses_what_upstream_would_mangle_before_calling(api, mocked, overrides):
    with pytest.raises(InvalidRequest):
        send(api, **overrides)

    assert len(mocked.calls) == 0


def test_exactly_1000_characters_go_out_whole(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [1, 2]}})

    send(api, content="é" * 1000)

    assert multipart_fields(mocked.calls[0].request)["content"] == "é" * 1000


def test_a_post_is_attempted_exactly_once_on_503(api, mocked, retry_pauses):
    mocked.post(POST_URL, status=503)

    with pytest.raises(UpstreamUnavailable):
        send(api)

    assert len(mocked.calls) == 1
    assert retry_pauses == []


def test_a_post_is_not_retried_on_a_connection_error(api, mocked):
    mocked.post(POST_URL, body=requests.ConnectionError("reset by peer"))

    with pytest.raises(UpstreamUnavailable):
        send(api)

    assert len(mocked.calls) == 1


def test_a_validation_refusal_comes_back_as_such(api, mocked):
    mocked.post(
        POST_URL, status=401, json=error_json("You must fill all the required fields.", 401)
    )

    with pytest.raises(ValidationRefused):
        send(api)


def test_5001_recipients_make_two_posts_and_every_id_comes_back(api, mocked):
    everyone = numbers(5001)
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": list(range(1, 5001))}})
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [5001]}})
    batches: list[BatchResult] = []

    ids = send(api, phone_numbers=everyone, on_batch=batches.append)

    assert ids == list(range(1, 5002))
    assert len(mocked.calls) == 2
    sent = [multipart_fields(call.request)["phone_numbers"].split("\n") for call in mocked.calls]
    assert sent == [everyone[:5000], everyone[5000:]]
    assert [(b.index, len(b.numbers), len(b.sms_ids)) for b in batches] == [
        (0, 5000, 5000),
        (1, 1, 1),
    ]


def test_a_failing_second_batch_reports_what_went_out_and_resends_nothing(api, mocked):
    everyone = numbers(12000)
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": list(range(1, 5001))}})
    mocked.post(POST_URL, status=502, body="<html>Bad Gateway</html>")

    with pytest.raises(PartialSendError) as caught:
        send(api, phone_numbers=everyone)

    error = caught.value
    assert error.sent_ids == list(range(1, 5001))
    assert error.sent_numbers == everyone[:5000]
    assert error.unsent_numbers == everyone[5000:]
    assert isinstance(error.cause, UpstreamUnavailable)
    assert "5000" in error.user_message and "7000" in error.user_message
    assert len(mocked.calls) == 2


def test_a_failing_first_batch_raises_the_cause_itself(api, mocked):
    mocked.post(POST_URL, status=503)

    with pytest.raises(UpstreamUnavailable):
        send(api, phone_numbers=numbers(6000))

    assert len(mocked.calls) == 1


def test_duplicate_numbers_go_out_once(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [1]}})

    send(api, phone_numbers=[" +4915100000001", "+4915100000001 "])

    assert multipart_fields(mocked.calls[0].request)["phone_numbers"] == "+4915100000001"


@pytest.mark.parametrize("status", [200, 204])
def test_delete_accepts_an_empty_answer(api, mocked, status):
    mocked.delete(f"{BASE}/sms/9", status=status, body="")

    assert api.delete_message(9) is None


def test_a_delete_is_attempted_exactly_once_on_502(api, mocked):
    mocked.delete(f"{BASE}/sms/9", status=502)

    with pytest.raises(UpstreamUnavailable):
        api.delete_message(9)

    assert len(mocked.calls) == 1


def test_writes_make_the_next_read_fresh(api, mocked):
    mocked.delete(f"{BASE}/sms/9", status=200, body="")
    reads: list[int] = []

    def read():
        return budget.cached_read(api.fingerprint, "list", lambda: reads.append(1), fresh_for=60)

    read()
    read()
    api.delete_message(9)
    read()

    assert len(reads) == 2
