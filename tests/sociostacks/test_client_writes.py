"""Sending and deleting: exact form fields, refusals, batches, never a second POST."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from smsadmin.sociostacks import (
    BatchResult,
    InvalidRequest,
    NotFound,
    PartialSendError,
    SenderUnavailable,
    UpstreamUnavailable,
    budget,
)

from .payloads import BASE, error_json, multipart_fields

POST_URL = f"{BASE}/sms"
NOT_FOUND = "The resource you are looking for does not exist."
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


@pytest.mark.parametrize(
    ("moment", "wall_time"),
    [
        # Berlin repeats 02:00-03:00 that night: 01:30 UTC is the second 02:30 (CET).
        (datetime(2031, 10, 26, 1, 30, tzinfo=UTC), "2031-10-26 02:30:00"),
        (datetime(2031, 10, 26, 2, 30, tzinfo=UTC), "2031-10-26 03:30:00"),
    ],
)
def test_a_repeated_hours_second_time_goes_out_as_its_wall_time(api, mocked, moment, wall_time):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "Europe/Berlin"}})
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [11, 12]}})

    send(api, scheduled_at=moment)

    assert multipart_fields(mocked.calls[-1].request)["scheduled_datetime"] == wall_time


def test_a_repeated_hours_first_time_is_refused_as_it_would_go_out_an_hour_late(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1, "timezone": "Europe/Berlin"}})

    with pytest.raises(InvalidRequest, match="happens twice"):
        send(api, scheduled_at=datetime(2031, 10, 26, 0, 30, tzinfo=UTC))

    assert [call.request.method for call in mocked.calls] == ["GET"]


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
        {"content": "'" * 1001},
        {"content": "   "},
        {"content": "<p></p>"},
        {"phone_numbers": []},
        {"phone_numbers": ["  ", ""]},
        {"phone_numbers": "+4915100000001"},
        {"phone_numbers": ["+4915100000001,+4915100000002"]},
        {"phone_numbers": ["+4915100000001", "0049 151 00000002"]},
        {"phone_numbers": ["+0049151000000"]},
        {"device_id": 0},
        {"sim_subscription_id": "3"},
    ],
    ids=[
        "1001 chars",
        "1001 stored",
        "blank",
        "markup only",
        "none",
        "blank numbers",
        "one string",
        "comma",
        "not E.164",
        "no country",
        "id",
        "sim",
    ],
)
def test_it_refuses_what_upstream_would_mangle_before_calling(api, mocked, overrides):
    with pytest.raises(InvalidRequest):
        send(api, **overrides)

    assert len(mocked.calls) == 0


def test_exactly_1000_characters_go_out_whole(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [1, 2]}})

    send(api, content="é" * 1000)

    assert multipart_fields(mocked.calls[0].request)["content"] == "é" * 1000


def test_quotes_are_posted_typographic_so_they_are_stored_as_typed(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [1, 2]}})

    send(api, content='it\'s a "test"' + "'" * 986)

    posted = multipart_fields(mocked.calls[0].request)["content"]
    assert posted.startswith("it\N{RIGHT SINGLE QUOTATION MARK}s a \N{RIGHT DOUBLE QUOTATION MARK}")
    assert "'" not in posted and '"' not in posted


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


@pytest.mark.parametrize(
    ("status", "title"),
    [(401, "You must fill all the required fields."), (404, NOT_FOUND)],
)
def test_a_refused_device_or_sim_is_named_as_gone(api, mocked, status, title):
    mocked.post(POST_URL, status=status, json=error_json(title, status))

    with pytest.raises(SenderUnavailable) as caught:
        send(api)

    assert (caught.value.device_id, caught.value.sim_subscription_id) == (1, 3)


def test_a_404_page_that_is_not_upstreams_is_not_a_missing_phone(api, mocked):
    mocked.post(POST_URL, status=404, body="<html>Not Found</html>")

    with pytest.raises(NotFound):
        send(api)


def test_5000_recipients_make_two_posts_and_every_id_comes_back(api, mocked):
    everyone = numbers(5000)
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": list(range(1, 5000))}})
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": [5000]}})
    batches: list[BatchResult] = []

    ids = send(api, phone_numbers=everyone, on_batch=batches.append)

    assert ids == list(range(1, 5001))
    assert len(mocked.calls) == 2
    sent = [multipart_fields(call.request)["phone_numbers"].split("\n") for call in mocked.calls]
    assert sent == [everyone[:4999], everyone[4999:]]
    assert [(b.index, len(b.numbers), len(b.sms_ids), b.confirmed) for b in batches] == [
        (0, 4999, 4999, True),
        (1, 1, 1, True),
    ]


def test_a_post_answering_fewer_ids_than_numbers_is_reported_unconfirmed(api, mocked):
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": []}})
    batches: list[BatchResult] = []

    ids = send(api, on_batch=batches.append)

    assert ids == []
    [batch] = batches
    assert batch.numbers == tuple(NUMBERS) and not batch.confirmed


def test_a_failing_second_batch_reports_what_went_out_and_resends_nothing(api, mocked):
    everyone = numbers(12000)
    mocked.post(POST_URL, status=201, json={"data": {"sms_ids": list(range(1, 5000))}})
    mocked.post(POST_URL, status=502, body="<html>Bad Gateway</html>")

    with pytest.raises(PartialSendError) as caught:
        send(api, phone_numbers=everyone)

    error = caught.value
    assert error.sent_ids == list(range(1, 5000))
    assert error.sent_numbers == everyone[:4999]
    assert error.unsent_numbers == everyone[4999:]
    assert isinstance(error.cause, UpstreamUnavailable)
    assert "4999" in error.user_message and "7001" in error.user_message
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
    mocked.delete(f"{BASE}/sms/9", status=status, body="", content_type="application/json")

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
