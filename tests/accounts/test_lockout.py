import pytest
from django.conf import settings
from django.test import Client

from smsadmin.audit.models import AuditEvent, Outcome
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

HOME = "203.0.113.5"
ELSEWHERE = "198.51.100.9"
PROXY = "10.0.0.2"


def fail_until_locked(client: Client, **extra) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "vera", "not the password", **extra)


def test_the_settings_are_the_ones_axes_8_reads():
    from axes.conf import settings as axes_settings
    from axes.helpers import get_client_ip_address, get_cool_off

    assert axes_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert get_cool_off().total_seconds() == 15 * 60
    assert axes_settings.AXES_LOCKOUT_TEMPLATE == "accounts/lockout.html"
    request = Client().get("/healthz").wsgi_request
    assert get_client_ip_address(request) == "127.0.0.1"


def test_repeated_failures_lock_that_user_at_that_address(client, viewer):
    fail_until_locked(client, REMOTE_ADDR=HOME)
    response = sign_in(client, "vera", REMOTE_ADDR=HOME)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "Try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_one_failure_fewer_does_not_lock(client, viewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "vera", "not the password", REMOTE_ADDR=HOME)
    assert sign_in(client, "vera", REMOTE_ADDR=HOME).status_code == 302


def test_the_lockout_is_audited_with_the_address(client, viewer):
    fail_until_locked(client, REMOTE_ADDR=HOME)
    lockout = AuditEvent.objects.get(action="lockout")
    assert lockout.outcome == Outcome.DENIED
    assert lockout.actor_username == "vera"
    assert lockout.ip_address == HOME
    assert AuditEvent.objects.filter(action="failed login").count() == settings.AXES_FAILURE_LIMIT


def test_the_same_person_from_another_address_still_gets_in(client, viewer):
    fail_until_locked(client, REMOTE_ADDR=HOME)
    elsewhere = Client()
    assert sign_in(elsewhere, "vera", REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_another_person_at_the_locked_address_still_gets_in(client, viewer, sender):
    fail_until_locked(client, REMOTE_ADDR=HOME)
    assert sign_in(Client(), "sam", REMOTE_ADDR=HOME).status_code == 302


def test_a_forged_forwarded_header_does_not_unlock_without_trusted_proxies(client, viewer):
    assert settings.SMSADMIN_TRUSTED_PROXIES == 0
    fail_until_locked(client, REMOTE_ADDR=HOME)
    forged = sign_in(Client(), "vera", REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert forged.status_code == 429


def test_behind_one_proxy_the_right_most_address_is_the_client(client, viewer, settings):
    settings.SMSADMIN_TRUSTED_PROXIES = 1
    fail_until_locked(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    assert AuditEvent.objects.get(action="lockout").ip_address == HOME

    # The client wrote the left part itself; the proxy appended the real address.
    forged = sign_in(
        Client(), "vera", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {HOME}"
    )
    assert forged.status_code == 429

    someone_else = sign_in(Client(), "vera", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert someone_else.status_code == 302
