"""Every template's words are marked for translation, and it loads i18n to mark them (issue 21).

A static check of the sources in templates/: the failure lists each unmarked
piece of English as ``file:line: 'text'``, so what is left after a merge is
a list to work through. tests/i18n/template_text.py says what counts as text.
"""

from pathlib import Path

import pytest

from tests.i18n.template_text import (
    ROOT,
    every_template,
    is_words,
    loads_i18n,
    unmarked_text,
    uses_translation,
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_template_shows_english_outside_translate():
    found = [
        item for path in every_template() for item in unmarked_text(path.read_text(), _name(path))
    ]
    files = sorted({item.template for item in found})
    if found:
        pytest.fail(
            f"{len(found)} unmarked texts in {len(files)} templates "
            "(wrap them in {% translate %} / {% blocktranslate trimmed %}, "
            'or pass _("…") to a tag):\n' + "\n".join(map(str, found)),
            pytrace=False,
        )


def test_every_template_with_words_loads_i18n():
    missing = [
        _name(path)
        for path in every_template()
        if (uses_translation(path.read_text()) or unmarked_text(path.read_text(), _name(path)))
        and not loads_i18n(path.read_text())
    ]
    if missing:
        pytest.fail(
            "templates with text but no {% load i18n %}:\n" + "\n".join(missing), pytrace=False
        )


# --- The checker itself: it finds what it must, and only that. -----------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<h1>Scheduled messages</h1>", [(1, "Scheduled messages")]),
        ("{% block title %}Compose{% endblock %}", [(1, "Compose")]),
        (
            '<nav aria-label="Main">\n<a title="Open it">{{ x }}</a></nav>',
            [(1, "Main"), (2, "Open it")],
        ),
        ('<input type="submit" value="Save">', [(1, "Save")]),
        ('<input placeholder="+49 151 …">', []),
        ("<p>{{ count }} valid number{{ count|pluralize }}</p>", None),
        (
            '{% include "t.html" with empty="Nothing is scheduled." %}',
            [(1, "Nothing is scheduled.")],
        ),
        ('{{ value|default:"(nothing)" }}', [(1, "(nothing)")]),
        ("<p>\n\n  {% if x %}Looked through{% endif %}</p>", [(3, "Looked through")]),
        (
            '{% if s == "no password" %}no password yet'
            '{% elif s != "up to date" %}{{ s }}{% endif %}',
            [(1, "no password yet")],
        ),
        ("<script>var label = 'Hello there';</script><style>a::after{content:'x'}</style>", []),
    ],
)
def test_the_checker_finds_unmarked_english(source, expected):
    found = [(item.line, item.text) for item in unmarked_text(source, "t.html")]
    if expected is None:
        assert (1, "valid number") in found
        assert any("pluralize" in text for _, text in found)
    else:
        assert found == expected


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<h1>{% translate "Scheduled messages" %}</h1>',
        "{% load i18n %}{% blocktranslate trimmed count n=n %}\n  One message\n"
        "{% plural %}\n  {{ n }} messages{% endblocktranslate %}",
        '{% load i18n %}{% include "t.html" with empty=_("Nothing is scheduled.") %}',
        '{% url "sms:list" %}{% static "css/app.css" %}{% extends "base.html" %}',
        '{{ when|date:"SHORT_DATETIME_FORMAT" }}{% if status == "sent" %}{% endif %}',
        '{% if row.status == "no password" %}{% elif phase != "never synced" %}{% endif %}',
        "<p>{{ a }} · {{ b }} → #{{ c }}</p><span>SIM {{ n }}</span><a>smsadmin</a>",
        "{% comment %}Why this is so.{% endcomment %}{# a note #}",
        '<p class="Words In Classes" id="Not-read">&nbsp;—&nbsp;</p>',
        '<p>{% load i18n %}{% translate "Set" %} <code>EMAIL_URL</code></p><pre>Raw text</pre>',
    ],
)
def test_the_checker_leaves_marked_and_machine_text_alone(source):
    assert unmarked_text(source, "t.html") == []


def test_a_template_with_marked_words_must_load_i18n():
    assert uses_translation('{% translate "Save" %}')
    assert not loads_i18n('{% translate "Save" %}')
    assert loads_i18n("{% load static i18n %}") and loads_i18n("{% load i18n %}")
    assert not is_words("12 · 3 / 4") and is_words("3 segments")
