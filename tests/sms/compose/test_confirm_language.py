"""The confirmation says where the numbers came from in the language of its own request.

The send is stored when the form is reviewed; what it stores about the numbers'
source has no words, so the confirmation opened later (or in another language)
does not repeat the reviewer's language.
"""

import pytest
from django.utils import translation

from smsadmin.sms.compose.recipients import describe_source, source_key
from tests.sms.compose import support as fake
from tests.sms.compose.support import page_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("reviewed_in", "confirmed_in", "said"),
    [
        ("en", "es", "Origen: escritos."),
        ("en", "de", "Aus: eingegeben."),
        ("es", "en", "From: typed in."),
    ],
)
def test_the_source_of_the_numbers_is_in_the_confirmation_s_language(
    signed_in, sends, reviewed_in, confirmed_in, said
):
    signed_in.defaults["HTTP_ACCEPT_LANGUAGE"] = reviewed_in
    reviewed = fake.review(signed_in, recipients="\n".join(fake.numbers(2)))
    assert reviewed.status_code == 302
    page = page_of(signed_in.get(reviewed["Location"], headers={"Accept-Language": confirmed_in}))
    assert said in page


def test_a_file_and_its_column_are_named_in_each_language():
    stored = source_key(typed=True, file_name="kunden.csv", column="Telefon")
    with translation.override("de"):
        assert describe_source(stored) == "eingegeben und kunden.csv, Spalte „Telefon“"
    with translation.override("en"):
        assert describe_source(stored) == "typed in and kunden.csv, column “Telefon”"
    assert describe_source(source_key(typed=False, file_name="a.csv")) == "a.csv"
    assert describe_source(source_key(typed=False)) == ""


def test_a_send_stored_before_keeps_its_words():
    assert describe_source("typed in") == "typed in"
    assert describe_source("{not json") == "{not json"
