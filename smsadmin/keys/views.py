from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.models import Team, User
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
from smsadmin.keys.models import ApiKey, fingerprint_of
from smsadmin.keys.selection import active_key, choose_active_key
from smsadmin.keys.verification import account_for
from smsadmin.problems import key_refused
from smsadmin.rendering import page_or_fragment
from smsadmin.sociostacks.errors import AuthenticationFailed, SociostacksError
from smsadmin.sociostacks.types import Account


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


def _render_list(
    request: SignedInRequest, notice: Notice | None = None, *, added: int | None = None
) -> TemplateResponse:
    user = request.user
    active = active_key(user)
    # Just added and not worked with: ask whether to switch, never switch unasked.
    just_added = (
        ApiKey.objects.usable_by(user).filter(pk=added).first()
        if added and (active is None or active.pk != added)
        else None
    )
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
        "active": active,
        "just_added": just_added,
    }
    return page_or_fragment(request, "keys/list.html", "key-tables", context)


def _done(request: SignedInRequest, level: int, text: str) -> HttpResponse:
    """After a change: the fresh key table for htmx, else a redirect to the keys page."""
    if request.htmx:
        return _render_list(request, Notice(messages.DEFAULT_TAGS[level], text))
    messages.add_message(request, level, text)
    return redirect("keys:list")


def _already_stored(raw_key: str, key: ApiKey, user) -> str:
    """Why ``raw_key`` may not be stored on ``key``, when it is stored already: "" if it is not.

    Found by the key's HMAC fingerprint: raw keys are never compared, nor decrypted for it.
    """
    fingerprint = fingerprint_of(raw_key)
    if key.pk and key.fingerprint == fingerprint:
        return gettext("This is the key “%(label)s” already uses: there is nothing to replace.") % {
            "label": key.label
        }
    other = ApiKey.objects.filter(fingerprint=fingerprint).exclude(pk=key.pk).first()
    if other is None:
        return ""
    if ApiKey.objects.visible_to(user).filter(pk=other.pk).exists():
        return gettext(
            "This key is already stored as “%(label)s” (%(masked)s), and a key is "
            "stored only once: work with that one."
        ) % {"label": other.label, "masked": other.masked}
    return gettext(
        "This key is already stored in smsadmin for someone else, and a key is stored only "
        "once. Ask an admin to share it with you as a team key."
    )


def _other_account(key: ApiKey, account: Account) -> bool:
    """Whether ``account`` is not the one ``key`` opened until now (when that is known)."""
    if key.account_id is not None:
        return account.id != key.account_id
    return bool(key.account_name) and account.name != key.account_name


@sensitive_variables("raw_key")
def _save_checked(
    request: SignedInRequest, key: ApiKey, form: forms.Form, *, action: Action, consequence: str
) -> bool:
    """Save ``key`` with the form's secret once Sociostacks accepts it; else explain on the form.

    A key stored already is refused before asking Sociostacks. A replacement
    that opens another account than before waits for a go-ahead naming both.
    The attempt and its outcome are both audited, with label and hint only.
    """
    raw_key = form.cleaned_data["api_key"]
    details = {**key.audit_details(), "hint": raw_key[-4:]}
    if key.pk:
        details["old_hint"] = key.hint
    target = f"key:{key.pk}" if key.pk else ""
    if duplicate := _already_stored(raw_key, key, request.user):
        record(
            action,
            request=request,
            outcome=Outcome.INVALID,
            target=target,
            details={**details, "refused": "already stored"},
        )
        form.add_error("api_key", duplicate)
        return False
    try:
        with audited(action, request=request, target=target, details=details) as attempt:
            account = account_for(raw_key)
            if (
                isinstance(form, ReplaceKeyForm)
                and _other_account(key, account)
                and not form.switch_accepted(account.id)
            ):
                attempt.outcome = Outcome.INVALID
                attempt.add(
                    refused="other account, not confirmed",
                    old_account=key.account_label,
                    account=account.name,
                )
                form.add_error(None, _other_account_warning(key, account))
                form.offer_switch(account.id, account.name or f"#{account.id}")
                return False
            old_account = key.account_label if key.pk else ""
            key.set_secret(raw_key)
            key.remember_account(account)
            key.save()
            attempt.target = f"key:{key.pk}"
            attempt.add(**details, account=key.account_name)
            if old_account and old_account != key.account_label:
                attempt.add(old_account=old_account)
    except SociostacksError as error:
        field = "api_key" if isinstance(error, AuthenticationFailed) else None
        form.add_error(field, key_refused(error, consequence))
        return False
    return True


def _other_account_warning(key: ApiKey, account: Account) -> str:
    new = account.name or f"#{account.id}"
    return gettext(
        "This key opens the Sociostacks account %(new)s, not %(old)s, which "
        "“%(label)s” opened until now. Everyone who works with “%(label)s” would see "
        "the messages and phones of %(new)s instead. The old key is still in use. To replace "
        "it anyway, tick the box and paste the new key again."
    ) % {"new": new, "old": key.account_label, "label": key.label}


def _working_keys(people: Iterable[User]) -> dict[User, ApiKey | None]:
    """Who works with which key now: taken before a key is added, for _keep_working_keys."""
    return {person: active_key(person) for person in people}


def _keep_working_keys(before: dict[User, ApiKey | None], new_key: ApiKey) -> None:
    """Pin each person's active key, so a key added for them never switches it silently.

    Without a pick of their own, a person works with the first of their keys
    by label: a new key may sort first. Whoever had no key gets the new one.
    """
    for person, current in before.items():
        choose_active_key(person, current or new_key)


@require_GET
def key_list(request: SignedInRequest) -> HttpResponse:
    record(Action.KEYS_VIEWED, request=request)
    return _render_list(request, added=query_int(request.GET.get("added", "")))


@sensitive_post_parameters("api_key")
# A key is for reading and sending messages: the roles that do that may add one.
@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def add(request: SignedInRequest) -> HttpResponse:
    form = AddKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = ApiKey(label=form.cleaned_data["label"], owner=request.user, created_by=request.user)
        before = _working_keys([request.user])
        if _save_checked(
            request,
            key,
            form,
            action=Action.KEY_ADDED,
            consequence=gettext("The key was not saved."),
        ):
            _keep_working_keys(before, key)
            values = {"label": key.label, "account": key.account_label}
            if before[request.user] is None:
                messages.success(
                    request,
                    gettext(
                        "“%(label)s” is saved: it opens the Sociostacks account %(account)s. "
                        "You work with it now."
                    )
                    % values,
                )
                return redirect("keys:list")
            messages.success(
                request,
                gettext("“%(label)s” is saved: it opens the Sociostacks account %(account)s.")
                % values,
            )
            return redirect(f"{reverse('keys:list')}?added={key.pk}")
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
        team: Team = form.cleaned_data["team"]
        before = _working_keys(team.members.all())
        if _save_checked(
            request,
            key,
            form,
            action=Action.KEY_ADDED,
            consequence=gettext("The key was not saved."),
        ):
            _keep_working_keys(before, key)
            messages.success(
                request,
                gettext(
                    "“%(label)s” is saved for team %(team)s: every member may use it "
                    "now. Members who already worked with a key keep working with it."
                )
                % {"label": key.label, "team": team.name},
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
            consequence=gettext("The old key is still in use."),
        )
    ):
        messages.success(
            request,
            gettext(
                "“%(label)s” now uses the new key (••••%(hint)s), which opens the Sociostacks "
                "account %(account)s."
            )
            % {"label": key.label, "hint": key.hint, "account": key.account_label},
        )
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
        messages.success(
            request,
            gettext("“%(old)s” is now called “%(new)s”.") % {"old": old_label, "new": key.label},
        )
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
        messages.success(
            request,
            gettext("“%(label)s” is deleted. Sociostacks still knows the key itself.")
            % {"label": label},
        )
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
        return _done(request, messages.ERROR, key_refused(error, gettext("Nothing was changed.")))
    return _done(
        request,
        messages.SUCCESS,
        gettext("“%(label)s” works: it opens the Sociostacks account %(account)s.")
        % {"label": key.label, "account": key.account_name},
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
        return _done(request, messages.ERROR, gettext("Pick one of the keys you can use."))
    key = form.cleaned_data["key"]
    choose_active_key(request.user, key)
    record(
        Action.KEY_ACTIVATED, request=request, target=f"key:{key.pk}", details=key.audit_details()
    )
    return _done(
        request,
        messages.SUCCESS,
        gettext("You now work with “%(label)s” (Sociostacks account %(account)s).")
        % {"label": key.label, "account": key.account_label},
    )
