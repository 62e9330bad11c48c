"""A saved raw key appears nowhere but in the request that carries it to Sociostacks."""

import io
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from smsadmin.audit.models import AuditEvent
from smsadmin.keys.models import ApiKey
from tests.keys import fakes

CANARY = "ss-canary-Q7xK2mPz9W4vLr8N"
SECOND_CANARY = "ss-canary-second-Hj3Tq6Bn"


@pytest.fixture
def keys_added(client, viewer, upstream, caplog):
    """The canary added through the page, then replaced by a second one."""
    caplog.set_level(logging.DEBUG)
    fakes.account_ok(upstream)
    client.force_login(viewer)
    client.post("/keys/add/", {"label": "Canary label", "api_key": CANARY})
    key = ApiKey.objects.get()
    client.post(f"/keys/{key.pk}/verify/")
    client.post(f"/keys/{key.pk}/replace/", {"api_key": SECOND_CANARY})
    client.post("/keys/add/", {"label": "Canary two", "api_key": CANARY})
    assert ApiKey.objects.count() == 2
    assert {fakes.bearer_of(call) for call in upstream.calls} == {CANARY, SECOND_CANARY}
    return ApiKey.objects.all()


def _database_bytes(tmp_path: Path) -> bytes:
    """Everything the database holds, as bytes to search.

    SQLite: a byte-for-byte copy of the database file (the test database may
    live in memory, so it is copied with VACUUM INTO). PostgreSQL: every row of
    every table, as text.
    """
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return copy.read_bytes()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 (our own table names)
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks).encode()


@pytest.mark.django_db(transaction=True)
def test_the_database_never_holds_a_raw_key(keys_added, tmp_path):
    stored = _database_bytes(tmp_path)
    # The search can find what is there: labels are stored in clear.
    assert b"Canary label" in stored
    assert CANARY.encode() not in stored
    assert SECOND_CANARY.encode() not in stored


@pytest.mark.django_db
def test_dumpdata_never_contains_a_raw_key(keys_added):
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert "Canary label" in dump
    assert CANARY not in dump
    assert SECOND_CANARY not in dump


@pytest.mark.django_db
def test_the_keys_pages_never_contain_a_raw_key(keys_added, client, upstream):
    key = keys_added.first()
    pages = [
        client.get("/keys/"),
        client.get("/keys/", headers={"HX-Request": "true"}),
        client.get(f"/keys/{key.pk}/replace/"),
        client.get(f"/keys/{key.pk}/rename/"),
        client.get(f"/keys/{key.pk}/delete/"),
        client.post("/keys/add/", {"label": "Retry", "api_key": CANARY}),
        client.get("/accounts/preferences/"),
    ]
    fakes.key_refused(upstream)
    pages.append(client.post("/keys/add/", {"label": "Refused", "api_key": CANARY}))
    pages.append(client.post(f"/keys/{key.pk}/replace/", {"api_key": CANARY}))
    for response in pages:
        body = response.content.decode()
        assert CANARY not in body
        assert SECOND_CANARY not in body


@pytest.mark.django_db
def test_the_audit_log_never_contains_a_raw_key(keys_added):
    events = list(AuditEvent.objects.values())
    assert any(event["action"] == "key replaced" for event in events)
    text = repr(events)
    assert CANARY not in text
    assert SECOND_CANARY not in text


@pytest.mark.django_db
def test_log_output_never_contains_a_raw_key(keys_added, caplog):
    # The keys were added while setting up this test, so their log lines are there.
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert any(record.name == "smsadmin.sociostacks" for record in records)
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.__dict__}" for record in records
    )
    assert CANARY not in logged
    assert SECOND_CANARY not in logged
