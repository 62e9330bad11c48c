"""Free text through the index finds what a row-by-row icontains finds; counts stop honestly."""

import random

import pytest

from smsadmin.audit.models import AuditEvent
from smsadmin.mirror import search, text
from smsadmin.mirror.models import LIVE, MirroredMessage
from tests.conftest import give_key
from tests.mirror.conftest import link, mirrored, state_for

pytestmark = pytest.mark.django_db

WORDS = ("parcel", "Parcel", "PARCEL", "Grüße", "it's", 'say "hi"', "100%", "a_b", "back\\slash",
         "code 4711", "Köln", "ß", "xy")  # fmt: skip
LOOKED_FOR = ("parcel", "PARCEL", "arc", "grüße", "GRÜSSE", "it's", '"hi"', "100%", "%", "a_b",
              "_", "\\", "\\sl", "4711", "code 4", "xy", "x", "nothing like it",
              "köln")  # fmt: skip


@pytest.fixture
def texts():
    rng = random.Random(19)
    made = []
    for _ in range(150):
        made.append(
            mirrored(
                account_id=rng.choice((1, 1, 2)),
                content=" ".join(rng.sample(WORDS, 3)),
                deleted_at=None if rng.random() > 0.1 else "2025-01-01T00:00:00Z",
            )
        )
    return made


def found(text_typed: str) -> list[int]:
    rows = MirroredMessage.objects.filter(LIVE, account_id=1)
    return sorted(text.containing(rows, text_typed).values_list("sms_id", flat=True))


def scanned(text_typed: str) -> list[int]:
    rows = MirroredMessage.objects.filter(LIVE, account_id=1)
    return sorted(rows.filter(content__icontains=text_typed).values_list("sms_id", flat=True))


@pytest.mark.parametrize("few", [text.FEW, 3], ids=["rare texts by index", "common by walk"])
def test_the_index_finds_the_same_rows_as_a_scan(texts, monkeypatch, few):
    monkeypatch.setattr(text, "FEW", few)
    for typed in LOOKED_FOR:
        assert found(typed) == scanned(typed), typed


def test_changed_and_removed_text_is_found_as_it_is_now(texts):
    first, second, third = texts[0], texts[1], texts[2]
    MirroredMessage.objects.filter(pk=first.pk).update(
        content="Reschedule to Thursday", account_id=1, deleted_at=None
    )
    MirroredMessage.objects.filter(pk=second.pk).delete()
    # The sync's upsert rewrites content too; a row it leaves alone keeps its text.
    MirroredMessage.objects.filter(pk=third.pk).update(contact_name="Someone")
    MirroredMessage.objects.filter(pk=third.pk).update(account_id=1, deleted_at=None)
    assert found("thursday") == scanned("thursday") == [first.sms_id]
    for typed in LOOKED_FOR:
        assert found(typed) == scanned(typed), typed


@pytest.fixture
def signed_in(client, viewer):
    key = give_key(viewer)
    link(key, 1)
    state_for(1)
    client.force_login(viewer)
    return client


def test_a_count_past_the_cap_says_more_than(signed_in, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 20)
    for _ in range(30):
        mirrored(content="Your parcel is ready")
    page = signed_in.get("/search/?q=parcel").content.decode()
    assert "More than <strong>20</strong> messages match" in page
    assert "Export all of them as CSV" in page
    assert "Page 1 of the first 1" not in page  # 25 rows a page: the 20 counted fit on one
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.details["matched"] == 20
    assert event.details["matched_more_than"] is True
    export = signed_in.get("/search/export/?q=parcel").content.decode()
    assert "30" in export  # the export page counts them all


def test_a_count_within_the_cap_is_exact(signed_in, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 20)
    for _ in range(20):
        mirrored(content="Your parcel is ready")
    page = signed_in.get("/search/?q=parcel").content.decode()
    assert "<strong>20</strong> messages match" in page
    assert "More than" not in page


def test_pages_go_as_far_as_the_counted_rows(signed_in, monkeypatch, viewer):
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    viewer.page_size = 2
    viewer.save()
    for _ in range(9):
        mirrored(content="Your parcel is ready")
    page = signed_in.get("/search/?q=parcel&page=7").content.decode()
    assert "Page 2 of the first 2" in page
    assert "showing 3\N{EN DASH}4" in page
