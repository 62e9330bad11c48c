"""Contacts in the recipients box: names suggested while typing; a name alone is its number."""

import pytest
import responses

from smsadmin.sms.compose.contacts import ContactBook
from smsadmin.sms.compose.recipients import parse_recipients
from smsadmin.sociostacks.types import Contact
from tests.conftest import UPSTREAM
from tests.sms.compose import support as fake
from tests.sociostacks.payloads import page_json

MARIA = Contact(id=1, phone_number="+491701234567", name="Maria Keller", has_opted_out=False)
MARIO = Contact(id=2, phone_number="+491709999999", name="Mario Rossi", has_opted_out=True)
SAM_1 = Contact(id=3, phone_number="+447400123456", name="Sam", has_opted_out=False)
SAM_2 = Contact(id=4, phone_number="+447400654321", name="sam", has_opted_out=False)
BOOK = ContactBook([MARIA, MARIO, SAM_1, SAM_2])


# --- The book ----------------------------------------------------------------------------


def test_every_typed_word_must_begin_a_word_of_the_name():
    assert [c.name for c in BOOK.suggest("+4917011\nmar kel")[1]] == ["Maria Keller"]
    assert [c.name for c in BOOK.suggest("mar")[1]] == ["Maria Keller", "Mario Rossi"]
    assert BOOK.suggest("aria")[1] == []


def test_only_the_entry_being_typed_is_looked_up():
    typed, found = BOOK.suggest("Maria Keller, ros")
    assert typed == "ros"
    assert [c.name for c in found] == ["Mario Rossi"]


def test_numbers_and_a_single_letter_suggest_nothing():
    assert BOOK.suggest("+49170")[1] == []
    assert BOOK.suggest("m")[1] == []
    assert BOOK.suggest("")[1] == []


def test_an_opted_out_contact_is_flagged_in_its_suggestion():
    (mario,) = BOOK.suggest("rossi")[1]
    assert (mario.number, mario.opted_out) == ("+491709999999", True)
    assert BOOK.opted_out == frozenset({"+491709999999"})


# --- A name alone in the recipients -------------------------------------------------------


def test_a_name_alone_stands_for_its_contacts_number():
    result = parse_recipients("  maria   KELLER \n+447400111222", None, BOOK.numbers_by_name)
    assert result.valid == ["+491701234567", "+447400111222"]
    assert [(n.line, n.name, n.number) for n in result.named] == [
        (1, "maria   KELLER", "+491701234567")
    ]


def test_a_name_two_contacts_share_stands_for_neither():
    result = parse_recipients("Sam", None, BOOK.numbers_by_name)
    assert result.valid == []
    (entry,) = result.invalid
    assert entry.reason == (
        "2 contacts have this name (+447400123456, +447400654321): write the number you mean"
    )


def test_an_unknown_name_is_still_not_a_number():
    result = parse_recipients("Maria", None, BOOK.numbers_by_name)
    assert [(e.text, e.reason) for e in result.invalid] == [("Maria", "not a number")]


def test_a_name_and_its_number_count_once():
    result = parse_recipients("Maria Keller\n+491701234567", None, BOOK.numbers_by_name)
    assert (result.valid, result.duplicates) == (["+491701234567"], 1)


# --- On the compose page ------------------------------------------------------------------

HTMX = {"HX-Request": "true"}
DIRECTORY = [
    {"id": 1, "phone_number": "+491701234567", "name": "Maria Keller", "has_opted_out": False},
    {"id": 2, "phone_number": "+491709999999", "name": "Mario Rossi", "has_opted_out": True},
    {"id": 3, "phone_number": "+447400123456", "name": "Sam", "has_opted_out": False},
    {"id": 4, "phone_number": "+447400654321", "name": "Sam", "has_opted_out": False},
]


@pytest.fixture
def directory(signed_in, upstream):
    """The compose conftest's signed-in sender, with phones, account and these contacts."""
    fake.devices(upstream)
    fake.account(upstream)
    upstream.replace(responses.GET, f"{UPSTREAM}/contacts/", json=page_json(DIRECTORY))
    return signed_in


def live_check(client, recipients: str) -> str:
    response = client.post("/compose/check-recipients", {"recipients": recipients}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_typing_a_name_suggests_its_contacts_with_number_and_opt_out(directory):
    fragment = live_check(directory, "+447400111222\nMar")
    assert 'id="contact-suggestions"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'data-contact-number="+491701234567">Maria Keller <code>+491701234567</code>' in (
        fragment
    )
    assert "Mario Rossi <code>+491709999999</code></button> <span class" in fragment
    assert "opted out</span>" in fragment


@pytest.mark.django_db
def test_the_directory_is_read_once_for_all_the_typing(directory, upstream):
    for typed in ("Ma", "Mar", "Mari", "Maria K"):
        live_check(directory, typed)
    contact_reads = [c for c in upstream.calls if "/contacts" in c.request.url]
    assert len(contact_reads) == 1


@pytest.mark.django_db
def test_typing_numbers_reads_nothing(directory, upstream):
    live_check(directory, f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}")
    assert not upstream.calls


@pytest.mark.django_db
def test_the_check_says_which_number_a_name_stands_for(directory):
    fragment = live_check(directory, "Maria Keller\nSam")
    assert "<strong>1</strong> valid number" in fragment
    assert "line 1: Maria Keller → <code>+491701234567</code>" in fragment
    assert "2 contacts have this name (+447400123456, +447400654321)" in fragment


@pytest.mark.django_db
def test_a_name_alone_is_sent_to_its_number_after_review(directory, upstream):
    sends = fake.accept_sends(upstream)
    fake.confirm_and_send(directory, recipients="Maria Keller")
    assert [post["phone_numbers"] for post in sends.posts] == ["+491701234567"]


@pytest.mark.django_db
def test_a_contact_directory_that_cannot_be_read_leaves_names_unresolved(directory, upstream):
    upstream.replace(responses.GET, f"{UPSTREAM}/contacts/", status=503)
    fragment = live_check(directory, "Maria Keller")
    assert "not a number" in fragment
    assert "Contacts matching" not in fragment
