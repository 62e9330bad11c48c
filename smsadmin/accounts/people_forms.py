"""The forms of the People pages: fields and their checks only; people.py makes the changes."""

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, pgettext

from smsadmin.accounts import operators
from smsadmin.accounts.models import Team, User
from smsadmin.accounts.roles import ROLE_DESCRIPTIONS, Role, role_label


def _role_choices() -> list[tuple[str, str]]:
    # Called when a form is made, so in the reader's language.
    return [
        (
            role.value,
            gettext("%(role)s: %(allows)s")
            % {"role": role_label(role), "allows": ROLE_DESCRIPTIONS[role]},
        )
        for role in Role
    ]


def _role_filter_choices() -> list[tuple[str, str]]:
    return [("", gettext("Everyone")), *[(role.value, role_label(role)) for role in Role]]


def _roles_field() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=gettext_lazy("Roles"),
        choices=_role_choices,
        coerce=Role,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "What they may do. Without a role they can sign in and see nothing."
        ),
    )


def _teams_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Which team keys they may use."),
    )


class RoleFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=_role_filter_choices,
        required=False,
    )


class InviteForm(forms.ModelForm):
    roles = _roles_field()
    teams = _teams_field()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]
        help_texts = {
            "username": gettext_lazy("What they type to sign in: letters, digits and @.+-_ only.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = gettext(
            "The set-password link goes here when e-mail is set up."
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(gettext("Someone here already has this e-mail address."))
        return email


def _names(text: str) -> list[str]:
    names = sorted({operators.clean_name(line) for line in text.splitlines()} - {""})
    for name in names:
        if len(name) < 2 or len(name) > 64:
            raise ValidationError(
                gettext("“%(name)s”: a name needs 2 to 64 characters.") % {"name": name}
            )
    return names


def _operators_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Operators"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One name per line. Signing in, each person picks theirs from this list."
        ),
    )


def _may_type_a_name_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=gettext_lazy("Operators may also type a name that is not on the list"),
        required=False,
    )


def _check_someone_may_sign_in(form: forms.BaseForm) -> None:
    cleaned = form.cleaned_data
    if "operators" in cleaned and not cleaned["operators"] and not cleaned.get("may_type_a_name"):
        form.add_error(
            "operators",
            gettext(
                "List at least one operator, or let operators type their name: otherwise nobody "
                "can use this login. To stop it being used, deactivate it."
            ),
        )


class OperatorsForm(forms.Form):
    operators = _operators_field()
    may_type_a_name = _may_type_a_name_field()

    def clean_operators(self) -> list[str]:
        return _names(self.cleaned_data["operators"])

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        _check_someone_may_sign_in(self)
        return cleaned


class SharedLoginForm(SetPasswordMixin, forms.ModelForm):
    """A new shared login: its password is set here, by the admin, and only ever by an admin."""

    password1, password2 = SetPasswordMixin.create_password_fields()
    roles = _roles_field()
    teams = _teams_field()
    operators = _operators_field()
    may_type_a_name = _may_type_a_name_field()

    class Meta:
        model = User
        fields = ["username"]
        help_texts = {
            "username": gettext_lazy("What the team types to sign in, such as “front-desk”.")
        }

    def clean_operators(self) -> list[str]:
        return _names(self.cleaned_data["operators"])

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        _check_someone_may_sign_in(self)
        self.validate_passwords()
        self.validate_password_for_user(User(username=cleaned.get("username", "")))
        return cleaned


class RolesForm(forms.Form):
    roles = _roles_field()


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]
        labels = {"name": gettext_lazy("New team")}
        help_texts = {"name": gettext_lazy("Such as “Support” or “Night shift”.")}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name.lower() in {role.value for role in Role}:
            raise ValidationError(
                gettext("That is the name of a role: pick another name for the team.")
            )
        return name


class _MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _member_label(obj)


class TeamMembersForm(forms.Form):
    members = _MembersField(
        label=gettext_lazy("Members"),
        queryset=User.objects.order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("People and shared logins who may use the team's keys."),
    )


def _member_label(person: User) -> str:
    label = person.username
    if person.get_full_name():
        label = gettext("%(username)s (%(name)s)") % {
            "username": label,
            "name": person.get_full_name(),
        }
    if person.is_shared:
        label = gettext("%(member)s, shared login") % {"member": label}
    if not person.is_active:
        label = pgettext("person status", "%(member)s, deactivated") % {"member": label}
    return label
