"""The account's contacts as compose uses them: names that stand for numbers.

Built from the contact directory as it was last read (no upstream call while
someone types). A name typed alone in the recipients box stands for its
contact's number; a name two contacts share stands for neither, because
picking one of them for the person would send to someone they did not choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from smsadmin.sociostacks.types import Contact

SUGGESTIONS = 8
# A partial name shorter than this matches half the directory.
MIN_TYPED = 2

_SPACES = re.compile(r"\s+")
# What ends an entry of the recipients box (the parser's separators).
_SEPARATORS = "\n\r,;\t"


def name_key(text: str) -> str:
    """How names are compared: case, accents' case and runs of spaces do not matter."""
    return _SPACES.sub(" ", text).strip().casefold()


def e164_of(contact: Contact) -> str:
    return "+" + "".join(filter(str.isdigit, contact.phone_number))


@dataclass(frozen=True, slots=True)
class Listed:
    """A contact as the recipients box shows it."""

    name: str
    number: str  # E.164
    opted_out: bool


class ContactBook:
    def __init__(self, contacts: Iterable[Contact]) -> None:
        listed = [
            Listed(name=c.name.strip(), number=e164_of(c), opted_out=c.has_opted_out)
            for c in contacts
            if c.phone_number
        ]
        self._listed = sorted(listed, key=lambda entry: name_key(entry.name))
        by_name: dict[str, list[str]] = {}
        for entry in self._listed:
            if entry.name and entry.number not in by_name.setdefault(name_key(entry.name), []):
                by_name[name_key(entry.name)].append(entry.number)
        self.numbers_by_name: Mapping[str, tuple[str, ...]] = {
            key: tuple(numbers) for key, numbers in by_name.items()
        }
        self.opted_out = frozenset(entry.number for entry in self._listed if entry.opted_out)

    def suggest(self, recipients_text: str) -> tuple[str, list[Listed]]:
        """The entry being typed (the text after the last separator) and the contacts it matches.

        Every word typed must begin a word of the name ("mar kel" finds Maria
        Keller); only an entry with a letter in it is a name being typed.
        """
        start = max(recipients_text.rfind(separator) for separator in _SEPARATORS) + 1
        typed = recipients_text[start:].strip()
        words = name_key(typed).split()
        if len(typed) < MIN_TYPED or not any(ch.isalpha() for ch in typed):
            return typed, []
        found: list[Listed] = []
        for entry in self._listed:
            name_words = name_key(entry.name).split()
            if all(any(part.startswith(word) for part in name_words) for word in words):
                found.append(entry)
                if len(found) == SUGGESTIONS:
                    break
        return typed, found


def book_of(contacts: Mapping[int, Contact] | None) -> ContactBook | None:
    return None if contacts is None else ContactBook(contacts.values())
