"""Inbox, conversation and saved-text pages. Every page here is answered from
the local database: none of them spends the team's upstream budget."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.conversations import inbox, threads
from smsadmin.conversations.models import SavedText
from smsadmin.http import KeyedRequest, query_int, safe_next
from smsadmin.keys.decorators import api_key_required
from smsadmin.keys.selection import active_key
from smsadmin.mirror import sync
from smsadmin.mirror.models import SyncState
from smsadmin.problems import Problem, problem_for
from smsadmin.sms import reading
from smsadmin.sms.reading import MessageRow
from smsadmin.sociostacks.errors import SociostacksError

INBOX_PAGE_SIZE = 50
# How much of upstream's newest messages a conversation looks at beyond the mirror.
NEWEST_PAGE_SIZE = 100


def _account_id(request: KeyedRequest) -> int | None:
    link = sync.account_link(request.api_key)
    return link.account_id if link else None


def _freshness(account_id: int | None) -> SyncState | None:
    return SyncState.objects.filter(account_id=account_id).first() if account_id else None


def _page_number(request: KeyedRequest) -> int:
    return query_int(request.GET.get("page"), high=999_999) or 1


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def inbox_page(request: KeyedRequest) -> HttpResponse:
    account_id = _account_id(request)
    rows = inbox.unhandled(account_id) if account_id else inbox.received(0).none()
    page = Paginator(rows, INBOX_PAGE_SIZE).get_page(_page_number(request))
    record(Action.INBOX_VIEWED, request=request, details={"unhandled": page.paginator.count})
    return TemplateResponse(
        request,
        "conversations/inbox.html",
        {
            "page": page,
            "state": _freshness(account_id),
            "linked": account_id is not None,
            "days": inbox.since(),
        },
    )


@require_GET
@role_required(Role.VIEWER)
def badge(request: KeyedRequest) -> HttpResponse:
    """The unread count the navigation polls. Not audited: it shows a number, no message.

    It never redirects, not even without a key: every page polls it, and a poll
    answered with a redirect would move the person off the page they are on.
    """
    key = active_key(request.user)
    link = sync.account_link(key) if key is not None else None
    count = inbox.unhandled_count(link.account_id) if link else 0
    return TemplateResponse(request, "conversations/_badge.html", {"unhandled": count})


def _ids(values: list[str]) -> list[int]:
    return [n for v in values if (n := query_int(v)) is not None]


@require_POST
@role_required(Role.VIEWER)
@api_key_required
def mark_handled(request: KeyedRequest) -> HttpResponse:
    account_id = _account_id(request)
    wanted = _ids(request.POST.getlist("sms_id"))
    if account_id is None or not wanted:
        record(
            Action.MARKED_HANDLED,
            request=request,
            outcome=Outcome.INVALID,
            details={"reason": "nothing chosen" if account_id else "mirror not linked"},
        )
        messages.info(request, gettext("Choose at least one message to mark as handled."))
        return redirect("conversations:inbox")
    fresh = inbox.mark_handled(
        account_id, wanted, request.user, request.session.get(OPERATOR_SESSION_KEY, "")
    )
    record(
        Action.MARKED_HANDLED,
        request=request,
        target="sms:" + ",".join(map(str, fresh)) if fresh else "",
        details={"asked": len(wanted), "marked": len(fresh)},
    )
    left = len(wanted) - len(fresh)
    note = ngettext(
        "Marked %(count)s message as handled.", "Marked %(count)s messages as handled.", len(fresh)
    ) % {"count": len(fresh)}
    if left:
        rest = ngettext(
            "%(count)s had been handled already or is not a received message of this account.",
            "%(count)s had been handled already or are not received messages of this account.",
            left,
        ) % {"count": left}
        note = f"{note} {rest}"
    messages.success(request, note)
    return redirect(safe_next(request, reverse("conversations:inbox"), param="back"))


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def conversation(request: KeyedRequest, number: str) -> HttpResponse:
    e164 = threads.e164(number)
    if e164 is None:
        record(
            Action.CONVERSATION_VIEWED,
            request=request,
            outcome=Outcome.INVALID,
            details={"number": number[:40]},
        )
        return TemplateResponse(
            request, "conversations/not_a_number.html", {"number": number[:40]}, status=404
        )
    if e164 != number:
        return redirect("conversations:thread", number=e164)
    account_id = _account_id(request)
    recent, recent_problem = _newest_upstream_rows(request)
    thread = threads.thread(account_id or 0, e164, recent)
    handled = inbox.handled_by_id(account_id or 0, [m.sms_id for m in thread.messages])
    record(
        Action.CONVERSATION_VIEWED,
        request=request,
        target=f"number:{e164}",
        details={"messages": len(thread.messages)},
    )
    last_in = thread.last_received
    return TemplateResponse(
        request,
        "conversations/thread.html",
        {
            "thread": thread,
            "items": [(m, handled.get(m.sms_id)) for m in thread.messages],
            "state": _freshness(account_id),
            "linked": account_id is not None,
            "recent_problem": recent_problem,
            "last_in": last_in,
            "last_in_unhandled": last_in is not None and last_in.sms_id not in handled,
            "saved_texts": SavedText.objects.all(),
        },
    )


def _newest_upstream_rows(request: KeyedRequest) -> tuple[list[MessageRow], Problem | None]:
    """Upstream's newest page, as the message list reads it (one shared cached read)."""
    try:
        page = reading.message_page(request.api_key.client(), 1, NEWEST_PAGE_SIZE)
    except SociostacksError as error:
        return [], problem_for(error)
    return page.rows, None


class SavedTextForm(forms.ModelForm):
    class Meta:
        model = SavedText
        fields = ["name", "text", "name_fallback"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}
        labels = {
            "name": gettext_lazy("Name"),
            "text": gettext_lazy("Text"),
            "name_fallback": gettext_lazy("When the name is not known"),
        }
        help_texts = {
            "text": gettext_lazy("{name} is replaced by the contact's name when it is known."),
            "name_fallback": gettext_lazy(
                "Used for {name} when the contact's name is not known, e.g. “there”."
            ),
        }
        error_messages = {
            "name": {"unique": gettext_lazy("A saved text with this name already exists.")},
        }


@require_GET
@role_required(Role.SENDER)
def saved_texts(request: KeyedRequest) -> HttpResponse:
    return TemplateResponse(
        request, "conversations/saved_texts.html", {"texts": SavedText.objects.all()}
    )


def _snapshot(text: SavedText) -> dict[str, str]:
    return {"name": text.name, "text": text.text}


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
def saved_text_edit(request: KeyedRequest, text_id: int | None = None) -> HttpResponse:
    text = (
        get_object_or_404(SavedText, pk=text_id) if text_id else SavedText(created_by=request.user)
    )
    before = _snapshot(text) if text_id else None
    form = SavedTextForm(request.POST or None, instance=text)
    if request.method == "POST":
        action = Action.SAVED_TEXT_CHANGED if text_id else Action.SAVED_TEXT_ADDED
        if not form.is_valid():
            record(
                action,
                request=request,
                outcome=Outcome.INVALID,
                details={"errors": sorted(form.errors)},
            )
            return TemplateResponse(
                request,
                "conversations/saved_text_form.html",
                {"form": form, "text": text},
                status=400,
            )
        saved = form.save()
        record(
            action,
            request=request,
            target=f"saved_text:{saved.pk}",
            details={"before": before, "after": _snapshot(saved)},
        )
        messages.success(request, gettext("Saved “%(name)s”.") % {"name": saved.name})
        return redirect("conversations:saved_texts")
    return TemplateResponse(
        request, "conversations/saved_text_form.html", {"form": form, "text": text}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
def saved_text_delete(request: KeyedRequest, text_id: int) -> HttpResponse:
    text = get_object_or_404(SavedText, pk=text_id)
    if request.method == "POST":
        before = _snapshot(text)
        text.delete()
        record(
            Action.SAVED_TEXT_DELETED,
            request=request,
            target=f"saved_text:{text_id}",
            details={"before": before},
        )
        messages.success(request, gettext("Deleted “%(name)s”.") % {"name": before["name"]})
        return redirect(reverse("conversations:saved_texts"))
    return TemplateResponse(request, "conversations/saved_text_delete.html", {"text": text})
