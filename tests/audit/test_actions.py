"""Every action a person takes through the site leaves exactly one event (two for an upstream call).

These go through the real pages: the sign-in forms, the message pages against
the sandbox, and the key pages against a mocked Sociostacks.
"""

import json

import pytest
from django.test import override_settings

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.verify import check_chain
from tests.audit.conftest import events
from tests.conftest import UPSTREAM, give_key, make_user

pytestmark = pytest.mark.django_db

CANARY = "sk-live-canary-Zq81Hv2Kd0Wm"
PASSWORD = "correct horse battery"


def _only(action: str) -> AuditEvent:
    (event,) = events(action)
    return event


def _pair(action: str) -> tuple[AuditEvent, AuditEvent]:
    started, finished = events(action)
    assert started.outcome == Outcome.STARTED
    assert finished.parent_id == started.pk
    return started, finished


# --- Signing in -----------------------------------------------------------------


def test_login_and_logout(client, viewer):
    client.post("/accounts/login/", {"username": "vera", "password": PASSWORD})
    login = _only("login")
    assert (login.actor_id, login.actor_username, login.outcome) == (viewer.pk, "vera", "ok")
    assert login.session_hash
    client.post("/accounts/logout/")
    logout = _only("logout")
    assert logout.actor_id == viewer.pk
    assert logout.session_hash == login.session_hash


def test_a_failed_login_keeps_the_name_that_was_typed(client, viewer):
    client.post(
        "/accounts/login/", {"username": "vera", "password": "wrong"}, REMOTE_ADDR="192.0.2.5"
    )
    failed = _only("failed login")
    assert (failed.actor_id, failed.actor_username, failed.outcome) == (None, "vera", "denied")
    assert failed.ip_address == "192.0.2.5"
    assert "wrong" not in json.dumps(failed.details)
    assert events("login") == []


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_failure_that_reaches_the_limit_is_recorded_as_a_lockout(client, viewer):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "vera", "password": "wrong"})
    assert len(events("failed login")) == 3
    lockout = _only("lockout")
    assert (lockout.actor_username, lockout.outcome) == ("vera", "denied")


def test_a_refused_page_is_recorded_as_permission_denied(client, viewer):
    client.force_login(viewer)
    client.get("/audit/")
    denied = _only("permission denied")
    assert (denied.actor_id, denied.target, denied.outcome) == (viewer.pk, "/audit/", "denied")


# --- Messages, against the sandbox ------------------------------------------------


@pytest.fixture
def sending(client, on_sandbox, sender):
    give_key(sender)
    client.force_login(sender)
    return client


def _message_ids(count: int) -> list[int]:
    """Ids of messages the sandbox holds, asked for directly (not through a page)."""
    from smsadmin.keys.models import ApiKey

    return [message.sms_id for message in ApiKey.objects.get().client().list_messages(1, 10).items][
        :count
    ]


def test_listing_and_viewing_messages(sending):
    assert sending.get("/messages/").status_code == 200
    listed = _only("list")
    assert (listed.actor_username, listed.outcome) == ("sam", Outcome.OK)
    (message_id,) = _message_ids(1)
    assert sending.get(f"/messages/{message_id}/").status_code == 200
    viewed = _only("view")
    assert (viewed.target, viewed.message_ids) == (f"sms:{message_id}", f",{message_id},")


def test_deleting_one_message_is_an_attempt_and_its_outcome(sending):
    (message_id,) = _message_ids(1)
    sending.post(f"/messages/{message_id}/delete/")
    started, deleted = _pair("delete")
    assert started.target == deleted.target == f"sms:{message_id}"
    assert deleted.outcome == Outcome.OK


def test_a_bulk_delete_records_each_message(sending):
    ids = _message_ids(3)
    sending.post("/messages/delete/", {"ids": ids, "confirmed": "yes"})
    recorded = events("delete")
    assert len(recorded) == 2 * len(ids)
    finished = [event for event in recorded if event.outcome != Outcome.STARTED]
    assert sorted(event.target for event in finished) == sorted(f"sms:{i}" for i in ids)


def test_a_delete_sociostacks_fails_still_has_both_halves(sending, on_sandbox):
    (message_id,) = _message_ids(1)
    on_sandbox.control(fail_next={"count": 1, "mode": "500"})
    sending.post(f"/messages/{message_id}/delete/")
    _, failed = _pair("delete")
    assert failed.outcome == Outcome.UPSTREAM_ERROR
    assert failed.upstream_status == 500


# --- Keys, with a canary for a secret ------------------------------------------------


def _account_ok(upstream) -> None:
    upstream.get(
        f"{UPSTREAM}/user",
        json={"data": {"id": 9, "name": "Harbour Ops", "email": "o@example.com",
                       "language": "en", "timezone": "Europe/Berlin"}},
    )  # fmt: skip


def test_key_changes_are_recorded_and_no_event_holds_the_key(client, viewer, upstream):
    _account_ok(upstream)
    client.force_login(viewer)
    client.post("/keys/add/", {"label": "Canary", "api_key": CANARY})
    _, added = _pair("key added")
    assert added.outcome == Outcome.OK
    key_id = added.target.removeprefix("key:")
    client.post(f"/keys/{key_id}/verify/")
    _pair("key verified")
    client.post(f"/keys/{key_id}/replace/", {"api_key": CANARY[::-1]})
    _pair("key replaced")
    client.post(f"/keys/{key_id}/delete/")
    _only("key deleted")

    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "Canary" in everything  # the search can find what is there
    for secret in (CANARY, CANARY[::-1]):
        assert secret not in everything
        assert secret[4:-4] not in everything
    assert check_chain().ok


def test_a_refused_key_is_recorded_without_the_key(client, viewer, upstream):
    title = "You do not have access to the API."
    upstream.get(f"{UPSTREAM}/user", json={"errors": [{"title": title, "status": 401}]}, status=401)
    client.force_login(viewer)
    client.post("/keys/add/", {"label": "Canary", "api_key": CANARY})
    _, refused = _pair("key added")
    assert (refused.outcome, refused.upstream_status) == (Outcome.UPSTREAM_ERROR, 401)
    assert CANARY not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_shared_login_names_its_operator_on_every_event(client, on_sandbox):
    team = make_user("night-shift", "sender", is_shared=True, operators_may_type_a_name=True)
    give_key(team)
    client.force_login(team)
    client.post("/accounts/operator/", {"operator_name": "Grace"})
    client.get("/messages/")
    listed = _only("list")
    assert (listed.actor_username, listed.operator_name) == ("night-shift", "Grace")
