"""record() and audited(): one event per action, with who, when, from where and what came of it."""

import hashlib

import pytest
import requests
from django.test import override_settings

from smsadmin.audit.chain import GENESIS_HASH, event_digest
from smsadmin.audit.models import AuditEvent, AuditMessageRef, Outcome
from smsadmin.audit.recorder import audited, message_target, record
from smsadmin.sociostacks import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, PartialSendError, UpstreamUnavailable
from tests.audit.conftest import after, events
from tests.conftest import UPSTREAM, make_user

pytestmark = pytest.mark.django_db

CANARY = "sk-live-canary-9Xv2Lq7Rt4Zp"


def test_it_chains_each_event_to_the_one_before():
    first = record("login", username="ada")
    second = record("logout", username="ada")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    stored = AuditEvent.objects.get(pk=second.pk)
    assert event_digest(stored, stored.prev_hash) == stored.hash


def test_the_hash_depends_on_the_secret_audit_key():
    event = record("login", username="ada")
    with override_settings(SMSADMIN_AUDIT_KEY="another-key"):
        assert event_digest(event, event.prev_hash) != event.hash


def test_it_records_who_acted_and_from_where(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    (event,) = events("audit viewed")
    assert event.actor_id == auditor.pk
    assert event.actor_username == "ada"
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent == "Firefox/140"
    assert event.request_id == response["X-Request-ID"]
    session_key = client.session.session_key
    assert event.session_hash == hashlib.sha256(session_key.encode()).hexdigest()
    assert session_key not in event.session_hash


@override_settings(SMSADMIN_TRUSTED_PROXIES=0)
def test_a_forwarded_address_is_ignored_without_trusted_proxies(client, auditor):
    client.force_login(auditor)
    client.get("/audit/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert events("audit viewed")[0].ip_address == "10.0.0.2"


@override_settings(SMSADMIN_TRUSTED_PROXIES=1)
def test_one_trusted_proxy_gives_the_address_it_saw(client, auditor):
    client.force_login(auditor)
    client.get(
        "/audit/",
        REMOTE_ADDR="10.0.0.2",
        # The client wrote the first entry itself; only our proxy's entry counts.
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    assert events("audit viewed")[0].ip_address == "198.51.100.7"


def test_a_shared_login_records_the_operator_name(client, db):
    team = make_user("night-shift", "auditor", is_shared=True, operators_may_type_a_name=True)
    client.force_login(team)
    client.post("/accounts/operator/", {"operator_name": "Grace Hopper"})
    client.get("/audit/")
    (event,) = events("audit viewed")
    assert (event.actor_username, event.operator_name) == ("night-shift", "Grace Hopper")


def test_a_deleted_user_keeps_their_name_in_the_log(auditor):
    record("view", actor=auditor, target="sms:7")
    user_id = auditor.pk
    auditor.delete()
    (event,) = events("view")
    assert (event.actor_id, event.actor_username) == (user_id, "ada")


def test_message_targets_list_ids_and_feed_the_message_index():
    event = record("delete", target=message_target([12, 345]))
    assert event.target == "sms:12,345"
    assert event.message_ids == ",12,345,"


def test_created_ids_are_indexed_even_beyond_what_the_target_can_hold():
    ids = list(range(100_000, 100_100))
    event = record("send", target=message_target(ids), details={"created_ids": ids})
    assert len(event.target) == 255
    assert event.target.endswith("…")
    assert event.message_ids == "," + ",".join(map(str, ids)) + ","
    indexed = AuditMessageRef.objects.filter(event_seq=event.seq).values_list("sms_id", flat=True)
    assert sorted(indexed) == ids


def test_text_postgresql_cannot_store_is_replaced_not_lost():
    event = record("send", target="sms:1\x00", details={"content": "a\x00b", "x\x00": "\ud800"})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.details == {"content": "a\ufffdb", "x\ufffd": "\ufffd"}
    assert event_digest(stored, stored.prev_hash) == stored.hash


def test_audited_records_the_attempt_then_the_linked_outcome():
    with audited("delete", target="sms:5", details={"reason": "typo"}) as attempt:
        assert [e.outcome for e in events("delete")] == [Outcome.STARTED]
        attempt.add(upstream="200 empty body")
    started, finished = events("delete")
    assert finished.parent_id == started.pk
    assert (finished.outcome, finished.target) == (Outcome.OK, "sms:5")
    assert finished.details == {"upstream": "200 empty body"}
    assert started.details == {"reason": "typo"}


def _client() -> SociostacksClient:
    return SociostacksClient(CANARY, base_url=UPSTREAM, timeout=(0.5, 0.5))


def test_an_upstream_500_still_leaves_attempt_and_outcome(upstream):
    upstream.post(f"{UPSTREAM}/sms", body="<html>Internal Server Error</html>", status=500)
    details = {"recipients": ["+4915112345678"], "content": "Hi", "device_id": 1, "sim_id": 2}
    with pytest.raises(UpstreamUnavailable), audited("send", details=details):
        _client().create_messages(
            content="Hi", device_id=1, sim_subscription_id=2, phone_numbers=["+4915112345678"]
        )
    started, failed = events("send")
    assert started.outcome == Outcome.STARTED
    assert started.details == details
    assert failed.parent_id == started.pk
    assert failed.outcome == Outcome.UPSTREAM_ERROR
    assert (failed.error_class, failed.upstream_status) == ("UpstreamUnavailable", 500)
    assert "not answering" in failed.details["error"]


def test_an_upstream_time_out_still_leaves_attempt_and_outcome(upstream):
    upstream.delete(f"{UPSTREAM}/sms/9", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(UpstreamUnavailable), audited("delete", target="sms:9"):
        _client().delete_message(9)
    started, failed = events("delete")
    assert failed.parent_id == started.pk
    assert (failed.outcome, failed.error_class) == (Outcome.UPSTREAM_ERROR, "UpstreamUnavailable")
    assert failed.upstream_status is None
    assert failed.details["timed_out"] is True


def test_an_upstream_refusal_keeps_its_status(upstream):
    title = "The resource you are looking for does not exist."
    upstream.delete(
        f"{UPSTREAM}/sms/4", json={"errors": [{"title": title, "status": 404}]}, status=404
    )
    with pytest.raises(NotFound), audited("cancel", target="sms:4"):
        _client().delete_message(4)
    failed = events("cancel")[-1]
    assert (failed.error_class, failed.upstream_status) == ("NotFound", 404)


def test_a_partial_send_records_the_ids_that_did_go_out():
    cause = UpstreamUnavailable("Bad Gateway", status=502)
    with pytest.raises(PartialSendError), audited("send", details={"content": "Hi"}):
        raise PartialSendError(
            sent_ids=[71, 72], sent_numbers=["+1", "+2"], unsent_numbers=["+3"], cause=cause
        )
    failed = events("send")[-1]
    assert failed.details["created_ids"] == [71, 72]
    assert failed.details["unsent_count"] == 1
    assert failed.message_ids == ",71,72,"
    assert failed.upstream_status == 502


def test_our_own_failure_is_recorded_without_its_message():
    with pytest.raises(RuntimeError), audited("send"):
        raise RuntimeError(f"header value 'Bearer {CANARY}' is invalid")
    failed = events("send")[-1]
    assert (failed.outcome, failed.error_class) == (Outcome.FAILED, "RuntimeError")
    assert CANARY not in str(failed.details)


def test_a_crash_between_attempt_and_outcome_leaves_the_attempt():
    class Crash(BaseException):
        """Stands for the process dying: not an Exception, so nothing handles it."""

    with pytest.raises(Crash), audited("send", details={"content": "Hi"}):
        raise Crash
    (started,) = events("send")
    assert started.outcome == Outcome.STARTED
    assert after(started) == []


def test_commands_record_role_changes(viewer):
    from django.core.management import call_command

    call_command("grant_role", "vera", "auditor")
    call_command("revoke_role", "vera", "auditor")
    (granted,) = events("role granted")
    (revoked,) = events("role revoked")
    assert (granted.target, granted.details) == ("user:vera", {"role": "auditor", "changed": True})
    assert (revoked.target, revoked.details["changed"]) == ("user:vera", True)
    assert granted.actor_id is None
