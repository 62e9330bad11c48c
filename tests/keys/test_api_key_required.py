import pytest

from smsadmin.accounts.models import Team
from tests.conftest import make_user
from tests.keys.fakes import team_key

pytestmark = pytest.mark.django_db


def test_a_person_without_any_key_is_sent_to_the_keys_page_with_an_explanation(client, viewer):
    client.force_login(viewer)
    response = client.get("/messages/", follow=True)
    assert response.redirect_chain == [("/keys/", 302)]
    page = response.content.decode()
    assert "You need a Sociostacks API key before you can see or send messages." in page
    assert "ask an admin to give your team one" in page


def test_an_htmx_request_is_redirected_by_htmx(client, viewer):
    client.force_login(viewer)
    response = client.get("/messages/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/keys/"


def test_a_team_key_is_enough(client, upstream):
    member = make_user("mia", "viewer")
    Team.objects.create(name="support").members.add(member)
    team_key("support", "ss-team-key-9999")
    client.force_login(member)
    response = client.get("/messages/")
    assert response.status_code != 302 or response["Location"] != "/keys/"
