"""The Jobs pages: the list, one job with its live progress, cancel, and starting delete jobs."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role, has_role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record
from smsadmin.http import KeyedRequest, SignedInRequest, is_storable_id
from smsadmin.jobs import again, bulk, pacing, running
from smsadmin.jobs.models import Job, JobItem
from smsadmin.keys.decorators import api_key_required
from smsadmin.mirror import sync
from smsadmin.mirror.models import MirroredMessage, SyncState
from smsadmin.mirror.search import SearchForm
from smsadmin.rendering import page_or_fragment

RECENT = 50
LISTED_ITEMS = 200


@require_GET
@role_required(Role.VIEWER)
def job_list(request: SignedInRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("owner")
    everyone = has_role(request.user, Role.ADMIN)
    record(Action.JOBS_VIEWED, request=request, details={"everyone": everyone})
    return TemplateResponse(
        request,
        "jobs/list.html",
        {
            "active": list(jobs.active()[:RECENT]),
            "recent": list(jobs.exclude(state__in=Job.ACTIVE)[:RECENT]),
            "everyone": everyone,
        },
    )


def _visible_job(request: SignedInRequest, job_id: int) -> Job:
    visible = Job.objects.visible_to(request.user).select_related("owner", "api_key")
    job = visible.filter(pk=job_id).first() if is_storable_id(job_id) else None
    if job is None:
        # Someone else's job answers like a missing one: ids reveal nothing.
        raise Http404("No such job.")
    return job


def _progress(job: Job) -> dict[str, object]:
    counts = job.counts()
    finished = counts["done"] + counts["failed"] + counts["unknown"]
    eta = running.eta_seconds(job)
    return {
        "job": job,
        "counts": counts,
        "finished": finished,
        "eta": pacing.duration_words(eta) if eta else "",
        "may_cancel": job.is_active and not job.cancel_requested,
    }


@require_GET
@role_required(Role.VIEWER)
def job_detail(request: SignedInRequest, job_id: int) -> HttpResponse:
    """The job and its progress; htmx polls the progress part while the job is active.

    The poll is not audited (it shows numbers, like the inbox badge) and never
    redirects: an answer that moved the page would take the person off it.
    """
    job = _visible_job(request, job_id)
    context = _progress(job)
    if not getattr(request, "htmx", False):
        record(Action.JOB_VIEWED, request=request, target=f"job:{job.pk}")
        context["problem_items"] = list(
            job.items.filter(state__in=[JobItem.State.FAILED, JobItem.State.UNKNOWN])[:LISTED_ITEMS]
        )
    context["may_change"] = _may_change(request, job)
    return page_or_fragment(request, "jobs/detail.html", "progress", context)


def _may_change(request: SignedInRequest, job: Job) -> bool:
    return has_role(request.user, Role.SENDER) and (
        job.owner_id == request.user.pk or has_role(request.user, Role.ADMIN)
    )


@require_POST
@role_required(Role.SENDER)
def job_cancel(request: SignedInRequest, job_id: int) -> HttpResponse:
    job = _visible_job(request, job_id)
    if not _may_change(request, job):
        raise Http404("No such job.")
    if running.request_cancel(job, Who.from_request(request)):
        messages.info(
            request, gettext("The job stops before its next upstream call; done items stay done.")
        )
    else:
        record(
            Action.JOB_CANCELLED,
            request=request,
            outcome=Outcome.INVALID,
            target=f"job:{job.pk}",
            details={"reason": "already over", "state": job.state},
        )
        messages.info(
            request,
            gettext("This job is already %(state)s.") % {"state": job.get_state_display()},
        )
    return redirect("jobs:detail", job_id=job.pk)


# --- Delete or cancel everything a search matches ----------------------------


def _search_form(request: KeyedRequest, data) -> tuple[SearchForm, int | None]:
    link = sync.account_link(request.api_key)
    state = SyncState.objects.filter(account_id=link.account_id).first() if link else None
    form = SearchForm(
        data,
        devices=state.devices if state else [],
        zone=request.user.zone,
        region=request.user.region_for_numbers,
    )
    return form, link.account_id if link else None


def _matches(
    request: KeyedRequest, then: str | Promise
) -> tuple[SearchForm, QuerySet[MirroredMessage]] | HttpResponse:
    """The search being confirmed and the mirror's rows it matches; else back to Search."""
    data = request.POST if request.method == "POST" else request.GET
    form, account_id = _search_form(request, data)
    if form.is_valid() and account_id is not None:
        return form, form.apply(MirroredMessage.objects.filter(account_id=account_id))
    record(
        Action.JOB_CONFIRMED,
        request=request,
        outcome=Outcome.INVALID,
        details={"filters": form.filters(), "reason": "filters not valid or no mirror"},
    )
    messages.info(request, str(then))
    search_url = reverse("mirror:search")
    return redirect(f"{search_url}?{form.querystring()}" if form.filters() else search_url)


def _changed_since_shown(request: KeyedRequest, fingerprint: str) -> bool:
    """A confirmation whose matches are no longer the ones the page showed."""
    return request.method == "POST" and request.POST.get("fingerprint") != fingerprint


def _record_shown(
    request: KeyedRequest, form: SearchForm, matched: int, purpose: str, changed: bool
) -> None:
    """The confirmation page is a search too: on record with what it matched."""
    record(
        Action.SEARCH,
        request=request,
        details={
            "filters": form.filters(),
            "matched": matched,
            "for": purpose,
            **({"changed_since_shown": True} if changed else {}),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def delete_matches(request: KeyedRequest) -> HttpResponse:
    """First the exact count, calls and duration; then, confirmed, the job."""
    found = _matches(request, then=gettext_lazy("Search first, then delete what it matches."))
    if isinstance(found, HttpResponse):
        return found
    form, rows = found
    selection = bulk.matching(rows)
    changed = _changed_since_shown(request, selection.fingerprint)
    if request.method == "POST" and not changed and selection.count:
        job = bulk.start_deleting(
            owner=request.user,
            api_key=request.api_key,
            selection=selection,
            title_words=bulk.title_for(selection),
            who=Who.from_request(request),
            details={"filters": form.filters()},
        )
        return redirect("jobs:detail", job_id=job.pk)
    _record_shown(request, form, selection.count, "delete all matches", changed)
    return TemplateResponse(
        request,
        "jobs/confirm_delete.html",
        {
            "selection": selection,
            "estimate": selection.estimate(request.api_key),
            "described": form.described_filters(),
            "filters": form.filters(),
            "back": f"{reverse('mirror:search')}?{form.querystring()}",
            "action": reverse("jobs:delete_matches"),
            "changed": changed,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def send_again(request: KeyedRequest) -> HttpResponse:
    """The failed messages a search matches, sent again as one job once confirmed."""
    found = _matches(request, then=gettext_lazy("Search first, then send again what failed."))
    if isinstance(found, HttpResponse):
        return found
    form, rows = found
    resend = again.failed_among(rows)
    changed = _changed_since_shown(request, resend.fingerprint)
    if request.method == "POST" and not changed and resend.count:
        job = again.start_again(
            owner=request.user,
            api_key=request.api_key,
            resend=resend,
            who=Who.from_request(request),
            filters=form.filters(),
        )
        return redirect("jobs:detail", job_id=job.pk)
    _record_shown(request, form, resend.matched, "send failed again", changed)
    return TemplateResponse(
        request,
        "jobs/confirm_again.html",
        {
            "resend": resend,
            "estimate": resend.estimate(request.api_key),
            "filters": form.filters(),
            "back": f"{reverse('mirror:search')}?{form.querystring()}",
            "changed": changed,
        },
    )
