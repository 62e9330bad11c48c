import pytest

pytestmark = pytest.mark.django_db


def test_logout_refuses_get(client, viewer):
    client.force_login(viewer)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_by_post_signs_out(client, viewer):
    client.force_login(viewer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/messages/")["Location"].startswith("/accounts/login/")


def test_the_logout_button_is_a_form_post(client, viewer):
    client.force_login(viewer)
    page = client.get("/accounts/password/").content.decode()
    assert 'method="post" action="/accounts/logout/"' in page
