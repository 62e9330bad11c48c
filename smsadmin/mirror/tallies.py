"""Counts of mirrored messages kept current by the database, for the dashboard.

Scanning a million messages for every look at the home page took more than
half a second; the dashboard reads these counts instead. Triggers on the
messages table keep them: every way a row changes (the sync's upsert, "gone"
marks, a delete made here, a hand-made UPDATE) passes through them, so there
is one place that counts and nothing to forget when new storing code appears.

Two tables, each the smallest that answers its question exactly in any time
zone (zones differ from UTC by whole quarter hours):

- ``StatusTally``: live messages per account, UTC quarter hour and status,
  for the chart of days in the viewer's zone (30 days: at most 11,520 rows).
- ``UsageTally``: live messages per account, device, SIM, status and error
  (failed messages only), per UTC day and per UTC quarter hour. A window of
  local days is whole UTC days in its middle and quarter hours at its edges.

A device or SIM that upstream did not name is stored as 0 (ids are positive),
so that the unique keys the upserts need hold on every database.

On SQLite, a migration that rebuilds ``mirror_mirroredmessage`` (most
AlterField operations do) drops its triggers with the old table: such a
migration must call ``install`` again.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

MESSAGES = "mirror_mirroredmessage"
STATUS = "mirror_statustally"
USAGE = "mirror_usagetally"
QUARTER, DAY = 15, 1440  # UsageTally.span, in minutes
# A change of any other column (content, names, sync marks) leaves the counts as they are.
_COUNTED = ("account_id", "status", "error", "happened_at", "device_id", "sim_id", "deleted_at")


# --- SQLite ---------------------------------------------------------------------------
# Django stores a datetime on SQLite as naive UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".


def _sqlite_quarter(row: str) -> str:
    return (
        f"printf('%s%02d:00', substr({row}.happened_at, 1, 14), "
        f"(CAST(substr({row}.happened_at, 15, 2) AS INTEGER) / 15) * 15)"
    )


def _sqlite_day(row: str) -> str:
    return f"substr({row}.happened_at, 1, 10) || ' 00:00:00'"


def _sqlite_error(row: str) -> str:
    return f"CASE WHEN {row}.status = 'failed' THEN {row}.error ELSE '' END"


def _sqlite_bumps(row: str, delta: int) -> list[str]:
    """Statements adding ``delta`` (1 or -1) to every count that ``row`` (NEW or OLD) is in.

    Taking away only updates: a count that is not there (the tables were
    emptied first, as a test database's flush may do) stays away.
    """
    device, sim = f"COALESCE({row}.device_id, 0)", f"COALESCE({row}.sim_id, 0)"
    error = _sqlite_error(row)
    keys = [
        (STATUS, {"quarter": _sqlite_quarter(row)}),
        *(
            (
                USAGE,
                {
                    "span": str(span),
                    "start": start,
                    "device_id": device,
                    "sim_id": sim,
                    "error": error,
                },
            )
            for span, start in ((QUARTER, _sqlite_quarter(row)), (DAY, _sqlite_day(row)))
        ),
    ]
    statements = []
    for table, columns in keys:
        columns = {"account_id": f"{row}.account_id", "status": f"{row}.status", **columns}
        if delta > 0:
            statements.append(
                f"INSERT INTO {table} ({', '.join(columns)}, n) "  # nosec B608
                f"VALUES ({', '.join(columns.values())}, 1) "
                f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET n = n + 1"
            )
        else:
            match = " AND ".join(f"{name} = {value}" for name, value in columns.items())
            statements.append(f"UPDATE {table} SET n = n - 1 WHERE {match}")  # nosec B608
    return statements


def _sqlite_trigger(name: str, event: str, when: str, row: str, delta: int) -> str:
    body = ";\n".join(_sqlite_bumps(row, delta))
    return f"CREATE TRIGGER {name} AFTER {event} ON {MESSAGES} WHEN {when} BEGIN {body}; END"


_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _COUNTED)
_SQLITE_TRIGGERS = {
    "mirror_tally_insert": ("INSERT", "NEW.deleted_at IS NULL", "NEW", 1),
    "mirror_tally_delete": ("DELETE", "OLD.deleted_at IS NULL", "OLD", -1),
    # An update takes the row out of its old counts, then puts it into its new ones.
    "mirror_tally_update_old": ("UPDATE", f"OLD.deleted_at IS NULL AND ({_CHANGED})", "OLD", -1),
    "mirror_tally_update_new": ("UPDATE", f"NEW.deleted_at IS NULL AND ({_CHANGED})", "NEW", 1),
}
_SQLITE_INSTALL = [
    _sqlite_trigger(name, event, when, row, delta)
    for name, (event, when, row, delta) in _SQLITE_TRIGGERS.items()
]
_SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
_SQLITE_QUARTER_OF = _sqlite_quarter(MESSAGES)
_SQLITE_DAY_OF = _sqlite_day(MESSAGES)
_SQLITE_ERROR_OF = _sqlite_error(MESSAGES)


# --- PostgreSQL -----------------------------------------------------------------------


def _pg_quarter(row: str) -> str:
    return f"date_bin('15 minutes', {row}.happened_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"


def _pg_day(row: str) -> str:
    return f"date_trunc('day', {row}.happened_at, 'UTC')"


def _pg_error(row: str) -> str:
    return f"CASE WHEN {row}.status = 'failed' THEN {row}.error ELSE '' END"


def _pg_bumps(row: str, delta: int) -> str:
    """As _sqlite_bumps, in PL/pgSQL."""
    device, sim = f"COALESCE({row}.device_id, 0)", f"COALESCE({row}.sim_id, 0)"
    keys = [
        (STATUS, {"quarter": _pg_quarter(row)}),
        *(
            (
                USAGE,
                {
                    "span": str(span),
                    "start": start,
                    "device_id": device,
                    "sim_id": sim,
                    "error": _pg_error(row),
                },
            )
            for span, start in ((QUARTER, _pg_quarter(row)), (DAY, _pg_day(row)))
        ),
    ]
    statements = []
    for table, columns in keys:
        columns = {"account_id": f"{row}.account_id", "status": f"{row}.status", **columns}
        if delta > 0:
            statements.append(
                f"INSERT INTO {table} AS t ({', '.join(columns)}, n) "  # nosec B608
                f"VALUES ({', '.join(columns.values())}, 1) "
                f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET n = t.n + 1;"
            )
        else:
            match = " AND ".join(f"{name} = {value}" for name, value in columns.items())
            statements.append(f"UPDATE {table} SET n = n - 1 WHERE {match};")  # nosec B608
    return "\n".join(statements)


_PG_CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _COUNTED)
_POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION mirror_tally_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NOT ({_PG_CHANGED}) THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
                {_pg_bumps("OLD", -1)}
            END IF;
            IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted_at IS NULL THEN
                {_pg_bumps("NEW", 1)}
            END IF;
            RETURN NULL;
        END
        $$""",
    f"""CREATE TRIGGER mirror_tally AFTER INSERT OR UPDATE OR DELETE ON {MESSAGES}
        FOR EACH ROW EXECUTE FUNCTION mirror_tally_change()""",
]
_POSTGRES_REMOVE = [f"DROP TRIGGER IF EXISTS mirror_tally ON {MESSAGES}"]
_PG_QUARTER_OF = _pg_quarter(MESSAGES)
_PG_DAY_OF = _pg_day(MESSAGES)
_PG_ERROR_OF = _pg_error(MESSAGES)


def _statements(connection: BaseDatabaseWrapper, *, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_REMOVE
    raise NotImplementedError(f"no tally triggers for {connection.vendor}")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Count every live message afresh: after a bulk load made with the triggers removed.

    Also what the migration that adds the tallies does with the rows already mirrored.
    """
    if connection.vendor == "sqlite":
        quarter, day, error = _SQLITE_QUARTER_OF, _SQLITE_DAY_OF, _SQLITE_ERROR_OF
    else:
        quarter, day, error = _PG_QUARTER_OF, _PG_DAY_OF, _PG_ERROR_OF
    live = f"FROM {MESSAGES} WHERE {MESSAGES}.deleted_at IS NULL"
    device = f"COALESCE({MESSAGES}.device_id, 0)"
    sim = f"COALESCE({MESSAGES}.sim_id, 0)"
    # Only our own table and column names are formatted in: there are no values.
    statements = [
        f"DELETE FROM {STATUS}",  # nosec B608
        f"DELETE FROM {USAGE}",  # nosec B608
        f"""INSERT INTO {STATUS} (account_id, quarter, status, n)
            SELECT account_id, {quarter}, status, COUNT(*) {live} GROUP BY 1, 2, 3""",  # nosec B608
    ]
    for span, start in ((QUARTER, quarter), (DAY, day)):
        statements.append(
            f"""INSERT INTO {USAGE} (account_id, span, start, device_id, sim_id, status, error, n)
                SELECT account_id, {span}, {start}, {device}, {sim}, status, {error}, COUNT(*)
                {live} GROUP BY 1, 2, 3, 4, 5, 6, 7"""  # nosec B608
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
