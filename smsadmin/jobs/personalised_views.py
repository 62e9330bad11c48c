"""The personalised send's pages: the file and the text, the preview, the confirmation.

Upload → preview (every row's text as Sociostacks will store it, the rows
with an empty field, the invalid numbers, the exact count, upstream calls and
duration) → confirm → a job. The draft between preview and confirmation
keeps the file as read, so what is confirmed is what the preview showed.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, record
from smsadmin.http import KeyedRequest
from smsadmin.jobs import personalised, titles
from smsadmin.jobs.models import Job, PersonalisedDraft
from smsadmin.jobs.personalised import PersonalisedError, Plan
from smsadmin.jobs.running import create_job, estimate
from smsadmin.keys.decorators import api_key_required
from smsadmin.sms.compose import sending
from smsadmin.sms.compose.forms import device_label, normalise_newlines, sim_value
from smsadmin.sms.compose.recipients import MAX_CSV_BYTES, _decode
from smsadmin.sms.compose.segments import MAX_CONTENT_LENGTH
from smsadmin.sms.compose.views import _contacts, _devices
from smsadmin.sociostacks.types import Device

SEND_AS_IS = "send"
DRAFT_KEPT = timedelta(days=1)
LEAVE_OUT = "skip"


class PersonalisedForm(forms.Form):
    recipients_file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text=gettext_lazy(
            "A header row naming the columns, a column of numbers and the columns the text "
            "uses. At most 5 MB."
        ),
        error_messages={"required": gettext_lazy("Upload the CSV file to send to.")},
    )
    csv_column = forms.CharField(
        label=gettext_lazy("Column with the numbers"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "The column's name or number (1 is the first). Empty: the first column that "
            "holds phone numbers."
        ),
    )
    content = forms.CharField(
        label=gettext_lazy("Message"),
        strip=False,
        max_length=MAX_CONTENT_LENGTH * 4,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Write {column} where a row's value goes, e.g. “Hello {name}”. {{ and }} write a brace."
        ),
        error_messages={"required": gettext_lazy("Write the message to send.")},
    )
    sim = forms.ChoiceField(
        label=gettext_lazy("Device · SIM"),
        error_messages={
            "required": gettext_lazy("Pick the SIM to send with."),
            "invalid_choice": gettext_lazy("Pick the SIM to send with."),
        },
    )

    def __init__(self, *args: Any, devices: Sequence[Device], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = {device.id: device for device in devices}
        choices: list[Any] = [("", _("Choose a SIM"))]
        choices += [
            (device_label(d), [(sim_value(d.id, sim), sim.label) for sim in d.sims])
            for d in devices
            if d.sims
        ]
        cast(forms.ChoiceField, self.fields["sim"]).choices = choices

    def clean_content(self) -> str:
        content = normalise_newlines(self.cleaned_data["content"])
        if not content.strip():
            raise forms.ValidationError(_("Write the message to send."))
        return content

    def clean_recipients_file(self) -> Any:
        upload = self.cleaned_data["recipients_file"]
        if upload.size and upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; files of at most %(most)s MB are read.")
                % {"size": upload.size / 1024 / 1024, "most": MAX_CSV_BYTES // 1024 // 1024}
            )
        return upload

    def sender(self) -> tuple[Device, int, str]:
        device_id, sim_id = (int(part) for part in self.cleaned_data["sim"].split(":", 1))
        device = self.devices[device_id]
        sim = next(s for s in device.sims if s.subscription_id == sim_id)
        return device, sim_id, sim.label


def _file_name(upload: Any) -> str:
    name = "".join(char for char in upload.name or "" if char.isprintable())[:100]
    return name or _("the file")


def _plan_of(request: KeyedRequest, draft: PersonalisedDraft) -> Plan:
    contacts = _contacts(request)
    return personalised.plan(
        draft.csv_text,
        draft.template,
        chosen_column=draft.csv_column,
        region=request.user.region_for_numbers,
        names=contacts.numbers_by_name if contacts else None,
        opted_out=contacts.opted_out if contacts else None,
        send_empty=draft.send_empty,
        file_name=draft.file_name,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def personalised_new(request: KeyedRequest) -> HttpResponse:
    """The file, the column of numbers, the text with its fields, the SIM."""
    devices, devices_problem = _devices(request)
    if request.method == "GET":
        form = PersonalisedForm(devices=devices)
        return _render_form(request, form, devices_problem)
    form = PersonalisedForm(request.POST, request.FILES, devices=devices)
    # Drafts never confirmed are forgotten after a day (they hold whole files).
    PersonalisedDraft.objects.filter(
        owner=request.user,
        confirmed_at__isnull=True,
        created_at__lt=timezone.now() - DRAFT_KEPT,
    ).delete()
    if form.is_valid():
        upload = form.cleaned_data["recipients_file"]
        upload.seek(0)
        try:
            text = _decode(upload.read())
        except ValueError as error:
            form.add_error("recipients_file", str(error))
        else:
            draft = PersonalisedDraft(
                token=uuid.uuid4(),
                owner=request.user,
                file_name=_file_name(upload),
                csv_text=text,
                csv_column=form.cleaned_data["csv_column"].strip(),
                template=form.cleaned_data["content"],
            )
            try:
                _plan_of(request, draft)
            except PersonalisedError as error:
                form.add_error("content" if error.in_text else "recipients_file", str(error))
            else:
                device, sim_id, sim_label = form.sender()
                draft.device_id, draft.sim_id = device.id, sim_id
                draft.device_label = device_label(device)[:200]
                draft.sim_label = sim_label[:200]
                draft.save()
                return redirect("jobs:personalised_preview", token=draft.token)
    record(
        Action.JOB_CONFIRMED,
        request=request,
        outcome=Outcome.INVALID,
        details={"kind": "personalised send", "errors": sorted(form.errors)},
    )
    return _render_form(request, form, devices_problem)


def _render_form(request: KeyedRequest, form: PersonalisedForm, devices_problem) -> HttpResponse:
    return TemplateResponse(
        request,
        "jobs/personalised.html",
        {"form": form, "devices_problem": devices_problem},
    )


def _own_draft(request: KeyedRequest, token: uuid.UUID) -> PersonalisedDraft:
    draft = PersonalisedDraft.objects.filter(token=token, owner=request.user).first()
    if draft is None:
        raise Http404("No such send.")
    return draft


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def personalised_preview(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    """Every text before anyone confirms; confirmed, the job."""
    draft = _own_draft(request, token)
    who = Who.from_request(request)
    if draft.confirmed_at is not None:
        # Confirmed already (a double click, a reload): never a second job.
        record(
            Action.SEND_REPEAT,
            request=request,
            target=f"job:{draft.job_id}" if draft.job_id else f"personalised:{draft.token}",
            details={"first_confirmed_at": draft.confirmed_at},
        )
        if draft.job_id:
            return redirect("jobs:detail", job_id=draft.job_id)
        return redirect("jobs:list")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "empty":
        draft.send_empty = request.POST.get("empty_rows") == SEND_AS_IS
        PersonalisedDraft.objects.filter(pk=draft.pk, confirmed_at__isnull=True).update(
            send_empty=draft.send_empty
        )
        return redirect("jobs:personalised_preview", token=draft.token)
    try:
        plan = _plan_of(request, draft)
    except PersonalisedError as error:
        # The contact book changed since the upload, say: back to the form.
        return _render_preview(request, draft, None, problem=str(error))
    now = timezone.now()
    refusal = sending.cap_refusal(request.user, plan.count, now)
    if action != "confirm":
        return _render_preview(request, draft, plan, refusal=refusal)
    if request.POST.get("fingerprint") != plan.fingerprint:
        return _render_preview(
            request,
            draft,
            plan,
            refusal=refusal,
            problem=_(
                "The rows to send changed since this page was shown. Nothing was sent: "
                "check them below, then confirm again."
            ),
        )
    if refusal is not None or not plan.may_send:
        record(
            Action.SEND,
            request=request,
            outcome=Outcome.DENIED if refusal else Outcome.INVALID,
            target=f"personalised:{draft.token}",
            details=refusal.audit_details() if refusal else {"reason": "nothing to send"},
        )
        return _render_preview(request, draft, plan, refusal=refusal)
    won = PersonalisedDraft.objects.filter(pk=draft.pk, confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    if not won:
        return redirect("jobs:personalised_preview", token=draft.token)
    job = create_job(
        owner=request.user,
        api_key=request.api_key,
        kind=Job.Kind.SEND,
        title_words={"kind": titles.PERSONALISED, "count": plan.count},
        items=plan.items(draft.device_id, draft.sim_id),
        who=who,
        details={
            "personalised": str(draft.token),
            "file": draft.file_name,
            "fields": list(plan.fields),
            "recipients": plan.count,
            "texts": len(plan.groups),
            "posts": plan.posts,
            "left_out_invalid": len(plan.invalid),
            "left_out_empty": plan.left_out_empty,
            "device_id": draft.device_id,
            "sim_id": draft.sim_id,
        },
    )
    PersonalisedDraft.objects.filter(pk=draft.pk).update(job=job)
    return redirect("jobs:detail", job_id=job.pk)


def _render_preview(
    request: KeyedRequest,
    draft: PersonalisedDraft,
    plan: Plan | None,
    *,
    refusal: sending.CapRefusal | None = None,
    problem: str = "",
) -> HttpResponse:
    context: dict[str, Any] = {
        "draft": draft,
        "plan": plan,
        "refusal": refusal.sentence if refusal else "",
        "problem": problem,
        "back": reverse("jobs:personalised"),
        "send_as_is": SEND_AS_IS,
        "leave_out": LEAVE_OUT,
    }
    if plan is not None:
        context["estimate"] = estimate(plan.posts, request.api_key)
    return TemplateResponse(request, "jobs/personalised_preview.html", context)
