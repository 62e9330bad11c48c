"""Per-account sign-in throttling (issue 22, ASVS 2.2.1), without a lockout of the team."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from smsadmin.accounts import throttling
from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

PAUSED = "signing in from this browser is paused"


def attacker_addresses(count: int) -> list[str]:
    return [f"198.51.100.{n}" for n in range(1, count + 1)]


def guess(address: str, password: str = "guess"):  # noqa: S107
    # A fresh client each time: an attacker holds no cookie of ours.
    return sign_in(Client(), "frontdesk", password, REMOTE_ADDR=address)


@pytest.fixture
def team_login(db):
    return make_user("frontdesk", "sender", is_shared=True)


@pytest.fixture
def colleague(team_login):
    """A browser of the team that signed in before the attack."""
    browser = Client()
    assert sign_in(browser, "frontdesk", REMOTE_ADDR="203.0.113.5").status_code == 302
    browser.post("/accounts/logout/")
    return browser


def test_100_wrong_passwords_from_25_addresses_are_not_all_checked(team_login, settings):
    answers = [guess(address).status_code for address in attacker_addresses(25) for _ in range(4)]
    allowed = settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES
    assert answers[:allowed] == [200] * allowed
    assert set(answers[allowed:]) == {429}
    assert AuditEvent.objects.filter(action="failed login").count() == allowed
    throttled = AuditEvent.objects.filter(action="sign-in throttled")
    assert throttled.count() == 100 - allowed
    assert throttled.first().outcome == Outcome.DENIED
    assert throttled.first().actor_username == "frontdesk"


def test_under_attack_even_the_right_password_from_an_unknown_browser_is_not_checked(
    team_login, settings
):
    for address in attacker_addresses(settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES):
        guess(address)
    response = guess("192.0.2.77", "correct horse battery")
    assert response.status_code == 429
    assert PAUSED in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_browser_that_signed_in_before_is_not_locked_out_by_the_attack(
    team_login, colleague, settings
):
    for address in attacker_addresses(25):
        for _ in range(4):
            guess(address)
    response = sign_in(colleague, "frontdesk", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(team_login.pk)


def test_a_known_browser_has_its_own_allowance_then_counts_as_unknown(
    team_login, colleague, settings
):
    for address in attacker_addresses(settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES):
        guess(address)
    # From a new address each time, so that axes (per address) stays out of it.
    for n in range(settings.SMSADMIN_SIGNIN_DEVICE_FAILURES):
        typo = sign_in(colleague, "frontdesk", "typo", REMOTE_ADDR=f"203.0.113.{100 + n}")
        assert typo.status_code == 200
    assert sign_in(colleague, "frontdesk", REMOTE_ADDR="203.0.113.7").status_code == 429


def test_the_pause_fades_within_the_hour_after_the_attack(team_login, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for address in attacker_addresses(settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES):
            guess(address)
        assert guess("192.0.2.77", "correct horse battery").status_code == 429
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        assert guess("192.0.2.77", "correct horse battery").status_code == 302


def test_a_device_cookie_for_another_account_or_a_forged_one_does_not_help(team_login, settings):
    make_user("vera", "viewer")
    browser = Client()
    assert sign_in(browser, "vera", REMOTE_ADDR="203.0.113.5").status_code == 302
    browser.post("/accounts/logout/")
    for address in attacker_addresses(settings.SMSADMIN_SIGNIN_UNKNOWN_FAILURES):
        guess(address)
    assert sign_in(browser, "frontdesk", REMOTE_ADDR="203.0.113.5").status_code == 429
    forged = Client()
    forged.cookies[throttling.device_cookie_name()] = "eyJkZXZpY2UiOiJ4In0:forged:sig"
    assert sign_in(forged, "frontdesk", REMOTE_ADDR="203.0.113.8").status_code == 429


def test_the_device_cookie_is_http_only_and_names_no_password(team_login):
    browser = Client()
    sign_in(browser, "frontdesk", REMOTE_ADDR="203.0.113.5")
    cookie = browser.cookies[throttling.device_cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "correct horse" not in cookie.value
