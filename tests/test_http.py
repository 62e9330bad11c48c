"""The one redirect rule and the one number rule (smsadmin/http.py)."""

import pytest
from django.test import RequestFactory

from smsadmin.http import MAX_ID, own_path, query_int, safe_next

# The variants an attack run tried against /admin/login/?next=: every one must
# end on a path of this site (testserver), whatever the browser makes of it.
OFF_SITE = [
    "https://evil.example/login",
    "//evil.example/",
    "///evil.example/",
    "https:evil.example",
    "http:/evil.example",
    "http://127.0.0.1@evil.example/",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " //evil.example",
    "\n//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://evil.example/",
    "http://[",
]


@pytest.fixture
def request_on_site():
    return RequestFactory().get("/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_no_variant_leaves_the_site(request_on_site, target):
    assert own_path(target, request_on_site) is None


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/messages/?page=2", "/messages/?page=2"),
        ("/audit/#filters", "/audit/#filters"),
        ("http://testserver/keys/", "/keys/"),
    ],
)
def test_a_path_of_this_site_is_kept_as_a_path(request_on_site, target, path):
    assert own_path(target, request_on_site) == path


def test_safe_next_prefers_the_posted_value_and_falls_back_to_the_default():
    factory = RequestFactory()
    posted = factory.post("/?next=/audit/", {"next": "/keys/"})
    assert safe_next(posted, "/") == "/keys/"
    hostile = factory.post("/?next=//evil.example/", {"next": "javascript:alert(1)"})
    assert safe_next(hostile, "/home") == "/home"
    assert safe_next(factory.get("/", {"back": "/messages/"}), "/", param="back") == "/messages/"


@pytest.mark.parametrize(
    "value", ["²", "٣", "¹²", "1" * 4400, "-1", "+1", " 1", "1 ", "1.0", "0x10", "", None, "0"]
)
def test_query_int_takes_only_plain_ascii_digits_in_range(value):
    assert query_int(value) is None


def test_query_int_reads_ids_up_to_what_the_database_stores():
    assert query_int("1") == 1
    assert query_int(str(MAX_ID)) == MAX_ID
    assert query_int(str(MAX_ID + 1)) is None
    assert query_int("9", high=8) is None
    assert query_int("0", low=0) == 0
