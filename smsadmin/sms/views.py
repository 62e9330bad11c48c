"""Messages: the list, one message, deleting (or cancelling) them, the scheduled ones."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.models import PAGE_SIZES
from smsadmin.accounts.roles import Role
from smsadmin.audit.recorder import record, record_failure
from smsadmin.conversations.provenance import mirrored_copy, provenance
from smsadmin.keys.decorators import api_key_required
from smsadmin.problems import problem_for
from smsadmin.rendering import page_or_fragment
from smsadmin.sms import reading
from smsadmin.sms.deleting import delete_messages, delete_one
from smsadmin.sociostacks import budget
from smsadmin.sociostacks.client import SociostacksClient
from smsadmin.sociostacks.errors import NotFound, SociostacksError


def _positive_int(value: str | None, default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number > 0 else default


def _budget_context(client: SociostacksClient) -> dict[str, object]:
    fingerprint = client.fingerprint
    return {
        "calls_left": budget.calls_left(fingerprint),
        "blocked_for": budget.blocked_for(fingerprint),
        "not_limited": budget.is_unlimited(fingerprint),
    }


def _record_read(
    request: HttpRequest,
    action: str,
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


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def message_list(request: HttpRequest) -> HttpResponse:
    page = _positive_int(request.GET.get("page"), 1)
    size = _positive_int(request.GET.get("size"), request.user.page_size)
    if size not in PAGE_SIZES:
        size = request.user.page_size
    context: dict[str, object] = {"size": size, "page_sizes": PAGE_SIZES}
    client = request.api_key.client()
    try:
        listing = reading.message_page(client, page, size)
    except SociostacksError as error:
        _record_read(request, "list", error=error, page=page, size=size)
        context["problem"] = problem_for(error)
    else:
        _record_read(request, "list", page=page, size=size, shown=len(listing.rows))
        context |= {"listing": listing, "freshness": listing.freshness}
    return page_or_fragment(request, "sms/list.html", "table", context | _budget_context(client))


def _message_gone(request: HttpRequest, sms_id: int) -> TemplateResponse:
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
            "heading": f"Message {sms_id} was not found",
            "explanation": "Sociostacks has no message with this id for your API key: "
            "it may have been deleted or cancelled, or it belongs to another account.",
        },
        status=404,
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def message_detail(request: HttpRequest, sms_id: int) -> HttpResponse:
    target = f"sms:{sms_id}"
    client = request.api_key.client()
    try:
        detail = reading.message_detail(client, sms_id)
    except NotFound as error:
        _record_read(request, "view", target=target, error=error)
        return _message_gone(request, sms_id)
    except SociostacksError as error:
        _record_read(request, "view", target=target, error=error)
        context = {"sms_id": sms_id, "problem": problem_for(error)}
        return TemplateResponse(request, "sms/detail.html", context | _budget_context(client))
    _record_read(request, "view", target=target)
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
def message_delete(request: HttpRequest, sms_id: int) -> HttpResponse:
    """GET asks for confirmation (naming the message); POST deletes or cancels it."""
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

    result = delete_one(request, sms_id, cancelling=request.POST.get("verb") == "Cancel")
    if request.htmx:
        # The row is swapped for nothing when it went; otherwise for a row
        # that says why it is still there.
        return TemplateResponse(request, "sms/_delete_result_row.html", {"result": result})
    level = messages.SUCCESS if result.succeeded else messages.ERROR
    messages.add_message(request, level, result.sentence)
    if result.succeeded:
        return redirect(_back_to_list(request))
    return redirect("sms:detail", sms_id=sms_id)


def _back_to_list(request: HttpRequest) -> str:
    """Where to return after a delete: the list page the person came from, if it was ours."""
    back = request.POST.get("back", "")
    return back if back.startswith(reverse("sms:list")) else reverse("sms:list")


@require_POST
@role_required(Role.SENDER)
@api_key_required
def bulk_delete(request: HttpRequest) -> HttpResponse:
    """Selected rows: first a confirmation listing them, then one result per message."""
    ids = sorted({int(v) for v in request.POST.getlist("ids") if v.isdigit() and int(v) > 0})
    if not ids:
        messages.info(request, "Select at least one message first.")
        return redirect(_back_to_list(request))
    if request.POST.get("confirmed") != "yes":
        return TemplateResponse(
            request,
            "sms/bulk_delete_confirm.html",
            {"ids": ids, "back": _back_to_list(request)},
        )
    results = delete_messages(request, ids)
    return TemplateResponse(
        request, "sms/bulk_delete_result.html", {"results": results, "back": _back_to_list(request)}
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def scheduled(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    client = request.api_key.client()
    try:
        scan = reading.scheduled_messages(client, settings.SMSADMIN_SCHEDULED_SCAN_PAGES)
    except SociostacksError as error:
        _record_read(request, "list scheduled", error=error)
        context["problem"] = problem_for(error)
    else:
        _record_read(
            request, "list scheduled", shown=len(scan.rows), examined=scan.messages_examined
        )
        context |= {"scan": scan, "freshness": scan.freshness}
    return page_or_fragment(
        request, "sms/scheduled.html", "table", context | _budget_context(client)
    )
