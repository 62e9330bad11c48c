"""Deleting through the site takes the message out of the mirror at once."""

import pytest
from django.db import DatabaseError

from smsadmin.mirror import storing
from tests.conftest import UPSTREAM, give_key
from tests.mirror.conftest import link, mirrored
from tests.sms import upstream_fakes as fake

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, sender):
    link(give_key(sender), 1)
    client.force_login(sender)
    return client


def test_a_deleted_message_is_marked_deleted_in_the_mirror(signed_in, upstream):
    ours = mirrored(sms_id=12)
    elsewhere = mirrored(account_id=2, sms_id=12)
    upstream.delete(f"{UPSTREAM}/sms/12", body="", status=200)
    signed_in.post("/messages/12/delete/")
    ours.refresh_from_db()
    elsewhere.refresh_from_db()
    assert ours.deleted_at is not None
    assert elsewhere.deleted_at is None


def test_a_message_already_gone_upstream_is_marked_too(signed_in, upstream):
    row = mirrored(sms_id=13)
    fake.error(
        upstream, "DELETE", "/sms/13", 404, "The resource you are looking for does not exist."
    )
    signed_in.post("/messages/13/delete/")
    row.refresh_from_db()
    assert row.deleted_at is not None


def test_a_failed_delete_leaves_the_mirror_alone(signed_in, upstream):
    row = mirrored(sms_id=14)
    fake.error(upstream, "DELETE", "/sms/14", 503, "Service Unavailable")
    signed_in.post("/messages/14/delete/")
    row.refresh_from_db()
    assert row.deleted_at is None


def test_a_broken_mirror_does_not_break_the_delete(signed_in, upstream, monkeypatch):
    mirrored(sms_id=15)
    upstream.delete(f"{UPSTREAM}/sms/15", body="", status=200)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(storing.MirroredMessage.objects, "filter", broken)
    response = signed_in.post("/messages/15/delete/", follow=True)
    assert "Message 15 was deleted." in response.content.decode()


def test_a_deleted_message_leaves_search_results(signed_in, client, upstream):
    mirrored(sms_id=16, content="Delete me")
    upstream.delete(f"{UPSTREAM}/sms/16", body="", status=200)
    signed_in.post("/messages/16/delete/")
    page = signed_in.get("/search/?q=Delete+me").content.decode()
    assert 'id="mirrored-16"' not in page
