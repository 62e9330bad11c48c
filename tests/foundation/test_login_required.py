import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Reachable without signing in, on purpose (a set-password link answers with its own page).
PUBLIC = {"/healthz", "/accounts/login/", "/admin/login/", "/accounts/password/set/1/"}


def _concrete_paths(resolver: URLResolver = None, prefix: str = "") -> list[str]:
    """Every URL of the site, with sample values for its parameters."""
    resolver = resolver or get_resolver()
    paths = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += _concrete_paths(entry, route)
        elif isinstance(entry, URLPattern):
            path = route.replace("^", "").replace("$", "").replace("\\Z", "")
            for converter in ("<int:", "<str:", "<slug:", "<uuid:", "<path:", "<"):
                while converter in path:
                    start = path.index(converter)
                    end = path.index(">", start)
                    sample = (
                        "0b6f9c55-9b1f-4e1b-9a52-7f1f6c8e2d11" if converter == "<uuid:" else "1"
                    )
                    path = path[:start] + sample + path[end + 1 :]
            if "(" not in path and "?" not in path:
                paths.append("/" + path)
    return paths


def test_every_page_sends_an_anonymous_visitor_to_sign_in(client):
    checked = 0
    for path in _concrete_paths():
        if path in PUBLIC or path.startswith("/admin/") or path.startswith("/static/"):
            continue
        response = client.get(path)
        assert response.status_code in (302, 405), path
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), path
        checked += 1
    assert checked >= 10


def test_the_sign_in_page_is_served_anonymously(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page


def test_a_person_can_sign_in_and_sees_the_navigation(client, sender, upstream):
    response = client.post(
        "/accounts/login/", {"username": "sam", "password": "correct horse battery"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain
    for link in ("Messages", "Compose", "Scheduled", "Keys"):
        assert f">{link}</a>" in page
    assert ">Audit</a>" not in page


def test_a_wrong_password_is_refused_plainly(client, sender):
    response = client.post("/accounts/login/", {"username": "sam", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
