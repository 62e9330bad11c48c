"""SMS segment counting: pure functions, no database."""

from __future__ import annotations

import pytest

from smsadmin.sms.compose.segments import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENDED,
    MAX_CONTENT_LENGTH,
    UCS2,
    count_segments,
    replace_lookalikes,
)

EMOJI = "😀"  # outside the BMP: a surrogate pair, two UTF-16 units
# Typographic characters spelled out: they look like ASCII in the source.
OPEN_QUOTE = "\N{LEFT DOUBLE QUOTATION MARK}"
CLOSE_QUOTE = "\N{RIGHT DOUBLE QUOTATION MARK}"
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
EN_DASH = "\N{EN DASH}"
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def test_empty_message_has_no_segment() -> None:
    count = count_segments("")
    assert (count.encoding, count.length, count.units, count.segments) == (GSM7, 0, 0, 0)
    assert count.remaining_in_segment == 160


def test_gsm7_alphabet_is_the_3gpp_default_table() -> None:
    assert len(GSM7_BASIC) == 128 - 1  # every code point but the escape
    assert "\x1b" not in GSM7_BASIC
    assert {"@", "£", "¤", "Δ", "Ç", "\n", "\r", "§", "¿", "à"} <= GSM7_BASIC
    assert {"€", "[", "]", "{", "}", "\\", "^", "~", "|", "\f"} == GSM7_EXTENDED
    assert "`" not in GSM7_BASIC
    assert "ç" not in GSM7_BASIC


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [
        (1, 1, 160, 159),
        (160, 1, 160, 0),
        (161, 2, 153, 145),
        (306, 2, 153, 0),
        (307, 3, 153, 152),
    ],
)
def test_gsm7_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    count = count_segments("a" * length)
    assert count.encoding == GSM7
    assert (count.units, count.segments) == (length, segments)
    assert (count.per_segment, count.remaining_in_segment) == (per_segment, remaining)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [
        (70, 1, 70, 0),
        (71, 2, 67, 63),
        (134, 2, 67, 0),
        (135, 3, 67, 66),
    ],
)
def test_ucs2_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    count = count_segments("ж" * length)
    assert count.encoding == UCS2
    assert (count.units, count.segments) == (length, segments)
    assert (count.per_segment, count.remaining_in_segment) == (per_segment, remaining)


def test_extended_characters_count_two_septets() -> None:
    eighty = count_segments("€" * 80)
    assert (eighty.encoding, eighty.length, eighty.units, eighty.segments) == (GSM7, 80, 160, 1)
    eighty_one = count_segments("€" * 81)
    assert (eighty_one.units, eighty_one.segments) == (162, 2)


def test_escape_pair_is_not_split_across_segments() -> None:
    # 306 septets fit two segments exactly, but the "€" cannot start at the last
    # septet of the first one, so it moves over and the text needs a third.
    text = "a" * 152 + "€" + "a" * 152
    count = count_segments(text)
    assert count.units == 306
    assert count.segments == 3
    assert count.remaining_in_segment == 152


def test_emoji_counts_two_units_and_forces_ucs2() -> None:
    count = count_segments(f"Hi {EMOJI}")
    assert (count.encoding, count.length, count.units) == (UCS2, 4, 5)
    assert count.ucs2_characters == [EMOJI]
    assert count.replaceable == {}


def test_surrogate_pair_is_not_split_across_segments() -> None:
    text = "a" * 66 + EMOJI + "a" * 66
    count = count_segments(text)
    assert count.units == 134
    assert count.segments == 3


def test_length_counts_what_the_person_sees() -> None:
    family = "👨\u200d👩\u200d👧"
    flag = "🇩🇪"
    thumbs_up = "👍🏽"
    accented = "e\u0301"  # e + combining acute accent
    assert count_segments(family + flag + thumbs_up + accented + "\r\n").length == 5


def test_smart_quotes_force_ucs2_and_are_listed_as_replaceable() -> None:
    count = count_segments(f"{OPEN_QUOTE}Hello{CLOSE_QUOTE} {EN_DASH} it{APOSTROPHE}s {ELLIPSIS}")
    assert count.encoding == UCS2
    assert count.ucs2_characters == [OPEN_QUOTE, CLOSE_QUOTE, EN_DASH, APOSTROPHE, ELLIPSIS]
    assert count.replaceable == {
        OPEN_QUOTE: '"',
        CLOSE_QUOTE: '"',
        EN_DASH: "-",
        APOSTROPHE: "'",
        ELLIPSIS: "...",
    }
    assert count.all_replaceable is True


def test_not_all_replaceable_when_a_real_ucs2_character_remains() -> None:
    count = count_segments(f"{OPEN_QUOTE}Hi{CLOSE_QUOTE} {EMOJI}")
    assert count.ucs2_characters == [OPEN_QUOTE, CLOSE_QUOTE, EMOJI]
    assert count.all_replaceable is False


def test_replace_lookalikes_makes_the_message_gsm7_again() -> None:
    text = (
        f"{OPEN_QUOTE}Hello{CLOSE_QUOTE} {EN_DASH} it{APOSTROPHE}s\N{NO-BREAK SPACE}done{ELLIPSIS}"
    )
    replaced = replace_lookalikes(text)
    assert replaced == '"Hello" - it\'s done...'
    count = count_segments(replaced)
    assert count.encoding == GSM7
    assert count.ucs2_characters == []


def test_replace_lookalikes_leaves_other_text_alone() -> None:
    text = f"Grüße € {EMOJI}"
    assert replace_lookalikes(text) == text


def test_max_content_length_is_the_upstream_limit() -> None:
    assert MAX_CONTENT_LENGTH == 1000
