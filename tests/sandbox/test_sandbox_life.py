"""Seeded data, the simulated phones, and the CLI process."""

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from smsadmin.sandbox.__main__ import parse_args
from smsadmin.sandbox.testing import (
    SandboxHandle,
    cli_arguments,
    running_sandbox,
    spawn_sandbox_process,
)

from .helpers import API_DATETIME_FORMAT, ApiClient, parse_api_datetime

DATETIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def all_messages(api: ApiClient) -> list[dict]:
    return api.get("/sms?results_per_page=1000").json()["data"]


def message(api: ApiClient, sms_id: int) -> dict:
    return api.get(f"/sms/{sms_id}").json()["data"]


def send_one(api: ApiClient, **fields: str) -> int:
    reply = api.send(phone_numbers="+4915112345678", **fields)
    assert reply.status == 201, reply.body
    return reply.json()["data"]["sms_ids"][0]


# --- seed ------------------------------------------------------------------------------


def test_seeded_contacts_have_names_and_valid_numbers_from_several_countries(
    api: ApiClient,
) -> None:
    contacts = api.get("/contacts?results_per_page=100").json()["data"]

    assert 30 <= len(contacts) <= 50
    assert all(contact["name"] for contact in contacts)
    parsed = [phonenumbers.parse(contact["phone_number"]) for contact in contacts]
    assert all(phonenumbers.is_valid_number(number) for number in parsed)
    assert len({phonenumbers.region_code_for_number(number) for number in parsed}) >= 5
    assert any(contact["has_opted_out"] for contact in contacts)


def test_seeded_sims_have_valid_numbers(api: ApiClient) -> None:
    sims = [sim for device in api.get("/devices").json()["data"] for sim in device["sims"]]

    assert len(sims) == 3
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(s["phone_number"])) for s in sims)


def test_seeded_messages_cover_every_type_and_status(api: ApiClient) -> None:
    messages = all_messages(api)
    now = datetime.now(UTC)

    kinds = Counter((m["type"], m["status"]) for m in messages)
    assert set(kinds) == {
        ("sent", "sent"),
        ("sent", "failed"),
        ("sent", "pending"),
        ("received", "received"),
    }
    for m in messages:
        assert DATETIME_SHAPE.fullmatch(m["datetime"])
        assert now - parse_api_datetime(m["datetime"]) < timedelta(days=31)
        assert (m["error"] is not None) == (m["status"] == "failed")
        assert (m["scheduled_datetime"] is None) == (m["type"] == "received")
    errors = {m["error"] for m in messages if m["error"]}
    assert all(len(error) <= 32 for error in errors)
    assert len(errors) > 1
    future = [
        m
        for m in messages
        if m["status"] == "pending" and parse_api_datetime(m["scheduled_datetime"]) > now
    ]
    assert len(future) >= 3
    assert max(parse_api_datetime(m["scheduled_datetime"]) for m in future) - now > timedelta(
        days=1
    )


def test_seeded_device_counters_match_the_messages(api: ApiClient) -> None:
    messages = all_messages(api)

    for device in api.get("/devices").json()["data"]:
        own = Counter(m["status"] for m in messages if m["device_id"] == device["id"])
        assert device["total_sent_sms"] == own["sent"]
        assert device["total_failed_sms"] == own["failed"]
        assert device["total_pending_sms"] == own["pending"]
        assert device["total_received_sms"] == own["received"]


def snapshot(sandbox: SandboxHandle, key: str) -> tuple:
    api = ApiClient(sandbox.url, key)
    contacts = [(c["name"], c["phone_number"]) for c in api.get("/contacts").json()["data"]]
    sims = [s["phone_number"] for d in api.get("/devices").json()["data"] for s in d["sims"]]
    messages = [(m["status"], m["contact_id"], m["content"]) for m in all_messages(api)]
    return contacts, sims, messages


def test_same_seed_same_world_other_seed_other_world() -> None:
    worlds = {}
    for seed in (42, 42, 7):
        with running_sandbox(api_keys=("a", "b"), seed=seed, tick_seconds=0) as sandbox:
            worlds.setdefault(seed, []).append((snapshot(sandbox, "a"), snapshot(sandbox, "b")))

    (first_a, first_b), (again_a, again_b) = worlds[42]
    assert (first_a, first_b) == (again_a, again_b)
    assert first_a[:2] != first_b[:2]
    assert worlds[7][0][0][:2] != first_a[:2]


# --- life ------------------------------------------------------------------------------


def test_tick_sends_due_messages_and_moves_device_counters(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    sandbox.control(send_delay_seconds=0)
    sms_id = send_one(api)
    before = api.get("/devices/1").json()["data"]

    sandbox.control(tick=True)

    settled = message(api, sms_id)
    after = api.get("/devices/1").json()["data"]
    assert settled["status"] in {"sent", "failed"}
    assert after["total_pending_sms"] < before["total_pending_sms"]
    finished_before = before["total_sent_sms"] + before["total_failed_sms"]
    assert after["total_sent_sms"] + after["total_failed_sms"] > finished_before


def test_pending_waits_for_the_send_delay(api: ApiClient, sandbox: SandboxHandle) -> None:
    sms_id = send_one(api)  # the start-up send delay is 3 s

    sandbox.control(tick=True)

    assert message(api, sms_id)["status"] == "pending"


def test_future_scheduled_stays_pending_and_past_scheduled_goes_out(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    sandbox.control(send_delay_seconds=0)
    future = send_one(api, is_scheduled="1", scheduled_datetime="2031-01-15 10:30:00")
    past = send_one(api, is_scheduled="1", scheduled_datetime="2020-01-15 10:30:00")

    sandbox.control(tick=True)

    assert message(api, future)["status"] == "pending"
    assert message(api, past)["status"] in {"sent", "failed"}
    # `datetime` is overwritten by the status change; the schedule stays as it was.
    assert message(api, past)["scheduled_datetime"] == "2020-01-15 09:30:00"


def test_about_one_in_ten_fails_with_a_short_error(api: ApiClient, sandbox: SandboxHandle) -> None:
    sandbox.control(send_delay_seconds=0)
    numbers = "\n".join(f"+4915112{index:06d}" for index in range(300))
    sms_ids = api.send(phone_numbers=numbers).json()["data"]["sms_ids"]

    sandbox.control(tick=True)

    settled = [message for message in all_messages(api) if message["sms_id"] in set(sms_ids)]
    failed = [m for m in settled if m["status"] == "failed"]
    assert {m["status"] for m in settled} == {"sent", "failed"}
    assert 10 <= len(failed) <= 60
    assert all(m["error"] and len(m["error"]) <= 32 for m in failed)


def test_inbound_message_arrives_from_a_known_contact(
    api: ApiClient, sandbox: SandboxHandle
) -> None:
    newest_before = all_messages(api)[0]["sms_id"]

    sandbox.control(inbound_one_in=1, tick=True)

    arrived = [m for m in all_messages(api) if m["sms_id"] > newest_before]
    assert len(arrived) == 1
    inbound = arrived[0]
    assert (inbound["type"], inbound["status"]) == ("received", "received")
    assert inbound["scheduled_datetime"] is None
    sender = api.get(f"/contacts/{inbound['contact_id']}").json()["data"]
    assert sender["name"]
    assert not sender["has_opted_out"]


def test_background_life_thread_sends_on_its_own() -> None:
    with running_sandbox(
        api_keys=("live",), tick_seconds=0.05, send_delay_seconds=0.1, inbound_one_in=0
    ) as sandbox:
        api = ApiClient(sandbox.url, "live")
        sms_id = send_one(api)
        deadline = time.monotonic() + 5
        while message(api, sms_id)["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)

        assert message(api, sms_id)["status"] in {"sent", "failed"}
        # The seeded "just queued" messages went out too; only future ones wait.
        now = datetime.now(UTC).strftime(API_DATETIME_FORMAT)
        pending = [m for m in all_messages(api) if m["status"] == "pending"]
        assert all(m["scheduled_datetime"] > now for m in pending)


# --- CLI -------------------------------------------------------------------------------


def test_cli_defaults_to_the_demo_key_and_takes_several_keys() -> None:
    assert parse_args([]).api_keys == ("sandbox-demo-key",)
    config = parse_args(["--api-key", "k1", "--api-key", "k2", "--port", "0", "--rate-limit", "0"])
    assert config.api_keys == ("k1", "k2")
    assert (config.port, config.rate_limit) == (0, 0)


def test_cli_switches_quirks_off_and_names_admin_keys() -> None:
    config = parse_args(
        ["--without", "rewrites_content", "--account-page-size", "25", "--admin-api-key", "boss"]
    )

    assert config.quirks.rewrites_content is False
    assert config.quirks.unowned_new_contacts is True
    assert config.quirks.account_page_size == 25
    assert config.admin_api_keys == ("boss",)
    assert parse_args(cli_arguments(config)) == config


def test_spawned_process_serves_and_stops_cleanly() -> None:
    sandbox = spawn_sandbox_process(api_keys=("proc-key",), rate_limit=5, seed_messages=10)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", sandbox.url)
        reply = ApiClient(sandbox.url, "proc-key").get("/sms")
        assert reply.status == 200
        assert reply.json()["meta"]["total_results"] == 10
        assert reply.headers["X-RateLimit-Limit"] == "5"
        assert sandbox.stats()["by_route"] == {"GET /sms": 1}
    finally:
        sandbox.stop()

    assert sandbox.process.returncode == 0


def test_spawn_reports_a_process_that_fails_to_start() -> None:
    with pytest.raises(RuntimeError, match="failed to start"):
        spawn_sandbox_process(timezone="Mars/Olympus_Mons")
