import functools
import json
import time as time_module
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy

from smsadmin.audit.actions import Action, action_label
from smsadmin.audit.models import AuditEvent, AuditMessageRef, Outcome
from smsadmin.audit.sentences import PAGE_VIEWS
from smsadmin.http import MAX_ID, DayField

# record() refuses an action nobody declared, so the log holds others only
# from an older version of smsadmin: looking for them again every few
# minutes is often enough, and spares each review page a query.
_RECORDED_FOR_SECONDS = 300.0
_recorded: tuple[float, frozenset[str]] = (float("-inf"), frozenset())


def _recorded_actions() -> frozenset[str]:
    global _recorded
    read_at, actions = _recorded
    if time_module.monotonic() - read_at > _RECORDED_FOR_SECONDS:
        actions = frozenset(AuditEvent.objects.recorded_actions())
        _recorded = (time_module.monotonic(), actions)
    return actions


def action_choices() -> list[tuple[str, str]]:
    """The known actions and any other the log holds (an older version's)."""
    return list(_choices_in(get_language(), _recorded_actions()))


@functools.lru_cache(maxsize=64)
def _choices_in(language: str | None, recorded: frozenset[str]) -> tuple[tuple[str, str], ...]:
    # Made once per language (active while called) and recorded set: only words
    # of our own, so every reader of one language gets the same.
    actions = sorted(set(Action.values) | recorded)
    return (("", gettext("Any action")), *((action, action_label(action)) for action in actions))


OUTCOME_CHOICES = [("", gettext_lazy("Any outcome")), *Outcome.choices]


class AuditFilterForm(forms.Form):
    """The review page's filters. Every one is in the URL, so a filtered view can be shared."""

    actor = forms.CharField(
        label=gettext_lazy("Person"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Part of a username."),
    )
    actor_exact = forms.BooleanField(label=gettext_lazy("Exact username"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False, choices=action_choices)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=OUTCOME_CHOICES
    )
    since = DayField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = DayField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Includes the whole day."),
    )
    message = forms.IntegerField(
        label=gettext_lazy("Message id"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    views = forms.BooleanField(
        label=gettext_lazy("Show page views"),
        required=False,
        help_text=gettext_lazy(
            "Who looked at which page. Hidden unless ticked or chosen as the action."
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Found in the target, details, username or operator name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Listed once: a callable's choices are read again by validation and by the page.
        self.action_choices = action_choices()
        cast(forms.ChoiceField, self.fields["action"]).choices = self.action_choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("The end date is before the start date."))
        return cleaned

    def active(self) -> dict[str, str]:
        """The filters in use, as text: for the audit event that records this search."""
        return {
            name: str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "", False)
        }

    def events(self, zone: ZoneInfo) -> QuerySet[AuditEvent]:
        """The events matching every filter; dates are whole days in ``zone``."""
        data = self.cleaned_data
        events = AuditEvent.objects.all()
        if data.get("actor"):
            if data.get("actor_exact"):
                events = events.filter(actor_username=data["actor"])
            else:
                events = events.filter(actor_username__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        elif not data.get("views"):
            events = events.exclude(action__in=PAGE_VIEWS)
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        if data.get("since"):
            events = events.filter(created_at__gte=datetime.combine(data["since"], time.min, zone))
        if data.get("until"):
            next_day = data["until"] + timedelta(days=1)
            events = events.filter(created_at__lt=datetime.combine(next_day, time.min, zone))
        if data.get("message"):
            about = AuditMessageRef.objects.filter(sms_id=data["message"]).values("event_seq")
            events = events.filter(seq__in=about)
        if data.get("text"):
            events = events.alias(details_text=Cast("details", output_field=TextField())).filter(
                _text_matches(data["text"])
            )
        return events


def _text_matches(text: str) -> Q:
    found = (
        Q(target__icontains=text)
        | Q(actor_username__icontains=text)
        | Q(operator_name__icontains=text)
        | Q(details_text__icontains=text)
    )
    # SQLite keeps JSON with non-ASCII characters and quotes escaped
    # (\u00fc, \"), PostgreSQL only the quotes: look for that spelling too.
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        found |= Q(details_text__icontains=escaped)
    return found
