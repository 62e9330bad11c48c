import re
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.forms import BoundField
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smsadmin.accounts.models import Team, User
from smsadmin.keys.models import ApiKey

# Sociostacks keys are plain tokens. Anything else (a space, an accented letter)
# is a paste mistake, and would not even fit in an HTTP header.
_key_characters = RegexValidator(
    re.compile(r"\A[\x21-\x7e]+\Z"),
    _("An API key has only letters, digits and punctuation, without spaces."),
)


def _api_key_field() -> forms.CharField:
    # PasswordInput never renders its value back, so a typed key never reappears.
    return forms.CharField(
        label=_("API key"),
        max_length=500,
        strip=True,
        validators=[_key_characters],
        help_text=_(
            "From your Sociostacks account. It is checked with Sociostacks, stored "
            "encrypted and never shown again: only its last four characters are."
        ),
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _label_field() -> forms.CharField:
    return forms.CharField(
        label=_("Label"),
        max_length=100,
        strip=True,
        help_text=_("A name people will recognise, such as “Support phones”."),
    )


class AddKeyForm(forms.Form):
    label = _label_field()
    api_key = _api_key_field()


class TeamKeyForm(AddKeyForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        label=_("Team"),
        empty_label=None,
        help_text=_("Every member of the team may use this key; no member can see it."),
    )
    field_order = ["team", "label", "api_key"]


class ReplaceKeyForm(forms.Form):
    """The new secret; and, once warned that it opens another account, the go-ahead for it.

    The go-ahead names the account it was given for, so it cannot wave through
    a third key pasted after the warning.
    """

    api_key = _api_key_field()
    other_account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    switch_account = forms.BooleanField(required=False)
    switch_offered = False

    def offer_switch(self, account_id: int, label: str) -> None:
        """Show the go-ahead for ``account_id`` on the re-rendered form."""
        self.switch_offered = True
        self.fields["other_account"].initial = account_id
        agree = gettext("Yes, “%(account)s” is the account to use from now on") % {"account": label}
        self.fields["switch_account"].label = agree
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data["other_account"] = str(account_id)
        data.pop("switch_account", None)
        self.data = data
        # Bound fields were made (with the old label) while the form was validated.
        self._bound_fields_cache.clear()  # type: ignore[attr-defined]

    def switch_accepted(self, account_id: int) -> bool:
        return bool(
            self.cleaned_data.get("switch_account")
            and self.cleaned_data.get("other_account") == account_id
        )

    def __iter__(self) -> Iterator[BoundField]:
        # The go-ahead box only after the warning: before it, there is nothing to agree to.
        for bound in super().__iter__():
            if bound.name != "switch_account" or self.switch_offered:
                yield bound


class RenameKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["label"]
        labels = {"label": _("Label")}
        help_texts = {"label": _("A name people will recognise, such as “Support phones”.")}


class ActiveKeyForm(forms.Form):
    key = forms.ModelChoiceField(queryset=ApiKey.objects.none(), label=_("Key to work with"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["key"]).queryset = ApiKey.objects.usable_by(user)
