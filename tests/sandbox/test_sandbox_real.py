"""The sandbox does what the real 66text server does (the [real] items of sociostacks-api.md).

Each test checks one quirk as the sandbox serves it by default, then switches
that quirk off and checks that the same assertions now fail: so each test is
known to depend on its quirk, and the knob is known to work.
"""

from collections.abc import Callable

import pytest

from smsadmin.sandbox.testing import SandboxHandle

from .helpers import ApiClient

MISSING_FIELDS = "You must fill all the required fields."
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
NEW_NUMBER = "+33612345678"


def holds_only_with(sandbox: SandboxHandle, quirk: str, check: Callable[[], None], off=False):
    """``check`` passes as the sandbox starts, and fails once ``quirk`` is switched off."""
    check()
    sandbox.reset()
    sandbox.control(**{quirk: off})
    with pytest.raises(AssertionError):
        check()


def sent_ids(reply) -> list[int]:
    assert reply.status == 201, reply.body
    return reply.json()["data"]["sms_ids"]


def rate_headers(reply) -> dict[str, str]:
    return {name: reply.headers[name] for name in RATE_HEADERS if reply.headers[name] is not None}


def test_a_new_number_gets_a_contact_nobody_can_read(api: ApiClient, sandbox: SandboxHandle):
    def check():
        (sms_id,) = sent_ids(api.send(phone_numbers=NEW_NUMBER))
        contact_id = api.get(f"/sms/{sms_id}").json()["data"]["contact_id"]
        listed = api.get("/contacts?results_per_page=1000").json()["data"]

        assert api.get(f"/contacts/{contact_id}").status == 404
        assert contact_id not in {contact["id"] for contact in listed}

    holds_only_with(sandbox, "unowned_new_contacts", check)


def test_opted_out_contacts_are_sent_to(api: ApiClient, sandbox: SandboxHandle):
    def check():
        contacts = api.get("/contacts?results_per_page=1000").json()["data"]
        opted_out = next(contact for contact in contacts if contact["has_opted_out"])

        reply = api.send(phone_numbers=f"{opted_out['phone_number']}\n{NEW_NUMBER}")

        ids = sent_ids(reply)
        assert len(ids) == 2
        assert api.get(f"/sms/{ids[0]}").json()["data"]["contact_id"] == opted_out["id"]

    holds_only_with(sandbox, "sends_to_opted_out", check)


def test_content_is_rewritten_before_it_is_stored(api: ApiClient, sandbox: SandboxHandle):
    def check():
        (quoted,) = sent_ids(api.send(content='it\'s a "test" <3', phone_numbers=NEW_NUMBER))
        (spaced,) = sent_ids(
            api.send(content=" <b>Hi</b>  there \r\n ok ", phone_numbers=NEW_NUMBER)
        )
        (long,) = sent_ids(api.send(content="'" * 250, phone_numbers=NEW_NUMBER))

        assert api.get(f"/sms/{quoted}").json()["data"]["content"] == "it&#39;s a &#34;test&#34;"
        assert api.get(f"/sms/{spaced}").json()["data"]["content"] == "Hi there\nok"
        # Cut after the quotes are encoded: 200 of the 250 fit.
        assert api.get(f"/sms/{long}").json()["data"]["content"] == "&#39;" * 200

    holds_only_with(sandbox, "rewrites_content", check)


def test_typographic_quotes_are_stored_as_plain_unencoded_ones(
    api: ApiClient, sandbox: SandboxHandle
):
    def check():
        typed = (
            "it\N{RIGHT SINGLE QUOTATION MARK}s "
            "\N{LEFT DOUBLE QUOTATION MARK}ok\N{RIGHT DOUBLE QUOTATION MARK}"
        )
        (sms_id,) = sent_ids(api.send(content=typed, phone_numbers=NEW_NUMBER))

        assert api.get(f"/sms/{sms_id}").json()["data"]["content"] == 'it\'s "ok"'

    holds_only_with(sandbox, "rewrites_content", check)


def test_content_of_markup_only_is_refused_as_missing(api: ApiClient, sandbox: SandboxHandle):
    def check():
        reply = api.send(content="<p> </p>", phone_numbers=NEW_NUMBER)

        assert reply.status == 401
        assert reply.error["title"] == MISSING_FIELDS

    holds_only_with(sandbox, "rewrites_content", check)


@pytest.mark.parametrize(("count", "answered"), [(5000, 0), (5003, 3), (4999, 4999)])
def test_only_the_last_chunk_of_5000_answers_its_ids(
    api: ApiClient, sandbox: SandboxHandle, count: int, answered: int
):
    def check():
        before = api.total("sms")
        numbers = "\n".join(f"+49151{index:08d}" for index in range(count))

        ids = sent_ids(api.send(phone_numbers=numbers))

        assert len(ids) == answered
        assert api.total("sms") == before + count

    if answered == count:
        check()  # below one chunk nothing is lost, quirk or not
    else:
        holds_only_with(sandbox, "last_chunk_ids_only", check)


@pytest.mark.parametrize("what", ["another account's device", "a SIM not on the device"])
def test_a_device_or_sim_that_is_not_there_is_a_401_for_missing_fields(
    api: ApiClient, other_api: ApiClient, sandbox: SandboxHandle, what: str
):
    def check():
        if what == "a SIM not on the device":
            # The backup phone (device 2) only has SIM 1; SIM 2 lives on the Pixel.
            reply = api.send(device_id="2", sim_subscription_id="2", phone_numbers=NEW_NUMBER)
        else:
            foreign = other_api.get("/devices").json()["data"][0]["id"]
            reply = api.send(device_id=str(foreign), phone_numbers=NEW_NUMBER)

        assert (reply.status, reply.error["title"]) == (401, MISSING_FIELDS)

    holds_only_with(sandbox, "unknown_sender_is_401", check)


def test_one_number_that_does_not_parse_is_an_html_500_for_the_whole_send(
    api: ApiClient, sandbox: SandboxHandle
):
    def check():
        before = api.total("sms")

        reply = api.send(phone_numbers=f"{NEW_NUMBER}\n0049 151 1234 5678")

        assert reply.status == 500
        assert reply.headers["Content-Type"] == "application/json"
        assert reply.body.startswith(b"<!DOCTYPE html>")
        assert api.total("sms") == before

    holds_only_with(sandbox, "bad_number_is_html_500", check)


def test_a_wall_time_that_happens_twice_is_read_as_the_second(
    api: ApiClient, sandbox: SandboxHandle
):
    def check():
        # Berlin turns its clocks back from 03:00 CEST to 02:00 CET that night.
        reply = api.send(
            phone_numbers=NEW_NUMBER, is_scheduled="1", scheduled_datetime="2031-10-26 02:30:00"
        )
        (sms_id,) = sent_ids(reply)

        scheduled = api.get(f"/sms/{sms_id}").json()["data"]["scheduled_datetime"]
        assert scheduled == "2031-10-26 01:30:00"

    holds_only_with(sandbox, "dst_second_occurrence", check)


def test_a_429_says_when_but_not_how_many_are_left(api: ApiClient, sandbox: SandboxHandle):
    def check():
        sandbox.control(rate_limit=1)
        assert api.get("/user").status == 200

        limited = api.get("/user")

        assert limited.status == 429
        assert set(rate_headers(limited)) == {"X-RateLimit-Limit", "X-RateLimit-Reset"}

    holds_only_with(sandbox, "no_remaining_on_429", check)


@pytest.mark.parametrize("key", [None, "not-a-key"])
def test_refused_keys_get_no_rate_headers(api: ApiClient, sandbox: SandboxHandle, key: str | None):
    def check():
        sandbox.control(rate_limit=60)

        reply = api.with_key(key).get("/user")

        assert reply.status == 401
        assert rate_headers(reply) == {}

    holds_only_with(sandbox, "no_rate_headers_for_bad_keys", check)


def test_admin_keys_are_never_limited_and_carry_no_rate_headers(
    api: ApiClient, sandbox: SandboxHandle
):
    def check():
        sandbox.control(rate_limit=2, add_admin_api_key="key-admin")
        admin = api.with_key("key-admin")

        replies = [admin.get("/user") for _ in range(5)]

        assert [reply.status for reply in replies] == [200] * 5
        assert [rate_headers(reply) for reply in replies] == [{}] * 5

    holds_only_with(sandbox, "admin_keys_unlimited", check)


@pytest.mark.parametrize("size", ["7", "abc", "2000", "", None])
def test_a_missing_or_unknown_page_size_is_the_accounts_100(
    api: ApiClient, sandbox: SandboxHandle, size: str | None
):
    def check():
        query = "" if size is None else f"?results_per_page={size}"

        body = api.get(f"/sms{query}").json()

        assert body["meta"]["results_per_page"] == 100
        assert len(body["data"]) == 100

    holds_only_with(sandbox, "account_page_size", check, off=25)
