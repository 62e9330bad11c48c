from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.models import Team
from smsadmin.accounts.roles import Role, has_role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import audited, record
from smsadmin.http import SignedInRequest, query_int
from smsadmin.keys.crypto import KeyDecryptionError
from smsadmin.keys.decorators import changeable_key
from smsadmin.keys.forms import (
    ActiveKeyForm,
    AddKeyForm,
    RenameKeyForm,
    ReplaceKeyForm,
    TeamKeyForm,
)
from smsadmin.keys.models import ApiKey
from smsadmin.keys.selection import active_key, choose_active_key
from smsadmin.keys.verification import account_for
from smsadmin.problems import key_refused
from smsadmin.rendering import page_or_fragment
from smsadmin.sociostacks.errors import AuthenticationFailed, SociostacksError


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    is_active: bool
    changeable: bool


@dataclass(frozen=True)
class Notice:
    """A result line inside the swapped tables: an htmx swap shows no flash messages."""

    level: str
    text: str


def _render_list(request: SignedInRequest, notice: Notice | None = None) -> TemplateResponse:
    user = request.user
    active = active_key(user)
    rows = [
        KeyRow(key, active is not None and key.pk == active.pk, key.may_be_changed_by(user))
        for key in ApiKey.objects.usable_by(user).select_related("team")
    ]
    is_admin = has_role(user, Role.ADMIN)
    team_keys = (
        ApiKey.objects.filter(team__isnull=False)
        .select_related("team")
        .prefetch_related("team__members")
        if is_admin
        else []
    )
    context = {
        "rows": rows,
        "team_keys": team_keys,
        "has_teams": is_admin and Team.objects.exists(),
        "notice": notice,
    }
    return page_or_fragment(request, "keys/list.html", "key-tables", context)


def _done(request: SignedInRequest, level: int, text: str) -> HttpResponse:
    """After a change: the fresh key table for htmx, else a redirect to the keys page."""
    if request.htmx:
        return _render_list(request, Notice(messages.DEFAULT_TAGS[level], text))
    messages.add_message(request, level, text)
    return redirect("keys:list")


@sensitive_variables("raw_key")
def _save_checked(
    request: SignedInRequest, key: ApiKey, form: forms.Form, *, action: Action, consequence: str
) -> bool:
    """Save ``key`` with the form's secret once Sociostacks accepts it; else explain on the form.

    The attempt and its outcome are both audited, with label and hint only.
    """
    raw_key = form.cleaned_data["api_key"]
    details = {**key.audit_details(), "hint": raw_key[-4:]}
    if key.pk:
        details["old_hint"] = key.hint
    try:
        with audited(
            action,
            request=request,
            target=f"key:{key.pk}" if key.pk else "",
            details=details,
        ) as attempt:
            account = account_for(raw_key)
            key.set_secret(raw_key)
            key.remember_account(account)
            key.save()
            attempt.target = f"key:{key.pk}"
            attempt.add(**details, account=key.account_name)
    except SociostacksError as error:
        field = "api_key" if isinstance(error, AuthenticationFailed) else None
        form.add_error(field, key_refused(error, consequence))
        return False
    return True


@require_GET
def key_list(request: SignedInRequest) -> HttpResponse:
    record(Action.KEYS_VIEWED, request=request)
    return _render_list(request)


@sensitive_post_parameters("api_key")
# A key is for reading and sending messages: the roles that do that may add one.
@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def add(request: SignedInRequest) -> HttpResponse:
    form = AddKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ApiKey(label=form.cleaned_data["label"], owner=request.user, created_by=request.user)
        if _save_checked(
            request, key, form, action=Action.KEY_ADDED, consequence="The key was not saved."
        ):
            messages.success(
                request,
                f"“{key.label}” is saved: it opens the Sociostacks account {key.account_name}.",
            )
            return redirect("keys:list")
    return TemplateResponse(request, "keys/add.html", {"form": form, "for_team": False})


@sensitive_post_parameters("api_key")
@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def add_team_key(request: SignedInRequest) -> HttpResponse:
    form = TeamKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ApiKey(
            label=form.cleaned_data["label"],
            team=form.cleaned_data["team"],
            created_by=request.user,
        )
        if _save_checked(
            request, key, form, action=Action.KEY_ADDED, consequence="The key was not saved."
        ):
            messages.success(
                request,
                f"“{key.label}” is saved for team {form.cleaned_data['team'].name}: "
                "every member may use it now.",
            )
            return redirect("keys:list")
    return TemplateResponse(
        request,
        "keys/add.html",
        {"form": form, "for_team": True, "has_teams": Team.objects.exists()},
    )


@sensitive_post_parameters("api_key")
@require_http_methods(["GET", "POST"])
@changeable_key
def replace(request: SignedInRequest, key: ApiKey) -> HttpResponse:
    form = ReplaceKeyForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_checked(
            request,
            key,
            form,
            action=Action.KEY_REPLACED,
            consequence="The old key is still in use.",
        )
    ):
        messages.success(request, f"“{key.label}” now uses the new key (••••{key.hint}).")
        return redirect("keys:list")
    return TemplateResponse(request, "keys/replace.html", {"form": form, "key": key})


@require_http_methods(["GET", "POST"])
@changeable_key
def rename(request: SignedInRequest, key: ApiKey) -> HttpResponse:
    old_label = key.label
    form = RenameKeyForm(request.POST or None, instance=key)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            Action.KEY_RENAMED,
            request=request,
            target=f"key:{key.pk}",
            details={**key.audit_details(), "old_label": old_label},
        )
        messages.success(request, f"“{old_label}” is now called “{key.label}”.")
        return redirect("keys:list")
    return TemplateResponse(
        request, "keys/rename.html", {"form": form, "key": key, "old_label": old_label}
    )


@require_http_methods(["GET", "POST"])
@changeable_key
def delete(request: SignedInRequest, key: ApiKey) -> HttpResponse:
    if request.method == "POST":
        target, details, label = f"key:{key.pk}", key.audit_details(), key.label
        key.delete()
        record(Action.KEY_DELETED, request=request, target=target, details=details)
        messages.success(request, f"“{label}” is deleted. Sociostacks still knows the key itself.")
        return redirect("keys:list")
    return TemplateResponse(request, "keys/delete.html", {"key": key})


@require_POST
@changeable_key
def verify(request: SignedInRequest, key: ApiKey) -> HttpResponse:
    try:
        with audited(
            Action.KEY_VERIFIED,
            request=request,
            target=f"key:{key.pk}",
            details=key.audit_details(),
        ) as attempt:
            key.remember_account(key.client().get_account())
            key.save(update_fields=["account_name", "account_time_zone", "verified_at"])
            attempt.add(**key.audit_details(), account=key.account_name)
    except (SociostacksError, KeyDecryptionError) as error:
        return _done(request, messages.ERROR, key_refused(error, "Nothing was changed."))
    return _done(
        request,
        messages.SUCCESS,
        f"“{key.label}” works: it opens the Sociostacks account {key.account_name}.",
    )


@require_POST
def activate(request: SignedInRequest) -> HttpResponse:
    form = ActiveKeyForm(request.POST, user=request.user)
    if not form.is_valid():
        chosen = request.POST.get("key", "")
        record(
            Action.KEY_ACTIVATED,
            request=request,
            outcome=Outcome.INVALID,
            # Only a plain id goes in the log: the field is free text to a client.
            target=f"key:{chosen}" if query_int(chosen) else "",
        )
        return _done(request, messages.ERROR, "Pick one of the keys you can use.")
    key = form.cleaned_data["key"]
    choose_active_key(request.user, key)
    record(
        Action.KEY_ACTIVATED, request=request, target=f"key:{key.pk}", details=key.audit_details()
    )
    return _done(request, messages.SUCCESS, f"You now work with “{key.label}”.")
