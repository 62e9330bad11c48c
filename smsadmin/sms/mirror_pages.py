"""Pages of the Messages list answered from the local mirror instead of Sociostacks.

Two cases: a quick filter (status, in/out, device), which upstream cannot
answer at all; and an upstream that failed, or a budget that is spent, with no
cached copy of the page asked for, where the mirror's copy beats an empty
page. Either way the page says how current the copy is. Only reads: the
mirror is filled by its sync (smsadmin/mirror/).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from smsadmin.keys.models import ApiKey
from smsadmin.mirror import sync
from smsadmin.mirror.models import LIVE, Direction, MirroredMessage, Status, SyncState
from smsadmin.sms import rows
from smsadmin.sociostacks.types import Page

DIRECTIONS = [
    ("", gettext_lazy("in and out")),
    ("out", gettext_lazy("↑ out (sent by us)")),
    ("in", gettext_lazy("↓ in (received)")),
]
STATUSES = [
    ("", gettext_lazy("any status")),
    *((status.value, rows.STATUS_WORDS[status.value]) for status in Status),
]
_DIRECTION_STORED = {"out": Direction.SENT, "in": Direction.RECEIVED}


class QuickFilters(forms.Form):
    """The filters above the Messages list; each travels in the URL."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUSES)
    direction = forms.ChoiceField(label=gettext_lazy("In/out"), required=False, choices=DIRECTIONS)
    device = forms.TypedChoiceField(
        label=gettext_lazy("Device"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
    )

    def __init__(self, data, *, devices: list[dict]) -> None:
        super().__init__(data)
        device_field = cast(forms.TypedChoiceField, self.fields["device"])
        device_field.choices = [("", gettext("any device"))] + [
            (device["id"], device["name"]) for device in devices
        ]

    @property
    def active(self) -> bool:
        return self.is_valid() and any(
            self.cleaned_data[name] not in ("", None) for name in self.fields
        )

    def query(self) -> dict[str, str]:
        """The filters as typed, empty ones left out: for links and the audit log."""
        return {
            name: str(self.data.get(name, "")).strip()
            for name in self.fields
            if str(self.data.get(name, "")).strip()
        }


@dataclass(frozen=True)
class MirrorPage:
    page: Page
    rows: list[rows.Row]
    # When the mirror last caught up with Sociostacks (None: never fully).
    as_of: datetime | None
    is_current: bool


def mirror_state(key: ApiKey) -> SyncState | None:
    link = sync.account_link(key)
    if link is None:
        return None
    return SyncState.objects.filter(account_id=link.account_id).first()


def is_current(state: SyncState | None) -> bool:
    """The mirror caught up with upstream recently enough to answer for it."""
    if state is None or not state.is_complete or state.last_sync_at is None:
        return False
    age = timezone.now() - state.last_sync_at
    return age <= timedelta(seconds=settings.SMSADMIN_MIRROR_CURRENT_SECONDS)


def page_of(state: SyncState, number: int, size: int, filters: dict | None = None) -> MirrorPage:
    """Page ``number`` of ``size`` messages, newest first as upstream lists them.

    A page past the end is empty (with the pager), as upstream answers it.
    """
    messages = MirroredMessage.objects.filter(LIVE, account_id=state.account_id)
    filters = filters or {}
    if filters.get("status"):
        messages = messages.filter(status=filters["status"])
    if filters.get("direction"):
        messages = messages.filter(direction=_DIRECTION_STORED[filters["direction"]])
    if filters.get("device") is not None:
        messages = messages.filter(device_id=filters["device"])
    total = messages.count()
    start = (number - 1) * size
    found = list(messages.order_by("-sms_id")[start : start + size])
    return MirrorPage(
        page=Page(
            items=(),
            page=number,
            total_pages=-(-total // size),
            total=total,
            results_per_page=size,
        ),
        rows=rows.from_mirror(
            found, devices=state.device_names(), sims=state.sim_labels(), actions=True
        ),
        as_of=state.last_sync_at,
        is_current=is_current(state),
    )
