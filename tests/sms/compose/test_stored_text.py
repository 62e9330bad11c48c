"""Compose shows the text as Sociostacks will store it, explains each change, offers the fix."""

import pytest

from smsadmin.sms.models import SendRequest
from tests.sms.compose import support as fake

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
FULLWIDTH_LESS_THAN = "\N{FULLWIDTH LESS-THAN SIGN}"


def check_content(client, content: str) -> str:
    response = client.post("/compose/check-content", {"content": content}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_lone_less_than_sign_is_flagged_with_what_it_would_remove(signed_in):
    fragment = check_content(signed_in, "Prices < 5 today")

    assert "Sociostacks will store and send:" in fragment
    assert '<div class="content-full">Prices</div>' in fragment
    assert "so “&lt; 5 today” would not be sent" in fragment
    assert 'value="keep_angle_brackets"' in fragment
    assert 'hx-post="/compose/keep-angle-brackets"' in fragment


def test_the_fix_keeps_the_meaning_and_nothing_is_stripped_any_more(signed_in):
    response = signed_in.post(
        "/compose/keep-angle-brackets", {"content": "Prices < 5 today"}, headers=HTMX
    )

    fragment = response.content.decode()
    assert f"Prices {FULLWIDTH_LESS_THAN} 5 today</textarea>" in fragment
    assert "Sociostacks will store and send:" not in fragment
    assert "UCS-2" in fragment


def test_the_fix_works_without_javascript_and_keeps_the_rest(signed_in, upstream):
    fake.devices(upstream)

    response = signed_in.post(
        "/compose/",
        fake.form_data(content="5 < 6", recipients="+491701234567", action="keep_angle_brackets"),
    )

    page = response.content.decode()
    assert f"5 {FULLWIDTH_LESS_THAN} 6</textarea>" in page
    assert "+491701234567</textarea>" in page
    assert not SendRequest.objects.exists()


def test_tags_are_named_as_removed(signed_in):
    fragment = check_content(signed_in, "<b>Reply STOP</b> to opt out")

    assert '<div class="content-full">Reply STOP to opt out</div>' in fragment
    assert "removes what looks like HTML tags: &lt;b&gt; &lt;/b&gt;" in fragment


def test_typed_quotes_need_no_explaining_and_count_one_character_each(signed_in):
    fragment = check_content(signed_in, 'it\'s a "test"')

    assert "Sociostacks will store and send:" not in fragment
    assert "13 / 1000 characters" in fragment
    assert "GSM-7" in fragment


def test_a_thousand_quotes_fit_because_they_are_not_stored_as_entities(signed_in, sends):
    response, token = fake.confirm_and_send(signed_in, content='"' * 1000)

    assert response.status_code == 302
    assert SendRequest.objects.get(token=token).state == SendRequest.State.SENT


def test_the_cut_says_what_would_be_lost(signed_in, sends):
    response = fake.review(signed_in, content="x" * 995 + " the end")

    page = response.content.decode()
    assert "The message is 1,003 characters as Sociostacks stores it" in page
    assert "would cut off the end (“end”)" in page
    assert not sends.posts


def test_markup_only_is_refused_before_anything_is_sent(signed_in, sends):
    page = fake.review(signed_in, content="<p></p>").content.decode()

    assert "Nothing of the message would be left" in page
    assert not SendRequest.objects.exists()


def test_the_confirmation_shows_the_stored_text_and_why_it_differs(signed_in, sends):
    reviewed = fake.review(signed_in, content='Prices < 5, it\'s "on"')

    page = signed_in.get(reviewed["Location"]).content.decode()

    assert '<div class="content-full">Prices</div>' in page
    assert "not quite as typed" in page and "would not be sent" in page


def test_the_confirmation_shows_quotes_as_typed(signed_in, sends):
    reviewed = fake.review(signed_in, content='it\'s "on"')

    page = signed_in.get(reviewed["Location"]).content.decode()

    assert '<div class="content-full">it&#x27;s &quot;on&quot;</div>' in page
    assert "not quite as typed" not in page


def test_segments_are_counted_on_the_stored_text(signed_in, sends):
    # 161 typed characters, 160 once Sociostacks has made the double space one.
    reviewed = fake.review(signed_in, content="a" * 80 + "  " + "a" * 79)

    assert SendRequest.objects.get(token=fake.token_of(reviewed)).segments == 1
