"""Compose and send: the form, a confirmation, one send, the result.

Every step is a plain link or form post, so all of it works without
JavaScript. htmx adds the live recipients check and segment counter, the SIM
list that follows the device, the look-alike replacement, and progress of a
big send for a second tab (the send itself runs in the request that
confirmed it).
"""

import unicodedata
import uuid
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from smsadmin import problems
from smsadmin.accounts.decorators import role_required
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.roles import Role
from smsadmin.audit.actions import Action
from smsadmin.audit.models import Outcome
from smsadmin.audit.recorder import Who, message_target, record
from smsadmin.conversations import replies
from smsadmin.conversations.models import MessageLink
from smsadmin.http import KeyedRequest, query_int
from smsadmin.keys.decorators import api_key_required
from smsadmin.mirror.sync import account_link
from smsadmin.problems import Problem, problem_for
from smsadmin.sms import deleting, reading
from smsadmin.sms.compose import scheduling, sending
from smsadmin.sms.compose.contacts import ContactBook, book_of
from smsadmin.sms.compose.forms import (
    LATER,
    NOW,
    ComposeForm,
    cut_sentence,
    sim_value,
)
from smsadmin.sms.compose.recipients import MAX_RECIPIENTS, RecipientCheck, rough_entry_count
from smsadmin.sms.compose.segments import (
    MAX_CONTENT_LENGTH,
    SegmentCount,
    count_segments,
    replace_lookalikes,
)
from smsadmin.sms.deleting import DeleteResult
from smsadmin.sms.models import LastSender, SendRequest
from smsadmin.sms.wording import grouped
from smsadmin.sociostacks import reads
from smsadmin.sociostacks.content import rewrite, without_lone_angles
from smsadmin.sociostacks.errors import SociostacksError
from smsadmin.sociostacks.types import Device

REPLACE_LOOKALIKES = "replace_lookalikes"
KEEP_ANGLE_BRACKETS = "keep_angle_brackets"
# Beyond these, the live recipients check leaves the list to Review.
LIVE_CHECK_MAX_ENTRIES = 10_000
LIVE_CHECK_MAX_BYTES = 256 * 1024
# The confirmation lists this many recipients; the count covers the rest.
FIRST_FEW = 10
SHOWN_IDS = 500


# --- Helpers -----------------------------------------------------------------


def _devices(request: KeyedRequest) -> tuple[list[Device], Problem | None]:
    try:
        return list(reads.devices(request.api_key.client()).value), None
    except SociostacksError as error:
        return [], problem_for(error)


def _contacts(request: KeyedRequest, *, may_read: bool = False) -> ContactBook | None:
    """The account's contacts, for names in the recipients and opt-out warnings; None: not known.

    Sociostacks sends to opted-out contacts all the same, so compose warns
    about each one. The live checks use the directory as last read (no call
    while typing); the page and the review read it through the cache, as the
    message list does.
    """
    client = request.api_key.client()
    if may_read:
        try:
            return book_of(reads.contacts(client, set()).value)
        except SociostacksError:
            pass  # the copy some page read last is better than nothing
    return book_of(reads.contacts_as_last_read(client))


def _form(request: KeyedRequest, devices: list[Device], *args: Any, **kwargs: Any) -> ComposeForm:
    return ComposeForm(
        *args,
        devices=devices,
        zone=request.user.zone,
        region=request.user.region_for_numbers,
        now=timezone.now(),
        **kwargs,
    )


def _token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _own_send(request: KeyedRequest, token: uuid.UUID) -> SendRequest:
    """The person's own send; anyone else's token is as unknown as a made-up one."""
    send_request = SendRequest.objects.filter(token=token, user=request.user).first()
    if send_request is None:
        raise Http404(gettext("No such send."))
    return send_request


def _ucs2_characters(segments: SegmentCount) -> list[dict[str, str | None]]:
    # Shown by name too: a no-break space or a zero-width space looks like nothing.
    return [
        {
            "char": char,
            "code": f"U+{ord(char):04X}",
            "name": unicodedata.name(char, "").lower(),
            "replacement": segments.replaceable.get(char),
        }
        for char in segments.ucs2_characters
    ]


def _content_context(form: ComposeForm, recipient_count: int) -> dict[str, Any]:
    """The counters and the preview: all of them about the text as Sociostacks will store it."""
    stored = form.stored_content()
    segments = count_segments(stored.stored)
    return {
        "segments": segments,
        "ucs2_characters": _ucs2_characters(segments),
        "stored": stored,
        "stored_notes": problems.stored_text_notes(stored),
        "cut_sentence": cut_sentence(stored) if stored.over_by else "",
        "content_length": stored.length,
        "max_length": MAX_CONTENT_LENGTH,
        "over_by": stored.over_by,
        "recipient_count": recipient_count,
        "total_segments": recipient_count * segments.segments,
    }


def _render_compose(
    request: KeyedRequest,
    form: ComposeForm,
    *,
    devices: list[Device],
    devices_problem: Problem | None,
    notice: str = "",
    send_problem: Problem | None = None,
) -> TemplateResponse:
    has_numbers = form.is_bound or bool(form.initial.get("recipients"))
    check = form.recipient_check if has_numbers else None
    context = {
        "form": form,
        "check": check,
        "devices_problem": devices_problem,
        "no_devices": not devices and devices_problem is None,
        "notice": notice,
        "send_problem": send_problem,
        "zone": request.user.zone.key,
        **_content_context(form, check.valid_count if check else 0),
    }
    return TemplateResponse(request, "sms/compose.html", context)


def _initial_from(send_request: SendRequest, numbers: list[str], zone: ZoneInfo) -> dict:
    """A compose form filled with an earlier send, to change it or send it again."""
    initial: dict[str, Any] = {
        "content": send_request.content,
        "recipients": "\n".join(numbers),
        "device": send_request.device_id,
        "sim": f"{send_request.device_id}:{send_request.sim_id}",
        "when": NOW,
    }
    if send_request.scheduled_at is not None:
        local = send_request.scheduled_at.astimezone(zone)
        initial |= {"when": LATER, "send_date": local.date(), "send_time": local.time()}
    return initial


def _picked_device(request: KeyedRequest, devices: list[Device]) -> dict[str, Any]:
    """The device and SIM to preselect: asked for in the URL, else the ones this person
    last sent from with this key, else their default."""
    user = request.user
    last = LastSender.objects.filter(user=user, key=request.api_key).first()
    known = {d.id for d in devices}
    if last is not None and last.device_id not in known:
        last = None  # that phone has left the account since
    usual_device = last.device_id if last else user.default_device_id
    usual_sim = last.sim_id if last else user.default_sim_id
    wanted_device = query_int(request.GET.get("device")) or usual_device
    device = next((d for d in devices if d.id == wanted_device), None)
    if device is None and len(devices) == 1:
        device = devices[0]
    if device is None:
        return {}
    wanted_sim = query_int(request.GET.get("sim"))
    if wanted_sim is None and device.id == usual_device:
        wanted_sim = usual_sim
    sim = next((s for s in device.sims if s.subscription_id == wanted_sim), None)
    if sim is None and len(device.sims) == 1:
        sim = device.sims[0]
    return {"device": device.id, "sim": sim_value(device.id, sim) if sim else ""}


def _recipient_count(request: KeyedRequest) -> int:
    """The count the live recipients check last showed, sent back by the content check."""
    return query_int(request.POST.get("recipient_count"), high=MAX_RECIPIENTS) or 0


def _starting_point(request: KeyedRequest, devices: list[Device]) -> tuple[dict[str, Any], str]:
    """Initial values for a fresh form, and a note about where they came from."""
    zone = request.user.zone
    own = SendRequest.objects.filter(user=request.user)
    edit = own.filter(token=_token(request.GET.get("edit")), state=SendRequest.State.PENDING)
    if (draft := edit.first()) is not None:
        # Same token: changing a draft and confirming it again is still one send.
        return {**_initial_from(draft, draft.numbers, zone), "token": str(draft.token)}, ""
    earlier = own.filter(token=_token(request.GET.get("retry"))).first()
    if earlier is not None and earlier.unsent_numbers:
        notice = ngettext(
            "This is the %(count)s number the earlier send did not reach. Check the message "
            "list first if that send failed by a time-out, then confirm to send to it as a "
            "new send.",
            "These are the %(count)s numbers the earlier send did not reach. Check the message "
            "list first if that send failed by a time-out, then confirm to send to them as a "
            "new send.",
            len(earlier.unsent_numbers),
        ) % {"count": grouped(len(earlier.unsent_numbers))}
        initial = _initial_from(earlier, earlier.unsent_numbers, zone)
        return {**initial, "token": str(uuid.uuid4())}, notice
    token = str(uuid.uuid4())
    replies.remember_origin(request.session, token, request.GET)
    account_id = _account_id(request)
    prefill = replies.compose_prefill(
        request.GET, account_id, lambda sms_id: _original(request, account_id, sms_id)
    )
    initial = {"when": NOW, **_picked_device(request, devices), **prefill, "token": token}
    origin = replies.origin_of(request.GET)
    notice = ""
    if origin is not None and origin[0] == replies.RESCHEDULE:
        initial["when"] = LATER
        notice = gettext(
            "Rescheduling message %(sms_id)s: pick the new time and confirm. The new "
            "message is created first; the old one is cancelled only once the new one exists."
        ) % {"sms_id": origin[1]}
    elif origin is not None and origin[0] == replies.AGAIN:
        notice = gettext(
            "Sending message %(sms_id)s again, as a new message: check it and confirm."
        ) % {"sms_id": origin[1]}
    if origin is not None and origin[0] != replies.REPLY and "content" not in prefill:
        notice = gettext("Message %(sms_id)s could not be read, so nothing was filled in.") % {
            "sms_id": origin[1]
        }
    return initial, notice


def _original(
    request: KeyedRequest, account_id: int | None, sms_id: int
) -> replies.Original | None:
    """The message a send-again or reschedule starts from: the mirror, else upstream."""
    found = replies.mirrored_original(account_id, sms_id)
    if found is not None:
        return found
    try:
        row = reading.message_detail(request.api_key.client(), sms_id).row
    except SociostacksError:
        return None
    # The number smsadmin sent to counts: Sociostacks hides the contacts its sends make.
    if not row.number or not row.message.is_outgoing:
        return None
    message = row.message
    return replies.Original(
        sms_id,
        row.number,
        message.content,
        message.device_id,
        message.sim_subscription_id,
        message.scheduled_at,
    )


def _account_id(request: KeyedRequest) -> int | None:
    link = account_link(request.api_key)
    return link.account_id if link else None


def _shown_again(request: KeyedRequest, form: ComposeForm, devices: list[Device]) -> ComposeForm:
    """The form to show after a failed submit, an uploaded file's numbers moved into text."""
    carried = form.carried_over()
    if carried is None:
        return form
    again = _form(
        request, devices, carried, devices_known=form.devices_known, contacts=form.contacts
    )
    again.is_valid()
    messages.info(
        request,
        gettext(
            "The numbers from %(file_name)s are now in the Recipients box, "
            "so you need not upload the file again."
        )
        % {"file_name": form.recipient_check.file_name},
    )
    return again


def _when(
    request: KeyedRequest, send_request: SendRequest
) -> tuple[scheduling.When | None, Problem | None]:
    """The scheduled time in the person's zone, the account's zone, and UTC."""
    moment = send_request.scheduled_at
    if moment is None:
        return None, None
    try:
        account_zone: ZoneInfo | None = request.api_key.client().account_timezone()
    except SociostacksError as error:
        return scheduling.when_shown(moment, request.user.zone, None), problem_for(error)
    return scheduling.when_shown(moment, request.user.zone, account_zone), None


def _account_name(request: KeyedRequest) -> str:
    """The Sociostacks account the send goes to (read once an hour, and by the send itself)."""
    try:
        return request.api_key.client().account().name
    except SociostacksError:
        return ""


def _render_confirm(
    request: KeyedRequest, send_request: SendRequest, *, refusal: str = ""
) -> TemplateResponse:
    when, zone_problem = _when(request, send_request)
    cap = request.user.effective_daily_cap
    stored = rewrite(send_request.content)
    context = {
        "send": send_request,
        "stored": stored,
        "stored_notes": problems.stored_text_notes(stored),
        "account_name": _account_name(request),
        "first_numbers": send_request.numbers[:FIRST_FEW],
        "more_numbers": max(0, send_request.recipient_count - FIRST_FEW),
        "when": when,
        "zone_problem": zone_problem,
        "refusal": refusal,
        "cap": cap,
        "sent_today": SendRequest.objects.messages_sent_since(
            request.user, sending.start_of_day(timezone.now(), request.user)
        )
        if cap
        else None,
        "edit_url": f"{reverse('sms:compose')}?{urlencode({'edit': send_request.token})}",
    }
    return TemplateResponse(request, "sms/compose_confirm.html", context)


# --- The form ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.SENDER)
@api_key_required
def compose(request: KeyedRequest) -> HttpResponse:
    devices, devices_problem = _devices(request)
    shown: dict[str, Any] = {"devices": devices, "devices_problem": devices_problem}
    contacts = _contacts(request, may_read=request.method == "POST")
    if request.method == "GET":
        initial, notice = _starting_point(request, devices)
        form = _form(request, devices, initial=initial, contacts=contacts)
        return _render_compose(request, form, notice=notice, **shown)

    form = _form(
        request,
        devices,
        request.POST,
        request.FILES,
        devices_known=devices_problem is None,
        contacts=contacts,
    )
    if (fix := _CONTENT_FIXES.get(request.POST.get("action", ""))) is not None:
        values = (form.carried_over() or request.POST).dict()
        values["content"] = fix(form.content_text)
        again = _form(request, devices, initial=values, contacts=contacts)
        return _render_compose(request, again, **shown)
    action = Action.SCHEDULE if form.is_scheduling else Action.SEND
    if not form.is_valid():
        record(action, request=request, outcome=Outcome.INVALID, details=form.audit_summary())
        return _render_compose(request, _shown_again(request, form, devices), **shown)

    draft = form.draft()
    refusal = sending.cap_refusal(request.user, len(draft.numbers), timezone.now())
    if refusal is not None:
        record(action, request=request, outcome=Outcome.DENIED, details=refusal.audit_details())
        form = _shown_again(request, form, devices)
        form.add_error(None, refusal.sentence)
        return _render_compose(request, form, **shown)

    send_request = sending.prepare(request.user, form.cleaned_data["token"], draft)
    if send_request.state != SendRequest.State.PENDING:
        messages.info(
            request,
            gettext(
                "This form was already sent, so it was not sent again. Here is what happened; "
                "use “Send another” for a new message."
            ),
        )
        return redirect("sms:compose_result", token=send_request.token)
    return redirect("sms:compose_confirm", token=send_request.token)


def _too_big_to_check_live(request: KeyedRequest) -> str:
    """Why this live check is left to Review, or "" when it is small enough to run.

    The live check runs as the person types; 100,000 numbers cost about four
    seconds of CPU each time, so past a size (counted without parsing a
    number) only the submit checks them, once.
    """
    entries = rough_entry_count(str(request.POST.get("recipients", "")))
    upload = request.FILES.get("recipients_file")
    too_big = upload is not None and (upload.size or 0) > LIVE_CHECK_MAX_BYTES
    if entries > LIVE_CHECK_MAX_ENTRIES or too_big:
        return problems.too_many_to_check_live(entries, (upload.name or "") if upload else "")
    return ""


@require_POST
@role_required(Role.SENDER)
@api_key_required
def check_recipients(request: KeyedRequest) -> HttpResponse:
    """The live recipients check: the same parsing a submit runs, for lists of a sane size."""
    # A name being typed is worth one cached read of the directory, when no page read it yet.
    typing_a_name = any(char.isalpha() for char in str(request.POST.get("recipients", ""))[-200:])
    contacts = _contacts(request, may_read=typing_a_name)
    form = _form(request, [], request.POST, request.FILES, contacts=contacts)
    too_big = _too_big_to_check_live(request)
    check = RecipientCheck(error=too_big) if too_big else form.recipient_check
    typed, suggestions = form.suggestions()
    context = {
        "form": form,
        "check": check,
        "oob": True,
        "live": True,
        "typed": typed,
        "suggestions": suggestions,
    }
    context |= _content_context(form, check.valid_count)
    return TemplateResponse(request, "sms/compose.html#recipients_live", context)


@require_POST
@role_required(Role.SENDER)
@api_key_required
def check_content(request: KeyedRequest) -> HttpResponse:
    """The live segment counter, with the characters that force UCS-2."""
    form = _form(request, [], request.POST)
    context = {"form": form, "oob": True}
    context |= _content_context(form, _recipient_count(request))
    return TemplateResponse(request, "sms/compose.html#content_live", context)


_CONTENT_FIXES = {
    REPLACE_LOOKALIKES: replace_lookalikes,
    KEEP_ANGLE_BRACKETS: without_lone_angles,
}


def _fixed_content(request: KeyedRequest, fix: str) -> HttpResponse:
    """The message box again, with one of the fixes the counter offers applied."""
    typed = _form(request, [], request.POST)
    form = _form(request, [], initial={"content": _CONTENT_FIXES[fix](typed.content_text)})
    context = {"form": form, "oob": True}
    context |= _content_context(form, _recipient_count(request))
    return TemplateResponse(request, "sms/compose.html#content_live_field", context)


@require_POST
@role_required(Role.SENDER)
@api_key_required
def replace_content_lookalikes(request: KeyedRequest) -> HttpResponse:
    """Typographic look-alikes turned into GSM-7 characters."""
    return _fixed_content(request, REPLACE_LOOKALIKES)


@require_POST
@role_required(Role.SENDER)
@api_key_required
def keep_angle_brackets(request: KeyedRequest) -> HttpResponse:
    """Every "<" as a sign Sociostacks keeps, so nothing after it is stripped."""
    return _fixed_content(request, KEEP_ANGLE_BRACKETS)


@require_GET
@role_required(Role.SENDER)
@api_key_required
def sim_options(request: KeyedRequest) -> HttpResponse:
    """The SIM picker for the chosen device."""
    devices, _problem = _devices(request)
    device_id = query_int(request.GET.get("device"))
    form = _form(request, devices, initial=_picked_device(request, devices))
    form.narrow_sims_to(device_id)
    return TemplateResponse(request, "sms/compose.html#sim_field", {"form": form})


# --- Confirm, send, result -------------------------------------------------------


@require_GET
@role_required(Role.SENDER)
@api_key_required
def confirm(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    send_request = _own_send(request, token)
    if send_request.state != SendRequest.State.PENDING:
        return redirect("sms:compose_result", token=token)
    return _render_confirm(request, send_request)


@require_POST
@role_required(Role.SENDER)
@api_key_required
def send(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    shown = request.POST.get("fingerprint", "")
    claimed = sending.claim(_own_send(request, token), request.user, shown)
    if claimed.claim is sending.Claim.ALREADY_CLAIMED:
        sending.record_repeat(Who.from_request(request), claimed.send_request)
        return redirect("sms:compose_result", token=token)
    if claimed.claim is not sending.Claim.CLAIMED:
        sending.record_refusal(Who.from_request(request), claimed)
        return _render_confirm(request, claimed.send_request, refusal=claimed.refusal)
    sent = claimed.send_request
    if sent.batches_total > 1:
        # More than one POST: a job makes each batch once, paced, surviving this request.
        from smsadmin.jobs.sends import start_compose_send

        start_compose_send(
            sent, owner=request.user, api_key=request.api_key, who=Who.from_request(request)
        )
        LastSender.remember(request.user, request.api_key, sent.device_id, sent.sim_id)
        return redirect("sms:compose_result", token=token)
    sending.perform(sent, request.api_key.client(), Who.from_request(request))
    LastSender.remember(request.user, request.api_key, sent.device_id, sent.sim_id)
    return redirect("sms:compose_result", token=token)


def _finish_origin(request: KeyedRequest, send_request: SendRequest) -> DeleteResult | None:
    """What the new message was for, done once: the problem of a reschedule's delete, if any."""
    token = str(send_request.token)
    origin = replies.pending_origin(request.session, token)
    if origin is None:
        return None
    replies.forget_origin(request.session, token)
    kind, old_id = origin
    new_ids = send_request.sms_ids
    if kind == replies.REPLY:
        operator = request.session.get(OPERATOR_SESSION_KEY, "")
        marked = replies.mark_answered(_account_id(request), old_id, request.user, operator)
        if marked:
            record(
                Action.MARKED_HANDLED,
                request=request,
                target=message_target(marked),
                details={"by_reply": new_ids[:10]},
            )
        return None
    if kind == replies.AGAIN:
        replies.link(old_id, new_ids, MessageLink.Kind.SENT_AGAIN)
        record(Action.SENT_AGAIN, request=request, target=message_target([old_id, *new_ids]))
        return None
    # A reschedule: the new message exists, so the old one may go now. If that
    # fails both exist, and the person is told so with a way to retry.
    replies.link(old_id, new_ids, MessageLink.Kind.RESCHEDULED)
    deleted = deleting.delete_one(
        Who.from_request(request), request.api_key, old_id, cancelling=True
    )
    record(
        Action.RESCHEDULED,
        request=request,
        outcome=Outcome.OK if deleted.succeeded else Outcome.UPSTREAM_ERROR,
        target=message_target([old_id, *new_ids]),
        details={"old": old_id, "new": new_ids, "old_removed": deleted.outcome},
    )
    return None if deleted.succeeded else deleted


@require_GET
@role_required(Role.SENDER)
@api_key_required
def result(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    send_request = _own_send(request, token)
    sending.settle_abandoned(send_request)
    state = send_request.state
    if state == SendRequest.State.PENDING:
        return redirect("sms:compose_confirm", token=token)
    send_job = getattr(send_request, "job", None)
    error = send_request.error
    if error and send_job is not None and not send_job.is_active:
        # The worker stored it in English: the reader's language, from the job itself.
        from smsadmin.jobs.sends import outcome_words

        error = outcome_words(send_job)
    stored_problem = Problem(
        error,
        fix_url=send_request.error_fix_url,
        fix_label=send_request.error_fix_label,
        request_id=sending.request_id_of(send_request) if send_request.error else "",
    )
    if state == SendRequest.State.FAILED:
        # Nothing went out: the person gets their form back, as they filled it.
        devices, devices_problem = _devices(request)
        initial = _initial_from(send_request, send_request.numbers, request.user.zone)
        form = _form(
            request,
            devices,
            initial={**initial, "token": str(uuid.uuid4())},
            contacts=_contacts(request),
        )
        return _render_compose(
            request,
            form,
            devices=devices,
            devices_problem=devices_problem,
            send_problem=stored_problem,
        )
    user = request.user
    reschedule_problem = None
    if send_request.sms_ids and state in (SendRequest.State.SENT, SendRequest.State.PARTIAL):
        reschedule_problem = _finish_origin(request, send_request)
    context = {
        "send": send_request,
        "send_job": send_job,
        "reschedule_problem": reschedule_problem,
        "problem": stored_problem if send_request.error else None,
        "ids": send_request.sms_ids[:SHOWN_IDS],
        "more_ids": max(0, len(send_request.sms_ids) - SHOWN_IDS),
        "polling": state == SendRequest.State.SENDING,
        "is_default": (user.default_device_id, user.default_sim_id)
        == (send_request.device_id, send_request.sim_id),
        "another_url": reverse("sms:compose")
        + "?"
        + urlencode({"device": send_request.device_id, "sim": send_request.sim_id}),
        "retry_url": reverse("sms:compose") + "?" + urlencode({"retry": send_request.token}),
        "scheduled_for": scheduling.clock(send_request.scheduled_at, user.zone)
        if send_request.scheduled_at
        else "",
        "zone": user.zone.key,
    }
    return TemplateResponse(request, "sms/compose_result.html", context)


@require_GET
@role_required(Role.SENDER)
@api_key_required
def progress(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    """How far a send has got, polled by htmx while it runs; the finished page otherwise."""
    send_request = _own_send(request, token)
    sending.settle_abandoned(send_request)
    result_url = reverse("sms:compose_result", kwargs={"token": token})
    if not request.htmx:
        return redirect(result_url)
    if send_request.is_finished:
        return HttpResponseClientRedirect(result_url)
    context = {"send": send_request, "polling": True}
    return TemplateResponse(request, "sms/compose_result.html#progress", context)


@require_POST
@role_required(Role.SENDER)
@api_key_required
def make_default(request: KeyedRequest, token: uuid.UUID) -> HttpResponse:
    """Remember this send's device and SIM as the ones compose starts with."""
    send_request = _own_send(request, token)
    user = request.user
    user.default_device_id = send_request.device_id
    user.default_sim_id = send_request.sim_id
    user.save(update_fields=["default_device_id", "default_sim_id"])
    record(
        Action.DEFAULT_DEVICE_SET,
        request=request,
        details={"device_id": send_request.device_id, "sim_id": send_request.sim_id},
    )
    messages.success(
        request,
        gettext("Compose now starts with %(device)s · %(sim)s.")
        % {"device": send_request.device_label, "sim": send_request.sim_label},
    )
    return redirect("sms:compose_result", token=token)
