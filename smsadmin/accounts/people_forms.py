"""The forms of the People pages: fields and their checks only; people.py makes the changes."""

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError

from smsadmin.accounts import operators
from smsadmin.accounts.models import Team, User
from smsadmin.accounts.roles import ROLE_DESCRIPTIONS, Role

_ROLE_CHOICES = [(role.value, f"{role.value}: {ROLE_DESCRIPTIONS[role]}") for role in Role]


def _roles_field() -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label="Roles",
        choices=_ROLE_CHOICES,
        coerce=Role,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What they may do. Without a role they can sign in and see nothing.",
    )


def _teams_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Teams",
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Which team keys they may use.",
    )


class RoleFilterForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Everyone"), *[(role.value, role.value) for role in Role]],
        required=False,
    )


class InviteForm(forms.ModelForm):
    roles = _roles_field()
    teams = _teams_field()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]
        help_texts = {"username": "What they type to sign in: letters, digits and @.+-_ only."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "The set-password link goes here when e-mail is set up."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone here already has this e-mail address.")
        return email


def _names(text: str) -> list[str]:
    names = sorted({operators.clean_name(line) for line in text.splitlines()} - {""})
    for name in names:
        if len(name) < 2 or len(name) > 64:
            raise ValidationError(f"“{name}”: a name needs 2 to 64 characters.")
    return names


def _operators_field() -> forms.CharField:
    return forms.CharField(
        label="Operators",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One name per line. Signing in, each person picks theirs from this list.",
    )


def _may_type_a_name_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Operators may also type a name that is not on the list", required=False
    )


def _check_someone_may_sign_in(form: forms.BaseForm) -> None:
    cleaned = form.cleaned_data
    if "operators" in cleaned and not cleaned["operators"] and not cleaned.get("may_type_a_name"):
        form.add_error(
            "operators",
            "List at least one operator, or let operators type their name: otherwise nobody "
            "can use this login. To stop it being used, deactivate it.",
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
        help_texts = {"username": "What the team types to sign in, such as “front-desk”."}

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
        labels = {"name": "New team"}
        help_texts = {"name": "Such as “Support” or “Night shift”."}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name.lower() in {role.value for role in Role}:
            raise ValidationError("That is the name of a role: pick another name for the team.")
        return name


class _MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _member_label(obj)


class TeamMembersForm(forms.Form):
    members = _MembersField(
        label="Members",
        queryset=User.objects.order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People and shared logins who may use the team's keys.",
    )


def _member_label(person: User) -> str:
    label = person.username
    if person.get_full_name():
        label += f" ({person.get_full_name()})"
    if person.is_shared:
        label += ", shared login"
    if not person.is_active:
        label += ", deactivated"
    return label
