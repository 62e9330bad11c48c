import re

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LINKS = {
    "Messages": "/messages/",
    "Compose": "/compose/",
    "Scheduled": "/scheduled/",
    "Audit": "/audit/",
    "Keys": "/keys/",
}
SHOWN = {
    "viewer": {"Messages", "Scheduled", "Keys"},
    "sender": {"Messages", "Compose", "Scheduled", "Keys"},
    "auditor": {"Audit", "Keys"},
    "admin_user": set(LINKS),
    "stranger": {"Keys"},
}


def main_navigation(client) -> str:
    page = client.get("/keys/").content.decode()
    return re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)


@pytest.mark.parametrize("role_fixture", list(SHOWN))
def test_navigation_shows_only_what_the_person_may_use(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    nav = main_navigation(client)
    shown = {name for name, url in LINKS.items() if f'href="{url}"' in nav}
    assert shown == SHOWN[role_fixture]


def test_only_a_superuser_is_offered_django_admin(client, admin_user):
    client.force_login(admin_user)
    assert 'href="/admin/"' not in client.get("/keys/").content.decode()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert 'href="/admin/"' in client.get("/keys/").content.decode()
