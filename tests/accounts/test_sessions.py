from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from smsadmin.audit.models import AuditEvent
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PAGE = "/accounts/password/"  # any signed-in page that needs no upstream


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(clock, viewer) -> Client:
    client = Client()
    assert sign_in(client, "vera").status_code == 302
    return client


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_thirty_idle_minutes_sign_a_person_out(signed_in, clock):
    clock.shift(timedelta(minutes=29))
    assert signed_in.get(PAGE).status_code == 200
    clock.shift(timedelta(minutes=31))
    response = signed_in.get(PAGE)
    assert sent_to_login(response)
    assert "_auth_user_id" not in signed_in.session
    expired = AuditEvent.objects.get(action="session expired")
    assert expired.actor_username == "vera"
    assert expired.details == {"reason": "idle"}
    login_page = signed_in.get(response["Location"]).content.decode()
    assert "signed out after a period of inactivity" in login_page


def test_an_htmx_request_after_the_idle_time_is_redirected_by_htmx(signed_in, clock):
    clock.shift(timedelta(minutes=31))
    response = signed_in.get(reverse("keys:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Location" not in response
    assert response["HX-Redirect"] == reverse("login")


def test_activity_keeps_a_session_alive(signed_in, clock):
    for _ in range(12):  # four hours, a click every twenty minutes
        clock.shift(timedelta(minutes=20))
        assert signed_in.get(PAGE).status_code == 200
    assert not AuditEvent.objects.filter(action="session expired").exists()


def test_twelve_hours_sign_a_person_out_even_when_busy(signed_in, clock):
    for _ in range(35):  # eleven hours forty minutes
        clock.shift(timedelta(minutes=20))
        assert signed_in.get(PAGE).status_code == 200
    clock.shift(timedelta(minutes=21))
    assert sent_to_login(signed_in.get(PAGE))
    assert AuditEvent.objects.get(action="session expired").details == {"reason": "lifetime"}


def test_the_time_outs_are_configurable(signed_in, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    clock.shift(timedelta(minutes=6))
    assert sent_to_login(signed_in.get(PAGE))


def test_signing_in_gives_a_new_session_key(client, viewer):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    sign_in(client, "vera")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_is_a_post(signed_in):
    assert signed_in.get(reverse("logout")).status_code == 405
    assert signed_in.get(PAGE).status_code == 200


def test_signing_out_ends_the_session_for_good(signed_in):
    old_key = signed_in.session.session_key
    assert signed_in.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()

    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert sent_to_login(replayed.get(PAGE))
