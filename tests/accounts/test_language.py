"""The site's language: the person's choice, else the sign-in page's, else the browser's."""

import pytest

from smsadmin.audit.models import AuditEvent, Outcome

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def page(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_sign_in_page_speaks_the_browsers_language(client):
    text = page(client, "/accounts/login/", **GERMAN_BROWSER)
    assert '<html lang="de">' in text
    assert "Bei smsadmin anmelden" in text and "Benutzername" in text


def test_a_language_the_site_does_not_have_falls_back_to_english(client):
    text = page(client, "/accounts/login/", **{"Accept-Language": "ja"})
    assert '<html lang="en">' in text and "Sign in to smsadmin" in text


def test_the_picker_on_the_sign_in_page_sets_the_language_for_the_next_pages(client):
    response = client.post("/language/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    text = page(client, "/accounts/login/", **GERMAN_BROWSER)
    assert "Se connecter à smsadmin" in text and "Mot de passe" in text
    event = AuditEvent.objects.get(action="language chosen")
    assert (event.outcome, event.details) == (Outcome.OK, {"language": "fr"})


def test_an_unknown_language_changes_nothing_and_is_on_record(client):
    response = client.post("/language/", {"language": "xx", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Sign in to smsadmin" in page(client, "/accounts/login/")
    assert AuditEvent.objects.get(action="language chosen").outcome == Outcome.INVALID


def test_the_picker_only_sends_back_to_this_site(client):
    response = client.post("/language/", {"language": "de", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_persons_own_language_wins_over_the_browsers(client, sender):
    sender.language = "es"
    sender.save()
    client.force_login(sender)
    text = page(client, "/accounts/preferences/", **GERMAN_BROWSER)
    assert '<html lang="es">' in text and "<h1>Preferencias</h1>" in text


def test_choosing_a_language_in_the_preferences_keeps_it_and_says_so_in_it(client, sender):
    client.force_login(sender)
    response = client.post(
        "/accounts/preferences/", {"language": "de", "page_size": "25"}, follow=True
    )
    sender.refresh_from_db()
    assert sender.language == "de"
    assert "Ihre Einstellungen sind gespeichert." in response.content.decode()


def test_the_picker_signed_in_is_the_persons_preference(client, sender):
    client.force_login(sender)
    client.post("/language/", {"language": "es", "next": "/accounts/preferences/"})
    sender.refresh_from_db()
    assert sender.language == "es"
