"""Personalised sends: a CSV of numbers and other columns, a text with ``{column}`` fields.

Each row gets the text with its own values filled in. Rows whose texts come
out the same go in one POST (up to 4999 numbers, as every send), so the job
makes one POST per distinct text (and batch), paced at the jobs' share like
send-again, with one JobItem per POST: exactly once, "outcome unknown" when a
worker dies mid-call, an audit attempt and outcome per item.

What is refused or left out, and said so before confirming:

- a ``{field}`` naming no column of the file: the whole send is refused;
- a row whose number is not valid, or repeats an earlier row's: listed,
  never sent (a person gets one message, the first row's);
- a row whose text would be too long or empty once Sociostacks stored it:
  the send is refused with the rows to fix;
- a row with an empty field is shown, and by default left out (the safer
  choice: "Dear ," reaches nobody by mistake); the person may send it as is.

``{{`` and ``}}`` stand for a literal brace.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smsadmin.sms.compose.recipients import (
    CsvError,
    _column,
    _decode,
    _non_blank_rows,
    _NoNumberColumn,
    csv_columns,
    parse_recipients,
)
from smsadmin.sms.compose.segments import count_segments
from smsadmin.sociostacks import content as stored_text
from smsadmin.sociostacks.client import MAX_RECIPIENTS_PER_POST

# Rows shown from the top of the file; rows with an empty field and invalid
# ones are shown besides, up to SHOWN_PROBLEMS each.
FIRST_ROWS = 10
SHOWN_PROBLEMS = 200

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

NO_NUMBER = gettext_lazy("no number")
SEVERAL_NUMBERS = gettext_lazy("more than one number")


class PersonalisedError(ValueError):
    """The file or the text cannot make a send; the message says what to change."""

    def __init__(self, message: str, *, in_text: bool = False) -> None:
        super().__init__(message)
        self.in_text = in_text  # the text is to change, not the file


def fields_in(template: str) -> list[str]:
    """The ``{field}`` names of ``template``, in order of first use, as written."""
    found: list[str] = []
    for match in _FIELD.finditer(template):
        name = match.group(1)
        if name is not None and name.strip() not in found:
            found.append(name.strip())
    return found


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{field}`` replaced by its value (names compared casefolded)."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in ("{{", "}}"):
            return found[0]
        return values.get(match.group(1).strip().casefold(), "")

    return _FIELD.sub(replace, template)


@dataclass(frozen=True)
class Row:
    line: int
    number: str  # E.164
    text: str  # as posted
    stored: str  # as Sociostacks will store it
    segments: int
    empty: tuple[str, ...]  # fields whose cell is empty in this row


@dataclass(frozen=True)
class Refused:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Group:
    content: str
    stored: str
    segments: int
    numbers: tuple[str, ...]

    @property
    def posts(self) -> int:
        return -(-len(self.numbers) // MAX_RECIPIENTS_PER_POST)


@dataclass(frozen=True)
class Plan:
    """What a personalised send would do, row by row, before anyone confirms it."""

    fields: tuple[str, ...]
    column_name: str
    rows: tuple[Row, ...]  # every row with a valid number, first of its number
    invalid: tuple[Refused, ...]  # rows never sent: bad or repeated numbers
    too_long: tuple[Refused, ...]  # rows whose text cannot be sent: the send is refused
    send_empty: bool = False
    first_rows: int = FIRST_ROWS
    opted_out: tuple[str, ...] = field(default_factory=tuple)

    @property
    def with_empty(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.empty)

    @property
    def sent_rows(self) -> tuple[Row, ...]:
        if self.send_empty:
            return self.rows
        return tuple(row for row in self.rows if not row.empty)

    @property
    def left_out_empty(self) -> int:
        return 0 if self.send_empty else len(self.with_empty)

    @property
    def shown_rows(self) -> tuple[Row, ...]:
        return self.rows[: self.first_rows]

    @property
    def shown_empty(self) -> tuple[Row, ...]:
        """Rows with an empty field not among the first rows already shown."""
        return tuple(row for row in self.rows[self.first_rows :] if row.empty)[:SHOWN_PROBLEMS]

    @property
    def shown_invalid(self) -> tuple[Refused, ...]:
        return self.invalid[:SHOWN_PROBLEMS]

    @property
    def groups(self) -> tuple[Group, ...]:
        by_text: dict[str, list[Row]] = {}
        for row in self.sent_rows:
            by_text.setdefault(row.text, []).append(row)
        return tuple(
            Group(text, rows[0].stored, rows[0].segments, tuple(r.number for r in rows))
            for text, rows in by_text.items()
        )

    @property
    def count(self) -> int:
        return len(self.sent_rows)

    @property
    def posts(self) -> int:
        return sum(group.posts for group in self.groups)

    @property
    def segments(self) -> int:
        return sum(row.segments for row in self.sent_rows)

    @property
    def may_send(self) -> bool:
        return bool(self.count) and not self.too_long

    @property
    def fingerprint(self) -> str:
        shown = [(g.content, g.numbers) for g in self.groups]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()

    def items(self, device_id: int, sim_id: int) -> list[dict]:
        from smsadmin.jobs.sends import send_items

        found: list[dict] = []
        for group in self.groups:
            found += send_items(group.content, list(group.numbers), device_id, sim_id)
        return found


def plan(
    data: bytes | str,
    template: str,
    *,
    chosen_column: str = "",
    region: str | None = None,
    names: Mapping[str, tuple[str, ...]] | None = None,
    opted_out: frozenset[str] | None = None,
    send_empty: bool = False,
    file_name: str = "",
) -> Plan:
    """Each row of the CSV with its text; raises PersonalisedError for what cannot be sent."""
    file_name = file_name or _("the file")
    try:
        columns = csv_columns(data)
        if not columns.columns:
            raise PersonalisedError(_("%(file)s holds no rows.") % {"file": file_name})
        chosen = _column(columns, file_name, chosen_column)
    except _NoNumberColumn as error:
        raise PersonalisedError(str(error)) from error
    except CsvError as error:
        raise PersonalisedError(
            _("%(file)s cannot be read: %(why)s.") % {"file": file_name, "why": error}
        ) from error
    names_folded = [name.strip().casefold() for name in columns.columns]
    if isinstance(chosen, str):
        if chosen.strip().casefold() not in names_folded:
            raise PersonalisedError(
                _("%(file)s has no column named “%(column)s”.")
                % {"file": file_name, "column": chosen}
            )
        index = names_folded.index(chosen.strip().casefold())
    else:
        index = chosen
        if not 0 <= index < len(columns.columns):
            raise PersonalisedError(
                _("%(file)s has no column %(number)s.") % {"file": file_name, "number": index + 1}
            )
    fields = fields_in(template)
    unknown = [name for name in fields if name.casefold() not in names_folded]
    if unknown:
        raise PersonalisedError(
            _(
                "The text names %(unknown)s, but %(file)s has no such column. Its columns are: "
                "%(columns)s. (Write {{ and }} for a brace that is not a field.)"
            )
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "file": file_name,
                "columns": ", ".join(columns.columns),
            },
            in_text=True,
        )
    rows: list[Row] = []
    invalid: list[Refused] = []
    too_long: list[Refused] = []
    seen: dict[str, int] = {}
    lines = _non_blank_rows(_decode(data))
    if columns.has_header:
        next(lines, None)
    wanted = [name.casefold() for name in fields]
    for line, cells in lines:
        values = {
            names_folded[i]: cells[i].strip() for i in range(min(len(cells), len(names_folded)))
        }
        cell = cells[index].strip() if index < len(cells) else ""
        number, reason = _number(cell, region, names)
        if number is None:
            invalid.append(Refused(line, cell, reason))
            continue
        if number in seen:
            invalid.append(
                Refused(line, cell, _("the same number as row %(row)s") % {"row": seen[number]})
            )
            continue
        seen[number] = line
        text = fill(template, values)
        stored = stored_text.rewrite(text)
        if stored.is_empty or stored.over_by:
            why = (
                _("nothing would be left of the text once Sociostacks stored it")
                if stored.is_empty
                else _("the text is %(over)s characters too long") % {"over": stored.over_by}
            )
            too_long.append(Refused(line, cell, why))
            continue
        empty = tuple(name for name, key in zip(fields, wanted, strict=True) if not values.get(key))
        segments = count_segments(stored.stored).segments
        rows.append(Row(line, number, text, stored.stored, segments, empty))
    column_name = columns.columns[index]
    return Plan(
        fields=tuple(fields),
        column_name=column_name,
        rows=tuple(rows),
        invalid=tuple(invalid),
        too_long=tuple(too_long),
        send_empty=send_empty,
        opted_out=tuple(r.number for r in rows if opted_out and r.number in opted_out),
    )


def _number(
    cell: str, region: str | None, names: Mapping[str, tuple[str, ...]] | None
) -> tuple[str | None, str]:
    if not cell:
        return None, str(NO_NUMBER)
    found = parse_recipients(cell, region, names)
    if found.invalid:
        return None, found.invalid[0].reason
    if len(found.valid) != 1:
        return None, str(SEVERAL_NUMBERS)
    return found.valid[0], ""
