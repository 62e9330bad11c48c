"""Messages: the list, one message, deleting (or cancelling) them, the scheduled ones."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin import problems
from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.models import PAGE_SIZES
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record, record_failure
from smsadmin.conversations.provenance import mirrored_copy, provenance
from smsadmin.http import KeyedRequest, is_storable_id, query_int, safe_next
from smsadmin.jobs import bulk, titles
from smsadmin.keys.decorators import api_key_required
from smsadmin.problems import problem_for
from smsadmin.rendering import page_or_fragment
from smsadmin.sms import mirror_pages, reading, rows
from smsadmin.sms.deleting import NOT_TRIED, delete_messages, delete_one, in_request_refusal
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, SociostacksError

# No account has a billion pages of messages; a larger number is a made-up one.
_MAX_PAGE = 10**9


def _budget_context(client: SociostacksClient) -> dict[str, object]:
    return {"budget": budget.figure(client.fingerprint)}


def _record_read(
    request: KeyedRequest,
    action: Action,
    *,
    target: str = "",
    error: Exception | None = None,
    **details: object,
) -> None:
    """One audit event for a read, whatever came of it."""
    if error is None:
        record(action, request=request, target=target, details=details)
    else:
        record_failure(action, error, request=request, target=target, details=details)


def _page_client(request: KeyedRequest) -> SociostacksClient:
    """The key's client for a page a person is waiting for: a shorter read time-out."""
    return request.api_key.client(read_timeout=settings.SOCIOSTACKS_PAGE_READ_TIMEOUT)


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def message_list(request: KeyedRequest) -> HttpResponse:
    page = query_int(request.GET.get("page"), high=_MAX_PAGE) or 1
    size = query_int(request.GET.get("size"))
    if size not in PAGE_SIZES:
        size = request.user.page_size
    state = mirror_pages.mirror_state(request.api_key)
    filters = mirror_pages.QuickFilters(request.GET, devices=state.devices if state else [])
    context: dict[str, object] = {
        "size": size,
        "page_sizes": PAGE_SIZES,
        "filters": filters,
        "filter_query": urlencode(filters.query()),
        "listing": None,
        "mirror": None,
        "rows": [],
    }
    client = _page_client(request)
    if filters.active:
        # Upstream cannot filter: the mirror answers, and says how current it is.
        if state is None:
            context["no_mirror"] = True
            _record_read(request, Action.LIST, page=page, size=size, filters=filters.query())
        else:
            copy = mirror_pages.page_of(state, page, size, filters.cleaned_data)
            context |= {"mirror": copy, "rows": copy.rows}
            _record_read(
                request,
                Action.LIST,
                page=page,
                size=size,
                filters=filters.query(),
                source="mirror",
                shown=len(copy.rows),
            )
        return page_or_fragment(
            request, "sms/list.html", "table", context | _budget_context(client)
        )
    try:
        listing = reading.message_page(client, page, size)
    except SociostacksError as error:
        _record_read(request, Action.LIST, error=error, page=page, size=size)
        context["problem"] = problem_for(error)
        if state is not None and state.is_complete:
            # No cached copy of this page either: the mirror's beats an empty page.
            copy = mirror_pages.page_of(state, page, size)
            context |= {"mirror": copy, "rows": copy.rows}
    else:
        _record_read(request, Action.LIST, page=page, size=size, shown=len(listing.rows))
        context |= {
            "listing": listing,
            "rows": rows.from_upstream(listing.rows),
            "freshness": listing.freshness,
        }
    return page_or_fragment(request, "sms/list.html", "table", context | _budget_context(client))


def _message_gone(request: KeyedRequest, sms_id: int) -> TemplateResponse:
    """Upstream forgot it; what smsadmin itself recorded still says what it was."""
    history = provenance(sms_id)
    if history.removed is not None:
        return TemplateResponse(
            request,
            "sms/gone.html",
            {
                "sms_id": sms_id,
                "provenance": history,
                "copy": mirrored_copy(request.api_key, sms_id),
            },
            status=404,
        )
    return TemplateResponse(
        request,
        "404.html",
        {
            "heading": gettext("Message %(sms_id)s was not found") % {"sms_id": sms_id},
            "explanation": gettext(
                "Sociostacks has no message with this id for your API key: "
                "it may have been deleted or cancelled, or it belongs to another account."
            ),
        },
        status=404,
    )


def _not_an_id(request: KeyedRequest, sms_id: int, action: Action | None) -> TemplateResponse:
    """A path with a number no message can have (0, or beyond what ids reach): never asked."""
    shown = str(sms_id) if len(str(sms_id)) <= 24 else f"{str(sms_id)[:20]}…"
    sentence = problems.not_a_message_id(shown)
    if action is not None:
        record(
            action,
            request=request,
            outcome=Outcome.INVALID,
            target=f"sms:{sms_id}",
            details={"error": sentence},
        )
    return TemplateResponse(
        request,
        "404.html",
        {
            "heading": gettext("There is no message %(sms_id)s") % {"sms_id": shown},
            "explanation": sentence,
        },
        status=404,
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def message_detail(request: KeyedRequest, sms_id: int) -> HttpResponse:
    if not is_storable_id(sms_id):
        return _not_an_id(request, sms_id, Action.VIEW)
    target = f"sms:{sms_id}"
    client = _page_client(request)
    try:
        detail = reading.message_detail(client, sms_id)
    except NotFound as error:
        _record_read(request, Action.VIEW, target=target, error=error)
        return _message_gone(request, sms_id)
    except SociostacksError as error:
        _record_read(request, Action.VIEW, target=target, error=error)
        context = {"sms_id": sms_id, "problem": problem_for(error)}
        return TemplateResponse(request, "sms/detail.html", context | _budget_context(client))
    _record_read(request, Action.VIEW, target=target)
    context = {
        "row": detail.row,
        "freshness": detail.freshness,
        "sms_id": sms_id,
        "provenance": provenance(sms_id),
    }
    return TemplateResponse(request, "sms/detail.html", context | _budget_context(client))


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def message_delete(request: KeyedRequest, sms_id: int) -> HttpResponse:
    """GET asks for confirmation (naming the message); POST deletes or cancels it."""
    cancelling = request.POST.get("verb") == "Cancel"
    if not is_storable_id(sms_id):
        attempted = (
            None if request.method == "GET" else Action.CANCEL if cancelling else Action.DELETE
        )
        return _not_an_id(request, sms_id, attempted)
    if request.method == "GET":
        try:
            detail = reading.message_detail(request.api_key.client(), sms_id)
        except NotFound:
            return _message_gone(request, sms_id)
        except SociostacksError as error:
            return TemplateResponse(
                request,
                "sms/delete_confirm.html",
                {"sms_id": sms_id, "problem": problem_for(error)},
            )
        return TemplateResponse(
            request, "sms/delete_confirm.html", {"sms_id": sms_id, "row": detail.row}
        )

    result = delete_one(Who.from_request(request), request.api_key, sms_id, cancelling=cancelling)
    if request.htmx:
        # The row is swapped for nothing when it went; otherwise for a row
        # that says why it is still there.
        return TemplateResponse(request, "sms/_delete_result_row.html", {"result": result})
    level = messages.SUCCESS if result.succeeded else messages.ERROR
    messages.add_message(request, level, result.sentence)
    if result.succeeded:
        return redirect(_back_to_list(request))
    return redirect("sms:detail", sms_id=sms_id)


def _back_to_list(request: KeyedRequest) -> str:
    """Where to return after a delete: the page the person came from, if it was ours."""
    return safe_next(request, reverse("sms:list"), param="back")


@require_POST
@role_required(Role.SENDER)
@api_key_required
def bulk_delete(request: KeyedRequest) -> HttpResponse:
    """Selected rows: first a confirmation listing them, then one result per message."""
    ids = sorted({n for v in request.POST.getlist("ids") if (n := query_int(v)) is not None})
    if not ids:
        messages.info(request, gettext("Select at least one message first."))
        return redirect(_back_to_list(request))
    back = _back_to_list(request)
    too_many = in_request_refusal(request.api_key.client(), len(ids))
    if request.POST.get("confirmed") == "yes" and too_many is not None:
        # More than this minute's budget allows in a request: a paced job
        # deletes exactly the confirmed ids, and its page shows the progress.
        job = bulk.start_deleting(
            owner=request.user,
            api_key=request.api_key,
            selection=bulk.selected(ids),
            title_words=bulk.title_for(bulk.selected(ids), titles.DELETE_SELECTED),
            who=Who.from_request(request),
            details={"allowed_now": too_many.allowed},
        )
        return redirect("jobs:detail", job_id=job.pk)
    if request.POST.get("confirmed") != "yes":
        return TemplateResponse(
            request,
            "sms/bulk_delete_confirm.html",
            {
                "ids": ids,
                "back": back,
                "too_many": too_many,
                "estimate": bulk.selected(ids).estimate(request.api_key) if too_many else None,
            },
        )
    results = delete_messages(Who.from_request(request), request.api_key, ids)
    not_tried = [result for result in results if result.outcome == NOT_TRIED]
    return TemplateResponse(
        request,
        "sms/bulk_delete_result.html",
        {"results": results, "back": back, "not_tried": not_tried},
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def scheduled(request: KeyedRequest) -> HttpResponse:
    context: dict[str, object] = {}
    client = _page_client(request)
    try:
        scan = reading.scheduled_messages(client, settings.SMSADMIN_SCHEDULED_SCAN_PAGES)
    except SociostacksError as error:
        _record_read(request, Action.LIST_SCHEDULED, error=error)
        context["problem"] = problem_for(error)
    else:
        _record_read(
            request, Action.LIST_SCHEDULED, shown=len(scan.rows), examined=scan.messages_examined
        )
        context |= {
            "scan": scan,
            "rows": rows.from_upstream(scan.rows),
            "freshness": scan.freshness,
        }
    return page_or_fragment(
        request, "sms/scheduled.html", "table", context | _budget_context(client)
    )
