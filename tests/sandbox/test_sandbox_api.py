"""The sandbox /api follows the contract (shared/sociostacks-api.md), quirks included."""

from datetime import UTC, datetime, timedelta

import pytest

from smsadmin.sandbox.testing import running_sandbox

from .helpers import ApiClient, parse_api_datetime

MISSING_BEARER = "The request is missing the Bearer Authentication header."
NO_ACCESS = "You do not have access to the API."
MISSING_FIELDS = "You must fill all the required fields."
NOT_FOUND = "The resource you are looking for does not exist."


def assert_about_now(value: str) -> None:
    assert abs(parse_api_datetime(value) - datetime.now(UTC)) < timedelta(seconds=5)


def sent_message(api: ApiClient, **fields: str) -> dict:
    reply = api.send(**fields)
    assert reply.status == 201, reply.body
    (sms_id,) = reply.json()["data"]["sms_ids"]
    return api.get(f"/sms/{sms_id}").json()["data"]


# --- authentication ------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", [None, "Token key-alpha", "Bearer", "Bearer  ", "Basic x"]
)
def test_missing_or_garbled_bearer_is_401_with_string_status(
    api: ApiClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = api.with_key(None).get("/sms", headers=headers)

    assert reply.status == 401
    assert reply.json() == {"errors": [{"title": MISSING_BEARER, "status": "401"}]}


def test_unknown_key_is_401_with_integer_status(api: ApiClient) -> None:
    reply = api.with_key("not-a-key").get("/user")

    assert reply.status == 401
    assert reply.json() == {"errors": [{"title": NO_ACCESS, "status": 401}]}


# --- listing ---------------------------------------------------------------------------


def test_list_echoes_raw_page_and_builds_quirky_links(api: ApiClient, sandbox) -> None:
    reply = api.get("/sms/?page=2&results_per_page=10")

    body = reply.json()
    assert reply.status == 200
    assert body["meta"] == {
        "page": "2",
        "results_per_page": 10,
        "total_results": 300,
        "total_pages": 30,
    }
    link = f"{sandbox.url}/sms?&page="
    assert body["links"] == {
        "first": f"{link}1",
        "last": f"{link}30",
        "next": f"{link}3",
        "prev": f"{link}1",
        "self": f"{link}2",
    }
    ids = [message["sms_id"] for message in body["data"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 10


def test_first_page_without_query_has_integer_page_and_newest_first(api: ApiClient) -> None:
    body = api.get("/sms").json()

    assert body["meta"]["page"] == 1
    assert body["meta"]["results_per_page"] == 100
    assert body["links"]["prev"] is None
    assert body["data"][0]["sms_id"] == max(message["sms_id"] for message in body["data"])
    assert body["data"][0]["sms_id"] > body["data"][-1]["sms_id"]


@pytest.mark.parametrize("resource", ["sms", "devices", "contacts"])
def test_page_past_the_end_is_200_and_empty(api: ApiClient, resource: str) -> None:
    reply = api.get(f"/{resource}?page=999")

    assert reply.status == 200
    assert reply.json()["data"] == []
    assert reply.json()["links"]["next"] is None


def test_zero_rows_have_no_pages_and_no_last_link() -> None:
    with running_sandbox(api_keys=("empty",), seed_messages=0, tick_seconds=0) as sandbox:
        body = ApiClient(sandbox.url, "empty").get("/sms").json()

    assert body["data"] == []
    assert body["meta"]["total_pages"] == 0
    assert body["meta"]["total_results"] == 0
    assert body["links"]["last"] is None
    assert body["links"]["next"] is None


@pytest.mark.parametrize(
    "path", ["/sms", "/sms/", "/devices", "/devices/", "/contacts/", "/user", "/user/"]
)
def test_trailing_slash_is_optional(api: ApiClient, path: str) -> None:
    assert api.get(path).status == 200


def test_devices_carry_their_sims_and_counters(api: ApiClient) -> None:
    devices = {device["name"]: device for device in api.get("/devices").json()["data"]}

    assert set(devices) == {"Ops Pixel 8", "Backup Galaxy A54"}
    pixel = devices["Ops Pixel 8"]
    assert [sim["subscription_id"] for sim in pixel["sims"]] == [1, 2]
    assert set(pixel["sims"][0]) == {
        "subscription_id",
        "phone_number",
        "carrier_name",
        "display_name",
        "slot_index",
    }
    assert pixel["total_sent_sms"] > 0
    assert api.get(f"/devices/{pixel['id']}/").json()["data"] == pixel


def test_user_reports_the_account_time_zone(api: ApiClient) -> None:
    user = api.get("/user").json()["data"]

    assert user["timezone"] == "Europe/Berlin"
    assert {"id", "name", "email", "language"} <= set(user)


# --- single objects and isolation ------------------------------------------------------


def test_message_by_id(api: ApiClient) -> None:
    newest = api.get("/sms").json()["data"][0]

    assert api.get(f"/sms/{newest['sms_id']}/").json() == {"data": newest}


@pytest.mark.parametrize("resource", ["sms", "devices", "contacts"])
def test_another_accounts_object_is_404(
    api: ApiClient, other_api: ApiClient, resource: str
) -> None:
    foreign_key = "sms_id" if resource == "sms" else "id"
    foreign_id = other_api.get(f"/{resource}").json()["data"][0][foreign_key]

    reply = api.get(f"/{resource}/{foreign_id}")

    assert reply.status == 404
    assert reply.json() == {"errors": [{"title": NOT_FOUND, "status": 404}]}


def test_unknown_id_is_404(api: ApiClient) -> None:
    assert api.get("/sms/99999999").error["title"] == NOT_FOUND


# --- sending ---------------------------------------------------------------------------


def test_multipart_send_creates_a_pending_message(api: ApiClient) -> None:
    reply = api.send(content="Hi there", phone_numbers="+4915112345678", sim_subscription_id="2")

    assert reply.status == 201
    (sms_id,) = reply.json()["data"]["sms_ids"]
    message = api.get(f"/sms/{sms_id}").json()["data"]
    assert message["content"] == "Hi there"
    assert (message["type"], message["status"], message["error"]) == ("sent", "pending", None)
    assert (message["device_id"], message["sim_subscription_id"]) == (1, 2)
    assert message["scheduled_datetime"] == message["datetime"]
    assert_about_now(message["datetime"])


def test_urlencoded_send_is_accepted(api: ApiClient) -> None:
    reply = api.post_urlencoded(
        "/sms/",
        {
            "content": "Grüße",
            "device_id": "2",
            "sim_subscription_id": "1",
            "phone_numbers": "+447911123456,+14155550123",
        },
    )

    assert reply.status == 201
    assert len(reply.json()["data"]["sms_ids"]) == 2


def test_json_body_is_not_read_like_php(api: ApiClient) -> None:
    body = b'{"content": "x", "device_id": 1, "sim_subscription_id": 1, "phone_numbers": "+1"}'

    reply = api.request("POST", "/sms", body=body, headers={"Content-Type": "application/json"})

    assert reply.status == 401
    assert reply.error == {"title": MISSING_FIELDS, "status": 401}


@pytest.mark.parametrize(
    "missing", ["content", "device_id", "sim_subscription_id", "phone_numbers"]
)
def test_missing_or_empty_required_field_is_401(api: ApiClient, missing: str) -> None:
    fields = {
        "content": "x",
        "device_id": "1",
        "sim_subscription_id": "1",
        "phone_numbers": "+4915112345678",
    }
    without = {name: value for name, value in fields.items() if name != missing}

    assert api.post_multipart("/sms", without).error["title"] == MISSING_FIELDS
    assert api.post_multipart("/sms", {**fields, missing: ""}).error["title"] == MISSING_FIELDS


def test_numbers_without_digits_count_as_missing(api: ApiClient) -> None:
    assert api.send(phone_numbers=" , \n").error["title"] == MISSING_FIELDS


def test_a_sim_is_named_by_its_device(api: ApiClient) -> None:
    # Both phones have a SIM 1; only the Pixel (device 1) has a SIM 2.
    message = sent_message(
        api, device_id="2", sim_subscription_id="1", phone_numbers="+33612345678"
    )

    assert (message["device_id"], message["sim_subscription_id"]) == (2, 1)


def test_content_is_cut_to_1000_characters(api: ApiClient) -> None:
    message = sent_message(api, content="é" * 999 + "xyz", phone_numbers="+4915112345678")

    assert message["content"] == "é" * 999 + "x"


def test_numbers_are_split_deduplicated_then_normalised(api: ApiClient, sandbox) -> None:
    # Readable contacts, to see which number each message went to.
    sandbox.control(unowned_new_contacts=False)
    numbers = " +49 151 1234-5678 ,\n+4915112345678\r\n, ,(+44) 7911 123456\n+4915112345678\n"

    reply = api.send(phone_numbers=numbers)

    sms_ids = reply.json()["data"]["sms_ids"]
    contact_ids = [api.get(f"/sms/{sms_id}").json()["data"]["contact_id"] for sms_id in sms_ids]
    phones = [api.get(f"/contacts/{cid}").json()["data"]["phone_number"] for cid in contact_ids]
    # The two ways of writing the German number were told apart before normalising.
    assert phones == ["+4915112345678", "+4915112345678", "+447911123456"]


def test_without_the_unowned_quirk_a_new_number_becomes_a_contact_once(
    api: ApiClient, sandbox
) -> None:
    sandbox.control(unowned_new_contacts=False)
    contacts_before = api.total("contacts")

    first = sent_message(api, phone_numbers="+33612345678")
    second = sent_message(api, phone_numbers="+33612345678")

    assert first["contact_id"] == second["contact_id"]
    assert api.total("contacts") == contacts_before + 1
    contact = api.get(f"/contacts/{first['contact_id']}").json()["data"]
    assert contact["phone_number"] == "+33612345678"
    assert contact["name"] is None
    assert contact["has_opted_out"] is False


def test_send_to_a_known_contact_reuses_it(api: ApiClient) -> None:
    known = api.get("/contacts").json()["data"][3]
    contacts_before = api.total("contacts")

    message = sent_message(api, phone_numbers=known["phone_number"])

    assert message["contact_id"] == known["id"]
    assert api.total("contacts") == contacts_before


def test_more_than_5000_recipients_reports_only_the_last_chunk(api: ApiClient) -> None:
    numbers = [f"+49151{index:08d}" for index in range(5003)]
    messages_before = api.total("sms")

    reply = api.send(phone_numbers="\n".join(numbers))

    sms_ids = reply.json()["data"]["sms_ids"]
    assert reply.status == 201
    assert len(sms_ids) == 3
    assert api.total("sms") == messages_before + 5003
    newest = api.get("/sms?results_per_page=10").json()["data"]
    assert sms_ids == sorted(message["sms_id"] for message in newest[:3])


# --- scheduling ------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["1", "0", "false", ""])
def test_is_scheduled_counts_whenever_present(api: ApiClient, flag: str) -> None:
    message = sent_message(
        api,
        phone_numbers="+4915112345678",
        is_scheduled=flag,
        scheduled_datetime="2031-01-15 10:30:00",
    )

    assert message["scheduled_datetime"] == "2031-01-15 09:30:00"


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2031-01-15 10:30:00", "2031-01-15 09:30:00"),
        ("2031-07-15 10:30:00", "2031-07-15 08:30:00"),
    ],
)
def test_scheduled_time_is_read_in_the_account_zone(api: ApiClient, local: str, utc: str) -> None:
    message = sent_message(
        api, phone_numbers="+4915112345678", is_scheduled="1", scheduled_datetime=local
    )

    assert message["scheduled_datetime"] == utc
    assert_about_now(message["datetime"])


def test_scheduled_time_without_is_scheduled_is_ignored(api: ApiClient) -> None:
    message = sent_message(
        api, phone_numbers="+4915112345678", scheduled_datetime="2031-01-15 10:30:00"
    )

    assert_about_now(message["scheduled_datetime"])


@pytest.mark.parametrize(
    "malformed", ["2031-01-15T10:30:00", "2031-02-30 10:00:00", "2031-01-15 10:30", "tomorrow"]
)
def test_malformed_scheduled_time_silently_means_now(api: ApiClient, malformed: str) -> None:
    message = sent_message(
        api, phone_numbers="+4915112345678", is_scheduled="1", scheduled_datetime=malformed
    )

    assert_about_now(message["scheduled_datetime"])


def test_scheduled_without_a_time_means_now(api: ApiClient) -> None:
    message = sent_message(api, phone_numbers="+4915112345678", is_scheduled="1")

    assert_about_now(message["scheduled_datetime"])


# --- deleting --------------------------------------------------------------------------


def test_delete_is_200_with_an_empty_body(api: ApiClient) -> None:
    sms_id = api.get("/sms").json()["data"][0]["sms_id"]

    reply = api.delete(f"/sms/{sms_id}")

    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["Content-Type"] == "application/json"
    assert api.get(f"/sms/{sms_id}").status == 404
    assert api.delete(f"/sms/{sms_id}").error == {"title": NOT_FOUND, "status": 404}


def test_delete_of_another_accounts_message_is_404(api: ApiClient, other_api: ApiClient) -> None:
    foreign_id = other_api.get("/sms").json()["data"][0]["sms_id"]

    assert api.delete(f"/sms/{foreign_id}").status == 404
    assert other_api.get(f"/sms/{foreign_id}").status == 200


def test_deleting_a_pending_message_releases_the_device_counter(api: ApiClient) -> None:
    pending_before = api.get("/devices/1").json()["data"]["total_pending_sms"]
    message = sent_message(api, phone_numbers="+4915112345678")
    assert api.get("/devices/1").json()["data"]["total_pending_sms"] == pending_before + 1

    api.delete(f"/sms/{message['sms_id']}")

    assert api.get("/devices/1").json()["data"]["total_pending_sms"] == pending_before


# --- unknown paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nope"), ("GET", "/sms/abc"), ("PUT", "/sms"), ("POST", "/user")]
)
def test_unknown_api_route_is_a_json_404(api: ApiClient, method: str, path: str) -> None:
    reply = api.request(method, path, body=b"" if method in ("PUT", "POST") else None)

    assert reply.status == 404
    assert reply.error == {"title": NOT_FOUND, "status": 404}


def test_unknown_path_outside_api_is_an_html_404(sandbox) -> None:
    reply = ApiClient(sandbox.root, None).get("/index.php")

    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"<html" in reply.body


def test_another_account_zone_moves_the_schedule_differently() -> None:
    with running_sandbox(api_keys=("ny",), timezone="America/New_York", tick_seconds=0) as sb:
        api = ApiClient(sb.url, "ny")
        message = sent_message(
            api,
            phone_numbers="+14155550123",
            is_scheduled="1",
            scheduled_datetime="2031-01-15 10:30:00",
        )
        timezone = api.get("/user").json()["data"]["timezone"]

    assert timezone == "America/New_York"
    assert message["scheduled_datetime"] == "2031-01-15 15:30:00"
