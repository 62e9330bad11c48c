"""The client against the sandbox over real HTTP, so the two cannot drift apart.

Each behaviour here is also pinned with `responses` in the other test files;
this file proves the fake and the client agree on the wire.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from smsadmin.sandbox.testing import SandboxHandle, running_sandbox
from smsadmin.sociostacks import (
    AuthenticationFailed,
    Device,
    NotFound,
    RateLimited,
    SenderUnavailable,
    SociostacksClient,
    UnreadableResponse,
    UpstreamUnavailable,
    budget,
    content,
)

KEY = "k1"
SANDBOX_ZONE = "Europe/Berlin"
IMMEDIATE_FIELDS = {"content", "device_id", "sim_subscription_id", "phone_numbers"}


@pytest.fixture(scope="module")
def running() -> Iterator[SandboxHandle]:
    # tick_seconds=0: no background life, so the data only changes when a test changes it.
    with running_sandbox(api_keys=(KEY,), timezone=SANDBOX_ZONE, tick_seconds=0) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running: SandboxHandle) -> SandboxHandle:
    running.reset()
    return running


@pytest.fixture
def api(sandbox: SandboxHandle) -> SociostacksClient:
    return SociostacksClient(KEY, base_url=sandbox.url, timeout=(1.0, 1.0))


@pytest.fixture
def device(api: SociostacksClient, sandbox: SandboxHandle) -> Device:
    found = api.all_devices()[0]
    sandbox.control(reset_stats=True)
    return found


def send(api: SociostacksClient, device: Device, numbers: list[str], **kwargs) -> list[int]:
    kwargs.setdefault("content", "Contract test")
    return api.create_messages(
        device_id=device.id,
        sim_subscription_id=device.sims[0].subscription_id,
        phone_numbers=numbers,
        **kwargs,
    )


def routes(sandbox: SandboxHandle) -> dict[str, int]:
    return sandbox.stats()["by_route"]


def test_it_pages_through_messages(api):
    first = api.list_messages(page=1, results_per_page=10)
    second = api.list_messages(page=2, results_per_page=10)

    assert len(first.items) == 10
    assert first.total == 300 and first.total_pages == 30
    assert second.page == 2  # echoed upstream as the string "2"
    assert second.has_prev and second.has_next
    assert {m.sms_id for m in first.items}.isdisjoint(m.sms_id for m in second.items)


def test_a_page_past_the_end_is_empty(api):
    page = api.list_messages(page=99, results_per_page=100)

    assert page.items == ()
    assert not page.has_next


def test_it_gets_one_message(api):
    listed = api.list_messages(results_per_page=10).items[0]

    assert api.get_message(listed.sms_id) == listed


def test_an_immediate_send_leaves_is_scheduled_out(api, sandbox, device):
    ids = send(api, device, ["+4915100000001", "+4915100000002"])

    assert len(ids) == 2
    assert set(sandbox.stats()["last_post_fields"][-1]) == IMMEDIATE_FIELDS
    message = api.get_message(ids[0])
    assert message.is_pending and message.content == "Contract test"
    assert not message.scheduled_differs


def test_a_scheduled_send_is_timed_in_the_account_zone(api, sandbox, device):
    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)

    [sms_id] = send(api, device, ["+4915100000003"], scheduled_at=when)

    fields = sandbox.stats()["last_post_fields"][-1]
    local = when.astimezone(ZoneInfo(SANDBOX_ZONE)).strftime("%Y-%m-%d %H:%M:%S")
    assert fields["is_scheduled"] == "1"
    assert fields["scheduled_datetime"] == local
    message = api.get_message(sms_id)
    assert message.scheduled_at == when
    assert message.is_scheduled_in_future(datetime.now(UTC))


def test_delete_succeeds_on_an_empty_200(api, device):
    [sms_id] = send(api, device, ["+4915100000004"])

    assert api.delete_message(sms_id) is None
    with pytest.raises(NotFound):
        api.get_message(sms_id)


def test_an_unknown_id_is_not_found(api):
    with pytest.raises(NotFound):
        api.get_message(987654321)


def test_a_wrong_key_is_refused(sandbox):
    stranger = SociostacksClient("not-a-key", base_url=sandbox.url, timeout=(1.0, 1.0))

    with pytest.raises(AuthenticationFailed):
        stranger.list_messages()


def test_a_spent_minute_is_rate_limited(api, sandbox):
    sandbox.control(rate_limit=3, reset_rate_limit=True)
    newest = api.list_messages(results_per_page=10).items[0]
    api.get_message(newest.sms_id)
    api.get_account()

    with pytest.raises(RateLimited) as caught:
        api.get_account()

    assert 1 <= caught.value.retry_after <= 60
    assert budget.blocked_for(api.fingerprint) > 0
    assert budget.calls_left(api.fingerprint) == 0


def test_rate_headers_reach_the_budget(api, sandbox):
    sandbox.control(rate_limit=60, reset_rate_limit=True)

    api.list_messages()

    assert budget.calls_left(api.fingerprint) == 59
    assert budget.calls_this_minute(api.fingerprint) == 1


def test_a_post_is_sent_once_on_503(api, sandbox, device):
    sandbox.control(fail_next={"count": 1, "mode": "503"})

    with pytest.raises(UpstreamUnavailable):
        send(api, device, ["+4915100000005"])

    assert routes(sandbox) == {"POST /sms": 1}


def test_a_post_is_sent_once_on_a_time_out(api, sandbox, device):
    sandbox.control(fail_next={"count": 1, "mode": "timeout"}, timeout_seconds=1.5)

    with pytest.raises(UpstreamUnavailable) as caught:
        send(api, device, ["+4915100000006"])

    assert caught.value.timed_out
    assert routes(sandbox) == {"POST /sms": 1}


def test_a_get_is_retried_through_503s(api, sandbox):
    sandbox.control(fail_next={"count": 2, "mode": "503"})

    page = api.list_messages()

    assert len(page.items) == 25
    assert routes(sandbox) == {"GET /sms": 3}


def test_a_get_gives_up_after_three_proxy_pages(api, sandbox):
    sandbox.control(fail_next={"count": 3, "mode": "html"})

    with pytest.raises(UpstreamUnavailable) as caught:
        api.list_messages()

    assert caught.value.status == 502
    assert routes(sandbox) == {"GET /sms": 3}


def test_garbage_is_unreadable(api, sandbox):
    sandbox.control(fail_next={"count": 1, "mode": "garbage"})

    with pytest.raises(UnreadableResponse):
        api.list_messages()

    assert routes(sandbox) == {"GET /sms": 1}


def test_5000_recipients_take_two_posts_and_return_every_id(sandbox, device):
    # The sandbox makes 4,999 messages for one POST: on a busy machine that is
    # more than the other tests' 1 s, and this test is about the batches.
    api = SociostacksClient(KEY, base_url=sandbox.url, timeout=(1.0, 30.0))
    numbers = [f"+1555{i:07d}" for i in range(5000)]

    ids = send(api, device, numbers)

    assert len(ids) == len(set(ids)) == 5000
    assert routes(sandbox) == {"POST /sms": 2}
    assert api.get_message(ids[0]).sms_id == ids[0]
    assert api.get_message(ids[-1]).sms_id == ids[-1]


@pytest.mark.parametrize(
    "typed",
    [
        'it\'s a "test" <3',
        "Prices < 5",
        "<b>Reply STOP</b>  to opt out \r\n  thanks",
        "a<b and c>d, 5 > 4 & fish",
        "He said \N{LEFT DOUBLE QUOTATION MARK}hi\N{RIGHT DOUBLE QUOTATION MARK} \N{EM DASH} ok"
        "\N{HORIZONTAL ELLIPSIS}\u200b",
        "'" * 1000,
        "x" * 1000,
        "Grüße \N{FULLWIDTH LESS-THAN SIGN} 5 \U0001f44d",
    ],
)
def test_the_stored_content_is_what_the_client_predicted(api, device, typed):
    [sms_id] = send(api, device, ["+4915100000007"], content=typed)

    assert api.get_message(sms_id).content == content.rewrite(typed).stored


def test_a_sim_taken_out_is_reported_as_gone(api, sandbox, device):
    sim = device.sims[0].subscription_id
    sandbox.control(remove_sim={"device_id": device.id, "subscription_id": sim})

    with pytest.raises(SenderUnavailable) as caught:
        send(api, device, ["+4915100000008"])

    assert (caught.value.device_id, caught.value.sim_subscription_id) == (device.id, sim)


def test_a_time_in_the_repeated_hour_is_scheduled_as_picked(api, device):
    # Berlin: the second 02:30 of that night, in standard time.
    second = datetime(2031, 10, 26, 1, 30, tzinfo=UTC)

    [sms_id] = send(api, device, ["+4915100000009"], scheduled_at=second)

    assert api.get_message(sms_id).scheduled_at == second


def test_success_without_rate_headers_means_the_key_is_not_limited(api, sandbox):
    sandbox.control(add_admin_api_key="admin-key", rate_limit=60)
    admin = SociostacksClient("admin-key", base_url=sandbox.url, timeout=(1.0, 1.0))

    admin.get_account()
    api.get_account()

    assert budget.is_unlimited(admin.fingerprint)
    assert budget.calls_left(admin.fingerprint) is None
    assert not budget.is_unlimited(api.fingerprint)


def test_all_contacts_takes_one_call_per_thousand(api, sandbox, device):
    # Contacts a send creates are listed only without the real server's quirk.
    sandbox.control(unowned_new_contacts=False)
    send(api, device, [f"+1666{i:07d}" for i in range(1200)])
    sandbox.control(reset_stats=True)

    contacts = api.all_contacts()

    assert len(contacts) >= 1200
    assert routes(sandbox) == {"GET /contacts": -(-len(contacts) // 1000)}
