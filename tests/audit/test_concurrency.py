"""Writers in parallel threads append to one chain: no fork, no gap, no duplicate seq.

Each thread has its own database connection, as each worker process would.
"""

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from smsadmin.audit.models import AuditChainHead, AuditEvent
from smsadmin.audit.recorder import record
from smsadmin.audit.verify import check_chain
from tests.audit.conftest import tamper
from tests.threads import in_own_thread, sqlite_file_for_threads

THREADS = 4
EVENTS_PER_THREAD = 25
T = TypeVar("T")


@pytest.fixture
def database_for_threads(django_db_setup, django_db_blocker, tmp_path: Path) -> Iterator[None]:
    """A database several connections write at once, committing for real, as in production.

    Not ``transaction=True``: its flush afterwards would also remove the roles
    the migrations made, from under every later test on this worker. Instead:

    - on SQLite the threads get a migrated file of their own, thrown away after
      (see ``sqlite_file_for_threads``).
    - PostgreSQL's test database takes the threads as it is; what they wrote
      is removed afterwards (the audit tables were empty before, as every
      other test leaves them).
    """
    with django_db_blocker.unblock(), sqlite_file_for_threads(tmp_path) as on_a_file:
        if on_a_file:
            yield
            return
        try:
            yield
        finally:
            in_own_thread(_remove_what_the_threads_wrote)


def _remove_what_the_threads_wrote() -> None:
    tamper("DELETE FROM audit_auditevent")
    AuditChainHead.objects.all().delete()


def _write(writer: int, start: threading.Barrier) -> None:
    start.wait()
    for number in range(EVENTS_PER_THREAD):
        record("view", username=f"writer{writer}", details={"n": number})
        # Let go for a moment, so the writers take turns and really interleave.
        time.sleep(0.005)


def test_parallel_writers_keep_one_unbroken_chain(database_for_threads):
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        try:
            in_own_thread(lambda: _write(number, start))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []

    def look() -> tuple[list[tuple[int, str, str, str]], bool]:
        rows = AuditEvent.objects.order_by("seq").values_list(
            "seq", "prev_hash", "hash", "actor_username"
        )
        return list(rows), check_chain().ok

    written, intact = in_own_thread(look)
    assert [seq for seq, *_ in written] == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
    for before, current in itertools.pairwise(written):
        assert current[1] == before[2], f"#{current[0]} does not link to #{before[0]}"
    assert intact
    authors = [name for *_, name in written]
    assert {authors.count(f"writer{number}") for number in range(THREADS)} == {EVENTS_PER_THREAD}
    # The writers really ran at the same time: the chain switches between them
    # more often than one block per writer would.
    switches = sum(1 for before, now in itertools.pairwise(authors) if before != now)
    assert switches > THREADS
