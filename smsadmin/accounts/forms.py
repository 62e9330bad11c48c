import zoneinfo

import phonenumbers
from django import forms

from smsadmin.accounts.models import User


class OperatorForm(forms.Form):
    operator_name = forms.CharField(
        label="Your name",
        max_length=64,
        strip=True,
        help_text="This login is shared by a team. Your name goes with everything you do.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )

    def clean_operator_name(self) -> str:
        name = " ".join(self.cleaned_data["operator_name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Type at least two characters so others can tell you apart.")
        return name


def _zone_choices() -> list[tuple[str, str]]:
    return [("", "Server default")] + [(z, z) for z in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=_zone_choices, required=False, label="Time zone")

    class Meta:
        model = User
        fields = ["time_zone", "phone_region", "page_size"]
        labels = {"page_size": "Messages per page"}

    def clean_phone_region(self) -> str:
        region = self.cleaned_data["phone_region"].strip().upper()
        if region and region not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError("Use a two-letter country code, such as DE, GB or US.")
        return region
