import json
import re

import pytest
from django.test import Client

from tests.conftest import give_key
from tests.sms import upstream_fakes as fake

pytestmark = pytest.mark.django_db


def _page(client: Client) -> str:
    return client.get("/accounts/password/").content.decode()


def test_htmx_is_served_from_our_own_static_files(client, viewer):
    client.force_login(viewer)
    page = _page(client)
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_htmx_is_configured_strictly(client, viewer):
    client.force_login(viewer)
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", _page(client))
    config = json.loads(match.group(1))
    assert config["selfRequestsOnly"] is True
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0
    assert config["includeIndicatorStyles"] is False


def test_the_body_hands_htmx_the_csrf_token_as_a_header(client, viewer):
    client.force_login(viewer)
    page = _page(client)
    header = re.search(r"<body hx-headers='([^']+)'>", page)
    token = json.loads(header.group(1))["X-CSRFToken"]
    assert token and len(token) >= 32


def test_an_htmx_post_with_the_header_passes_csrf_and_without_it_fails(sender, upstream):
    give_key(sender)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sender)
    page = strict.get("/accounts/password/").content.decode()
    token = json.loads(re.search(r"<body hx-headers='([^']+)'>", page).group(1))["X-CSRFToken"]
    upstream.delete(f"{fake.UPSTREAM}/sms/5", body="", status=200)

    refused = strict.post("/messages/5/delete/", headers={"HX-Request": "true"})
    accepted = strict.post(
        "/messages/5/delete/", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert len(upstream.calls) == 1
