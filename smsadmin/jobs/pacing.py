"""How many upstream calls jobs may spend: a share of each key's minute.

The key's 60 calls a minute are shared by people (reads, their own sends and
deletes), the mirror sync and jobs. Jobs together take at most
``SMSADMIN_JOBS_BUDGET_SHARE`` of what is left once ``SOCIOSTACKS_READ_RESERVE``
is set aside for people's own writes, counted in the shared cache so that
every worker process counts into one number. They also stop while upstream's
own ``X-RateLimit-Remaining`` is down to that reserve, and during a 429 block.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from smsadmin.sociostacks import budget

# Stored in English as the job's problem, translated where shown (Job.shown_problem).
RATE_LIMITED = gettext_noop("Sociostacks asked us to wait")
SHARE_SPENT = gettext_noop("the jobs' share of this minute's budget is spent")
KEPT_FOR_PEOPLE = gettext_noop("the rest of this minute is kept for people's own sends and deletes")


def _limit(fingerprint: str) -> int:
    state = budget.current_state(fingerprint)
    return state.limit if state is not None and state.limit else budget.DEFAULT_LIMIT


def per_minute(fingerprint: str | None = None) -> int:
    """The most calls all jobs on one key make in a minute."""
    limit = _limit(fingerprint) if fingerprint else budget.DEFAULT_LIMIT
    usable = max(1, limit - settings.SOCIOSTACKS_READ_RESERVE)
    return max(1, math.floor(usable * settings.SMSADMIN_JOBS_BUDGET_SHARE))


def _jobs_counter(fingerprint: str) -> str:
    # The key's minute: upstream's, once an answer said when it ends.
    return budget.minute_key(fingerprint, "jobs")


def _seconds_to_next_minute(fingerprint: str) -> int:
    return budget.seconds_left_in_minute(fingerprint)


@dataclass(frozen=True)
class Wait:
    reason: str
    seconds: int


def refusal(fingerprint: str) -> Wait | None:
    """Why a job must not call now and for how long, or None when it may."""
    if blocked := budget.blocked_for(fingerprint):
        return Wait(RATE_LIMITED, blocked)
    if budget.is_unlimited(fingerprint):
        return None
    if cache.get(_jobs_counter(fingerprint), 0) >= per_minute(fingerprint):
        return Wait(SHARE_SPENT, _seconds_to_next_minute(fingerprint))
    reserve = settings.SOCIOSTACKS_READ_RESERVE
    state = budget.current_state(fingerprint)
    if state is not None and state.remaining is not None and state.remaining <= reserve:
        return Wait(KEPT_FOR_PEOPLE, state.seconds_to_reset(time.time()))
    if budget.calls_this_minute(fingerprint) >= _limit(fingerprint) - reserve:
        return Wait(KEPT_FOR_PEOPLE, _seconds_to_next_minute(fingerprint))
    return None


def reserve(fingerprint: str) -> None:
    """While a job runs, its share of each minute is kept from people's reads."""
    if not budget.is_unlimited(fingerprint):
        budget.reserve_for_jobs(fingerprint, per_minute(fingerprint))


def release(fingerprint: str) -> None:
    """A job is over: reads may have the whole minute again, unless another job runs."""
    from smsadmin.jobs.models import Job

    if not Job.objects.filter(state=Job.State.RUNNING, lease_until__isnull=False).exists():
        budget.release_jobs_reservation(fingerprint)


def count_job_call(fingerprint: str) -> None:
    key = _jobs_counter(fingerprint)
    if not cache.add(key, 1, 2 * budget.WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, 2 * budget.WINDOW_SECONDS)


def expected_seconds(calls: int, fingerprint: str | None = None) -> int:
    """How long ``calls`` take at the jobs' share of the key's budget."""
    rate = per_minute(fingerprint)
    if calls <= rate:
        return max(1, calls)  # within this minute: about a call a second
    return math.ceil(calls / rate * budget.WINDOW_SECONDS)


def duration_words(seconds: int) -> str:
    """A duration in the active language's short units ("45 s", "3 min", "2 h 5 min")."""
    if seconds < 90:
        return gettext("%(seconds)s s") % {"seconds": number_format(seconds)}
    minutes = round(seconds / 60)
    if minutes < 90:
        return gettext("%(minutes)s min") % {"minutes": number_format(minutes)}
    hours, rest = divmod(minutes, 60)
    if rest:
        return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    return gettext("%(hours)s h") % {"hours": hours}
