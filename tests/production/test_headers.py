import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from smsadmin.audit.models import AuditEvent
from smsadmin.observability import RequestIdFilter
from tests.production.broken_urls import CRASH_TEXT
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

A_YEAR = 31_536_000


def assert_hardened(response) -> None:
    """The headers every answer of the site carries, whatever it is."""
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


@pytest.fixture
def signed_in(viewer) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, "vera")
    return client


def test_the_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_hardened(response)


def test_a_full_page(signed_in):
    response = signed_in.get("/accounts/password/")
    assert response.status_code == 200
    assert_hardened(response)


def test_an_htmx_fragment(signed_in):
    response = signed_in.get(reverse("keys:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_hardened(response)


def test_the_404_page(signed_in):
    response = signed_in.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert_hardened(response)


def test_the_403_page(signed_in):
    response = signed_in.get(reverse("audit:review"))
    assert response.status_code == 403
    assert_hardened(response)


def test_the_400_page_for_a_forged_host(client):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "<html" in response.content.decode()
    assert "evil.example" not in response.content.decode()
    assert_hardened(response)


def test_the_csrf_refusal_explains_and_is_audited(viewer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "vera", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "cookie not set" not in page  # Django's reason stays in the log
    assert_hardened(response)
    assert AuditEvent.objects.filter(action="form refused").exists()


def test_the_lockout_page(client, viewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "vera", "wrong")
    assert response.status_code == 429
    assert_hardened(response)


@pytest.mark.urls("tests.production.broken_urls")
def test_the_500_page_says_nothing_of_the_crash(signed_in):
    response = signed_in.get("/crash/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert response["X-Request-ID"] in page
    assert CRASH_TEXT not in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page
    assert_hardened(response)


@pytest.mark.urls("tests.production.broken_urls")
def test_a_crash_is_logged_as_one_line_with_the_request_id(signed_in, settings):
    config = settings.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(config["formatters"]["line"]["format"]))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = signed_in.get("/crash/")
    finally:
        logger.removeHandler(handler)
    first_line = stream.getvalue().splitlines()[0]
    assert "level=ERROR" in first_line
    assert f"request_id={response['X-Request-ID']}" in first_line


def test_over_https_in_production_hsts_lasts_a_year_and_cookies_are_locked_down(
    client, viewer, settings
):
    settings.SECURE_HSTS_SECONDS = A_YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"

    page = client.get(reverse("login"), secure=True)
    assert page["Strict-Transport-Security"] == f"max-age={A_YEAR}; includeSubDomains"
    assert_hardened(page)
    response = sign_in(client, "vera", secure=True)
    assert response.status_code == 302
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
        assert cookie["path"] == "/", name
        assert not cookie["domain"], name
