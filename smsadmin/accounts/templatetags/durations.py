from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def in_words(duration: timedelta | None) -> str:
    """``timedelta(minutes=90)`` as "1 hour 30 minutes", for pages people read."""
    if duration is None:
        return ""
    minutes = max(1, round(duration.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
