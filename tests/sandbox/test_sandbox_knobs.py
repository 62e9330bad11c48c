"""The control plane: rate limiting, failure injection, latency, stats, reset, robustness."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from smsadmin.sandbox import api as sandbox_api
from smsadmin.sandbox.testing import SandboxHandle

from .helpers import ApiClient

RATE_LIMITED = "You reached the limit of requests in one minute, please wait."


# --- rate limit ------------------------------------------------------------------------


def test_rate_limit_headers_count_down_then_429(
    api: ApiClient, other_api: ApiClient, sandbox: SandboxHandle
) -> None:
    sandbox.control(rate_limit=3)

    replies = [api.get("/user") for _ in range(3)]
    limited = api.get("/sms")

    assert [reply.headers["X-RateLimit-Limit"] for reply in replies] == ["3", "3", "3"]
    assert [reply.headers["X-RateLimit-Remaining"] for reply in replies] == ["2", "1", "0"]
    assert all(reply.headers["X-RateLimit-Reset"] is None for reply in replies)
    assert limited.status == 429
    assert limited.json() == {"errors": [{"title": RATE_LIMITED, "status": 429}]}
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert 1 <= int(limited.headers["X-RateLimit-Reset"]) <= 60
    # The budget is per key.
    assert other_api.get("/user").status == 200


def test_error_responses_carry_rate_headers_too(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(rate_limit=60)

    reply = api.get("/sms/99999999")

    assert reply.status == 404
    assert reply.headers["X-RateLimit-Remaining"] == "59"


def test_reset_rate_limit_restores_the_budget(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(rate_limit=1)
    api.get("/user")
    assert api.get("/user").status == 429

    sandbox.control(reset_rate_limit=True)

    assert api.get("/user").status == 200


def test_rate_limit_zero_is_unlimited(api: ApiClient) -> None:
    replies = [api.get("/user") for _ in range(70)]

    assert {reply.status for reply in replies} == {200}


# --- failure injection -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["500", "502", "503"])
def test_injected_status_failures_then_recovery(
    api: ApiClient, sandbox: SandboxHandle, mode: str
) -> None:
    sandbox.control(fail_next={"count": 2, "mode": mode})

    failures = [api.get("/sms"), api.get("/user")]

    assert [reply.status for reply in failures] == [int(mode), int(mode)]
    assert failures[0].error["status"] == int(mode)
    assert api.get("/sms").status == 200


def test_garbage_is_a_200_that_is_not_json(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(fail_next={"count": 1, "mode": "garbage"})

    reply = api.get("/sms")

    assert reply.status == 200
    with pytest.raises(json.JSONDecodeError):
        reply.json()


def test_html_mode_is_a_proxy_502_page(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(fail_next={"count": 1, "mode": "html"})

    reply = api.get("/sms")

    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in reply.body


def test_timeout_mode_outlasts_the_client_but_still_sends(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    before = api.total("sms")
    sandbox.control(timeout_seconds=0.6, fail_next={"count": 1, "mode": "timeout"})

    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        api.send(phone_numbers="+4915112345678", timeout=0.2)

    # Like a slow upstream, the timed-out POST is processed after all: a retry would duplicate it.
    deadline = time.monotonic() + 3
    while api.total("sms") == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.total("sms") == before + 1


def test_failures_only_hit_the_api(sandbox: SandboxHandle, api: ApiClient) -> None:
    sandbox.control(fail_next={"count": 1, "mode": "500"})

    assert sandbox.stats()["requests"] == 0
    assert api.get("/user").status == 500


def test_latency_slows_api_requests(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(latency_ms=250)

    started = time.monotonic()
    api.get("/user")

    assert time.monotonic() - started >= 0.25


# --- control validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "knobs",
    [
        {"latency": 5},
        {"latency_ms": -1},
        {"rate_limit": True},
        {"fail_next": {"count": 1, "mode": "404"}},
        {"add_api_key": ""},
        {"add_admin_api_key": 7},
        {"rewrites_content": 1},
        {"account_page_size": 30},
        {"remove_sim": {"device_id": "1"}},
        {"remove_sim": {"device_id": 1, "sim": 2}},
    ],
)
def test_bad_control_requests_are_400_and_change_nothing(
    sandbox: SandboxHandle, knobs: dict
) -> None:
    before = sandbox.control()

    with pytest.raises(urllib.error.HTTPError) as raised:
        sandbox.control(**knobs)

    assert raised.value.code == 400
    raised.value.close()
    assert sandbox.control() == before


def test_control_reports_knob_values(sandbox: SandboxHandle) -> None:
    knobs = sandbox.control(latency_ms=20, rate_limit=7, fail_next={"count": 2, "mode": "html"})

    assert knobs["latency_ms"] == 20
    assert knobs["rate_limit"] == 7
    assert knobs["fail_next"] == {"count": 2, "mode": "html"}
    assert knobs["api_keys"] == ["key-alpha", "key-bravo"]


def test_control_reports_the_quirks(sandbox: SandboxHandle) -> None:
    knobs = sandbox.control(rewrites_content=False, account_page_size=25)

    assert knobs["rewrites_content"] is False
    assert knobs["account_page_size"] == 25
    assert knobs["unowned_new_contacts"] is True
    assert sandbox.reset()["rewrites_content"] is True


def test_remove_sim_takes_a_sim_out_and_then_the_phone(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    sandbox.control(remove_sim={"device_id": 1, "subscription_id": 2})

    pixel = api.get("/devices/1").json()["data"]
    assert [sim["subscription_id"] for sim in pixel["sims"]] == [1]
    assert (
        api.send(device_id="1", sim_subscription_id="2", phone_numbers="+33612345678").status == 401
    )

    sandbox.control(remove_sim={"device_id": 1})

    assert api.get("/devices/1").status == 404
    assert [device["id"] for device in api.get("/devices").json()["data"]] == [2]


def test_remove_sim_of_nothing_is_404(sandbox: SandboxHandle) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        sandbox.control(remove_sim={"device_id": 999, "subscription_id": 1})

    assert raised.value.code == 404
    raised.value.close()


def test_a_removed_phone_leaves_its_queue_pending(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(send_delay_seconds=0)
    (sms_id,) = api.send(phone_numbers="+33612345678").json()["data"]["sms_ids"]
    sandbox.control(remove_sim={"device_id": 1})

    sandbox.control(tick=True)

    assert api.get(f"/sms/{sms_id}").json()["data"]["status"] == "pending"


def test_add_api_key_opens_a_new_account(sandbox: SandboxHandle) -> None:
    newcomer = ApiClient(sandbox.url, "key-charlie")
    assert newcomer.get("/user").status == 401

    sandbox.control(add_api_key="key-charlie")

    assert newcomer.get("/user").status == 200
    assert newcomer.total("sms") == 300


# --- stats -----------------------------------------------------------------------------


def test_stats_count_requests_by_route(api: ApiClient, sandbox: SandboxHandle) -> None:
    api.get("/sms")
    api.get("/sms/?page=2")
    api.get("/sms/1")
    api.delete("/sms/99999999")
    api.get("/devices/")
    api.get("/contacts")
    api.get("/user")
    api.with_key(None).get("/user")

    stats = sandbox.stats()

    assert stats["requests"] == 8
    assert stats["by_route"] == {
        "GET /sms": 2,
        "GET /sms/{id}": 1,
        "DELETE /sms/{id}": 1,
        "GET /devices": 1,
        "GET /contacts": 1,
        "GET /user": 2,
    }


def test_stats_keep_the_last_20_post_bodies_as_received(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    for index in range(21):
        api.post_urlencoded("/sms", {"content": f"body {index}"})
    api.send(phone_numbers="+4915112345678", is_scheduled="0")

    posted = sandbox.stats()["last_post_fields"]

    assert len(posted) == 20
    assert posted[0] == {"content": "body 2"}
    assert posted[-1] == {
        "content": "Hello from the tests",
        "device_id": "1",
        "sim_subscription_id": "1",
        "phone_numbers": "+4915112345678",
        "is_scheduled": "0",
    }
    assert sandbox.stats()["by_route"]["POST /sms"] == 22


def test_reset_stats(api: ApiClient, sandbox: SandboxHandle) -> None:
    api.get("/sms")

    sandbox.control(reset_stats=True)

    assert sandbox.stats() == {"requests": 0, "by_route": {}, "last_post_fields": []}


# --- reset -----------------------------------------------------------------------------


def test_reset_restores_the_seeded_state(api: ApiClient, sandbox: SandboxHandle) -> None:
    first_page = api.get("/sms").json()["data"]
    api.delete(f"/sms/{first_page[0]['sms_id']}")
    api.send(phone_numbers="+4915112345678")
    sandbox.control(rate_limit=5, add_api_key="key-delta")

    knobs = sandbox.reset()

    assert knobs["rate_limit"] == 0
    assert knobs["api_keys"] == ["key-alpha", "key-bravo"]
    assert sandbox.stats()["requests"] == 0
    again = api.get("/sms").json()["data"]
    assert [m["sms_id"] for m in again] == [m["sms_id"] for m in first_page]
    assert [m["content"] for m in again] == [m["content"] for m in first_page]


# --- robustness ------------------------------------------------------------------------


def test_a_crashing_handler_answers_500_and_the_server_lives_on(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("boom")

    with monkeypatch.context() as patched:
        patched.setattr(sandbox_api, "handle", explode)
        reply = api.get("/sms")

    assert reply.status == 500
    assert reply.error["status"] == 500
    assert api.get("/sms").status == 200


def test_malformed_multipart_is_just_missing_fields(api: ApiClient) -> None:
    reply = api.request(
        "POST",
        "/sms",
        body=b"--nope\r\ngarbage",
        headers={"Content-Type": "multipart/form-data; boundary=other"},
    )

    assert reply.status == 401
    assert reply.error["title"] == "You must fill all the required fields."


def test_bad_content_length_is_a_json_400(sandbox: SandboxHandle) -> None:
    host, port = sandbox.root.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"POST /api/sms HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
        # The sandbox closes the connection after answering, so read until it does.
        answer = b"".join(iter(lambda: connection.recv(65536), b""))

    assert answer.startswith(b"HTTP/1.1 400")
    assert b'"errors"' in answer


def test_control_endpoint_needs_no_bearer(sandbox: SandboxHandle) -> None:
    with urllib.request.urlopen(f"{sandbox.root}/__sandbox__/stats", timeout=5) as response:
        assert response.status == 200
