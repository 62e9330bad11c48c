"""The compose form: its fields, their validation, and the draft a valid one makes.

What the fields mean lives beside them: the recipients (typed, or a CSV file
and its column) are checked by ``recipients.check_recipients``, a time to
send later by ``scheduling.scheduled_moment``, the length in segments by
``segments``. The live checks on the page call the same methods a submit
runs (``recipient_check``, ``segment_count``), so what the preview says is
what the submit decides.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, cast
from zoneinfo import ZoneInfo

import phonenumbers
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from smsadmin.sms.compose.contacts import ContactBook, Listed
from smsadmin.sms.compose.recipients import RecipientCheck, check_recipients
from smsadmin.sms.compose.scheduling import scheduled_moment
from smsadmin.sms.compose.segments import MAX_CONTENT_LENGTH, SegmentCount, count_segments
from smsadmin.sms.compose.sending import Draft
from smsadmin.sms.wording import grouped
from smsadmin.sociostacks import content as stored_text
from smsadmin.sociostacks.types import Device, Sim

NO_CONTACTS = ContactBook(())

NOW = "now"
LATER = "later"
OPTED_OUT = gettext_lazy("opted out of this account's messages; Sociostacks sends to it anyway")
OPT_OUTS_UNKNOWN = (
    gettext_lazy("Opt-outs"),
    gettext_lazy("not checked: the Sociostacks contact list could not be read just now"),
)


def normalise_newlines(text: str) -> str:
    # Browsers submit textarea line breaks as CR LF; the phone sends what we count.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def device_label(device: Device) -> str:
    return device.name or gettext("Device #%(id)s") % {"id": device.id}


def sim_value(device_id: int, sim: Sim) -> str:
    # A subscription id is unique only within its phone (both of two phones
    # may have SIM 1), so a SIM choice names its device too.
    return f"{device_id}:{sim.subscription_id}"


def example_number(region: str, *, national: bool = False) -> str:
    """A mobile number of ``region`` that the recipients check accepts, for help texts.

    Taken from libphonenumber's own examples, so it is valid by the same rules
    the check applies (the UK's drama range "+44 7700 900123" is not).
    """
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+44 7400 123456"
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.NATIONAL if national else style.INTERNATIONAL)


class ComposeForm(forms.Form):
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    content = forms.CharField(
        label=gettext_lazy("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "segments"}),
        error_messages={"required": gettext_lazy("Write the message to send.")},
    )
    recipients = forms.CharField(
        label=gettext_lazy("Recipients"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
    recipients_file = forms.FileField(
        label=gettext_lazy("Or upload a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text=gettext_lazy(
            "One column of numbers, or several with the numbers in one of them. "
            "A header row is optional. At most 5 MB."
        ),
    )
    csv_column = forms.CharField(
        label=gettext_lazy("Column with the numbers"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "For a file with several columns: the column's name or number (1 is the "
            "first). Empty: the first column that holds phone numbers."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Leave out the entries that are not valid phone numbers"),
        required=False,
    )
    device = forms.TypedChoiceField(
        label=gettext_lazy("Device"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": gettext_lazy("Pick the phone to send from."),
            "invalid_choice": gettext_lazy("Pick the phone to send from."),
        },
    )
    sim = forms.ChoiceField(
        label=gettext_lazy("SIM"),
        error_messages={
            "required": gettext_lazy("Pick the SIM to send with."),
            "invalid_choice": gettext_lazy("Pick a SIM of the chosen device."),
        },
    )
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[(NOW, gettext_lazy("Send now")), (LATER, pgettext_lazy("a choice", "Schedule"))],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    send_date = forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"type": "date", "aria-describedby": "zone-help", "data-picks": f"when={LATER}"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "invalid": gettext_lazy("Enter the date as YYYY-MM-DD, for example 2031-04-30.")
        },
    )
    send_time = forms.TimeField(
        label=gettext_lazy("Time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            attrs={"type": "time", "aria-describedby": "zone-help", "data-picks": f"when={LATER}"},
            format="%H:%M",
        ),
        error_messages={
            "invalid": gettext_lazy("Enter the time as HH:MM on a 24-hour clock, e.g. 17:30.")
        },
    )

    def __init__(
        self,
        *args: Any,
        devices: Sequence[Device],
        zone: ZoneInfo,
        region: str | None,
        now: datetime,
        devices_known: bool = True,
        contacts: ContactBook | None = NO_CONTACTS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The contact directory as last read; None: it could not be read just now.
        self.contacts = contacts
        # E.164 numbers of the account's contacts who opted out; None: not known now.
        self.opted_out = None if self.contacts is None else self.contacts.opted_out
        self.devices = {device.id: device for device in devices}
        # False when the device list could not be loaded: then an empty list
        # says nothing about the account.
        self.devices_known = devices_known
        self.zone = zone
        self.region = region if region in phonenumbers.SUPPORTED_REGIONS else None
        self.now = now
        self.scheduled_at: datetime | None = None
        device_choices: list[tuple[int | str, str]] = [
            (device.id, device_label(device)) for device in devices
        ]
        if len(devices) != 1:
            device_choices.insert(0, ("", gettext("Choose a device")))
        cast(forms.ChoiceField, self.fields["device"]).choices = device_choices
        cast(forms.ChoiceField, self.fields["sim"]).choices = self.sim_choices(None)
        if self.region:
            help_text = gettext(
                "One number or contact name per line, or numbers separated by commas, "
                "semicolons or spaces. Numbers without + are read as %(region)s numbers, "
                "e.g. %(example)s."
            ) % {"region": self.region, "example": example_number(self.region, national=True)}
        else:
            help_text = gettext(
                "One number or contact name per line, or numbers separated by commas, "
                "semicolons or spaces. Write every number with its country code, "
                "e.g. %(example)s."
            ) % {"example": example_number("GB")}
        self.fields["recipients"].help_text = help_text

    # --- Choices ---------------------------------------------------------------

    def sim_choices(self, device_id: int | None) -> list[Any]:
        """The SIMs of ``device_id``; without one, every device's, grouped by device.

        The grouped list keeps the form usable without JavaScript; with it,
        picking a device narrows the list to that device's SIMs.
        """
        device = self.devices.get(device_id) if device_id is not None else None
        if device is not None:
            sims = [(sim_value(device.id, sim), sim.label) for sim in device.sims]
            return sims if len(sims) == 1 else [("", gettext("Choose a SIM")), *sims]
        groups: list[Any] = [
            (device_label(d), [(sim_value(d.id, sim), sim.label) for sim in d.sims])
            for d in self.devices.values()
            if d.sims
        ]
        return [("", gettext("Choose a SIM")), *groups]

    def narrow_sims_to(self, device_id: int | None) -> None:
        cast(forms.ChoiceField, self.fields["sim"]).choices = self.sim_choices(device_id)

    # --- What was typed ----------------------------------------------------------

    def _raw(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(name, "")
        return self.initial.get(name, "")

    @property
    def content_text(self) -> str:
        return normalise_newlines(str(self._raw("content") or ""))

    def stored_content(self) -> stored_text.Rewrite:
        """The message as Sociostacks will store it and the phone send it."""
        return stored_text.rewrite(self.content_text)

    def segment_count(self) -> SegmentCount:
        return count_segments(self.stored_content().stored)

    @property
    def is_scheduling(self) -> bool:
        return self._raw("when") == LATER

    @cached_property
    def recipient_check(self) -> RecipientCheck:
        upload: UploadedFile | None = self.files.get("recipients_file") if self.is_bound else None
        return check_recipients(
            normalise_newlines(str(self._raw("recipients") or "")),
            upload,
            chosen_column=str(self._raw("csv_column") or ""),
            region=self.region,
            opted_out=self.opted_out,
            names=self.contacts.numbers_by_name if self.contacts else None,
        )

    def suggestions(self) -> tuple[str, list[Listed]]:
        """The name being typed last in the recipients box and the contacts it matches."""
        if self.contacts is None:
            return "", []
        return self.contacts.suggest(str(self._raw("recipients") or ""))

    # --- Validation ----------------------------------------------------------------

    def clean_token(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data["token"])
        except ValueError:
            # A mangled token cannot name a send: a fresh one will be issued.
            return None

    def clean_content(self) -> str:
        content = normalise_newlines(self.cleaned_data["content"])
        if not content.strip():
            raise forms.ValidationError(gettext("Write the message to send."))
        stored = stored_text.rewrite(content)
        if stored.is_empty:
            raise forms.ValidationError(
                gettext(
                    "Nothing of the message would be left: Sociostacks removes everything that "
                    "looks like HTML, and everything after a “<”."
                )
            )
        if stored.over_by:
            raise forms.ValidationError(cut_sentence(stored))
        return content

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._clean_recipients()
        self._clean_sim(cleaned)
        if cleaned.get("when") == LATER:
            self._clean_schedule(cleaned)
        return cleaned

    def _clean_recipients(self) -> None:
        check = self.recipient_check
        if check.error:
            field_name = "recipients_file" if check.file_name else "recipients"
            self.add_error(field_name, check.error)
            return
        if check.is_empty:
            self.add_error(
                "recipients", gettext("Paste at least one phone number or upload a CSV file.")
            )
            return
        if check.invalid and not self.cleaned_data.get("skip_invalid"):
            self.add_error("recipients", _invalid_sentence(check))
        elif not check.valid:
            self.add_error("recipients", gettext("There is no valid phone number to send to."))

    def _clean_sim(self, cleaned: dict[str, Any]) -> None:
        if not self.devices:
            if self.devices_known:
                self.add_error(
                    None, gettext("Your Sociostacks account has no device to send from.")
                )
            return
        device_id, sim = cleaned.get("device"), cleaned.get("sim")
        if device_id is None or not sim:
            return
        if not sim.startswith(f"{device_id}:"):
            self.add_error("sim", gettext("Pick a SIM of the chosen device."))

    def _clean_schedule(self, cleaned: dict[str, Any]) -> None:
        if "send_date" in self.errors or "send_time" in self.errors:
            return
        day, clock = cleaned.get("send_date"), cleaned.get("send_time")
        if day is None or clock is None:
            self.add_error("send_date", gettext("Enter the date and the time to send at."))
            return
        scheduled, problem = scheduled_moment(day, clock, self.zone, self.now)
        if problem:
            self.add_error("send_date", problem)
        self.scheduled_at = scheduled

    # --- Results ---------------------------------------------------------------------

    def draft(self) -> Draft:
        """The checked form as a draft to confirm; only after ``is_valid()``."""
        data = self.cleaned_data
        check = self.recipient_check
        device = self.devices[data["device"]]
        sim_id = int(data["sim"].split(":", 1)[1])
        sim = next(s for s in device.sims if s.subscription_id == sim_id)
        return Draft(
            content=data["content"],
            numbers=check.valid,
            device_id=device.id,
            sim_id=sim_id,
            device_label=device_label(device),
            sim_label=sim.label,
            scheduled_at=self.scheduled_at,
            recipients_source=check.source_key,
            duplicates_removed=check.duplicates,
            invalid_left_out=check.invalid_count,
            warnings=[
                *((w.text, w.reason) for w in check.warnings),
                *((number, str(OPTED_OUT)) for number in check.opted_out or ()),
                *(
                    ((str(OPT_OUTS_UNKNOWN[0]), str(OPT_OUTS_UNKNOWN[1])),)
                    if check.opted_out is None
                    else ()
                ),
            ],
        )

    def audit_summary(self) -> dict[str, Any]:
        """An invalid submit, for the audit log: what was wrong, not what was typed."""
        check = self.recipient_check
        return {
            "errors": {name: [str(m) for m in messages] for name, messages in self.errors.items()},
            "valid_recipients": check.valid_count,
            "invalid_recipients": check.invalid_count,
            "content_length": len(self.content_text),
            "scheduled": self.is_scheduling,
        }

    def carried_over(self) -> QueryDict | None:
        """The submitted values with an uploaded file's entries moved into the recipients box.

        None when there is no readable upload to carry. A form shown again
        cannot keep its file, so the numbers travel as text instead.
        """
        check = self.recipient_check
        if not check.upload_as_text:
            return None
        data = cast(QueryDict, self.data).copy()  # a bound form's data is the POST
        typed = normalise_newlines(data.get("recipients", "")).rstrip("\n")
        data["recipients"] = f"{typed}\n{check.upload_as_text}" if typed else check.upload_as_text
        data["csv_column"] = ""
        return data


def cut_sentence(stored: stored_text.Rewrite) -> str:
    """Why a message is too long, counted as Sociostacks counts it, and what it would lose."""
    lost = stored.cut if len(stored.cut) <= 40 else "…" + stored.cut[-40:]
    return gettext(
        "The message is %(length)s characters as Sociostacks stores it; it keeps "
        "%(max_length)s and would cut off the end (“%(lost)s”). Shorten it by %(over_by)s."
    ) % {
        "length": grouped(stored.length),
        "max_length": grouped(MAX_CONTENT_LENGTH),
        "lost": lost,
        "over_by": grouped(stored.over_by),
    }


def _invalid_sentence(check: RecipientCheck) -> str:
    if not check.valid:
        return gettext("None of the entries is a valid phone number (see the list below).")
    count = check.invalid_count
    valid = check.valid_count
    wrong = ngettext(
        "%(count)s entry is not a valid phone number (listed below). Correct it",
        "%(count)s entries are not valid phone numbers (listed below). Correct them",
        count,
    ) % {"count": grouped(count)}
    return ngettext(
        "%(wrong)s, or tick “Leave out the entries that are not valid phone numbers” "
        "to send to the %(valid)s valid one only.",
        "%(wrong)s, or tick “Leave out the entries that are not valid phone numbers” "
        "to send to the %(valid)s valid ones only.",
        valid,
    ) % {"wrong": wrong, "valid": grouped(valid)}
