"""Free-text search in mirrored messages: one function, an index on each database.

``containing`` narrows a queryset to the messages whose text contains the
words typed, as ``content__icontains`` does, and finds the same rows; only
the way there differs:

- PostgreSQL: a pg_trgm GIN index on ``UPPER(content)``, the very expression
  icontains compares, so the planner can use it for any text of 3 or more
  characters.
- SQLite: an FTS5 table with the trigram tokenizer over the content
  (``mirror_text``, kept by triggers). Its ``LIKE`` is SQLite's own LIKE,
  answered from the index. A text found in few messages is looked up there;
  a common one ("parcel", in a sixth of a million) is cheaper to check row
  by row while walking the time index, since the first page is filled after
  a few hundred rows. Patterns the index cannot serve (under 3 characters, or
  holding the LIKE wildcards) are checked row by row.

On SQLite, a migration that rebuilds ``mirror_mirroredmessage`` drops these
triggers with the old table: such a migration must call ``install`` again.
"""

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

MESSAGES = "mirror_mirroredmessage"
FTS = "mirror_text"
TRIGRAM_INDEX = "mirror_content_trgm"
# Below this many messages holding the text, the index lookup beats the walk.
FEW = 2000
_MIN_INDEXED = 3
_WILDCARDS = ("%", "_", "\\")

_SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(
        content, content='{MESSAGES}', content_rowid='id', tokenize='trigram')""",  # nosec B608
    f"""CREATE TRIGGER mirror_text_insert AFTER INSERT ON {MESSAGES} BEGIN
        INSERT INTO {FTS} (rowid, content) VALUES (NEW.id, NEW.content); END""",  # nosec B608
    f"""CREATE TRIGGER mirror_text_delete AFTER DELETE ON {MESSAGES} BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, content) VALUES ('delete', OLD.id, OLD.content); END""",  # nosec B608
    f"""CREATE TRIGGER mirror_text_update AFTER UPDATE OF content ON {MESSAGES}
        WHEN OLD.content IS NOT NEW.content BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, content) VALUES ('delete', OLD.id, OLD.content);
        INSERT INTO {FTS} (rowid, content) VALUES (NEW.id, NEW.content); END""",  # nosec B608
]
_SQLITE_TRIGGERS = ("mirror_text_insert", "mirror_text_delete", "mirror_text_update")
_POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {MESSAGES}
        USING gin (UPPER(content) gin_trgm_ops)""",  # nosec B608
]


_HOLDING = f"SELECT rowid FROM {FTS} WHERE content LIKE %s LIMIT %s"  # nosec B608


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index (and on SQLite the triggers that keep it), filled from the rows there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in _SQLITE_INSTALL:
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')")  # nosec B608
        elif connection.vendor == "postgresql":
            for statement in _POSTGRES_INSTALL:
                cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the index: a bulk load is faster without it, and install() fills it again."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")  # nosec B608
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")  # nosec B608
        elif connection.vendor == "postgresql":
            # The extension stays: other databases' objects may use it.
            cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")  # nosec B608


def containing(rows: QuerySet, text: str) -> QuerySet:
    """``rows`` whose content contains ``text``, letter case aside (as icontains)."""
    connection = connections[rows.db]
    if connection.vendor == "sqlite" and _indexable(text):
        holding = _few_holding(connection, text)
        if holding is not None:
            return rows.filter(pk__in=holding)
    return rows.filter(content__icontains=text)


def _indexable(text: str) -> bool:
    return len(text) >= _MIN_INDEXED and not any(mark in text for mark in _WILDCARDS)


def _few_holding(connection: BaseDatabaseWrapper, text: str) -> list[int] | None:
    """The ids of the messages (any account, live or not) holding the text, if fewer than FEW.

    One index lookup that is also the answer: a rare text is not looked up twice.
    """
    with connection.cursor() as cursor:
        cursor.execute(_HOLDING, [f"%{text}%", FEW])
        ids = [row_id for (row_id,) in cursor.fetchall()]
    return ids if len(ids) < FEW else None
