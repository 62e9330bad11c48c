"""The words of a template a person reads that are not marked for translation.

A static reading of the template source, so it reports file and line before
anything renders. Django's own lexer splits the source into text and tags;
the tags are blanked out (keeping their line breaks), a ``blocktranslate`` or
``comment`` block as a whole, and what is left is read as HTML: its text
nodes and the attributes a person reads or hears (``title``, ``aria-label``,
``placeholder``, ``alt``, a submit button's ``value``). Inside tags, a quoted
sentence handed on (``with caption="…"``, ``|default:"…"``) and
``|pluralize`` (English's "s") count too: both reach the page untranslated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import DebugLexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

# The same in every language (locale/GLOSSARY.md and product names).
SAME_EVERYWHERE = {"smsadmin", "Sociostacks", "SIM", "SMS", "GSM-7", "UCS-2", "CSV", "OK", "UTC"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Not prose: code, settings' names and what a person types are the same in every language.
UNREAD_ELEMENTS = ("script", "style", "code", "pre", "kbd", "samp")
# Where a tag's quoted arguments are names, paths or formats, never sentences.
NAME_TAGS = {
    "extends",
    "load",
    "url",
    "static",
    "block",
    "partialdef",
    "partial",
    "translate",
    "trans",
    "blocktranslate",
    "blocktrans",
    "get_current_language",
    "get_available_languages",
    "csrf_token",
    "cycle",
    # A condition's literals are compared with data ({% if row.status == "no password" %}),
    # never shown; what the branch shows is read as text like any other.
    "if",
    "elif",
}
HOLE = "\x00"
LETTER = re.compile(r"[^\W\d_]")
QUOTED = re.compile(r"""(_\()?(["'])(.*?)\2""")


@dataclass(frozen=True)
class Unmarked:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def is_words(text: str) -> bool:
    """Text a person reads: letters left once the words every language shares are gone."""
    for same in SAME_EVERYWHERE:
        text = re.sub(rf"(?<![\w-]){re.escape(same)}(?![\w-])", "", text)
    return bool(LETTER.search(text))


def _sentence_like(literal: str) -> bool:
    """A quoted argument that is prose (``"Nothing is scheduled."``), not a name (``"sent"``)."""
    if not is_words(literal):
        return False
    return bool(re.search(r"\s|[.…:!?()]$|^[A-Z]", literal)) and not re.fullmatch(
        r"[A-Z0-9_]+", literal
    )


def _unmarked_in_tag(kind: TokenType, contents: str) -> list[str]:
    found = []
    if kind == TokenType.BLOCK:
        name, _, rest = contents.partition(" ")
        if name in NAME_TAGS:
            return []
        if name == "include":
            # The template's name is a path; what follows `with` is handed on.
            rest = rest.partition(" with ")[2]
    else:
        rest = contents
    if re.search(r"\|\s*pluralize\b", rest):
        found.append("|pluralize (English plural: use blocktranslate count)")
    for marked, _, literal in QUOTED.findall(rest):
        if marked:
            continue
        if re.search(r"\|\s*(date|time)\s*:\s*$", rest[: rest.find(literal) - 1]):
            continue
        if _sentence_like(literal):
            found.append(literal)
    return found


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping: list[str] = []

    def _keep(self, raw: str) -> None:
        text = " ".join(raw.replace(HOLE, " ").split())
        if is_words(text):
            # The line of the first word, not of the blank lines before it.
            first = LETTER.search(raw)
            before = raw[: first.start()] if first else ""
            self.found.append((self.getpos()[0] + before.count("\n"), text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNREAD_ELEMENTS:
            self._skipping.append(tag)
        values = dict(attrs)
        for name, value in attrs:
            shown = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in ("submit", "button")
            )
            if shown and value:
                self._keep(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in UNREAD_ELEMENTS:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._keep(data)


def _blank(text: str) -> str:
    """A hole where a tag was, with its line breaks kept so lines still count right."""
    return HOLE + "\n" * text.count("\n")


def unmarked_text(source: str, name: str) -> list[Unmarked]:
    """Every piece of English in ``source`` that no translation tag covers, with its line."""
    html: list[str] = []
    found: list[Unmarked] = []
    closing: str | None = None  # inside blocktranslate … or comment …, until its end tag
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        text = source[start:end]
        tag = token.contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        if closing:
            html.append(_blank(text))
            if tag == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            html.append(text)
            continue
        html.append(_blank(text))
        if tag in ("blocktranslate", "blocktrans"):
            closing = "end" + tag
        elif tag == "comment":
            closing = "endcomment"
        elif token.token_type in (TokenType.BLOCK, TokenType.VAR):
            for literal in _unmarked_in_tag(token.token_type, token.contents):
                found.append(Unmarked(name, token.lineno, literal))
    reader = _TextReader()
    reader.feed("".join(html))
    reader.close()
    found += [Unmarked(name, line, text) for line, text in reader.found]
    return sorted(found, key=lambda item: item.line)


def loads_i18n(source: str) -> bool:
    return bool(re.search(r"{%\s*load\s[^%]*\bi18n\b", source))


def uses_translation(source: str) -> bool:
    return bool(re.search(r"{%\s*(translate|trans|blocktranslate|blocktrans)\b|\b_\(", source))


def every_template() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))
