import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from smsadmin.audit.actions import Action
from smsadmin.audit.models import AuditEvent, AuditMessageRef, Outcome
from smsadmin.audit.sentences import PAGE_VIEWS
from smsadmin.http import MAX_ID, DayField


def action_choices() -> list[tuple[str, str]]:
    """The known actions and any other the log holds (other parts of smsadmin add new ones)."""
    actions = sorted(set(Action.values) | set(AuditEvent.objects.recorded_actions()))
    return [("", "Any action"), *((action, action) for action in actions)]


class AuditFilterForm(forms.Form):
    """The review page's filters. Every one is in the URL, so a filtered view can be shared."""

    actor = forms.CharField(
        label="Person",
        required=False,
        max_length=150,
        help_text="Part of a username.",
    )
    actor_exact = forms.BooleanField(label="Exact username", required=False)
    action = forms.ChoiceField(label="Action", required=False, choices=action_choices)
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices]
    )
    since = DayField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = DayField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Includes the whole day.",
    )
    message = forms.IntegerField(
        label="Message id",
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    views = forms.BooleanField(
        label="Show page views",
        required=False,
        help_text="Who looked at which page. Hidden unless ticked or chosen as the action.",
    )
    text = forms.CharField(
        label="Text",
        required=False,
        max_length=200,
        help_text="Found in the target, details, username or operator name.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Listed once: a callable's choices are read again by validation and by the page.
        self.fields["action"].choices = action_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
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
