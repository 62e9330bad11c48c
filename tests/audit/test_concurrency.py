"""Writers in parallel threads append to one chain: no fork, no gap, no duplicate seq.

Each thread has its own database connection, as each worker process would.
"""

import itertools
import threading
import time
from typing import TypeVar

from smsadmin.audit.models import AuditEvent
from smsadmin.audit.recorder import record
from smsadmin.audit.verify import check_chain
from tests.threads import in_own_thread

THREADS = 4
EVENTS_PER_THREAD = 25
T = TypeVar("T")


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
