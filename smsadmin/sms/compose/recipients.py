"""Turn pasted text or an uploaded CSV into a clean list of E.164 recipients.

No request and no form: the compose screen hands in what the person pasted or
uploaded (``check_recipients``, which also picks the CSV column of numbers)
and shows back the valid numbers (duplicates removed), the entries that are
not numbers with the line they came from, and warnings for numbers that are
valid but may not receive SMS.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol

import phonenumbers
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from smsadmin.http import query_int
from smsadmin.sms.compose.contacts import name_key
from smsadmin.sms.wording import grouped
from smsadmin.spreadsheet import read_cell

MAX_RECIPIENTS = 100_000

NEEDS_COUNTRY_CODE = "needs a country code (+…)"

# Characters people use inside a phone number. Anything else (letters, "#", "*")
# is rejected before phonenumbers sees it, because phonenumbers would otherwise
# read letters as a vanity number ("1-800-FLOWERS") or "x"/"ext" as an extension.
_NUMBER_PUNCTUATION = (
    r"\s+\-./()\[\]"
    r"\N{HYPHEN}"
    r"\N{NON-BREAKING HYPHEN}"
    r"\N{FIGURE DASH}"
    r"\N{EN DASH}"
    r"\N{EM DASH}"
    r"\N{HORIZONTAL BAR}"
    r"\N{MINUS SIGN}"
)
_NOT_NUMBER_CHAR = re.compile(rf"[^\d{_NUMBER_PUNCTUATION}]")
_NUMBER_LIKE = re.compile(rf"[\d{_NUMBER_PUNCTUATION}]*\d[\d{_NUMBER_PUNCTUATION}]*")

# Numbers copied from phones and messengers often carry invisible direction marks
# or zero-width spaces; they are not part of the number.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff")
)

_CHUNK_SEPARATOR = re.compile(r"[,;\t]")
_WHITESPACE = re.compile(r"\s")
# "+44 7911 123456 +44 7911 654321": a "+" after a space starts the next number.
_SPACE_BEFORE_PLUS = re.compile(r"\s+(?=\+)")

_CSV_DELIMITERS = ",;\t|"
_CSV_SNIFF_CHARS = 16_384

_PARSE_ERROR_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: gettext_lazy("unknown country code"),
    NumberParseException.NOT_A_NUMBER: gettext_lazy("not a number"),
    NumberParseException.TOO_SHORT_AFTER_IDD: gettext_lazy("too short"),
    NumberParseException.TOO_SHORT_NSN: gettext_lazy("too short"),
    NumberParseException.TOO_LONG: gettext_lazy("too long"),
}

# Valid numbers of these types usually cannot receive SMS. Mobile, "fixed line or
# mobile" (the US, where the two cannot be told apart), VoIP and personal numbers
# pass without a warning.
_RISKY_TYPES = {
    PhoneNumberType.FIXED_LINE: gettext_lazy("fixed-line number: it may not receive SMS"),
    PhoneNumberType.TOLL_FREE: gettext_lazy("toll-free number: it may not receive SMS"),
    PhoneNumberType.PREMIUM_RATE: gettext_lazy("premium-rate number: it may not receive SMS"),
    PhoneNumberType.SHARED_COST: gettext_lazy("shared-cost number: it may not receive SMS"),
    PhoneNumberType.UAN: gettext_lazy("company (UAN) number: it may not receive SMS"),
    PhoneNumberType.VOICEMAIL: gettext_lazy("voicemail number: it may not receive SMS"),
    PhoneNumberType.PAGER: gettext_lazy("pager number: it may not receive SMS"),
}


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    line: int  # 1-based line of the pasted text, or row of the CSV file
    text: str  # as the person wrote it
    reason: str


@dataclass(frozen=True, slots=True)
class RecipientWarning:
    line: int
    number: str  # E.164
    reason: str


@dataclass(frozen=True, slots=True)
class NamedEntry:
    line: int
    name: str  # as the person wrote it
    number: str  # E.164 of the one contact with that name


class _Counted:
    """The counts a page shows of any list of recipients."""

    valid: list[str]
    invalid: Sequence[object]

    @property
    def valid_count(self) -> int:
        return len(self.valid)

    @property
    def invalid_count(self) -> int:
        return len(self.invalid)


@dataclass(frozen=True)
class RecipientsResult(_Counted):
    valid: list[str]  # E.164, first-seen order, no duplicates
    duplicates: int  # repeats removed from `valid`
    invalid: list[InvalidEntry]
    warnings: list[RecipientWarning]  # about numbers that are still in `valid`
    named: list[NamedEntry] = field(default_factory=list)  # names that stood for numbers

    @property
    def total_entries(self) -> int:
        return len(self.valid) + self.duplicates + len(self.invalid)


@dataclass(frozen=True)
class CsvColumns:
    """What a CSV holds, so the UI can ask which column has the numbers."""

    columns: list[str]  # header names, or "Column 1", "Column 2", … without a header
    has_header: bool
    sample: list[list[str]]  # the first data rows, cells stripped
    suggested: int | None  # index of the first column whose sample looks like numbers


class CsvError(ValueError):
    """The CSV cannot be read, or the requested column is not in it."""


@dataclass(frozen=True, slots=True)
class _Checked:
    text: str
    e164: str | None  # None when invalid
    number_type: int
    reason: str  # why it is invalid; empty when valid
    is_name: bool = False  # a contact's name that stood for its number


def parse_recipients(
    text: str,
    default_region: str | None = None,
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> RecipientsResult:
    """Parse numbers separated by newlines, commas, semicolons, tabs or spaces.

    Numbers without "+" or "00" are read as national numbers of `default_region`
    (e.g. "DE"); without a default region they are invalid. ``names`` maps a
    contact name (compared by ``name_key``) to the numbers of the contacts with
    that name: an entry that is exactly one contact's name stands for its number.
    """
    region = _normalise_region(default_region)
    return _collect(
        (line, checked)
        for line, chunk in _chunks(text)
        for checked in _entries_in_chunk(chunk, region, names or {})
    )


_ENTRY = re.compile(r"[^\s,;]+")


def rough_entry_count(text: str) -> int:
    """About how many entries ``text`` holds, found without parsing any of them."""
    return sum(1 for _ in _ENTRY.finditer(text))


def csv_columns(data: bytes | str, sample_size: int = 5) -> CsvColumns:
    """Describe the columns of a CSV: the first row is a header when none of its
    cells looks like a number."""
    rows: list[list[str]] = []
    for _line, cells in _non_blank_rows(_decode(data)):
        rows.append([cell.strip() for cell in cells])
        if len(rows) > sample_size:
            break
    if not rows:
        return CsvColumns(columns=[], has_header=False, sample=[], suggested=None)
    has_header = not any(_looks_like_number(cell) for cell in rows[0])
    sample = rows[1:] if has_header else rows[:sample_size]
    width = max(len(row) for row in rows)
    header = rows[0] if has_header else []
    columns = [
        header[index]
        if index < len(header) and header[index]
        else gettext("Column %(number)s") % {"number": index + 1}
        for index in range(width)
    ]
    candidates = [
        index
        for index in range(width)
        if any(index < len(row) and _looks_like_number(row[index]) for row in sample)
    ]
    # An id or a count looks like a number too (our own export starts with sms_id):
    # a column called "phone" wins, then one whose cells have a phone number's length.
    suggested = next(
        (i for i in candidates if i < len(header) and _PHONE_HEADER.search(header[i])),
        next(
            (i for i in candidates if any(_phone_length(row, i) for row in sample)),
            candidates[0] if candidates else None,
        ),
    )
    return CsvColumns(columns=columns, has_header=has_header, sample=sample, suggested=suggested)


_PHONE_HEADER = re.compile(r"phone|mobile|number|recipient|\btel|msisdn|handy|portable", re.I)


def _phone_length(row: list[str], index: int) -> bool:
    digits = sum(ch.isdigit() for ch in row[index]) if index < len(row) else 0
    return digits >= 7


def parse_recipients_csv(
    data: bytes | str, column: int | str = 0, default_region: str | None = None
) -> RecipientsResult:
    """Parse one column of a CSV, picked by 0-based index or by header name.

    By index, the first row is a header when its cell does not look like a number;
    by name, the first row is the header. Lines are reported as rows of the file.
    """
    region = _normalise_region(default_region)
    rows = _non_blank_rows(_decode(data))
    first = next(rows, None)
    if first is None:
        return _collect([])
    first_cells = first[1]
    index = _column_index(first_cells, column)
    if isinstance(column, int) and _looks_like_number(first_cells[index]):
        rows = chain([first], rows)  # no header: the first row is data
    values = ((line, cells[index].strip()) for line, cells in rows if index < len(cells))
    return _collect((line, _check(value, region)) for line, value in values if value)


def _normalise_region(region: str | None) -> str | None:
    if region is None:
        return None
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {region!r}")
    return region.upper()


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, chunk) for every non-empty piece between separators."""
    # StringIO with newline=None reads \r\n, \r and \n alike, lazily, so a huge
    # paste is not split up front.
    for line_number, line in enumerate(io.StringIO(text, newline=None), start=1):
        for chunk in _CHUNK_SEPARATOR.split(line.translate(_INVISIBLE)):
            stripped = chunk.strip()
            if stripped:
                yield line_number, stripped


def _entries_in_chunk(
    chunk: str, region: str | None, names: Mapping[str, tuple[str, ...]]
) -> list[_Checked]:
    """A chunk is one number written with spaces ("+44 7911 123456"), several
    numbers separated by spaces, or a contact's name; try the whole chunk first."""
    if names and _NOT_NUMBER_CHAR.search(chunk) and (numbers := names.get(name_key(chunk))):
        return [_named(chunk, numbers)]
    whole = _check(chunk, region)
    if whole.e164 or not _WHITESPACE.search(chunk):
        return [whole]
    groups = _SPACE_BEFORE_PLUS.split(chunk)
    if len(groups) > 1:
        return [checked for group in groups for checked in _entries_in_chunk(group, region, names)]
    pieces = [_check(piece, region) for piece in chunk.split()]
    # Only a split where every piece is a number is a list. Otherwise it is one
    # mistyped number, reported once as typed: its fragments are not numbers to
    # send to, even when one happens to be valid ("654321" is a German landline).
    return pieces if all(piece.e164 for piece in pieces) else [whole]


def _check(text: str, region: str | None) -> _Checked:
    if _NOT_NUMBER_CHAR.search(text):
        return _invalid(text, gettext("not a number"))
    # "00" is the international prefix almost everywhere, but phonenumbers only
    # accepts the default region's own prefix (the US one is "011").
    candidate = "+" + text[2:] if text.startswith("00") else text
    if region is None and "+" not in candidate:
        return _invalid(text, NEEDS_COUNTRY_CODE)
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException as error:
        reason = _PARSE_ERROR_REASONS.get(error.error_type)
        return _invalid(text, gettext("not a valid number") if reason is None else str(reason))
    # number_type() is UNKNOWN exactly for invalid numbers, so it doubles as the
    # validity check; calling is_valid_number() too would match the patterns twice.
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:
        return _invalid(text, _invalid_reason(number))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _Checked(text=text, e164=e164, number_type=number_type, reason="")


def _named(text: str, numbers: tuple[str, ...]) -> _Checked:
    if len(numbers) > 1:
        # Choosing one of them would send to someone the person did not pick.
        shown = ", ".join(numbers[:3]) + (", …" if len(numbers) > 3 else "")
        reason = ngettext(
            "%(count)s contact has this name (%(numbers)s): write the number you mean",
            "%(count)s contacts have this name (%(numbers)s): write the number you mean",
            len(numbers),
        ) % {"count": len(numbers), "numbers": shown}
        return _invalid(text, reason)
    number = _check(numbers[0], None)
    if number.e164 is None:
        reason = gettext("the contact's number %(number)s is %(reason)s") % {
            "number": numbers[0],
            "reason": number.reason,
        }
        return _invalid(text, reason)
    return _Checked(
        text=text, e164=number.e164, number_type=number.number_type, reason="", is_name=True
    )


def _invalid(text: str, reason: str) -> _Checked:
    return _Checked(text=text, e164=None, number_type=PhoneNumberType.UNKNOWN, reason=reason)


def _invalid_reason(number: phonenumbers.PhoneNumber) -> str:
    possible = phonenumbers.is_possible_number_with_reason(number)
    # "Possible local only" means the area code is missing: too short to text.
    if possible in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return gettext("too short")
    if possible == ValidationResult.TOO_LONG:
        return gettext("too long")
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        return gettext("unknown country code")
    return gettext("invalid for %(region)s") % {"region": _region_label(number)}


def _region_label(number: phonenumbers.PhoneNumber) -> str:
    # Region names would need phonenumbers' 40 MB geocoding data; the region code
    # is clear enough. Codes shared by several regions (+1, +7) and non-geographic
    # ones (+800) are shown as the calling code.
    region = phonenumbers.region_code_for_number(number)
    if region and region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return region
    return f"+{number.country_code}"


def _collect(entries: Iterable[tuple[int, _Checked]]) -> RecipientsResult:
    valid: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    invalid: list[InvalidEntry] = []
    warnings: list[RecipientWarning] = []
    named: list[NamedEntry] = []
    for count, (line, checked) in enumerate(entries, start=1):
        if count > MAX_RECIPIENTS:
            return _too_many(line, checked.text)
        if checked.is_name and checked.e164:
            named.append(NamedEntry(line=line, name=checked.text, number=checked.e164))
        if checked.e164 is None:
            invalid.append(InvalidEntry(line=line, text=checked.text, reason=checked.reason))
        elif checked.e164 in seen:
            duplicates += 1
        else:
            seen.add(checked.e164)
            valid.append(checked.e164)
            risky_type = _RISKY_TYPES.get(checked.number_type)
            if risky_type:
                reason = str(risky_type)
                warnings.append(RecipientWarning(line=line, number=checked.e164, reason=reason))
    return RecipientsResult(
        valid=valid, duplicates=duplicates, invalid=invalid, warnings=warnings, named=named
    )


def _too_many(line: int, text: str) -> RecipientsResult:
    """Refuse the whole list: the entries are consumed lazily, so this stops the
    work at the first entry over the cap instead of parsing everything."""
    reason = gettext("more than %(count)s numbers: split the list into smaller batches") % {
        "count": grouped(MAX_RECIPIENTS)
    }
    refusal = InvalidEntry(line=line, text=text, reason=reason)
    return RecipientsResult(valid=[], duplicates=0, invalid=[refusal], warnings=[])


def _looks_like_number(cell: str) -> bool:
    return _NUMBER_LIKE.fullmatch(cell.strip()) is not None


_UTF32_MARKS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UNICODE_MARKS = (*_UTF32_MARKS, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    # Excel writes UTF-8 with a BOM, "Unicode text" as UTF-16, and plain CSV in the
    # Windows code page; numbers are ASCII in all of them.
    if data.startswith(_UNICODE_MARKS):
        return _unicode_text(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unicode_text(data: bytes) -> str:
    # UTF-32's byte-order mark starts like UTF-16's, so it is tried first.
    encodings = ("utf-32", "utf-16") if data.startswith(_UTF32_MARKS) else ("utf-16",)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvError("it starts like Unicode text but is not, so it is not a CSV file")


def _sniff_delimiter(text: str) -> str:
    head = text[:_CSV_SNIFF_CHARS]
    # Sniff whole lines only: a cut-off last line looks like an inconsistent row.
    if len(text) > _CSV_SNIFF_CHARS and "\n" in head:
        head = head[: head.rindex("\n")]
    try:
        return csv.Sniffer().sniff(head, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        # A single column has no delimiter to find; for a ragged file the most
        # frequent candidate in the first line is the best guess.
        first_line = head.splitlines()[0] if head else ""
        return max(_CSV_DELIMITERS, key=first_line.count)


def _non_blank_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based line where the row starts, cells) for rows with content."""
    # Only the delimiter is sniffed: Sniffer's guesses for quoting are unreliable,
    # and the standard double-quote rules are what spreadsheets write.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                # Exports (ours and other tools') guard numbers like "+49…" with an apostrophe.
                yield start, [read_cell(cell) for cell in cells]
            start = reader.line_num + 1
    except csv.Error as error:
        raise CsvError(
            gettext("line %(line)s: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error


def _column_index(header: list[str], column: int | str) -> int:
    if isinstance(column, int):
        if not 0 <= column < len(header):
            raise CsvError(gettext("the file has no column %(number)s") % {"number": column + 1})
        return column
    names = [cell.strip().casefold() for cell in header]
    try:
        return names.index(column.strip().casefold())
    except ValueError:
        raise CsvError(
            gettext("the file has no column named %(name)s") % {"name": repr(column)}
        ) from None


# --- The compose form's recipients: the typed text and a CSV file as one checked list ---

# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) bounds the whole request; this limit
# turns a huge paste into a sentence instead of Django's 400 page.
MAX_RECIPIENTS_TEXT = 2_000_000
MAX_CSV_BYTES = 5 * 1024 * 1024
# A page listing 100,000 bad entries helps nobody; the first ones show the pattern.
SHOWN_ENTRIES = 200


class Upload(Protocol):
    """What is read of an uploaded file (Django's UploadedFile is one)."""

    @property
    def name(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...
    def seek(self, offset: int, /) -> object: ...
    def read(self) -> bytes: ...


@dataclass(frozen=True)
class Entry:
    """An entry of the recipients worth a line on the page: where, what, why."""

    where: str
    text: str
    reason: str


@dataclass(frozen=True)
class RecipientCheck(_Counted):
    """The typed numbers and the uploaded file as one list, with what is wrong in them."""

    valid: list[str] = field(default_factory=list)
    duplicates: int = 0
    invalid: list[Entry] = field(default_factory=list)
    warnings: list[Entry] = field(default_factory=list)
    # Where the numbers came from, as stored with the send: language-neutral
    # (see ``source_key``); ``source`` says it in the language of the request.
    source_key: str = ""
    file_name: str = ""
    columns: CsvColumns | None = None
    column_used: int | None = None
    error: str = ""  # why the recipients could not be read at all
    # Valid numbers whose contact opted out; None when that could not be checked.
    opted_out: list[str] | None = field(default_factory=list)
    # Contact names that stood for numbers: "line 2: Maria Keller → +49…".
    named: list[Entry] = field(default_factory=list)
    # The file's entries as lines of text, to carry them into the recipients
    # box when the form comes back (a file input cannot be filled again).
    upload_as_text: str = ""

    @property
    def source(self) -> str:
        return describe_source(self.source_key)

    @property
    def is_empty(self) -> bool:
        return not (self.valid or self.invalid or self.duplicates or self.error)

    @property
    def shown_invalid(self) -> list[Entry]:
        return self.invalid[:SHOWN_ENTRIES]

    @property
    def more_invalid(self) -> int:
        return max(0, len(self.invalid) - SHOWN_ENTRIES)

    @property
    def shown_warnings(self) -> list[Entry]:
        return self.warnings[:SHOWN_ENTRIES]

    @property
    def more_warnings(self) -> int:
        return max(0, len(self.warnings) - SHOWN_ENTRIES)


def _merge(parts: Sequence[tuple[str, RecipientsResult]]) -> dict[str, Any]:
    """One recipients list from the typed text and the file, duplicates across both removed."""
    valid: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    invalid: list[Entry] = []
    warnings: list[Entry] = []
    named: list[Entry] = []
    for place, result in parts:
        duplicates += result.duplicates
        fresh = {number for number in result.valid if number not in seen}
        for number in result.valid:
            if number in seen:
                duplicates += 1
            else:
                seen.add(number)
                valid.append(number)
        invalid += [Entry(place % {"n": e.line}, e.text, e.reason) for e in result.invalid]
        warnings += [
            Entry(place % {"n": w.line}, w.number, w.reason)
            for w in result.warnings
            if w.number in fresh
        ]
        named += [Entry(place % {"n": n.line}, n.name, n.number) for n in result.named]
    return {
        "valid": valid,
        "duplicates": duplicates,
        "invalid": invalid,
        "warnings": warnings,
        "named": named,
    }


def check_recipients(
    text: str,
    upload: Upload | None,
    *,
    chosen_column: str,
    region: str | None,
    opted_out: frozenset[str] | None,
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> RecipientCheck:
    """The typed numbers and the uploaded file as one list (duplicates across both removed).

    ``chosen_column`` is what the person typed for the file's column (its
    name or number, empty: guess); ``opted_out`` the numbers whose contact
    opted out, None when that could not be read; ``names`` the contact names
    that stand for numbers (see ``parse_recipients``).
    """
    if len(text) > MAX_RECIPIENTS_TEXT:
        return RecipientCheck(
            error=gettext(
                "The recipients box holds %(length)s characters; at most "
                "%(max_length)s are read. Upload the numbers as a CSV file instead."
            )
            % {"length": grouped(len(text)), "max_length": grouped(MAX_RECIPIENTS_TEXT)}
        )
    parts: list[tuple[str, RecipientsResult]] = []
    typed = bool(text.strip())
    if typed:
        # "line 3" of the typed text, "row 3" of the file: where an entry is.
        parts.append((gettext("line %(n)s"), parse_recipients(text, region, names)))
    if upload is None:
        merged = _merge(parts)
        return RecipientCheck(
            **merged,
            opted_out=_opted_out(merged["valid"], opted_out),
            source_key=source_key(typed=typed),
        )
    read = _read_upload(upload, chosen_column, region)
    if read.result is None:
        return RecipientCheck(file_name=read.name, columns=read.columns, error=read.error)
    parts.append((gettext("row %(n)s"), read.result))
    merged = _merge(parts)
    return RecipientCheck(
        **merged,
        opted_out=_opted_out(merged["valid"], opted_out),
        source_key=source_key(
            typed=typed,
            file_name=read.name,
            column=read.column_name if len(read.columns.columns) > 1 else None,
        ),
        file_name=read.name,
        columns=read.columns,
        column_used=read.column_used,
        upload_as_text="\n".join(
            [*read.result.valid, *(entry.text for entry in read.result.invalid)]
        ),
    )


def source_key(*, typed: bool, file_name: str | None = None, column: str | None = None) -> str:
    """Where the numbers came from, without words: a send stores this, and a page in
    another language (or another person's) says it in its own words (``describe_source``)."""
    if not typed and file_name is None:
        return ""
    key: dict[str, Any] = {"typed": typed}
    if file_name is not None:
        key["file"] = file_name[:150]  # the stored key fits its 255 characters
        if column is not None:
            key["column"] = column[:60]
    return json.dumps(key, ensure_ascii=False)


def describe_source(stored: str) -> str:
    """``source_key``'s value in the words of the current language; a send stored
    before keys were language-neutral keeps its words as they were."""
    try:
        key = json.loads(stored) if stored.startswith("{") else None
    except ValueError:
        key = None
    if not isinstance(key, dict):
        return stored
    sources = []
    if key.get("typed"):
        sources.append(gettext("typed in"))
    if "file" in key:
        if "column" in key:
            sources.append(
                gettext("%(file_name)s, column “%(column)s”")
                % {"file_name": key["file"], "column": key["column"]}
            )
        else:
            sources.append(str(key["file"]))
    if len(sources) == 2:
        return gettext("%(typed)s and %(file)s") % {"typed": sources[0], "file": sources[1]}
    return sources[0] if sources else ""


def _opted_out(valid: list[str], opted_out: frozenset[str] | None) -> list[str] | None:
    if opted_out is None:
        return None
    return [number for number in valid if number in opted_out]


def _read_upload(upload: Upload, chosen_column: str, region: str | None) -> _Upload:
    # The name is the browser's to choose: keep it printable and short.
    name = "".join(char for char in upload.name or "" if char.isprintable())[:100]
    name = name or gettext("the file")
    if upload.size and upload.size > MAX_CSV_BYTES:
        return _Upload(
            name,
            error=gettext(
                "%(file_name)s is %(size)s MB; files of at most "
                "%(max_size)s MB are read. Split it into smaller files."
            )
            % {
                "file_name": name,
                "size": number_format(round(upload.size / 1024 / 1024, 1), 1),
                "max_size": MAX_CSV_BYTES // 1024 // 1024,
            },
        )
    upload.seek(0)
    data = upload.read()
    try:
        columns = csv_columns(data)
    except CsvError as error:
        return _Upload(
            name,
            error=gettext("%(file_name)s cannot be read: %(error)s.")
            % {"file_name": name, "error": error},
        )
    try:
        column = _column(columns, name, chosen_column)
        result = parse_recipients_csv(data, column, region)
    except (CsvError, _NoNumberColumn) as error:
        message = (
            str(error)
            if isinstance(error, _NoNumberColumn)
            else gettext("%(file_name)s: %(error)s.") % {"file_name": name, "error": error}
        )
        return _Upload(name, columns=columns, error=message)
    index = column if isinstance(column, int) else _index_of(columns, column)
    return _Upload(name, result=result, columns=columns, column_used=index)


def _column(columns: CsvColumns, name: str, chosen_column: str) -> int | str:
    """The column of the numbers: the one the person named, else the one that looks like them."""
    chosen = chosen_column.strip()
    if (number := query_int(chosen)) is not None:
        return number - 1
    if chosen:
        return chosen
    if len(columns.columns) <= 1:
        return 0
    if columns.suggested is not None:
        return columns.suggested
    listed = ", ".join(f"{i}. {c}" for i, c in enumerate(columns.columns, start=1))
    raise _NoNumberColumn(
        gettext(
            "No column of %(file_name)s looks like phone numbers (%(columns)s). "
            "Type the name or number of the column that holds them."
        )
        % {"file_name": name, "columns": listed}
    )


class _NoNumberColumn(ValueError):
    """A CSV with several columns, none of which looks like phone numbers."""


@dataclass(frozen=True)
class _Upload:
    """An uploaded CSV as read: its entries, or why they could not be read."""

    name: str
    result: RecipientsResult | None = None
    columns: CsvColumns = field(default_factory=lambda: CsvColumns([], False, [], None))
    column_used: int | None = None
    error: str = ""

    @property
    def column_name(self) -> str:
        if self.column_used is None or self.column_used >= len(self.columns.columns):
            return ""
        return self.columns.columns[self.column_used]


def _index_of(columns: CsvColumns, name: str) -> int | None:
    wanted = name.strip().casefold()
    return next(
        (i for i, column in enumerate(columns.columns) if column.strip().casefold() == wanted),
        None,
    )
