"""How far the mirror of an account is, in the words the mirror pages show while a sync runs."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smsadmin.mirror.models import SyncState
from smsadmin.mirror.walking import Walk

# The phases by their stable names (the templates compare them), in the words shown.
PHASES = {
    "never synced": _("never synced"),
    "first sync": _("first sync"),
    "full pass (looking for deletions)": _("full pass (looking for deletions)"),
    "catching up with new messages": _("catching up with new messages"),
    "up to date": _("up to date"),
}


@dataclass(frozen=True)
class Progress:
    """How far the mirror of an account is, for the page to show while a sync runs."""

    running: bool
    holder: str
    mirrored: int
    upstream_total: int | None
    phase: str
    pages_done: int = 0
    pages_total: int | None = None
    last_sync_at: datetime | None = None
    last_outcome: str = ""
    last_error: str = ""
    resume_at: datetime | None = None

    @property
    def phase_text(self) -> str:
        """The phase in the viewer's language."""
        return str(PHASES.get(self.phase, self.phase))

    @property
    def percent(self) -> int | None:
        if self.pages_total:
            return min(100, round(100 * self.pages_done / self.pages_total))
        return None


def progress_of(state: SyncState | None) -> Progress:
    if state is None:
        return Progress(False, "", 0, None, "never synced")
    running = state.lease_until is not None and state.lease_until > timezone.now()
    pages_done, pages_total = 0, None
    if state.full_walk:
        phase = "first sync" if state.head_id is None else "full pass (looking for deletions)"
        walk = Walk.from_json(state.full_walk)
        pages_done = walk.page - 1
        pages_total = pages_done + (walk.pages_left or 0)
    elif state.head_walk:
        phase = "catching up with new messages"
    elif state.head_id is None:
        phase = "never synced"
    else:
        phase = "up to date"
    return Progress(
        running=running,
        holder=state.lease_holder if running else "",
        mirrored=state.mirrored,
        upstream_total=state.upstream_total,
        phase=phase,
        pages_done=pages_done,
        pages_total=pages_total,
        last_sync_at=state.last_sync_at,
        last_outcome=state.last_outcome,
        last_error=state.last_error,
        resume_at=state.resume_at,
    )
