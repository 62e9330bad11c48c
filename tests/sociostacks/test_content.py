"""The content rules: what Sociostacks stores for what was typed, and how it is read back."""

import pytest

from smsadmin.sociostacks import content


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("5 < 6 ok", "5"),
        ("Prices < 5", "Prices"),
        ("<b>Reply STOP</b> to opt out", "Reply STOP to opt out"),
        ("a<b and c>d", "ad"),
        ("love you <3", "love you"),
        ("5 > 4 stays", "5 > 4 stays"),
        ("Fish & chips", "Fish & chips"),
        ("one  two   three", "one two three"),
        ("line one  \r\n  line two\rthree", "line one\nline two\nthree"),
        ("  padded  ", "padded"),
        (
            "He said \N{LEFT DOUBLE QUOTATION MARK}hi\N{RIGHT DOUBLE QUOTATION MARK} \N{EM DASH} "
            "it\N{RIGHT SINGLE QUOTATION MARK}s ok\N{HORIZONTAL ELLIPSIS}",
            'He said "hi" - it\'s ok...',
        ),
        ("zero\u200bwidth\ufeff", "zerowidth"),
    ],
)
def test_it_predicts_what_sociostacks_stores(typed, stored):
    assert content.rewrite(typed).stored == stored


def test_typed_quotes_are_stored_as_typed_because_they_are_posted_typographic():
    rewrite = content.rewrite('it\'s a "test"')

    right_single, right_double = (
        "\N{RIGHT SINGLE QUOTATION MARK}",
        "\N{RIGHT DOUBLE QUOTATION MARK}",
    )
    assert rewrite.sent == f"it{right_single}s a {right_double}test{right_double}"
    assert rewrite.stored == 'it\'s a "test"'
    assert not rewrite.changes_text
    assert rewrite.length == len('it\'s a "test"')


def test_plain_quotes_posted_as_such_would_cost_five_characters_each():
    stored, cut = content.store("'" * 250)

    assert stored == "&#39;" * 200
    assert len(cut) == 250 * 5 - 1000


def test_a_lone_angle_bracket_says_what_it_takes_with_it():
    rewrite = content.rewrite("Prices < 5 today")

    assert rewrite.lone_angle == "< 5 today"
    assert rewrite.tags == ()
    assert rewrite.changes_text


def test_tags_are_listed_and_are_not_a_lone_angle():
    rewrite = content.rewrite("<b>bold</b> text")

    assert rewrite.tags == ("<b>", "</b>")
    assert rewrite.lone_angle == ""


def test_the_fix_keeps_every_angle_bracket_and_the_meaning():
    fixed = content.without_lone_angles("Prices < 5, <b>new</b> <3")
    rewrite = content.rewrite(fixed)

    assert rewrite.markup == ()
    sign = "\N{FULLWIDTH LESS-THAN SIGN}"
    assert rewrite.stored == f"Prices {sign} 5, {sign}b>new{sign}/b> {sign}3"


def test_the_cut_is_counted_on_what_is_stored_and_says_what_is_lost():
    rewrite = content.rewrite("x" * 995 + " the end")

    assert rewrite.length == 1003
    assert rewrite.over_by == 3
    assert rewrite.cut == "end"
    assert len(rewrite.stored) == 1000


def test_exactly_1000_stored_characters_fit():
    rewrite = content.rewrite("y" * 1000)

    assert rewrite.cut == "" and rewrite.over_by == 0


def test_a_message_of_markup_only_is_empty_once_rewritten():
    assert content.rewrite("<p></p>  ").is_empty


def test_changes_are_named():
    rewrite = content.rewrite("Hi  there \N{EM DASH} it\N{RIGHT SINGLE QUOTATION MARK}s\u200b me")

    assert rewrite.typography == ("\N{EM DASH}", "\N{RIGHT SINGLE QUOTATION MARK}")
    assert rewrite.zero_width == 1
    assert rewrite.spacing_changed


def test_spaces_left_by_removed_markup_are_not_a_spacing_change_of_their_own():
    assert not content.rewrite("Prices < 5").spacing_changed


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("it&#39;s a &#34;test&#34;", 'it\'s a "test"'),
        ("&amp; &lt;b&gt; &#039; &quot;", "&amp; &lt;b&gt; &#039; &quot;"),
        ("&#38;#39;", "&#38;#39;"),
        ("<script>", "<script>"),
    ],
)
def test_shown_decodes_exactly_the_two_entities_the_server_adds(stored, shown):
    assert content.shown(stored) == shown
