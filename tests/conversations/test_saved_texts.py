from django.urls import reverse

from smsadmin.audit.models import AuditEvent
from smsadmin.conversations.models import SavedText
from tests.conftest import make_user

LIST = reverse("conversations:saved_texts")
NEW = reverse("conversations:saved_text_new")


def test_a_sender_creates_edits_and_deletes_a_text_each_audited(client, desk):
    client.force_login(desk)
    client.post(
        NEW, {"name": "Parcel", "text": "Hi {name}, your parcel is here.", "name_fallback": "there"}
    )
    text = SavedText.objects.get(name="Parcel")
    client.post(
        reverse("conversations:saved_text_edit", args=[text.pk]),
        {"name": "Parcel", "text": "Hi {name}!", "name_fallback": ""},
    )
    text.refresh_from_db()
    assert text.text == "Hi {name}!"
    changed = AuditEvent.objects.get(action="saved text changed")
    assert changed.details["before"]["text"] == "Hi {name}, your parcel is here."
    assert changed.details["after"]["text"] == "Hi {name}!"
    client.post(reverse("conversations:saved_text_delete", args=[text.pk]))
    assert not SavedText.objects.exists()
    assert AuditEvent.objects.filter(action="saved text deleted").exists()


def test_the_list_shows_segments(client, desk):
    SavedText.objects.create(name="Long", text="x" * 161)
    client.force_login(desk)
    page = client.get(LIST).content.decode()
    assert '<td class="num">2</td>' in page


def test_a_viewer_may_not_write_texts(client, db):
    client.force_login(make_user("vic", "viewer"))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, {"name": "x", "text": "y"}).status_code == 403
    assert not SavedText.objects.exists()


def test_an_invalid_text_is_refused_with_the_form_kept(client, desk):
    client.force_login(desk)
    response = client.post(NEW, {"name": "", "text": "Keep me"})
    assert response.status_code == 400
    assert "Keep me" in response.content.decode()


def test_name_is_filled_or_falls_back():
    text = SavedText(name="Hi", text="Hello {name}!", name_fallback="there")
    assert text.filled("Ada", text.name_fallback) == "Hello Ada!"
    assert text.filled("", text.name_fallback) == "Hello there!"
