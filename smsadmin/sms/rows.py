"""Message rows as every list shows them: one shape, one template, computed once per row.

The messages list, the scheduled list, search results, the dashboard's
upcoming sends and the mirror's copy during an outage all show messages in
the same row (``_row_html`` below), in one table
(``templates/sms/_message_table.html``). What each cell says is decided
here, in plain Python per row: a page of 1000 rows used to spend most of its
time resolving template includes and lookups per cell (bench/bench_list.py).

The row itself is written out in Python (``_row_html``) rather than by a
template engine: it is the one fragment executed a thousand times a page, and
both Django's engine and Jinja2 spent most of that page's time resolving and
escaping values that are numbers or words of our own. Only text that comes
from outside (content, numbers, names, device and SIM labels, error texts) is
escaped, by ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy

from smsadmin.sms.phone_errors import PhoneError, explain

# Content is cut here on the server; the browser cuts it again to the width
# it has (one line on a desktop, two on a phone). The full text is in the
# cell's title and on the message's own page.
PREVIEW_CHARS = 160

# The status words Sociostacks uses, as a badge shows them (the badge's CSS
# class keeps the English value); "scheduled" and "deleted" are our own.
STATUS_WORDS = {
    "pending": pgettext_lazy("message status", "pending"),
    "sent": pgettext_lazy("message status", "sent"),
    "failed": pgettext_lazy("message status", "failed"),
    "received": pgettext_lazy("message status", "received"),
    "scheduled": pgettext_lazy("message status", "scheduled"),
    "deleted": pgettext_lazy("message status", "deleted"),
}


def status_word(status: str) -> str:
    """The status as the viewer's language says it; an unknown one as it came."""
    word = STATUS_WORDS.get(status)
    return status if word is None else str(word)


def short_datetime(local: datetime) -> str:
    """``local`` in the language's SHORT_DATETIME_FORMAT (English: 2026-12-02 09:00)."""
    shown = get_format("SHORT_DATETIME_FORMAT")
    if shown == "Y-m-d H:i":
        # A thousand rows a page: the English format without the formatter's overhead.
        return f"{local:%Y-%m-%d %H:%M}"
    return dateformat.format(local, shown)


# Not frozen: a frozen dataclass pays for object.__setattr__ on every field,
# and these are made a thousand at a time for one page.
@dataclass(slots=True)
class Moment:
    """A time in the viewer's zone (with the zone named), and in UTC for hover and machines."""

    local: str
    utc: str
    iso: str

    @classmethod
    def of(cls, value: datetime, zone: ZoneInfo) -> Moment:
        utc = value.astimezone(UTC)
        local = value.astimezone(zone)
        iso = utc.isoformat()
        return cls(
            local=f"{short_datetime(local)} {local.tzname()}",
            utc=f"{iso[:10]} {iso[11:19]} UTC",
            iso=iso,
        )


def time_left(value: datetime, now: datetime) -> str:
    """'in 2 h 5 min' for a future time, in words a person reads at a glance."""
    seconds = int((value - now).total_seconds())
    if seconds <= 0:
        return gettext("due now")
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [pgettext("a duration", "%(days)d d") % {"days": days}] if days else []
    if hours or days:
        parts.append(pgettext("a duration", "%(hours)d h") % {"hours": hours})
    if not days:
        parts.append(pgettext("a duration", "%(minutes)d min") % {"minutes": minutes})
    return gettext("in %(duration)s") % {"duration": " ".join(parts)}


@dataclass(slots=True)
class Row:
    """Everything one message row shows, already in words."""

    sms_id: int
    dom_id: str
    detail_url: str  # "" when there is no page to open (deleted upstream)
    when: Moment | None
    # "scheduled" when ``when`` is the time a send is due, not when it was made.
    when_is_due: bool
    due_in: str
    outgoing: bool
    badge: str  # the status word, also the badge's CSS suffix
    was: str  # for a deleted message: the status it had
    error: PhoneError | None
    number: str
    contact_name: str
    hidden_number: SafeString | None
    device: str
    sim: str
    preview: str
    content: str
    # "Delete" or "Cancel" (a scheduled send not yet due); "" where rows have no actions.
    delete_verb: str

    @property
    def direction(self) -> str:
        return "out" if self.outgoing else "in"


def _preview(content: str) -> str:
    flat = " ".join(content.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1].rstrip() + "…"


def _badge(status: str, due: bool) -> str:
    return "scheduled" if status == "pending" and due else status


class _Builder:
    """Per page: the viewer's zone, the URLs and the hidden-number wording, worked out once."""

    def __init__(self, dom_prefix: str, zone: ZoneInfo | None = None) -> None:
        self.zone = zone or timezone.get_current_timezone()
        self.now = timezone.now()
        self.dom_prefix = dom_prefix
        # reverse() once, then fill the id in: the URL pattern is fixed.
        self._detail = reverse("sms:detail", args=[1]).replace("/1/", "/{}/")
        self._hidden: dict[int, SafeString] = {}

    def moment(self, value: datetime | None) -> Moment | None:
        return None if value is None else Moment.of(value, self.zone)

    def detail_url(self, sms_id: int) -> str:
        return self._detail.format(sms_id)

    def hidden_number(self, contact_id: int) -> SafeString:
        """The wording of templates/sms/_hidden_number.html, rendered once per contact."""
        if contact_id not in self._hidden:
            self._hidden[contact_id] = render_to_string(
                "sms/_hidden_number.html", {"contact_id": contact_id}
            )
        return self._hidden[contact_id]

    def row(
        self,
        *,
        sms_id: int,
        status: str,
        outgoing: bool,
        error: str | None,
        content: str,
        created_at: datetime | None,
        scheduled_at: datetime | None,
        number: str,
        contact_name: str,
        contact_id: int | None,
        device: str,
        sim: str,
        deleted: bool = False,
        actions: bool = True,
    ) -> Row:
        # `datetime` moves when the status changes; `scheduled_datetime` is the
        # creation time of an immediate send and the due time of a scheduled
        # one, so it is the time a person means (received ones have none).
        when = scheduled_at or created_at
        due = status == "pending" and scheduled_at is not None and scheduled_at > self.now
        hidden = None
        if not number and contact_id:
            hidden = self.hidden_number(contact_id)
        return Row(
            sms_id=sms_id,
            dom_id=f"{self.dom_prefix}{sms_id}",
            detail_url="" if deleted else self.detail_url(sms_id),
            when=self.moment(when),
            when_is_due=due,
            due_in=time_left(scheduled_at, self.now) if due and scheduled_at else "",
            outgoing=outgoing,
            badge="deleted" if deleted else _badge(status, due),
            was=status if deleted else "",
            error=explain(error) if status == "failed" else None,
            number=number,
            contact_name=contact_name,
            hidden_number=hidden,
            device=device,
            sim=sim,
            preview=_preview(content),
            content=content,
            delete_verb=("Cancel" if due else "Delete") if actions and not deleted else "",
        )


def from_upstream(rows: Iterable, *, dom_prefix: str = "sms-") -> list[Row]:
    """Rows for messages read from Sociostacks (``reading.MessageRow``)."""
    build = _Builder(dom_prefix)
    shown = []
    for item in rows:
        message = item.message
        contact = item.contact
        shown.append(
            build.row(
                sms_id=message.sms_id,
                status=message.status,
                outgoing=message.is_outgoing,
                error=message.error,
                content=message.content,
                created_at=message.created_at,
                scheduled_at=message.scheduled_at,
                number=contact.phone_number if contact else item.known_number,
                contact_name=contact.name if contact else "",
                contact_id=message.contact_id,
                device=item.device.name if item.device else "",
                sim=item.sim.label if item.sim else "",
            )
        )
    return shown


def from_mirror(
    messages: Iterable,
    *,
    devices: Mapping[int, str],
    sims: Mapping[tuple[int, int], str],
    dom_prefix: str = "sms-",
    actions: bool = False,
) -> list[Row]:
    """Rows for the mirror's copies (``MirroredMessage``), devices named as the sync last saw."""
    build = _Builder(dom_prefix)
    unnamed_device = gettext("device %(id)s")
    shown = []
    for message in messages:
        device_id, sim_id = message.device_id, message.sim_id
        shown.append(
            build.row(
                sms_id=message.sms_id,
                status=message.status,
                outgoing=message.is_outgoing,
                error=message.error,
                content=message.content,
                created_at=message.happened_at,
                scheduled_at=message.scheduled_at,
                number=message.phone,
                contact_name=message.contact_name,
                contact_id=message.contact_id,
                device=devices.get(device_id, unnamed_device % {"id": device_id})
                if device_id
                else "",
                sim=sims.get((device_id, sim_id), "") if device_id and sim_id else "",
                deleted=message.deleted_at is not None,
                actions=actions,
            )
        )
    return shown


def _e(text: str) -> str:
    return escape(text, quote=True)


# Names, numbers and labels repeat down a page (a few devices, many messages
# per contact): each is escaped once.
_e_repeated = lru_cache(maxsize=4096)(_e)


@dataclass(frozen=True, slots=True)
class _Words:
    """The words of a row, in the viewer's language, looked up once per page."""

    select: str  # "Select message %(id)s"
    due: str
    sent_by_us: str
    out: str
    received: str
    into: str
    was: str  # "was %(status)s"
    delete: str
    cancel: str
    delete_question: str  # "Delete message %(id)s?"
    cancel_question: str  # "Cancel message %(id)s? It will not be sent."

    @classmethod
    def now(cls) -> _Words:
        return cls(
            select=gettext("Select message %(id)s"),
            due=pgettext("a scheduled time", "due"),
            sent_by_us=gettext("Sent by us"),
            out=gettext("↑ out"),
            received=pgettext("direction of a message", "Received"),
            into=gettext("↓ in"),
            was=pgettext("the status a deleted message had", "was %(status)s"),
            delete=pgettext("a button", "Delete"),
            cancel=pgettext("a button: cancel a scheduled message", "Cancel"),
            delete_question=gettext("Delete message %(id)s?"),
            cancel_question=gettext("Cancel message %(id)s? It will not be sent."),
        )


def _row_html(row: Row, selectable: bool, delete_url: str, words: _Words) -> str:
    """The one message row. Every text that did not come from this module is escaped."""
    sms_id = row.sms_id
    cells = []
    if selectable:
        cells.append(
            f'<td class="pick"><input type="checkbox" name="ids" value="{sms_id}" '
            f'aria-label="{_e(words.select % {"id": sms_id})}" form="bulk-form"></td>'
        )
    link = f'<a href="{row.detail_url}">{sms_id}</a>' if row.detail_url else str(sms_id)
    cells.append(f'<td class="num id">{link}</td>')
    if row.when is None:
        when = "—"
    else:
        due = f'<span class="visually-hidden">{_e(words.due)} </span>' if row.when_is_due else ""
        when = (
            f'{due}<time datetime="{row.when.iso}" title="{row.when.utc}">{row.when.local}</time>'
        )
    if row.due_in:
        when += f' <span class="muted">{_e(row.due_in)}</span>'
    cells.append(f'<td class="num when">{when}</td>')
    if row.outgoing:
        cells.append(
            f'<td class="dir"><span class="direction direction-out" title="{_e(words.sent_by_us)}">'
            f"{_e(words.out)}</span></td>"
        )
    else:
        cells.append(
            f'<td class="dir"><span class="direction direction-in" title="{_e(words.received)}">'
            f"{_e(words.into)}</span></td>"
        )
    was = (
        f' <span class="muted">{_e(words.was % {"status": status_word(row.was)})}</span>'
        if row.was
        else ""
    )
    badge = _e(row.badge)
    cells.append(
        f'<td class="status"><span class="badge badge-{badge}">{_e(status_word(row.badge))}'
        f"</span>{was}</td>"
    )
    if row.number:
        party = f'<span class="nowrap">{_e_repeated(row.number)}</span>'
        if row.contact_name:
            party += f' <span class="muted">{_e_repeated(row.contact_name)}</span>'
    elif row.hidden_number:
        party = row.hidden_number
    else:
        party = '<span class="muted">—</span>'
    cells.append(f'<td class="party">{party}</td>')
    sim = f' <span class="muted">· {_e_repeated(row.sim)}</span>' if row.sim else ""
    cells.append(f'<td class="device">{_e_repeated(row.device) or "—"}{sim}</td>')
    error = ""
    if row.error is not None:
        code = (
            f' <small class="code">{_e(row.error.code)}</small>' if row.error.code_is_news else ""
        )
        hover = _e(f"{row.error.words} ({row.error.code})")
        error = f'<div class="phone-error" title="{hover}">{_e(row.error.words)}{code}</div>'
    content = _e(row.content)
    preview = content if row.preview == row.content else _e(row.preview)
    cells.append(
        f'<td class="content"><div class="preview" title="{content}">{preview}</div>{error}</td>'
    )
    if selectable:
        action = ""
        if verb := row.delete_verb:
            url = delete_url.format(sms_id)
            cancel = verb == "Cancel"
            question = (words.cancel_question if cancel else words.delete_question) % {"id": sms_id}
            label = words.cancel if cancel else words.delete
            action = (
                f'<a class="button small" href="{url}" hx-post="{url}" '
                f'hx-vals=\'{{"verb": "{verb}"}}\' hx-confirm="{_e(question)}">{_e(label)}</a>'
            )
        cells.append(f'<td class="act">{action}</td>')
    return f'<tr id="{_e(row.dom_id)}" class="msg">{"".join(cells)}</tr>'


def render(rows: list[Row], *, selectable: bool = False) -> SafeString:
    """The ``<tr>`` of each row; ``selectable`` adds the checkbox and the delete button.

    The delete buttons' target and swap are on the ``<tbody>`` (_message_body.html).
    """
    delete_url = reverse("sms:delete", args=[1]).replace("/1/", "/{}/")
    words = _Words.now()
    html = "\n".join(_row_html(row, selectable, delete_url, words) for row in rows)
    # Safe: _row_html escapes every text that comes from outside this module.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
