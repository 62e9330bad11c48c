""" "Sync now" on the site: a short, budget-capped step, then progress until current."""

import pytest

from smsadmin.audit.models import AuditEvent
from smsadmin.mirror.models import MirroredMessage
from tests.conftest import give_key
from tests.mirror.conftest import SEEDED, upstream_calls

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    give_key(viewer)
    client.force_login(viewer)
    return client


def test_without_javascript_it_syncs_and_returns_with_a_sentence(signed_in, sandbox_upstream):
    sandbox_upstream.control(rate_limit=0)
    response = signed_in.post("/sync/", {"back": "/search/?status=sent"}, follow=True)
    assert response.redirect_chain[-1][0] == "/search/?status=sent"
    assert f"{SEEDED:,} new messages mirrored" in response.content.decode()
    assert MirroredMessage.objects.count() == SEEDED


def test_it_never_returns_to_another_site(signed_in, sandbox_upstream):
    sandbox_upstream.control(rate_limit=0)
    response = signed_in.post("/sync/", {"back": "https://evil.example/"})
    assert response["Location"] == "/"


def test_with_htmx_a_paused_step_asks_for_the_next_one(signed_in, sandbox_upstream):
    response = signed_in.post("/sync/", headers={"HX-Request": "true"})
    panel = response.content.decode()
    assert "<html" not in panel and 'id="sync-panel"' in panel
    assert "Paused: the sync&#x27;s share of this minute&#x27;s budget is spent" in panel
    assert 'hx-trigger="load delay:' in panel and '"continue": "1"' in panel
    assert "<progress" in panel
    assert upstream_calls(sandbox_upstream) <= 5


def test_a_finished_step_stops_asking(signed_in, sandbox_upstream):
    sandbox_upstream.control(rate_limit=0)
    panel = signed_in.post("/sync/", headers={"HX-Request": "true"}).content.decode()
    assert "The mirror is up to date." in panel
    assert "hx-trigger" not in panel.split("<form")[0]


def test_each_step_is_audited_with_what_it_did(signed_in, sandbox_upstream):
    sandbox_upstream.control(rate_limit=0)
    signed_in.post("/sync/", headers={"HX-Request": "true"})
    signed_in.post("/sync/", {"continue": "1"}, headers={"HX-Request": "true"})
    first, second = AuditEvent.objects.filter(action="sync now").order_by("seq")
    assert first.details["new"] == SEEDED and not first.details["continued"]
    assert second.details["new"] == 0 and second.details["continued"]


def test_an_upstream_failure_is_a_sentence_not_an_error_page(signed_in, sandbox_upstream):
    sandbox_upstream.control(rate_limit=0, fail_next={"count": 3, "mode": "502"})
    response = signed_in.post("/sync/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Sociostacks answered with an error (HTTP 502)" in response.content.decode()
    assert AuditEvent.objects.get(action="sync now").outcome == "upstream_error"


def test_it_needs_csrf(viewer, sandbox_upstream):
    from django.test import Client

    give_key(viewer)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert strict.post("/sync/").status_code == 403
    assert upstream_calls(sandbox_upstream) == 0


def test_it_refuses_a_stranger(client, stranger, sandbox_upstream):
    give_key(stranger)
    client.force_login(stranger)
    assert client.post("/sync/").status_code == 403
    assert upstream_calls(sandbox_upstream) == 0


def test_a_plain_get_goes_home(signed_in):
    assert signed_in.get("/sync/")["Location"] == "/"
