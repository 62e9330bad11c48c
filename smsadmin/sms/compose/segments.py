"""Count the SMS segments a message needs, as the compose screen shows it live.

A message is sent in GSM-7 when every character is in the 3GPP TS 23.038 default
alphabet or its extension table, otherwise in UCS-2. Long messages are split
into concatenated segments that lose room to the user data header.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from smsadmin.sociostacks.content import MAX_STORED_CHARS

# Upstream cuts the stored content after this many characters.
MAX_CONTENT_LENGTH = MAX_STORED_CHARS

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The default alphabet in code order 0x00-0x7F, without 0x1B: that is the escape
# to the extension table, never a character of its own.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as escape + character: two septets each.
GSM7_EXTENDED = frozenset("\f^{}\\[]~|€")

# One segment carries 140 octets: 160 septets or 70 UTF-16 units. Concatenated
# segments give 6 octets to the header: 153 septets or 67 units.
_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}

# Characters that force UCS-2 but have a GSM-7 look-alike; word processors and
# phones put them in without asking.
LOOKALIKES: dict[str, str] = {
    "\N{LEFT SINGLE QUOTATION MARK}": "'",
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "\N{SINGLE LOW-9 QUOTATION MARK}": "'",
    "\N{SINGLE HIGH-REVERSED-9 QUOTATION MARK}": "'",
    "\N{PRIME}": "'",
    "`": "'",
    "\N{ACUTE ACCENT}": "'",
    "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK}": "'",
    "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}": "'",
    "\N{LEFT DOUBLE QUOTATION MARK}": '"',
    "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
    "\N{DOUBLE LOW-9 QUOTATION MARK}": '"',
    "\N{DOUBLE HIGH-REVERSED-9 QUOTATION MARK}": '"',
    "\N{DOUBLE PRIME}": '"',
    "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
    "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
    "\N{HYPHEN}": "-",
    "\N{NON-BREAKING HYPHEN}": "-",
    "\N{FIGURE DASH}": "-",
    "\N{EN DASH}": "-",
    "\N{EM DASH}": "-",
    "\N{HORIZONTAL BAR}": "-",
    "\N{MINUS SIGN}": "-",
    "\N{HORIZONTAL ELLIPSIS}": "...",
    "\t": " ",
    "\N{NO-BREAK SPACE}": " ",
    "\N{EN SPACE}": " ",
    "\N{EM SPACE}": " ",
    "\N{THIN SPACE}": " ",
    "\N{NARROW NO-BREAK SPACE}": " ",
    "\N{ZERO WIDTH SPACE}": "",
    "\N{SOFT HYPHEN}": "",
}
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)

_ZERO_WIDTH_JOINER = "\N{ZERO WIDTH JOINER}"
_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    length: int  # characters as the person sees them
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int  # 0 for an empty message
    per_segment: int  # room in each segment: 160/70 for one segment, 153/67 when split
    remaining_in_segment: int  # room left in the last segment
    ucs2_characters: list[str]  # distinct characters forcing UCS-2, first appearance first
    replaceable: dict[str, str]  # those of them with a GSM-7 look-alike → the look-alike

    @property
    def all_replaceable(self) -> bool:
        """True when replace_lookalikes() would turn the message into GSM-7."""
        return bool(self.ucs2_characters) and len(self.replaceable) == len(self.ucs2_characters)


def count_segments(text: str) -> SegmentCount:
    ucs2_characters = list(
        dict.fromkeys(char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENDED)
    )
    if ucs2_characters:
        encoding = UCS2
        # Characters outside the BMP are a surrogate pair: two UTF-16 units.
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    else:
        encoding = GSM7
        costs = [2 if char in GSM7_EXTENDED else 1 for char in text]
    single, concatenated = _LIMITS[encoding]
    segments, used_in_last = _pack(costs, single, concatenated)
    per_segment = concatenated if segments > 1 else single
    return SegmentCount(
        encoding=encoding,
        length=_visible_length(text),
        units=sum(costs),
        segments=segments,
        per_segment=per_segment,
        remaining_in_segment=per_segment - used_in_last,
        ucs2_characters=ucs2_characters,
        replaceable={char: LOOKALIKES[char] for char in ucs2_characters if char in LOOKALIKES},
    )


def replace_lookalikes(text: str) -> str:
    """Replace typographic characters by their GSM-7 look-alikes (“…” → "...")."""
    return text.translate(_LOOKALIKE_TABLE)


def _pack(costs: list[int], single: int, concatenated: int) -> tuple[int, int]:
    """Return (segments, units used in the last segment).

    A character's units never straddle two segments: an escape pair or a
    surrogate pair that does not fit moves whole to the next segment, leaving a
    unit unused, so the count can exceed units / concatenated rounded up.
    """
    total = sum(costs)
    if total <= single:
        return (1 if total else 0), total
    segments, used = 1, 0
    for cost in costs:
        if used + cost > concatenated:
            segments += 1
            used = 0
        used += cost
    return segments, used


def _visible_length(text: str) -> int:
    """Count characters as displayed: an approximation of Unicode grapheme clusters.

    Combining marks, emoji modifiers, variation selectors and tags belong to the
    character before them, a zero-width joiner glues two emoji into one, two
    regional indicators make one flag, and CR LF is one line break.
    """
    count = 0
    previous = ""
    flag_open = False  # an odd regional indicator waits for its partner
    for char in text:
        joins = previous == _ZERO_WIDTH_JOINER or (previous == "\r" and char == "\n")
        if count and _extends_previous(char):
            joins = True
        if "\U0001f1e6" <= char <= "\U0001f1ff":
            joins = joins or flag_open
            flag_open = not flag_open
        else:
            flag_open = False
        if not joins:
            count += 1
        previous = char
    return count


def _extends_previous(char: str) -> bool:
    return (
        char == _ZERO_WIDTH_JOINER
        or unicodedata.category(char) in _MARK_CATEGORIES
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tone modifiers
        or "\U000e0020" <= char <= "\U000e007f"  # tags (subdivision flags)
    )
