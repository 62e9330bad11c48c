"""What Sociostacks does to a message's text, predicted before the send and undone when shown.

The real 66text server (sociostacks-api.md, "Creating messages") rewrites the
content before it stores it and hands it to the phone:

1. tags are stripped, and so is everything from a ``<`` that has no ``>``
   after it (``5 < 6 ok`` → ``5``);
2. ``'`` becomes ``&#39;`` and ``"`` becomes ``&#34;``;
3. line endings become ``\\n``, runs of spaces become one, spaces around line
   breaks and at either end go, typographic quotes, dashes and the ellipsis
   become ASCII (``TYPOGRAPHY``), zero-width characters go;
4. the result is cut to 1000 characters, counted with the entities of step 2.

This module is the site's one place that knows those rules (the sandbox fakes
the server on its own). ``rewrite`` predicts what will be stored and says what
changed; ``shown`` undoes the two entities of step 2, and nothing else, for
anything read back from upstream.

How quotes are sent: step 3 runs after step 2, so a typographic quote reaches
the store as a plain, unencoded ASCII quote. smsadmin therefore posts every
``'`` as a right single and every ``"`` as a right double quotation mark: what
is stored and sent to the phone is then exactly the plain quote the person
typed, costing one character (not five) and staying in GSM-7. Should a later
release stop rewriting typography, the phone would send the typographic
quote: still the same text to a reader.
"""

import re
from dataclasses import dataclass

MAX_STORED_CHARS = 1000

# Step 2's entities, and the only two `shown` decodes: anything else that
# looks like an entity was typed that way and is shown that way.
_ENTITIES = {"&#39;": "'", "&#34;": '"'}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))

# What smsadmin posts instead of the ASCII quotes (see the module docstring).
_QUOTES_FOR_SENDING = str.maketrans(
    {"'": "\N{RIGHT SINGLE QUOTATION MARK}", '"': "\N{RIGHT DOUBLE QUOTATION MARK}"}
)

# A tag, or a lone "<" and everything after it: the regex takes "<" up to the
# next ">" or, when there is none, up to the end.
_MARKUP = re.compile(r"<[^>]*(?:>|\Z)")

# Step 3's typography, in the server's own table.
TYPOGRAPHY = {
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "\N{LEFT SINGLE QUOTATION MARK}": "'",
    "\N{LEFT DOUBLE QUOTATION MARK}": '"',
    "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
    "\N{EM DASH}": "-",
    "\N{EN DASH}": "-",
    "\N{HORIZONTAL ELLIPSIS}": "...",
}
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_STEP_3_TABLE = str.maketrans({**TYPOGRAPHY, **dict.fromkeys(ZERO_WIDTH, "")})
_SPACE_RUN = re.compile(" {2,}")
_SPACES_AT_BREAK = re.compile(" *\n *")

# The fix offered for a "<": the fullwidth less-than sign is the same sign
# (its compatibility form is "<"), so the text means what it did in any
# language and any use ("<3", "a<b", "<-- here"), and the server leaves it be.
LESS_THAN_STANDIN = "\N{FULLWIDTH LESS-THAN SIGN}"


@dataclass(frozen=True)
class Rewrite:
    """A message as typed, as posted, and as Sociostacks will store it (and the phone send it)."""

    typed: str
    sent: str
    stored: str
    markup: tuple[str, ...]  # every piece step 1 removes, as typed, in order
    typography: tuple[str, ...]  # typed characters step 3 turns into ASCII
    zero_width: int  # invisible characters step 3 drops
    spacing_changed: bool  # step 3 changed spaces or line breaks
    cut: str  # what step 4 cuts off the end, "" when it fits

    @property
    def lone_angle(self) -> str:
        """What a "<" with no ">" after it takes with it, as typed ("" when there is none)."""
        last = self.markup[-1] if self.markup else ""
        return last if last and not last.endswith(">") else ""

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(piece for piece in self.markup if piece.endswith(">"))

    @property
    def is_empty(self) -> bool:
        """Nothing would be left to send: Sociostacks refuses such a message."""
        return not self.stored

    @property
    def length(self) -> int:
        """Characters as Sociostacks counts them for its limit, before the cut."""
        return len(self.stored) + len(self.cut)

    @property
    def over_by(self) -> int:
        return max(0, self.length - MAX_STORED_CHARS)

    @property
    def changes_text(self) -> bool:
        return shown(self.stored) != self.typed


def for_sending(typed: str) -> str:
    """The content to post, so that what is stored is what was typed (see the docstring)."""
    return typed.translate(_QUOTES_FOR_SENDING)


def _characters(text: str) -> str:
    """Step 3 but for spacing: line endings, typography, zero-width characters."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_STEP_3_TABLE)


def _spacing(text: str) -> str:
    """Step 3's spacing: one space for a run, none around a line break or at either end."""
    return _SPACES_AT_BREAK.sub("\n", _SPACE_RUN.sub(" ", text)).strip(" \n")


def store(posted: str) -> tuple[str, str]:
    """Sociostacks' four steps over posted content: (what it keeps, what its cut drops)."""
    text = _MARKUP.sub("", posted)
    text = text.replace("'", "&#39;").replace('"', "&#34;")
    text = _spacing(_characters(text))
    return text[:MAX_STORED_CHARS], text[MAX_STORED_CHARS:]


def rewrite(typed: str) -> Rewrite:
    sent = for_sending(typed)
    stored, cut = store(sent)
    # Quotes are swapped one for one, so the markup sits where it was typed.
    without_markup = _MARKUP.sub("", typed)
    # Spaces left around removed markup go with it; only the typed ones count here.
    characters = _characters(typed)
    return Rewrite(
        typed=typed,
        sent=sent,
        stored=stored,
        markup=tuple(_MARKUP.findall(typed)),
        typography=tuple(dict.fromkeys(char for char in without_markup if char in TYPOGRAPHY)),
        zero_width=sum(1 for char in without_markup if char in ZERO_WIDTH),
        spacing_changed=_spacing(characters) != characters,
        cut=shown(cut),
    )


def without_lone_angles(typed: str) -> str:
    """The one-click fix: every "<" as a sign the server keeps, so nothing is stripped."""
    return typed.replace("<", LESS_THAN_STANDIN)


def shown(stored: str) -> str:
    """Upstream text as it was meant: the two entities of step 2 decoded, nothing else.

    The result is still text from anyone: templates escape it like any other.
    """
    return _ENTITY.sub(lambda match: _ENTITIES[match.group()], stored)
