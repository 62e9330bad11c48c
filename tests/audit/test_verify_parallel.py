"""The parallel walk (verify_audit --workers) finds what one walk finds, and says it the same way.

The log is cut into stretches of three events here: ten events make the
stretches #1-#3, #4-#6, #7-#9 and #10, so seq 4 is where two stretches meet
(the joint, checked when their findings are joined) and seq 5 lies inside one
(checked by the worker that walks it).
"""

from collections.abc import Callable, Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from smsadmin.audit import verify
from smsadmin.audit.chain import event_digest
from smsadmin.audit.models import AuditChainHead, AuditEvent, AuditVerification
from smsadmin.audit.recorder import record
from smsadmin.audit.verify import ChainReport, check_chain
from tests.audit.conftest import insert_beyond, remove_what_the_threads_wrote, tamper
from tests.threads import in_own_thread, sqlite_file_for_threads

STRETCH = 3


def _write_ten() -> None:
    for n in range(10):
        record("view", username="ada", target=f"sms:{n}", details={"n": n})


def _alter(seq: int) -> Callable[[], None]:
    return lambda: tamper(
        "UPDATE audit_auditevent SET details = '{\"n\": 400}' WHERE seq = %s", [seq]
    )


def _remove(first: int, last: int | None = None) -> Callable[[], None]:
    return lambda: tamper(
        "DELETE FROM audit_auditevent WHERE seq >= %s AND seq <= %s", [first, last or first]
    )


def _rechain(seq: int) -> Callable[[], None]:
    """Someone with the key links event ``seq`` to another predecessor and hashes it right."""

    def rechain() -> None:
        event = AuditEvent.objects.get(seq=seq)
        other = "c" * 64
        tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
            [other, event_digest(event, other), seq],
        )

    return rechain


def _insert_beyond_head() -> None:
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    insert_beyond(newest)


def _insert_before_anchor() -> None:
    """As if #1 to #3 were pruned, then an event was put back among them."""
    third = AuditEvent.objects.get(seq=3)
    _remove(1, 3)()
    AuditChainHead.objects.filter(pk=1).update(anchor_seq=3, anchor_hash=third.hash)
    tamper(
        "INSERT INTO audit_auditevent (seq, created_at, actor_username, operator_name,"
        " user_agent, session_hash, request_id, action, target, message_ids, outcome,"
        " error_class, details, prev_hash, hash)"
        " VALUES (2, %s, 'mallory', '', '', '', '', 'view', '', '', 'ok', '', '{}', %s, %s)",
        [third.created_at, "0" * 64, "e" * 64],
    )


def _alter_head() -> None:
    AuditChainHead.objects.filter(pk=1).update(last_hash="d" * 64)


# (what was done, the first bad seq and the words the report must have)
TAMPERING = {
    "altered at a joint": (_alter(4), 4, "Event #4 (id {id4}) was altered"),
    "altered inside a stretch": (_alter(5), 5, "Event #5 (id {id5}) was altered"),
    "removed first of a stretch": (
        _remove(4),
        4,
        "Event #4 is missing: removed from the table. The next event present is #5 (id {id5}).",
    ),
    "removed last of a stretch": (
        _remove(3),
        3,
        "Event #3 is missing: removed from the table. The next event present is #4 (id {id4}).",
    ),
    "removed inside a stretch": (_remove(5), 5, "Event #5 is missing"),
    "removed across a whole stretch": (
        _remove(3, 7),
        3,
        "Events #3 to #7 are missing: removed from the table. "
        "The next event present is #8 (id {id8}).",
    ),
    "newest removed": (
        _remove(9, 10),
        9,
        "Events #9 to #10 are missing: the newest events were removed.",
    ),
    "newest stretches removed": (
        _remove(6, 10),
        6,
        "Events #6 to #10 are missing: the newest events were removed.",
    ),
    "re-chained at a joint": (
        _rechain(4),
        4,
        "Event #4 (id {id4}) does not follow the event before it",
    ),
    "re-chained inside a stretch": (
        _rechain(5),
        5,
        "Event #5 (id {id5}) does not follow the event before it",
    ),
    "altered before re-chained": (
        lambda: (_rechain(7)(), _alter(5)()),
        5,
        "Event #5 (id {id5}) was altered",
    ),
    "inserted beyond the head": (
        _insert_beyond_head,
        11,
        "Event #11 (id {id11}) lies beyond the chain head",
    ),
    "inserted before the anchor": (
        _insert_before_anchor,
        2,
        "Event #2 (id {id2}) is older than where the chain starts (#4, after pruning)",
    ),
    "head altered": (_alter_head, 10, "The chain head does not match the newest event"),
}


def _ids() -> dict[int, int]:
    return dict(AuditEvent.objects.values_list("seq", "id"))


def _expect(report: ChainReport, seq: int, words: str, ids: dict[int, int]) -> None:
    assert report.first_bad_seq == seq
    assert words.format(**{f"id{seq}": pk for seq, pk in ids.items()}) in report.problem


@pytest.mark.django_db
@pytest.mark.parametrize("done", TAMPERING.values(), ids=TAMPERING.keys())
def test_stretches_joined_here_report_what_one_walk_reports(done):
    """Inside the test's transaction the stretches are walked in this process, joined alike."""
    _write_ten()
    change, seq, words = done
    change()
    one_walk = check_chain()
    _expect(one_walk, seq, words, _ids())
    assert check_chain(workers=2, stretch_size=STRETCH) == one_walk


@pytest.mark.django_db
def test_an_intact_chain_passes_in_stretches():
    _write_ten()
    assert check_chain(workers=2, stretch_size=STRETCH) == ChainReport(10, 10)
    assert check_chain(workers=2, stretch_size=4) == ChainReport(10, 10)


@pytest.mark.django_db
def test_another_key_fails_at_the_first_event_in_stretches():
    _write_ten()
    with override_settings(SMSADMIN_AUDIT_KEY="not-the-key-it-was-written-with"):
        assert check_chain(workers=2, stretch_size=STRETCH).first_bad_seq == 1


@pytest.fixture(scope="module")
def _committing_database(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """One migrated SQLite file for this module's worker tests (migrating one takes seconds)."""
    with django_db_blocker.unblock(), sqlite_file_for_threads(tmp_path_factory.mktemp("walk")):
        yield


@pytest.fixture
def database_for_workers(_committing_database, django_db_blocker) -> Iterator[None]:
    """A database whose writes are committed, so that the worker processes see them.

    As ``database_for_threads``, shared by this module's tests: emptied after each.
    """
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            in_own_thread(remove_what_the_threads_wrote)


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """Counts the walks handed to worker processes, so a test knows it forked."""
    calls: list[int] = []
    real = verify._walk_stretches

    def counted(*args, **kwargs):
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(verify, "_walk_stretches", counted)
    return calls


@pytest.mark.parametrize(
    "case",
    [
        "altered at a joint",
        "altered inside a stretch",
        "removed last of a stretch",
        "removed across a whole stretch",
        "newest stretches removed",
        "re-chained at a joint",
        "re-chained inside a stretch",
        "inserted beyond the head",
        "head altered",
    ],
)
def test_worker_processes_report_what_one_walk_reports(database_for_workers, forks, case):
    change, seq, words = TAMPERING[case]
    in_own_thread(_write_ten)
    in_own_thread(change)
    one_walk = in_own_thread(check_chain)
    _expect(one_walk, seq, words, in_own_thread(_ids))
    assert forks == []
    assert in_own_thread(lambda: check_chain(workers=2, stretch_size=STRETCH)) == one_walk
    assert forks == [2]


def test_worker_processes_pass_an_intact_chain(database_for_workers, forks):
    in_own_thread(_write_ten)
    assert in_own_thread(lambda: check_chain(workers=2, stretch_size=STRETCH)) == ChainReport(
        10, 10
    )
    assert in_own_thread(lambda: check_chain(workers=3, stretch_size=2)) == ChainReport(10, 10)
    assert forks == [2, 3]


def test_the_command_walks_with_workers(database_for_workers, forks, monkeypatch, capsys):
    monkeypatch.setattr(verify, "STRETCH_SIZE", STRETCH)
    in_own_thread(_write_ten)
    in_own_thread(lambda: call_command("verify_audit", "--workers", "2"))
    assert "intact: 10 events checked through #10" in capsys.readouterr().out
    assert forks == [2]
    in_own_thread(_alter(5))

    def fails() -> str:
        with pytest.raises(CommandError) as failure:
            call_command("verify_audit", "--workers", "2")
        return str(failure.value)

    message = in_own_thread(fails)
    assert "after 4 good events. First bad event: #5" in message
    assert "was altered" in message
    assert (
        in_own_thread(lambda: AuditVerification.objects.order_by("-pk").first().first_bad_seq) == 5
    )


@pytest.mark.django_db
def test_one_worker_is_the_walk_of_before(monkeypatch, capsys):
    monkeypatch.setattr(verify, "STRETCH_SIZE", STRETCH)
    _write_ten()
    _alter(5)()
    with pytest.raises(CommandError, match=r"after 4 good events\. First bad event: #5"):
        call_command("verify_audit", "--workers", "1")
