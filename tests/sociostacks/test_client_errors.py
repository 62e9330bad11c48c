"""Every way upstream says no, mapped to one exception class."""

import pytest
import requests
import responses

from smsadmin.sociostacks import (
    AuthenticationFailed,
    NotFound,
    PlanLimitReached,
    RateLimited,
    SociostacksError,
    UnreadableResponse,
    UpstreamUnavailable,
    ValidationRefused,
    budget,
)

from .payloads import BASE, error_json

MESSAGE_URL = f"{BASE}/sms/5"


@pytest.mark.parametrize(
    ("title", "status", "expected"),
    [
        # The one place upstream writes the status as a string.
        ("The request is missing the Bearer Authentication header.", "401", AuthenticationFailed),
        ("You do not have access to the API.", 401, AuthenticationFailed),
        ("You must fill all the required fields.", 401, ValidationRefused),
        ("Your have exceeded the limits of your current plan.", 401, PlanLimitReached),
        ("YOU MUST FILL ALL THE REQUIRED FIELDS.", 401, ValidationRefused),
        ("Something new upstream invented.", 401, AuthenticationFailed),
    ],
)
def test_it_tells_401s_apart_by_title(api, mocked, title, status, expected):
    mocked.get(MESSAGE_URL, status=401, json=error_json(title, status))

    with pytest.raises(expected) as caught:
        api.get_message(5)

    assert type(caught.value) is expected
    assert caught.value.title == title
    assert caught.value.status == 401
    assert caught.value.user_message


def test_it_maps_json_404_to_not_found(api, mocked):
    title = "The resource you are looking for does not exist."
    mocked.get(MESSAGE_URL, status=404, json=error_json(title, 404))

    with pytest.raises(NotFound) as caught:
        api.get_message(5)

    assert caught.value.title == title


def test_it_maps_html_404_to_not_found(api, mocked):
    mocked.get(MESSAGE_URL, status=404, body="<html><h1>Not Found</h1></html>")

    with pytest.raises(NotFound) as caught:
        api.get_message(5)

    assert caught.value.title == ""
    assert caught.value.status == 404


def test_it_raises_rate_limited_with_the_reset_seconds(api, mocked):
    mocked.get(
        MESSAGE_URL,
        status=429,
        json=error_json("You reached the limit of requests in one minute, please wait.", 429),
        headers={
            "X-RateLimit-Limit": "60",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "17",
        },
    )

    with pytest.raises(RateLimited) as caught:
        api.get_message(5)

    assert caught.value.retry_after == 17
    assert "17 seconds" in caught.value.user_message
    assert len(mocked.calls) == 1
    assert 16 <= budget.blocked_for(api.fingerprint) <= 17
    assert budget.calls_left(api.fingerprint) == 0


def test_a_429_as_the_real_server_sends_it_has_no_remaining_count(api, mocked):
    mocked.get(
        MESSAGE_URL,
        status=429,
        json=error_json("You reached the limit of requests in one minute, please wait.", 429),
        headers={"X-RateLimit-Limit": "60", "X-RateLimit-Reset": "17"},
    )

    with pytest.raises(RateLimited):
        api.get_message(5)

    assert 16 <= budget.blocked_for(api.fingerprint) <= 17
    assert budget.calls_left(api.fingerprint) == 0
    assert budget.current_state(api.fingerprint).limit == 60


@pytest.mark.parametrize(
    "title",
    [
        "You do not have access to the API.",
        "The request is missing the Bearer Authentication header.",
    ],
)
def test_a_refused_key_without_rate_headers_changes_nothing_known_about_the_budget(
    api, mocked, title
):
    mocked.get(
        f"{BASE}/user",
        json={"data": {"id": 1}},
        headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "41"},
    )
    mocked.get(MESSAGE_URL, status=401, json=error_json(title, 401))
    api.get_account()

    with pytest.raises(AuthenticationFailed):
        api.get_message(5)

    assert budget.calls_left(api.fingerprint) == 41
    assert not budget.is_unlimited(api.fingerprint)


def test_a_success_without_rate_headers_marks_the_key_not_limited(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1}})

    api.get_account()

    assert budget.is_unlimited(api.fingerprint)
    assert budget.calls_left(api.fingerprint) is None


def test_rate_headers_after_all_end_not_limited(api, mocked):
    mocked.get(f"{BASE}/user", json={"data": {"id": 1}})
    api.get_account()
    mocked.replace(
        responses.GET,
        f"{BASE}/user",
        json={"data": {"id": 1}},
        headers={"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "58"},
    )

    api.get_account()

    assert not budget.is_unlimited(api.fingerprint)
    assert budget.calls_left(api.fingerprint) == 58


def test_a_429_without_reset_header_waits_a_minute(api, mocked):
    mocked.get(MESSAGE_URL, status=429, json=error_json("Slow down", 429))

    with pytest.raises(RateLimited) as caught:
        api.get_message(5)

    assert caught.value.retry_after == 60


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_upstream_unavailable(api, mocked, status):
    mocked.get(MESSAGE_URL, status=status, body="<html>Bad Gateway</html>")

    with pytest.raises(UpstreamUnavailable) as caught:
        api.get_message(5)

    assert caught.value.status == status
    assert caught.value.timed_out is False


def test_a_connection_error_is_upstream_unavailable(api, mocked):
    mocked.get(MESSAGE_URL, body=requests.ConnectionError("refused"))

    with pytest.raises(UpstreamUnavailable) as caught:
        api.get_message(5)

    assert caught.value.timed_out is False
    assert caught.value.status is None


def test_a_read_time_out_is_upstream_unavailable_and_not_retried(api, mocked):
    mocked.get(MESSAGE_URL, body=requests.ReadTimeout("slow"))

    with pytest.raises(UpstreamUnavailable) as caught:
        api.get_message(5)

    assert caught.value.timed_out is True
    assert len(mocked.calls) == 1


def test_a_connect_time_out_is_timed_out_after_retries(api, mocked):
    mocked.get(MESSAGE_URL, body=requests.ConnectTimeout("no route"))

    with pytest.raises(UpstreamUnavailable) as caught:
        api.get_message(5)

    assert caught.value.timed_out is True
    assert len(mocked.calls) == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"data": {"sms_id": 1,', "application/json"),
        ("<!doctype html><html><body>Maintenance</body></html>", "text/html"),
        ("", "application/json"),
    ],
)
def test_a_200_that_is_not_json_is_unreadable(api, mocked, body, content_type):
    mocked.get(MESSAGE_URL, body=body, content_type=content_type)

    with pytest.raises(UnreadableResponse):
        api.get_message(5)


@pytest.mark.parametrize(
    "payload",
    [
        {"result": {"sms_id": 1}},
        {"data": []},
        {"data": "nope"},
        {"data": {"sms_id": "abc"}},
        {"data": {"sms_id": None}},
        [1, 2, 3],
    ],
)
def test_a_record_of_the_wrong_shape_is_unreadable(api, mocked, payload):
    mocked.get(MESSAGE_URL, json=payload)

    with pytest.raises(UnreadableResponse):
        api.get_message(5)


@pytest.mark.parametrize(
    "payload",
    [{"meta": {}}, {"data": {"sms_id": 1}}, {"data": [{"sms_id": True}]}, {"data": ["row"]}],
)
def test_a_list_of_the_wrong_shape_is_unreadable(api, mocked, payload):
    mocked.get(f"{BASE}/sms/", json=payload)

    with pytest.raises(UnreadableResponse):
        api.list_messages()


def test_an_unexpected_client_error_is_a_plain_sociostacks_error(api, mocked):
    mocked.get(MESSAGE_URL, status=403, body="Forbidden by the firewall")

    with pytest.raises(SociostacksError) as caught:
        api.get_message(5)

    assert type(caught.value) is SociostacksError
    assert caught.value.status == 403
