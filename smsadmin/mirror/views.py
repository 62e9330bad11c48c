"""Search, export and the dashboard, answered from the mirror; and "sync now".

Only the mirror of the account the person's active key opens is ever read:
every query starts from that account id, which a sync learned from upstream
with that very key. Page views make no upstream call; "sync now" does, within
the sync's share of the key's budget.
"""

import secrets

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import record
from smsadmin.http import KeyedRequest, query_int, safe_next
from smsadmin.keys.decorators import api_key_required
from smsadmin.mirror import dashboard as board
from smsadmin.mirror import sync
from smsadmin.mirror.allowance import Allowance
from smsadmin.mirror.export import PROGRESS_FROM_ROWS, ExportProgress, csv_lines
from smsadmin.mirror.models import KeyAccount, MirroredMessage, SyncState
from smsadmin.mirror.progress import progress_of
from smsadmin.mirror.search import SearchForm, result_page, shown
from smsadmin.rendering import page_or_fragment
from smsadmin.sociostacks import budget

# How long one "sync now" request may work before answering with its progress;
# htmx asks again straight away, so a long first sync shows progress as it goes.
SYNC_NOW_SECONDS = 5.0


def _mirror_of(request: KeyedRequest) -> tuple[KeyAccount | None, SyncState | None]:
    link = sync.account_link(request.api_key)
    if link is None:
        return None, None
    return link, SyncState.objects.filter(account_id=link.account_id).first()


def _rows(link: KeyAccount | None) -> QuerySet[MirroredMessage]:
    if link is None:
        return MirroredMessage.objects.none()
    return MirroredMessage.objects.filter(account_id=link.account_id)


def _form(request: KeyedRequest, state: SyncState | None) -> SearchForm:
    return SearchForm(
        request.GET,
        devices=state.devices if state else [],
        zone=request.user.zone,
        region=request.user.region_for_numbers,
    )


def _counted(request: KeyedRequest, name: str) -> int:
    """A count from the query string (a page number, say): 1 unless a sane positive number."""
    return query_int(request.GET.get(name), high=10**9 - 1) or 1


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def search(request: KeyedRequest) -> HttpResponse:
    link, state = _mirror_of(request)
    form = _form(request, state)
    context: dict[str, object] = {"form": form, "state": state, "progress": progress_of(state)}
    if form.is_valid():
        page = result_page(
            form.apply(_rows(link)), _counted(request, "page"), request.user.page_size
        )
        context |= {
            "results": page,
            "rows": shown(page.rows, state),
            "querystring": form.querystring(),
            # A small result downloads at once; only a large one needs the progress page.
            "export_directly": page.total < PROGRESS_FROM_ROWS,
        }
        record(
            Action.SEARCH,
            request=request,
            details={
                "filters": form.filters(),
                "matched": page.total,
                "page": page.number,
                **({"matched_more_than": True} if page.more else {}),
            },
        )
    else:
        record(
            Action.SEARCH,
            request=request,
            outcome=Outcome.INVALID,
            details={"filters": form.filters(), "errors": sorted(form.errors)},
        )
    return page_or_fragment(request, "mirror/search.html", "search", context)


def _back_to_search(request: KeyedRequest, form: SearchForm, action: Action) -> HttpResponse:
    """A refused export, on record, goes back to the search that explains the filters."""
    record(
        action,
        request=request,
        outcome=Outcome.INVALID,
        details={"filters": form.filters(), "errors": sorted(form.errors), "for": "export"},
    )
    return redirect(f"{reverse('mirror:search')}?{form.querystring()}")


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def export(request: KeyedRequest) -> HttpResponse:
    """Says how many messages the download will hold, then offers it, with a progress bar."""
    link, state = _mirror_of(request)
    form = _form(request, state)
    if not form.is_valid():
        return _back_to_search(request, form, Action.SEARCH)
    total = form.apply(_rows(link)).count()
    record(
        Action.SEARCH,
        request=request,
        details={"filters": form.filters(), "matched": total, "for": "export"},
    )
    token = secrets.token_hex(16)
    return TemplateResponse(
        request,
        "mirror/export.html",
        {
            "form": form,
            "total": total,
            "token": token,
            "querystring": form.querystring(),
            "download_query": form.querystring(progress=token),
            "show_progress": total >= PROGRESS_FROM_ROWS,
        },
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def export_csv(request: KeyedRequest) -> HttpResponseBase:
    link, state = _mirror_of(request)
    form = _form(request, state)
    if not form.is_valid():
        return _back_to_search(request, form, Action.MIRROR_EXPORTED)
    rows = form.apply(_rows(link))
    total = rows.count()
    token = request.GET.get("progress", "")
    progress = ExportProgress(request.user.pk, token) if ExportProgress.valid_token(token) else None
    record(
        Action.MIRROR_EXPORTED,
        request=request,
        details={"filters": form.filters(), "rows": total, "account_id": link and link.account_id},
    )
    lines = csv_lines(
        rows,
        newest_first=form.newest_first,
        state=state,
        zone=request.user.zone,
        total=total,
        progress=progress,
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="smsadmin-messages-{stamp}.csv"'
    return response


@require_GET
@role_required(Role.VIEWER)
def export_progress(request: KeyedRequest, token: str) -> HttpResponse:
    """How far the download is; polled by the export page, so not audited on its own."""
    if not ExportProgress.valid_token(token):
        raise Http404("No such export.")
    found = ExportProgress(request.user.pk, token).read()
    waited = _counted(request, "waited") if found is None else 0
    return TemplateResponse(
        request,
        "mirror/export.html#progress",
        {"token": token, "export": found, "polled": True, "waited": waited},
    )


@require_GET
@role_required(Role.VIEWER)
@api_key_required
def dashboard(request: KeyedRequest) -> HttpResponse:
    _link, state = _mirror_of(request)
    fingerprint = request.api_key.client().fingerprint
    allowance = Allowance(fingerprint)
    context: dict[str, object] = {
        "state": state,
        "progress": progress_of(state),
        "budget": budget.figure(fingerprint),
        "sync_share": allowance.per_minute(),
    }
    if state is not None:
        summary = board.summary(state, request.user.zone, timezone.now())
        context |= {
            "board": summary,
            "upcoming": shown(summary.upcoming, state, dom_prefix="upcoming-"),
        }
    record(Action.DASHBOARD, request=request, details={"account_id": state and state.account_id})
    return TemplateResponse(request, "mirror/dashboard.html", context)


def _back(request: KeyedRequest) -> str:
    return safe_next(request, reverse("home"), param="back")


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
@api_key_required
def sync_now(request: KeyedRequest) -> HttpResponse:
    """POST: one short, budget-capped step of a sync; GET: how the sync stands.

    With htmx the answer is the sync panel, which asks for the next step (or,
    while another process syncs, for the standing) until the mirror is current.
    """
    context: dict[str, object] = {"back": _back(request)}
    if request.method == "POST":
        holder = f"{request.user.get_username()} (sync now)"
        report = sync.run(request.api_key, holder=holder, seconds=SYNC_NOW_SECONDS)
        record(
            Action.SYNC_NOW,
            request=request,
            outcome=Outcome.UPSTREAM_ERROR if report.error else Outcome.OK,
            details={**report.details(), "continued": request.POST.get("continue") == "1"},
        )
        if not request.htmx:
            level = messages.ERROR if report.error else messages.SUCCESS
            messages.add_message(request, level, report.sentence)
            return redirect(_back(request))
        context["report"] = report
    elif not request.htmx:
        return redirect("home")
    _link, state = _mirror_of(request)
    context["progress"] = progress_of(state)
    return TemplateResponse(request, "mirror/_sync.html", context)
