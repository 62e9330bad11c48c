"""Reviewing the audit log: the filtered list, one event, the CSV export, a chain check."""

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action, action_label
from smsadmin.audit.export import csv_lines
from smsadmin.audit.forms import OUTCOME_CHOICES, AuditFilterForm
from smsadmin.audit.models import AuditEvent, AuditVerification, Outcome
from smsadmin.audit.paging import page_of
from smsadmin.audit.recorder import record
from smsadmin.audit.rows import ROW_FIELDS, options_html, rows_html
from smsadmin.audit.verify import WEB_TIME_LIMIT_SECONDS, verify_chain
from smsadmin.http import SignedInRequest, is_storable_id, query_int
from smsadmin.rendering import page_or_fragment

_CURSORS = ("before", "after")


def _cursor(request: SignedInRequest, name: str) -> int | None:
    return query_int(request.GET.get(name))


def _filter_query(request: SignedInRequest) -> str:
    """The filters of this request as a query string, without the page position."""
    query = request.GET.copy()
    for name in _CURSORS:
        query.pop(name, None)
    return query.urlencode()


def _review_context(request: SignedInRequest, form: AuditFilterForm) -> dict[str, object]:
    return {
        "form": form,
        "action_options": options_html(form.action_choices, form["action"].value()),
        "outcome_options": options_html(OUTCOME_CHOICES, form["outcome"].value()),
        "filter_query": _filter_query(request),
        "zone": request.user.zone,
        "last_verification": AuditVerification.objects.first(),
        "verify_time_limit": WEB_TIME_LIMIT_SECONDS,
    }


def _errors(form: AuditFilterForm) -> dict[str, object]:
    return {"errors": {field: list(errors) for field, errors in form.errors.items()}}


@require_GET
@role_required(Role.AUDITOR)
def review(request: SignedInRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    context = _review_context(request, form)
    if not form.is_valid():
        record(Action.AUDIT_VIEWED, request=request, outcome=Outcome.INVALID, details=_errors(form))
        # htmx swaps only successful answers: its fragment explains with a 200.
        status = 200 if request.htmx else 400
        return page_or_fragment(request, "audit/review.html", "results", context, status=status)
    before, after = _cursor(request, "before"), _cursor(request, "after")
    # The attempt an outcome answers is read with it: its sentence needs both.
    events = form.events(request.user.zone).select_related("parent").only(*ROW_FIELDS)
    page = page_of(events, before=before, after=after)
    record(
        Action.AUDIT_VIEWED,
        request=request,
        details={
            "filters": form.active(),
            "before": before,
            "after": after,
            "shown": len(page.events),
        },
    )
    context["page"] = page
    context["rows"] = rows_html(page.events, request.user.zone)
    return page_or_fragment(request, "audit/review.html", "results", context)


@require_GET
@role_required(Role.AUDITOR)
def detail(request: SignedInRequest, seq: int) -> HttpResponse:
    target = f"audit:{seq}"
    event = AuditEvent.objects.filter(seq=seq).first() if is_storable_id(seq) else None
    if event is None:
        record(
            Action.AUDIT_VIEWED,
            request=request,
            outcome=Outcome.INVALID,
            target=target,
            details={"error": "no such event (never recorded, or pruned)"},
        )
        raise Http404(gettext("No audit event with this number: it never existed or was pruned."))
    record(Action.AUDIT_VIEWED, request=request, target=target)
    # Looked up by id rather than followed: a pruned parent is simply absent.
    parent = AuditEvent.objects.filter(pk=event.parent_id).first() if event.parent_id else None
    children = AuditEvent.objects.filter(parent_id=event.pk).order_by("seq")
    return TemplateResponse(
        request,
        "audit/detail.html",
        {
            "event": event,
            "action": action_label(event.action),
            "parent": parent,
            "parent_action": action_label(parent.action) if parent else "",
            "children": children,
            "zone": request.user.zone,
        },
    )


@require_GET
@role_required(Role.AUDITOR)
def export(request: SignedInRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        record(
            Action.AUDIT_EXPORTED, request=request, outcome=Outcome.INVALID, details=_errors(form)
        )
        return TemplateResponse(
            request, "audit/review.html", _review_context(request, form), status=400
        )
    record(Action.AUDIT_EXPORTED, request=request, details={"filters": form.active()})
    response = StreamingHttpResponse(
        csv_lines(form.events(request.user.zone)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_POST
@role_required(Role.AUDITOR)
def verify(request: SignedInRequest) -> HttpResponse:
    verification = verify_chain(request=request, time_limit=WEB_TIME_LIMIT_SECONDS)
    values = {
        "count": number_format(verification.events_checked, force_grouping=True),
        "seq": verification.through_seq,
    }
    if verification.ok and verification.complete:
        messages.success(
            request,
            ngettext(
                "The audit chain is intact: %(count)s event checked through #%(seq)s.",
                "The audit chain is intact: %(count)s events checked through #%(seq)s.",
                verification.events_checked,
            )
            % values,
        )
    elif verification.ok:
        messages.warning(
            request,
            ngettext(
                "No fault in the %(count)s event checked (through #%(seq)s), but the log is too "
                "long to check while you wait. Run python manage.py verify_audit on the server "
                "for the whole chain.",
                "No fault in the %(count)s events checked (through #%(seq)s), but the log is too "
                "long to check while you wait. Run python manage.py verify_audit on the server "
                "for the whole chain.",
                verification.events_checked,
            )
            % values,
        )
    else:
        messages.error(
            request,
            gettext("The audit chain is broken. %(problem)s") % {"problem": verification.problem},
        )
    return redirect("audit:review")
