import base64
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from smsadmin.accounts.otp_devices import AppDevice, RecoveryCode
from smsadmin.audit.models import AuditEvent, Outcome
from tests.conftest import force_login_verified, make_user
from tests.production.helpers import sign_in

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)
PAGE = "/accounts/password/"  # any signed-in page that needs no upstream


def code_for(device: AppDevice, step_offset: int = 0) -> str:
    """The code an authenticator app shows now (or ``step_offset`` steps later)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + step_offset)
    return f"{value:0{device.digits}d}"


def actions(username: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor_username=username)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def enrol(client: Client, user) -> tuple[AppDevice, list[str]]:
    """Set up the app through the pages, as a person does; returns the device and codes."""
    client.get(reverse("twofactor_setup"))
    device = AppDevice.objects.get(user=user)
    response = client.post(reverse("twofactor_setup"), {"code": code_for(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(frozen, sender):
    """Sam, with an authenticator app and recovery codes, signed out again."""
    client = Client()
    sign_in(client, "sam")
    device, codes = enrol(client, sender)
    client.post(reverse("logout"))
    frozen.shift(60)  # a fresh code for the next sign-in
    return device, codes


def test_the_setup_page_shows_a_qr_code_and_the_secret_to_type(client, sender):
    sign_in(client, "sam")
    response = client.get(reverse("twofactor_setup"))
    page = response.content.decode()
    device = AppDevice.objects.get(user=sender, confirmed=False)
    assert 'src="data:image/svg+xml' in page
    assert 'alt="QR code that adds smsadmin to an authenticator app"' in page
    secret = response.context["enrolment"].secret
    assert secret.replace(" ", "") in re.sub(r"\s", "", page)
    assert "no-store" in response["Cache-Control"]
    # A reload keeps the secret that may already be scanned.
    client.get(reverse("twofactor_setup"))
    assert AppDevice.objects.get(user=sender).bin_key == device.bin_key
    assert actions("sam").count("2fa setup started") == 1


def test_enrolment_needs_a_working_code_then_hands_out_ten_recovery_codes(client, sender, frozen):
    sign_in(client, "sam")
    client.get(reverse("twofactor_setup"))
    device = AppDevice.objects.get(user=sender)

    wrong = client.post(reverse("twofactor_setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "did not match" in wrong.content.decode()
    assert not AppDevice.objects.get(pk=device.pk).confirmed

    frozen.shift(30)  # past the wrong guess's pause
    response = client.post(reverse("twofactor_setup"), {"code": code_for(device)})
    page = response.content.decode()
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in page for code in codes)
    assert "no-store" in response["Cache-Control"]
    assert AppDevice.objects.get(pk=device.pk).confirmed
    assert client.get(PAGE).status_code == 200  # this session is verified by the new app
    assert "2fa failed" in actions("sam")
    assert "2fa enrolled" in actions("sam")
    # Shown once: the status page counts them but never lists them again.
    status = client.get(reverse("twofactor_setup")).content.decode()
    assert "10" in status
    assert not any(code in status for code in codes)


def test_after_the_password_a_person_with_an_app_must_give_a_code(enrolled):
    device, _codes = enrolled
    client = Client()
    response = sign_in(client, "sam")
    assert response.status_code == 302

    blocked = client.get(PAGE)
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("twofactor_verify"))
    assert "next=%2Faccounts%2Fpassword%2F" in blocked["Location"]
    # Nor can the second factor be replaced before it is given.
    assert client.get(reverse("twofactor_setup"))["Location"].startswith(
        reverse("twofactor_verify")
    )

    response = client.post(reverse("twofactor_verify"), {"code": code_for(device), "next": PAGE})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert client.get(PAGE).status_code == 200
    verified = AuditEvent.objects.filter(actor_username="sam", action="2fa verified").last()
    assert verified.details == {"method": "authenticator app"}


def test_an_htmx_request_is_sent_to_the_code_page_with_hx_redirect(enrolled):
    client = Client()
    sign_in(client, "sam")
    response = client.get(
        reverse("keys:list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/keys/"},
    )
    assert response.status_code == 200 and "Location" not in response
    assert response["HX-Redirect"] == reverse("twofactor_verify") + "?next=%2Fkeys%2F"


def test_signing_in_rotates_the_session_key_again_after_the_code(enrolled):
    device, _codes = enrolled
    client = Client()
    sign_in(client, "sam")
    after_password = client.session.session_key
    client.post(reverse("twofactor_verify"), {"code": code_for(device)})
    assert client.session.session_key != after_password


def test_a_code_that_worked_once_is_refused_the_second_time(enrolled):
    device, _codes = enrolled
    code = code_for(device)
    first = Client()
    sign_in(first, "sam")
    assert first.post(reverse("twofactor_verify"), {"code": code}).status_code == 302

    thief = Client()
    sign_in(thief, "sam")
    replay = thief.post(reverse("twofactor_verify"), {"code": code})
    assert replay.status_code == 200
    assert "each works once" in replay.content.decode()
    assert thief.get(PAGE).status_code == 302
    failed = AuditEvent.objects.filter(actor_username="sam", action="2fa failed").last()
    assert failed.outcome == Outcome.DENIED


def test_a_recovery_code_works_once(enrolled):
    _device, codes = enrolled
    client = Client()
    sign_in(client, "sam")
    # Typed with a space, as people copy them.
    response = client.post(reverse("twofactor_verify"), {"code": f"{codes[0][:4]} {codes[0][4:]}"})
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert "recovery code used" in actions("sam")
    used = AuditEvent.objects.filter(action="recovery code used").last()
    assert used.details == {"codes_left": 9}
    assert codes[0] not in str(used.details)

    again = Client()
    sign_in(again, "sam")
    refused = again.post(reverse("twofactor_verify"), {"code": codes[0]})
    assert refused.status_code == 200
    assert "not an unused recovery code" in refused.content.decode()
    assert RecoveryCode.objects.filter(device__user__username="sam").count() == 9


def test_after_a_wrong_setup_code_the_right_one_is_told_to_wait_not_wrong(client, sender, frozen):
    sign_in(client, "sam")
    client.get(reverse("twofactor_setup"))
    device = AppDevice.objects.get(user=sender)
    wrong = client.post(reverse("twofactor_setup"), {"code": "000000"})
    assert "did not match" in wrong.content.decode()
    assert "wait 1 second and enter the code the app shows then" in wrong.content.decode()

    right_too_soon = client.post(reverse("twofactor_setup"), {"code": code_for(device)})
    page = right_too_soon.content.decode()
    assert "did not match" not in page
    assert "Wait 1 second, then enter the code your app shows then" in page
    assert not AppDevice.objects.get(pk=device.pk).confirmed

    frozen.shift(2)
    wrong = client.post(reverse("twofactor_setup"), {"code": "000000"})
    assert "wait 2 seconds" in wrong.content.decode()  # the pause doubles

    frozen.shift(2)
    response = client.post(reverse("twofactor_setup"), {"code": code_for(device)})
    assert len(response.context["codes"]) == 10


def test_wrong_codes_slow_down_the_next_tries(enrolled, frozen):
    device, _codes = enrolled
    client = Client()
    sign_in(client, "sam")
    for _ in range(3):
        client.post(reverse("twofactor_verify"), {"code": "123456"})
    response = client.post(reverse("twofactor_verify"), {"code": code_for(device)})
    assert "Wait 1 second, then enter the code" in response.content.decode()
    frozen.shift(10)
    response = client.post(reverse("twofactor_verify"), {"code": code_for(device)})
    assert response.status_code == 302


def test_turning_it_off_needs_a_current_code(enrolled):
    device, _codes = enrolled
    client = Client()
    sign_in(client, "sam")
    client.post(reverse("twofactor_verify"), {"code": code_for(device)})

    refused = client.post(reverse("twofactor_disable"), {"code": "999999"})
    assert refused.status_code == 200
    assert AppDevice.objects.filter(user__username="sam").exists()

    with time_machine.travel(NOON.timestamp() + 120, tick=False):
        response = client.post(reverse("twofactor_disable"), {"code": code_for(device)})
    assert response.status_code == 302
    assert not AppDevice.objects.filter(user__username="sam").exists()
    assert not RecoveryCode.objects.filter(device__user__username="sam").exists()
    assert "2fa disabled" in actions("sam")


def test_a_role_that_must_use_it_is_sent_to_set_it_up_before_any_page(client, settings, sender):
    settings.SMSADMIN_2FA_REQUIRED = "admin,sender"
    sign_in(client, "sam")
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor_setup"))
    assert client.get(reverse("twofactor_setup")).status_code == 200


def test_a_role_that_need_not_use_it_goes_straight_in(client, settings, viewer):
    settings.SMSADMIN_2FA_REQUIRED = "admin,sender"
    sign_in(client, "vera")
    assert client.get(PAGE).status_code == 200


def test_all_means_everyone(client, settings, stranger):
    settings.SMSADMIN_2FA_REQUIRED = "all"
    sign_in(client, "sid")
    assert client.get(PAGE)["Location"].startswith(reverse("twofactor_setup"))


def test_a_misspelt_role_stops_the_site_from_starting(settings):
    settings.SMSADMIN_2FA_REQUIRED = "admin,senders"
    with pytest.raises(SystemCheckError, match="unknown roles: senders"):
        call_command("check")


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_django_admin_refuses_a_session_without_a_second_factor(client, superuser):
    sign_in(client, "root")
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("twofactor_setup"))
    assert "next=%2Fadmin%2F" in follow["Location"]


def test_the_django_admin_opens_after_the_second_factor(client, superuser, frozen):
    sign_in(client, "root")
    enrol(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_the_django_admin_login_form_is_not_a_second_way_in(client, superuser):
    response = client.post(
        "/admin/login/", {"username": "root", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_verified_person_who_is_not_staff_gets_an_explaining_refusal(client, viewer, frozen):
    sign_in(client, "vera")
    enrol(client, viewer)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert "not allowed" in response.content.decode()


def test_an_admin_can_remove_a_persons_devices_but_never_read_their_secret(
    client, superuser, enrolled
):
    device, codes = enrolled
    force_login_verified(client, superuser)
    change_page = client.get(f"/admin/accounts/appdevice/{device.pk}/change/")
    assert change_page.status_code == 200
    page = change_page.content.decode()
    assert device.encrypted_key not in page
    assert base64.b32encode(device.bin_key).decode() not in page
    assert device.bin_key.hex() not in page
    static = RecoveryCode.objects.filter(device__user=device.user).first().device
    static_page = client.get(f"/admin/accounts/recoverycodes/{static.pk}/change/")
    assert static_page.status_code == 200
    assert not any(code in static_page.content.decode() for code in codes)

    response = client.post(f"/admin/accounts/appdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AppDevice.objects.filter(pk=device.pk).exists()
