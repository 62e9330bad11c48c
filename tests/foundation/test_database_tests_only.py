"""make test-postgres runs only the tests that reach the database (--database-tests-only).

The others cannot tell PostgreSQL from SQLite and have run in the SQLite run;
what must never happen is a database test left out of the PostgreSQL run.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected(*arguments: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_a_database_test_stays_and_a_test_without_one_is_left_to_sqlite():
    files = ("tests/audit/test_triggers.py", "tests/test_http.py")
    everything = collected(*files)
    kept = collected(*files, "--database-tests-only")

    database = [test for test in everything if test.startswith("tests/audit/")]
    no_database = [test for test in everything if test.startswith("tests/test_http.py")]
    assert database and no_database
    # Every test through `db` (a fixture that needs it) and every postgres-marked one stays.
    assert kept == database
    assert "tests/audit/test_triggers.py::test_the_database_refuses_an_sql_update" in kept
