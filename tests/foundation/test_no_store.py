"""No page or fragment for a signed-in person may be stored by a cache (issue 22)."""

import pytest

from tests.conftest import give_key, make_user
from tests.foundation.test_login_required import _concrete_paths

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_retry_pauses(monkeypatch):
    from smsadmin.sociostacks import client

    monkeypatch.setattr(client, "_pause_before_retry", lambda: None)


def test_every_page_and_fragment_of_a_signed_in_person_says_no_store(client, upstream):
    person = make_user("root", "admin", "sender", "auditor", is_staff=True, is_superuser=True)
    give_key(person)
    client.force_login(person)
    checked = 0
    for path in _concrete_paths():
        if path.startswith("/static/") or path in ("/accounts/logout/",):
            continue
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert "no-store" in response.get("Cache-Control", ""), (path, headers)
            checked += 1
    assert checked > 40


def test_signing_out_is_not_stored_either(client, sender):
    client.force_login(sender)
    response = client.post("/accounts/logout/")
    assert "no-store" in response["Cache-Control"]
