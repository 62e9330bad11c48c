import zoneinfo
from collections.abc import Sequence
from typing import Any, cast

import phonenumbers
from django import forms
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from smsadmin.accounts import operators
from smsadmin.accounts.models import User
from smsadmin.sociostacks.types import Device


class OperatorForm(forms.Form):
    """Who is using a shared login: a name from the admin's list, or a typed one where allowed."""

    operator = forms.ChoiceField(
        label=gettext_lazy("Who are you?"), widget=forms.RadioSelect, required=False
    )
    operator_name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=64,
        strip=True,
        required=False,
        help_text=gettext_lazy(
            "This login is shared by a team. Your name goes with everything you do."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args: Any, login: User, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = operators.allowed_names(login)
        if names:
            cast(forms.ChoiceField, self.fields["operator"]).choices = [
                (name, name) for name in names
            ]
            self.initial["operator"] = current if current in names else None
        else:
            del self.fields["operator"]
        if not login.operators_may_type_a_name:
            del self.fields["operator_name"]
        elif names:
            self.fields["operator_name"].label = gettext("Not on the list? Type your name")
            self.fields["operator_name"].help_text = ""

    @property
    def offers_a_choice(self) -> bool:
        return bool(self.fields)

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        typed = operators.clean_name(cleaned.get("operator_name") or "")
        if typed:
            if len(typed) < 2:
                self.add_error(
                    "operator_name",
                    gettext("Type at least two characters so others can tell you apart."),
                )
            cleaned["name"] = typed
        elif cleaned.get("operator"):
            cleaned["name"] = cleaned["operator"]
        elif "operator" in self.fields:
            self.add_error("operator", gettext("Pick your name from the list."))
        elif "operator_name" in self.fields:
            self.add_error("operator_name", gettext("Type your name."))
        else:
            raise forms.ValidationError(gettext("No operators are listed for this login yet."))
        return cleaned


def _zone_choices() -> list[tuple[str, str]]:
    return [("", gettext("Server default"))] + [
        (z, z) for z in sorted(zoneinfo.available_timezones())
    ]


def _device_name(device: Device) -> str:
    return device.name or gettext("Phone #%(id)s") % {"id": device.id}


class PreferencesForm(forms.ModelForm):
    """The person's own settings; default phone and SIM only when their devices are known.

    A SIM's subscription id is only unique within its phone, so a SIM choice
    carries both ids ("device:subscription").
    """

    time_zone = forms.ChoiceField(
        choices=_zone_choices, required=False, label=gettext_lazy("Time zone")
    )
    default_device_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label=gettext_lazy("Default phone"),
        help_text=gettext_lazy("Compose starts with this phone selected."),
    )
    default_sim_id = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Default SIM"),
        help_text=gettext_lazy(
            "Compose starts with this SIM selected. Picking a SIM also picks its phone."
        ),
    )

    class Meta:
        model = User
        fields = [
            "language",
            "time_zone",
            "phone_region",
            "page_size",
            "default_device_id",
            "default_sim_id",
        ]
        labels = {"page_size": gettext_lazy("Messages per page")}

    def __init__(self, *args: Any, devices: Sequence[Device] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if devices is None:
            del self.fields["default_device_id"]
            del self.fields["default_sim_id"]
            return
        self._devices = {device.id: device for device in devices}
        cast(forms.ChoiceField, self.fields["default_device_id"]).choices = [
            ("", pgettext_lazy("default phone", "No default"))
        ] + [(device.id, _device_name(device)) for device in devices]
        cast(forms.ChoiceField, self.fields["default_sim_id"]).choices = [
            ("", pgettext_lazy("default SIM", "No default"))
        ] + [
            (
                _device_name(device),
                [(f"{device.id}:{sim.subscription_id}", sim.label) for sim in device.sims],
            )
            for device in devices
            if device.sims
        ]
        user = self.instance
        self.initial["default_sim_id"] = (
            f"{user.default_device_id}:{user.default_sim_id}"
            if user.default_device_id is not None and user.default_sim_id is not None
            else ""
        )

    def clean_phone_region(self) -> str:
        region = self.cleaned_data["phone_region"].strip().upper()
        if region and region not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError(
                gettext("Use a two-letter country code, such as DE, GB or US.")
            )
        return region

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if "default_sim_id" not in self.fields or "default_sim_id" not in cleaned:
            return cleaned
        choice = cleaned["default_sim_id"]
        if not choice:
            cleaned["default_sim_id"] = None
            return cleaned
        device_id, sim_id = (int(part) for part in choice.split(":"))
        cleaned["default_sim_id"] = sim_id
        chosen_device = cleaned.get("default_device_id")
        if chosen_device is None:
            cleaned["default_device_id"] = device_id
        elif chosen_device != device_id:
            self.add_error(
                "default_sim_id",
                gettext(
                    "That SIM is in %(phone)s, not in the phone chosen above. "
                    "Pick a SIM of that phone, or no default SIM."
                )
                % {"phone": _device_name(self._devices[device_id])},
            )
        return cleaned
