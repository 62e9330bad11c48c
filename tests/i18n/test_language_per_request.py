"""A page is in the language of its own request, whatever the requests before it chose.

A translated text evaluated once (at import, in a cache, on an object shared
between requests, in the database) would show the language of whoever came
first: the English page right after a Spanish one must stay English.
"""

import re

import pytest
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(found.group(1).split()) if found else ""


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_invite_page_in_english_after_one_in_spanish_stays_english(htmx):
    client = Client()
    client.force_login(make_user("alice", "admin"))
    headers = {"HX-Request": "true"} if htmx else {}
    spanish = client.get("/people/invite/", headers={"Accept-Language": "es", **headers})
    assert _title(spanish) == "Invitar a una persona · smsadmin"
    english = client.get("/people/invite/", headers={"Accept-Language": "en", **headers})
    assert _title(english) == "Invite a person · smsadmin"
