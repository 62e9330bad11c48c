"""The review page's table rows and the action filter's options, written out in Python.

The first page of the log is the page an auditor opens most, and its fifty
rows spent most of its time in the template engine: a URL reversed, two date
filters, an include and a dozen escaped lookups per row (bench/bench_audit.py).
Here each row is one f-string; only what comes from the log (sentences,
numbers, addresses, class names, the details JSON) is escaped, by
``html.escape``, and every word of our own is translated once per page.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.audit.sentences import read

# A seq no event has, to reverse the detail URL once and fill each seq in.
_SEQ_PLACEHOLDER = 9_876_543_210

# The columns a row and its sentence read (of an outcome's attempt, its details):
# the hashes, the session and request ids and the browser are only on an event's
# own page, and a page of fifty read them for nothing.
ROW_FIELDS = (
    "seq",
    "created_at",
    "actor_username",
    "operator_name",
    "ip_address",
    "action",
    "target",
    "outcome",
    "error_class",
    "upstream_status",
    "details",
    "parent_id",
    "parent__details",
)


def rows_html(events: Sequence[AuditEvent], zone: ZoneInfo) -> SafeString:
    """The ``<tr>`` of each event, newest first.

    An outcome's sentence reads its attempt too: ``events`` come with
    ``select_related("parent")`` (a pruned attempt is simply None), and
    ``only(*ROW_FIELDS)`` is all they need.
    """
    detail = reverse("audit:detail", args=[_SEQ_PLACEHOLDER]).replace(str(_SEQ_PLACEHOLDER), "{}")
    shown = _datetime_formatter(get_format("DATETIME_FORMAT"))
    outcomes = {outcome.value: escape(str(outcome.label)) for outcome in Outcome}
    details_word = escape(pgettext("audit row", "Details"))
    # "To +491511…, +4477… and 3 more": the numbers a send went to.
    to_numbers = escape(gettext("To %(numbers)s"))
    html = []
    for event in events:
        reading = read(event, event.parent if event.parent_id else None, zone)
        created_at = event.created_at
        seq = event.seq
        recipients = (
            f'<br><span class="muted">{to_numbers % {"numbers": escape(reading.recipients)}}</span>'
            if reading.recipients
            else ""
        )
        outcome = escape(event.outcome)
        error = ""
        if event.error_class:
            status = f" ({event.upstream_status})" if event.upstream_status else ""
            error = f' <span class="muted">{escape(event.error_class)}{status}</span>'
        details = (
            f"<details><summary>{details_word}</summary>"
            f'<pre class="audit-json">{escape(event.details_json)}</pre></details>'
            if event.details
            else "—"
        )
        html.append(
            f'<tr><td class="num"><a href="{detail.format(seq)}">{seq}</a></td>'
            f'<td class="nowrap"><time datetime="{created_at.astimezone(UTC).isoformat()}">'
            f"{shown(created_at.astimezone(zone))}</time></td>"
            f'<td class="audit-sentence">{escape(reading.sentence)}{recipients}</td>'
            f'<td><span class="badge outcome-{outcome}">{outcomes.get(event.outcome, outcome)}'
            f"</span>{error}</td>"
            f'<td class="hide-narrow nowrap">{escape(event.ip_address or "—")}</td>'
            f'<td class="hide-narrow">{details}</td></tr>\n'
        )
    # Safe: every value from the log above went through escape().
    return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703


# Django's format letters that strftime writes the same (digits, no words to translate).
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S", "y": "%y"}


def _datetime_formatter(django_format: str) -> Callable[[datetime], str]:
    """A function writing a datetime in ``django_format``, as the ``date`` filter would.

    A format of digits only ("Y-m-d H:i:s", "d.m.Y H:i:s") is turned into
    strftime once: fifty dateformat.format calls were a tenth of the page.
    Any other (names of months, escapes) goes through Django's own.
    """
    if all(c in _STRFTIME or not c.isalpha() for c in django_format) and "\\" not in django_format:
        pattern = "".join(_STRFTIME.get(c, c.replace("%", "%%")) for c in django_format)
        return lambda value: value.strftime(pattern)
    return lambda value: dateformat.format(value, django_format)


def options_html(choices: Iterable[tuple[str, object]], selected: object) -> SafeString:
    """The ``<option>`` elements of a select, ``selected`` (the typed value) marked."""
    chosen = "" if selected is None else str(selected)
    html = [
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    ]
    # Safe: values and labels went through escape().
    return mark_safe("".join(html))  # noqa: S308  # nosec B308 B703
