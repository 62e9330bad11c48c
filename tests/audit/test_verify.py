"""verify_audit finds the first altered, inserted or missing event and says which."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from smsadmin.audit.chain import event_digest
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditVerification, Outcome
from smsadmin.audit.recorder import record
from smsadmin.audit.verify import check_chain
from tests.audit.conftest import events, insert_beyond, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[AuditEvent]:
    """Ten honest events, #1 to #10."""
    return [record("view", username="ada", target=f"sms:{n}", details={"n": n}) for n in range(10)]


def _verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_an_intact_chain_passes_and_says_how_much_was_checked(chain, capsys):
    call_command("verify_audit")
    assert "intact: 10 events checked through #10" in capsys.readouterr().out
    verification = AuditVerification.objects.get()
    assert (verification.ok, verification.events_checked, verification.through_seq) == (
        True,
        10,
        10,
    )
    (event,) = events("audit verified")
    assert event.outcome == Outcome.OK
    assert event.details["events_checked"] == 10


def test_an_empty_log_passes():
    assert check_chain().ok


def test_details_edited_by_sql_are_caught_with_seq_and_id(chain):
    victim = chain[4]
    tamper("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 400}', victim.pk])
    message = _verify_fails()
    assert f"#{victim.seq} (id {victim.pk})" in message
    assert "altered" in message
    verification = AuditVerification.objects.get()
    assert not verification.ok
    assert (verification.first_bad_seq, verification.first_bad_event_id) == (victim.seq, victim.pk)
    (event,) = events("audit verified")
    assert event.outcome == Outcome.FAILED
    assert event.target == f"audit:{victim.seq}"


def test_an_edited_time_is_caught(chain):
    tamper(
        "UPDATE audit_auditevent SET created_at = %s WHERE id = %s",
        [chain[2].created_at.replace(year=2020), chain[2].pk],
    )
    assert check_chain().first_bad_seq == chain[2].seq


def test_a_deleted_middle_event_is_reported_missing(chain):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [chain[6].pk])
    message = _verify_fails()
    assert "Event #7 is missing" in message
    assert f"#8 (id {chain[7].pk})" in message
    assert AuditVerification.objects.get().first_bad_seq == 7


def test_deleted_newest_events_are_reported_missing(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq >= 9")
    report = check_chain()
    assert report.first_bad_seq == 9
    assert "#9 to #10 are missing" in report.problem


def test_a_rehashed_event_without_the_key_breaks_the_link_after_it(chain):
    """Someone who recomputes one event's hash (wrongly, without the key) is caught there."""
    tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, chain[3].pk])
    report = check_chain()
    assert (report.first_bad_seq, report.first_bad_event_id) == (chain[3].seq, chain[3].pk)


def test_an_event_inserted_after_the_head_is_caught(chain):
    newest = chain[-1]
    insert_beyond(newest)
    report = check_chain()
    assert report.first_bad_seq == newest.seq + 1
    assert "inserted" in report.problem


def test_an_altered_chain_head_is_caught(chain):
    AuditChainHead.objects.filter(pk=1).update(last_hash="d" * 64)
    assert "head" in check_chain().problem


def test_another_audit_key_fails_at_the_first_event(chain):
    with override_settings(SMSADMIN_AUDIT_KEY="not-the-key-it-was-written-with"):
        assert check_chain().first_bad_seq == 1


def test_it_walks_in_chunks_without_missing_a_link(chain):
    assert check_chain(chunk_size=3).events_checked == 10
    tamper("UPDATE audit_auditevent SET action = 'list' WHERE seq = 7")
    assert check_chain(chunk_size=3).first_bad_seq == 7


def test_every_kind_of_value_reads_back_as_it_was_hashed(client, auditor):
    """IPv6 and mapped addresses, numbers, nesting, non-ASCII text, links: all verify."""
    client.force_login(auditor)
    for address in ("2001:db8:0:0::1", "::ffff:192.0.2.1", "192.0.2.1"):
        client.get("/audit/", REMOTE_ADDR=address, HTTP_USER_AGENT="Zürich-Browser/1 ✓")
    started = record("send", outcome=Outcome.STARTED, details={"content": "Grüße 👋"})
    record(
        "send",
        parent=started,
        outcome=Outcome.UPSTREAM_ERROR,
        upstream_status=502,
        error_class="UpstreamUnavailable",
        details={"ratio": 0.1, "big": 2**53 + 1, "nested": {"list": [1, "two", None, True]}},
    )
    report = check_chain()
    assert report.ok, report.problem
    assert report.events_checked == len(events())


def test_a_time_limit_stops_the_walk_and_says_where(chain):
    report = check_chain(time_limit=0.0)
    assert (report.ok, report.complete) == (True, False)
    assert report.through_seq < 10
    assert check_chain(time_limit=60.0).complete


def test_a_moment_edited_as_text_is_caught(chain):
    """A microsecond later: on SQLite text of the same length, one digit changed."""
    moment = chain[5].created_at
    tamper(
        "UPDATE audit_auditevent SET created_at = %s WHERE id = %s",
        [moment.replace(microsecond=(moment.microsecond + 1) % 10**6), chain[5].pk],
    )
    assert check_chain().first_bad_seq == chain[5].seq


def test_a_moment_on_the_whole_second_reads_back_as_it_was_hashed(chain):
    """Written without a fraction (str() of such a datetime has none), it still verifies."""
    newest = chain[-1]
    newest.created_at = newest.created_at.replace(microsecond=0)
    rehashed = event_digest(newest, newest.prev_hash)
    tamper(
        "UPDATE audit_auditevent SET created_at = %s, hash = %s WHERE id = %s",
        [newest.created_at, rehashed, newest.pk],
    )
    AuditChainHead.objects.filter(pk=1).update(last_hash=rehashed)
    report = check_chain()
    assert report.ok, report.problem
    assert report.events_checked == 10
