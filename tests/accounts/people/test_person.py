import re

import pytest

from smsadmin.accounts.models import Team
from smsadmin.accounts.otp_devices import AppDevice
from tests.accounts.people.conftest import assert_refused

pytestmark = pytest.mark.django_db


def test_it_shows_the_person_and_what_an_admin_may_do(as_admin, sender):
    Team.objects.create(name="Support").members.add(sender)
    AppDevice.objects.create(user=sender, name="app", confirmed=True)
    page = as_admin.get(f"/people/{sender.pk}/").content.decode()
    assert "<h1>sam" in page
    assert ">Support</a>" in page
    assert re.search(r'value="sender" id="id_roles_\d" checked', page)
    for action in ("password/reset/", "two-factor/reset/", "deactivate/"):
        assert f'href="/people/{sender.pk}/{action}"' in page


def test_a_shared_login_offers_its_password_not_a_link(as_admin):
    from tests.conftest import make_user

    desk = make_user("desk", "sender", is_shared=True)
    page = as_admin.get(f"/people/{desk.pk}/").content.decode()
    assert f'href="/people/{desk.pk}/password/"' in page
    assert f'href="/people/{desk.pk}/password/reset/"' not in page


def test_an_unknown_person_is_a_404(as_admin):
    assert as_admin.get("/people/999999/").status_code == 404


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, viewer):
    assert_refused(client, not_an_admin, "get", f"/people/{viewer.pk}/")
    assert_refused(client, not_an_admin, "get", "/people/999999/")
