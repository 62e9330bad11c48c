"""Searching the mirror: the filter form, and the query it makes.

Every filter travels in the URL (GET), so a search can be bookmarked and
shared. Dates are whole days in the searching person's time zone.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from smsadmin.http import DayField
from smsadmin.mirror import text
from smsadmin.mirror.models import LIVE, Direction, MirroredMessage, Status, SyncState
from smsadmin.sms import rows as message_rows
from smsadmin.sms.compose.recipients import parse_recipients

DELETED = "deleted"
NEWEST, OLDEST = "newest", "oldest"
_NOT_DIGIT = re.compile(r"\D")

STATUS_CHOICES = [
    ("", _("any status")),
    *Status.choices,
    (DELETED, _("deleted (gone from Sociostacks)")),
]
DIRECTION_CHOICES = [
    ("", pgettext_lazy("direction", "both")),
    (Direction.SENT, _("sent by us")),
    (Direction.RECEIVED, pgettext_lazy("direction", "received")),
]
SORT_CHOICES = [(NEWEST, _("newest first")), (OLDEST, _("oldest first"))]


@dataclass(frozen=True)
class PhoneMatch:
    """What a typed phone number finds, on the stored digits of the contact's number."""

    digits: str
    how: str  # "exact", "prefix" or "contains"

    def condition(self) -> Q:
        if self.how == "exact":
            return Q(phone_digits=self.digits)
        if self.how == "prefix":
            # A range, not LIKE: a plain index serves it on SQLite and PostgreSQL alike.
            condition = Q(phone_digits__gte=self.digits)
            if upper := _next_prefix(self.digits):
                condition &= Q(phone_digits__lt=upper)
            return condition
        return Q(phone_digits__contains=self.digits)


def _next_prefix(digits: str) -> str:
    """The smallest digit string above every string starting with ``digits`` ("" if none)."""
    kept = digits.rstrip("9")
    if not kept:
        return ""
    return kept[:-1] + str(int(kept[-1]) + 1)


def phone_match(text: str, region: str | None) -> PhoneMatch | None:
    """Any way of writing a number, whole or in part.

    A whole number in any format (``+44 7700 900123``, ``0044…``, or national
    ``07700 900123`` with the person's phone region) matches exactly. Part of
    a number starting with ``+`` or ``00`` matches numbers that start with it;
    any other part matches numbers that contain it (a national trunk ``0``
    dropped, since stored numbers are international).
    """
    text = text.strip()
    digits = _NOT_DIGIT.sub("", text)
    if not digits:
        return None
    try:
        parsed = parse_recipients(text, region)
    except ValueError:  # an unknown region in the person's preferences
        parsed = parse_recipients(text, None)
    if len(parsed.valid) == 1 and not parsed.invalid:
        return PhoneMatch(parsed.valid[0].lstrip("+"), "exact")
    if text.startswith("+"):
        return PhoneMatch(digits, "prefix")
    if text.startswith("00"):
        return PhoneMatch(digits[2:] or digits, "prefix")
    return PhoneMatch(digits.lstrip("0") or digits, "contains")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Text in the message"), required=False, max_length=200)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_(
            "Any format. Part of a number finds every number starting with it "
            "(with + or 00) or containing it."
        ),
    )
    contact = forms.CharField(label=_("Contact name"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, required=False)
    date_from = DayField(
        label=_("From (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = DayField(
        label=_("To (day, included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    device = forms.TypedChoiceField(
        label=_("Device"), coerce=int, empty_value=None, required=False, choices=()
    )
    sim = forms.ChoiceField(label=_("SIM"), required=False, choices=())
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)

    def __init__(
        self,
        data=None,
        *,
        devices: list[dict],
        zone: ZoneInfo,
        region: str | None,
    ) -> None:
        super().__init__(data)
        self.zone = zone
        self.region = region
        cast(forms.ChoiceField, self.fields["device"]).choices = [("", gettext("any device"))] + [
            (device["id"], device["name"]) for device in devices
        ]
        cast(forms.ChoiceField, self.fields["sim"]).choices = [("", gettext("any SIM"))] + [
            (f"{device['id']}:{sim['id']}", f"{sim['label']} ({device['name']})")
            for device in devices
            for sim in device.get("sims", [])
        ]
        self.fields["date_from"].help_text = gettext(
            "Days are counted in your time zone (%(zone)s)."
        ) % {"zone": zone.key}

    def clean_phone(self) -> PhoneMatch | None:
        text = self.cleaned_data["phone"]
        if not text:
            return None
        match = phone_match(text, self.region)
        if match is None:
            raise forms.ValidationError(gettext("A phone number needs at least one digit."))
        return match

    def clean_sim(self) -> tuple[int, int] | None:
        value = self.cleaned_data["sim"]
        if not value:
            return None
        device_id, sim_id = value.split(":")
        return int(device_id), int(sim_id)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("The last day comes before the first."))
        device, sim = cleaned.get("device"), cleaned.get("sim")
        if device is not None and sim is not None and sim[0] != device:
            self.add_error("sim", gettext("This SIM is in another device than the one chosen."))
        return cleaned

    def filters(self) -> dict[str, str]:
        """The filters as typed, empty ones left out: for the audit log and links."""
        return {
            name: str(self.data.get(name, "")).strip()
            for name in self.fields
            if str(self.data.get(name, "")).strip()
        }

    def described_filters(self) -> list[tuple[str, str]]:
        """The filters in words, (label, value), as a person reads them back."""
        described = []
        for name, value in self.filters().items():
            field = self.fields[name]
            choices = {str(key): label for key, label in getattr(field, "choices", ())}
            described.append((str(field.label), str(choices.get(value, value))))
        return described

    @property
    def newest_first(self) -> bool:
        return self.cleaned_data.get("sort") != OLDEST

    def querystring(self, **extra: object) -> str:
        return urlencode({**self.filters(), **extra})

    def apply(self, rows: QuerySet[MirroredMessage]) -> QuerySet[MirroredMessage]:
        """``rows`` narrowed by every filter and sorted (call once the form is valid)."""
        data = self.cleaned_data
        if data["status"] == DELETED:
            rows = rows.filter(deleted_at__isnull=False)
        else:
            rows = rows.filter(LIVE)
            if data["status"]:
                rows = rows.filter(status=data["status"])
        if data["direction"]:
            rows = rows.filter(direction=data["direction"])
        if data["date_from"]:
            rows = rows.filter(happened_at__gte=_day_start(data["date_from"], self.zone))
        if data["date_to"]:
            next_day = data["date_to"] + timedelta(days=1)
            rows = rows.filter(happened_at__lt=_day_start(next_day, self.zone))
        if data["device"] is not None:
            rows = rows.filter(device_id=data["device"])
        if data["sim"] is not None:
            rows = rows.filter(device_id=data["sim"][0], sim_id=data["sim"][1])
        if data["phone"] is not None:
            rows = rows.filter(data["phone"].condition())
        if data["contact"]:
            rows = rows.filter(contact_name__icontains=data["contact"])
        if data["q"]:
            rows = text.containing(rows, data["q"])
        if self.newest_first:
            return rows.order_by("-happened_at", "-sms_id")
        return rows.order_by("happened_at", "sms_id")


# Counting stops here: an exact count of 70,000 matches read them all (most
# of a search's time at a million rows), and nobody pages that far. The
# export page counts exactly, since it reads every row anyway.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class ResultPage:
    """One page of a search: offsets, with the count of what matched, up to COUNT_CAP.

    ``more``: more than ``total`` matched (which is then COUNT_CAP); the pages
    go as far as the counted rows.
    """

    rows: list[MirroredMessage]
    number: int
    size: int
    total: int
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def result_page(
    rows: QuerySet[MirroredMessage], number: int, size: int, *, cap: int | None = None
) -> ResultPage:
    """Offset paging: people look at the first pages; the count stops after ``cap`` rows.

    A page past the end (or past the counted rows) shows the last one.
    """
    cap = cap or COUNT_CAP
    total = rows[: cap + 1].count()
    more = total > cap
    total = min(total, cap)
    number = min(max(1, number), max(1, -(-total // size)))
    start = (number - 1) * size
    return ResultPage(list(rows[start : min(start + size, total)]), number, size, total, more)


def shown(
    rows: list[MirroredMessage], state: SyncState | None, *, dom_prefix: str = "mirrored-"
) -> list[message_rows.Row]:
    """The messages as every list shows them, devices and SIMs named as they are now."""
    return message_rows.from_mirror(
        rows,
        devices=state.device_names() if state else {},
        sims=state.sim_labels() if state else {},
        dom_prefix=dom_prefix,
    )
