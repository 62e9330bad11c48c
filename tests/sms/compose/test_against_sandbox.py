"""Compose against the sandbox over real HTTP: what a send really puts on the wire."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from smsadmin.sms.models import SendRequest
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY, give_key, make_user
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db

SANDBOX_ACCOUNT_ZONE = "Europe/Berlin"  # running_sandbox's default


@pytest.fixture
def person(client, on_sandbox):
    user = make_user("nina", "sender", time_zone="America/New_York")
    give_key(user)
    client.force_login(user)
    return user


@pytest.fixture
def phone(on_sandbox) -> dict[str, str]:
    """The first seeded device and its first SIM, as the form names them."""
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    sim = device.sims[0]
    on_sandbox.control(reset_stats=True)
    return {"device": str(device.id), "sim": f"{device.id}:{sim.subscription_id}"}


def posts(sandbox) -> int:
    return sandbox.stats()["by_route"].get("POST /sms", 0)


def test_an_immediate_send_reaches_the_sandbox_once_without_is_scheduled(
    client, person, phone, on_sandbox
):
    form = client.get("/compose/").content.decode()
    assert f'value="{phone["sim"]}"' in form
    response, token = fake.confirm_and_send(
        client, recipients=f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}", **phone
    )
    fake.send(client, token)  # the repeat sends nothing

    assert posts(on_sandbox) == 1
    (fields,) = on_sandbox.stats()["last_post_fields"]
    assert "is_scheduled" not in fields and "scheduled_datetime" not in fields
    assert fields["phone_numbers"] == f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"
    assert fields["device_id"] == phone["device"]
    send = SendRequest.objects.get(token=token)
    assert send.state == SendRequest.State.SENT and len(send.sms_ids) == 2
    page = client.get(response["Location"]).content.decode()
    assert f'href="/messages/{send.sms_ids[0]}/"' in page


def test_a_scheduled_send_reaches_the_sandbox_in_the_accounts_zone(
    client, person, phone, on_sandbox
):
    in_new_york = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo("America/New_York"))
    local = in_new_york.replace(hour=9, minute=45, second=0, microsecond=0)
    fake.confirm_and_send(
        client,
        when="later",
        send_date=local.strftime("%Y-%m-%d"),
        send_time="09:45",
        **phone,
    )
    (fields,) = on_sandbox.stats()["last_post_fields"]
    assert fields["is_scheduled"] == "1"
    expected = local.astimezone(ZoneInfo(SANDBOX_ACCOUNT_ZONE)).strftime("%Y-%m-%d %H:%M:%S")
    assert fields["scheduled_datetime"] == expected


def test_a_sandbox_outage_keeps_the_typed_form(client, person, phone, on_sandbox):
    reviewed = fake.review(client, content="Kept through an outage", **phone)
    token = fake.token_of(reviewed)
    shown = fake.shown_fingerprint(client, token)
    on_sandbox.control(fail_next={"count": 1, "mode": "503"})
    response = fake.send(client, token, shown)
    page = client.get(response["Location"]).content.decode()
    assert "The send did not go out." in page
    assert "Kept through an outage</textarea>" in page
    assert posts(on_sandbox) == 1


def test_a_sandbox_time_out_is_reported_as_unknown(client, person, phone, on_sandbox, settings):
    settings.SOCIOSTACKS_TIMEOUT = (1.0, 0.3)
    reviewed = fake.review(client, **phone)
    token = fake.token_of(reviewed)
    shown = fake.shown_fingerprint(client, token)
    on_sandbox.control(timeout_seconds=1, fail_next={"count": 1, "mode": "timeout"})
    response = fake.send(client, token, shown)
    page = client.get(response["Location"]).content.decode()
    assert "not known whether the messages were created" in page
    assert posts(on_sandbox) == 1


NEW_NUMBER = "+33612345678"  # no contact of the seeded account


def test_a_number_sent_to_for_the_first_time_is_shown_though_sociostacks_hides_it(
    client, person, phone, on_sandbox
):
    _response, token = fake.confirm_and_send(client, recipients=NEW_NUMBER, **phone)
    [sms_id] = SendRequest.objects.get(token=token).sms_ids

    listing = client.get("/messages/").content.decode()
    detail = client.get(f"/messages/{sms_id}/").content.decode()

    row = listing[listing.index(f'id="sms-{sms_id}"') :]
    assert NEW_NUMBER in row[: row.index("</tr>")]
    assert NEW_NUMBER in detail and "does not show" not in detail


def test_quotes_typed_are_stored_and_shown_as_typed(client, person, phone, on_sandbox):
    typed = 'it\'s a "test"'
    _response, token = fake.confirm_and_send(client, content=typed, **phone)
    [sms_id] = SendRequest.objects.get(token=token).sms_ids

    stored = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).get_message(sms_id).content
    detail = client.get(f"/messages/{sms_id}/").content.decode()

    assert stored == typed
    assert '<div class="content-full">it&#x27;s a &quot;test&quot;</div>' in detail
