from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def moment(value: datetime | None, empty: str = "—") -> str:
    """A time in the viewer's zone, with the UTC time on hover and for machines."""
    if value is None:
        return empty
    local = timezone.localtime(value)
    utc = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}" title="{} UTC">{}</time>',
        utc.isoformat(),
        utc.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%Y-%m-%d %H:%M"),
    )


@register.filter
def time_left(value: datetime | None) -> str:
    """'in 2 h 5 min' for a future time, in words a person reads at a glance."""
    if value is None:
        return ""
    seconds = int((value - timezone.now()).total_seconds())
    if seconds <= 0:
        return "due now"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d"] if days else []
    if hours or days:
        parts.append(f"{hours} h")
    if not days:
        parts.append(f"{minutes} min")
    return "in " + " ".join(parts)
