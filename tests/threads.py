"""Real threads on real connections, for the tests that prove concurrent writers are safe."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from django.core.management import call_command
from django.db import connection, connections

T = TypeVar("T")


def in_own_thread(work: Callable[[], T], timeout: float = 120) -> T:
    """Run ``work`` on a fresh thread, so on its own database connection."""
    results: list[T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    if failures:
        raise failures[0]
    return results[0]


@contextmanager
def sqlite_file_for_threads(folder: Path) -> Iterator[bool]:
    """On SQLite, point new connections at a migrated file; yields whether it did.

    SQLite's test database is in memory with a shared cache, which answers a
    second writer "database table is locked" at once instead of making it wait
    (a production file in WAL mode waits). PostgreSQL's test database already
    takes several writers, so there nothing changes.
    """
    if connection.vendor != "sqlite":
        yield False
        return
    settings_dict = connection.settings_dict
    in_memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(folder / "threads.sqlite3")
    try:
        in_own_thread(lambda: call_command("migrate", verbosity=0))
        yield True
    finally:
        settings_dict["NAME"] = in_memory
