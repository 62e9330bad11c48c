"""How many upstream calls a sync may spend: a share of the key's per-minute budget.

People reading and sending through the site share the key's 60 calls a minute
with the sync. The sync takes at most ``SMSADMIN_SYNC_BUDGET_SHARE`` of them
(half by default) and never the rest, by two counts:

- our own: every call this site made with the key this minute (all workers
  and processes count into the shared cache, see budget.count_call); the sync
  calls only while that count is below its share;
- upstream's: ``X-RateLimit-Remaining`` from the last answer, which also sees
  calls made outside this site and a window that does not start on our
  minute; the sync calls only while more than the people's part remains.

So whatever the sync does, people keep at least the other half of the minute,
and a 429 block stops it altogether.
"""

import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smsadmin.sociostacks import budget

T = TypeVar("T")

# Why a run paused: stable English names (the audit log keeps them), shown as REASONS say.
ASKED_TO_WAIT = "Sociostacks asked us to wait"
SHARE_SPENT = "the sync's share of this minute's budget is spent"
TIME_UP = "this step's time is up"
REASONS = {
    ASKED_TO_WAIT: _("Sociostacks asked us to wait"),
    SHARE_SPENT: _("the sync's share of this minute's budget is spent"),
    TIME_UP: _("this step's time is up"),
}


class Allowance:
    def __init__(self, fingerprint: str, share: float | None = None) -> None:
        self.fingerprint = fingerprint
        self.share = settings.SMSADMIN_SYNC_BUDGET_SHARE if share is None else share
        self.calls = 0  # what this run spent, as far as our counter saw

    def limit(self) -> int:
        state = budget.current_state(self.fingerprint)
        return state.limit if state is not None and state.limit else budget.DEFAULT_LIMIT

    def per_minute(self) -> int:
        """The most calls the sync may make in one minute."""
        return max(1, math.floor(self.limit() * self.share))

    def refusal(self) -> str | None:
        """Why the next call must wait, or None when it may go ahead."""
        if budget.blocked_for(self.fingerprint):
            return ASKED_TO_WAIT
        share = self.per_minute()
        if budget.calls_this_minute(self.fingerprint) >= share:
            return SHARE_SPENT
        remaining = budget.calls_left(self.fingerprint)
        if remaining is not None and remaining <= self.limit() - share:
            return SHARE_SPENT
        return None

    def may_call(self) -> bool:
        return self.refusal() is None

    def wait_seconds(self) -> int:
        """How long until ``may_call`` can turn true again."""
        if blocked := budget.blocked_for(self.fingerprint):
            return blocked
        now = time.time()
        waits = [0]
        if budget.calls_this_minute(self.fingerprint) >= self.per_minute():
            waits.append(budget.WINDOW_SECONDS - int(now) % budget.WINDOW_SECONDS)
        state = budget.current_state(self.fingerprint)
        if (
            state is not None
            and state.remaining is not None
            and state.remaining <= self.limit() - self.per_minute()
        ):
            waits.append(state.seconds_to_reset(now))
        return max(1, *waits)

    def spend(self, call: Callable[[], T], *, at_least: int = 1) -> T:
        """``call()``, adding the upstream calls it made to ``self.calls``.

        Reads through the shared cache may make none (``at_least=0``) or
        several (a directory of many pages); the shared minute counter tells.
        """
        window = int(time.time() // budget.WINDOW_SECONDS)
        before = budget.calls_this_minute(self.fingerprint)
        try:
            return call()
        finally:
            after = budget.calls_this_minute(self.fingerprint)
            same_window = int(time.time() // budget.WINDOW_SECONDS) == window
            made = after - before if same_window else after
            self.calls += max(at_least, made)
