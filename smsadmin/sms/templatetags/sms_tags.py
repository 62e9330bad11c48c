from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from smsadmin.rendering import deferred
from smsadmin.sms import deleting
from smsadmin.sms import rows as message_rows
from smsadmin.sms.phone_errors import explain

register = template.Library()


@register.simple_tag(takes_context=True)
def message_rows_html(
    context: template.Context, rows: list[message_rows.Row], selectable: bool = False
) -> SafeString:
    """The ``<tr>`` of each message row (see smsadmin/sms/rows.py), inserted once at the end."""
    html = message_rows.render(rows, selectable=bool(selectable))
    return deferred(context.get("request"), html)


@register.filter
def phone_error(raw: str | None) -> str:
    """The phone's failure text in plain words, the raw code kept in small print."""
    explained = explain(raw)
    if explained is None:
        return ""
    if not explained.code_is_news:
        return format_html('<span class="phone-error">{}</span>', explained.words)
    return format_html(
        '<span class="phone-error">{} <small class="code">{}</small></span>',
        explained.words,
        explained.code,
    )


@register.simple_tag
def moment(value: datetime | None, empty: str = "—") -> str:
    """A time in the viewer's zone, with the UTC time on hover and for machines."""
    if value is None:
        return empty
    shown = message_rows.Moment.of(value, timezone.get_current_timezone())
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', shown.iso, shown.utc, shown.local
    )


@register.filter
def status_word(status: str | None) -> str:
    """A message's status in the viewer's language ("pending" → "ausstehend")."""
    return message_rows.status_word(status or "")


@register.filter
def outcome_word(outcome: str | None) -> str:
    """The outcome of one delete in a bulk delete, in the viewer's language."""
    return deleting.outcome_word(outcome or "")


@register.filter
def time_left(value: datetime | None) -> str:
    """'in 2 h 5 min' for a future time, in words a person reads at a glance."""
    if value is None:
        return ""
    return message_rows.time_left(value, timezone.now())
