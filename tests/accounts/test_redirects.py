"""Every redirect parameter of the site stays on the site (issue 22, "Open redirect")."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import force_login_verified, give_key, make_user
from tests.test_http import OFF_SITE

pytestmark = pytest.mark.django_db


def assert_stays_here(response) -> None:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert not location.scheme and not location.netloc, response["Location"]
    assert location.path.startswith("/") and not location.path.startswith("//")


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_admin_login_sends_a_verified_admin_only_to_admin_pages(client, target):
    force_login_verified(client, make_user("root", is_staff=True, is_superuser=True))
    response = client.get("/admin/login/", {"next": target})
    assert_stays_here(response)
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_goes_on_only_to_a_page_of_this_site(client, sender, target):
    response = client.post(
        "/accounts/login/",
        {"username": "sam", "password": "correct horse battery", "next": target},
    )
    assert_stays_here(response)


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_two_factor_step_goes_on_only_to_a_page_of_this_site(client, target):
    force_login_verified(client, make_user("tess", "viewer"))
    assert_stays_here(client.get("/accounts/2fa/verify/", {"next": target}))


def _login_with_operator(name: str):
    from smsadmin.accounts.models import Operator

    login = make_user("frontdesk", "sender", is_shared=True)
    Operator.objects.create(login=login, name=name)
    return login


@pytest.mark.parametrize("target", OFF_SITE)
def test_naming_the_operator_goes_on_only_to_a_page_of_this_site(client, target):
    client.force_login(_login_with_operator("Priya"))
    response = client.post("/accounts/operator/", {"operator": "Priya", "next": target})
    assert_stays_here(response)


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_message_pages_go_back_only_to_a_page_of_this_site(client, sender, target):
    give_key(sender)
    client.force_login(sender)
    response = client.post("/messages/delete/", {"back": target})
    assert_stays_here(response)
    assert response["Location"] == "/messages/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_out_goes_on_only_to_a_page_of_this_site(client, sender, target):
    client.force_login(sender)
    assert_stays_here(client.post("/accounts/logout/", {"next": target}))


def test_a_page_of_this_site_is_where_the_person_goes(client, sender):
    give_key(sender)
    client.force_login(sender)
    response = client.post("/messages/delete/", {"back": "/scheduled/"})
    assert response["Location"] == "/scheduled/"


def test_the_operator_page_is_given_the_page_asked_for_url_encoded(client):
    client.force_login(_login_with_operator("Priya"))
    response = client.get("/messages/?page=2&size=50")
    assert response["Location"] == "/accounts/operator/?next=%2Fmessages%2F%3Fpage%3D2%26size%3D50"
    named = client.post(
        "/accounts/operator/", {"operator": "Priya", "next": "/messages/?page=2&size=50"}
    )
    assert named["Location"] == "/messages/?page=2&size=50"


def test_a_broken_current_url_header_while_waiting_for_the_code_is_no_error(client):
    from smsadmin.accounts.otp_devices import AppDevice

    person = make_user("tess", "viewer")
    AppDevice.objects.create(user=person, name="app", confirmed=True)
    client.force_login(person)
    response = client.get(
        "/messages/", headers={"HX-Request": "true", "HX-Current-URL": "http://["}
    )
    assert response.status_code == 200 and "Location" not in response
    assert response["HX-Redirect"] == "/accounts/2fa/verify/?next=%2Fmessages%2F"
