from datetime import timedelta

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def in_words(duration: timedelta | None) -> str:
    """``timedelta(minutes=90)`` as "1 hour 30 minutes", for pages people read."""
    if duration is None:
        return ""
    minutes = max(1, round(duration.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    hours_text = ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}
    minutes_text = ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {
        "minutes": minutes
    }
    if hours and minutes:
        # One sentence for the pair, so a language may join them its own way.
        return gettext("%(hours)s %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}
    return hours_text if hours else minutes_text
