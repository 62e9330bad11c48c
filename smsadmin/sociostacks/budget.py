"""The per-key upstream budget, kept in the shared Django cache.

Sociostacks allows 60 requests per minute per API key, and a team shares one
key across every person and every worker process. So what we know about the
budget (upstream's X-RateLimit headers, a running 429 block, our own count of
calls) lives in the shared cache, and reads go through `cached_read`, which
serves one upstream answer to every viewer and falls back to an older copy
rather than spend the calls that sends and deletes need.

Cache keys carry `key_fingerprint(api_key)`, never the key itself.
"""

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .errors import BudgetKeptForWrites, RateLimited, UpstreamUnavailable

T = TypeVar("T")

WINDOW_SECONDS = 60
# Sociostacks' documented limit, assumed until a response tells us otherwise.
DEFAULT_LIMIT = 60
# Older copies are what a page shows while upstream is out of reach or budget.
STALE_KEEP_SECONDS = 24 * 60 * 60
LOCK_SECONDS = 10
WAIT_FOR_OTHER_SECONDS = 2.0
_POLL_SECONDS = 0.05
# After a failed read, other viewers get the older copy for this long instead
# of each waiting through time-outs and retries of their own.
DOWN_BACKOFF_SECONDS = 10

# How long a success without rate headers counts as "this key is not limited";
# any answer that carries them ends it at once.
UNLIMITED_KEEP_SECONDS = 10 * 60

# Why an older copy was served: stable names (tests and logs compare them);
# `reason_words` puts them into the reader's language.
RATE_LIMITED = "rate limited"
BUDGET_NEARLY_SPENT = "budget nearly spent"
UPSTREAM_UNAVAILABLE = "upstream unavailable"
UPSTREAM_TIMED_OUT = "upstream timed out"
UPSTREAM_ERROR = "upstream error"


def key_fingerprint(api_key: str) -> str:
    """The name of a key in cache keys, logs and the mirror's links: never the key.

    An HMAC under the server's SECRET_KEY, not a plain hash: whoever reads a
    cache, a log or a database dump must not be able to test guessed keys
    against it offline.
    """
    return salted_hmac(_FINGERPRINT_SALT, api_key, algorithm="sha256").hexdigest()[:24]


_FINGERPRINT_SALT = "smsadmin.sociostacks.budget.key_fingerprint"


def _key(fp: str, *parts: object) -> str:
    return ":".join(["sociostacks", fp, *map(str, parts)])


# --- What upstream tells us ---------------------------------------------------


@dataclass(frozen=True)
class RateLimitState:
    limit: int | None
    remaining: int | None
    reset_at: float | None
    observed_at: float

    def window_passed(self, now: float) -> bool:
        if self.reset_at is not None:
            return self.reset_at <= now
        return now - self.observed_at >= WINDOW_SECONDS

    def seconds_to_reset(self, now: float) -> int:
        reset_at = self.reset_at or self.observed_at + WINDOW_SECONDS
        return max(1, math.ceil(reset_at - now))


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(float(headers[name]))
    except (KeyError, TypeError, ValueError):
        return None


def reset_seconds(headers: Mapping[str, str]) -> int | None:
    """X-RateLimit-Reset as seconds from now."""
    value = _header_int(headers, "X-RateLimit-Reset")
    if value is None:
        return None
    # The contract says seconds until the reset; an epoch timestamp (what many
    # other APIs send) would otherwise read as a block of half a century.
    if value > 10**9:
        value -= int(time.time())
    return max(1, value)


def record_response(fp: str, headers: Mapping[str, str], *, status: int) -> None:
    """What an answer says about the key's budget.

    An answer without rate headers says nothing, except a success: keys of
    Sociostacks' own admins are never limited and carry none. A refused key's
    401 carries none either, and proves nothing about the limit.
    """
    limit = _header_int(headers, "X-RateLimit-Limit")
    remaining = _header_int(headers, "X-RateLimit-Remaining")
    if limit is None and remaining is None:
        if 200 <= status < 300:
            cache.set(_key(fp, "unlimited"), True, UNLIMITED_KEEP_SECONDS)
        return
    cache.delete(_key(fp, "unlimited"))
    now = time.time()
    reset = reset_seconds(headers)
    state = RateLimitState(limit, remaining, None if reset is None else now + reset, now)
    cache.set(_key(fp, "rate"), state, 2 * WINDOW_SECONDS)
    if reset is not None and reset <= WINDOW_SECONDS:
        _align_minutes(fp, now + reset)


# Upstream's minutes need not start on the clock's (the sandbox's start at a
# key's first request): our own counters follow upstream's minute once an
# answer said when it ends, so "27 calls this minute" means upstream's minute.
_OFFSET_KEEP_SECONDS = 60 * 60
# X-RateLimit-Reset comes in whole seconds: a wobble of this much is the same minute.
_OFFSET_WOBBLE_SECONDS = 2.0


def _align_minutes(fp: str, window_ends_at: float) -> None:
    # The header is rounded up to a whole second: the end is within the second before.
    offset = (window_ends_at - 0.5) % WINDOW_SECONDS
    known: float | None = cache.get(_key(fp, "offset"))
    if known is not None:
        apart = abs(known - offset) % WINDOW_SECONDS
        if min(apart, WINDOW_SECONDS - apart) <= _OFFSET_WOBBLE_SECONDS:
            cache.touch(_key(fp, "offset"), _OFFSET_KEEP_SECONDS)
            return
    cache.set(_key(fp, "offset"), offset, _OFFSET_KEEP_SECONDS)


def _offset(fp: str) -> float:
    return float(cache.get(_key(fp, "offset"), 0.0) or 0.0)


def minute_index(fp: str) -> int:
    """Which of the key's minutes this is: upstream's minutes once known, else the clock's."""
    return int((time.time() - _offset(fp)) // WINDOW_SECONDS)


def seconds_left_in_minute(fp: str) -> int:
    elapsed = (time.time() - _offset(fp)) % WINDOW_SECONDS
    return max(1, math.ceil(WINDOW_SECONDS - elapsed))


def record_rate_limited(fp: str, retry_after: int) -> None:
    retry_after = max(1, retry_after)
    now = time.time()
    cache.set(_key(fp, "blocked"), now + retry_after, retry_after)
    previous = cache.get(_key(fp, "rate"))
    limit = previous.limit if previous is not None else None
    state = RateLimitState(limit, 0, now + retry_after, now)
    cache.set(_key(fp, "rate"), state, retry_after + WINDOW_SECONDS)


def current_state(fp: str) -> RateLimitState | None:
    return _as_of(cache.get(_key(fp, "rate")), time.time())


def _as_of(state: RateLimitState | None, now: float) -> RateLimitState | None:
    """A stored state as it stands at ``now``: once its window has passed, the limit is back."""
    if state is not None and state.window_passed(now):
        return replace(state, remaining=state.limit)
    return state


def is_unlimited(fp: str) -> bool:
    """Upstream's last success for this key carried no rate headers: it is not limited."""
    return bool(cache.get(_key(fp, "unlimited")))


def calls_left(fp: str) -> int | None:
    state = current_state(fp)
    return None if state is None else state.remaining


def calls_available(fp: str) -> int:
    """Calls the key may still make this minute, as far as anyone here knows.

    Upstream's own count when an answer brought one; else the documented limit
    less the calls this site made this minute (for a key that is not limited
    too: one request still must not hold a worker for minutes); none at all
    during a 429 block.
    """
    return _Minute.read(fp).calls_available


def blocked_for(fp: str) -> int:
    """Seconds until a 429 block ends; 0 when not blocked."""
    return _seconds_until(cache.get(_key(fp, "blocked")), time.time())


def _seconds_until(until: float | None, now: float) -> int:
    return 0 if until is None else max(0, math.ceil(until - now))


@dataclass(frozen=True)
class Figure:
    """The one figure every page shows for a key's minute, so no two sentences disagree.

    ``left`` is what `calls_available` says (none during a 429 block) and
    ``used`` is derived from it, so "5 of 4 used" or "used up" beside "3 left"
    cannot happen. ``limit`` is None for a key Sociostacks does not limit: then
    ``used`` is our own count of this minute's calls and ``left`` is None.
    """

    limit: int | None
    left: int | None
    used: int
    blocked_for: int
    kept_for_writes: bool

    @property
    def used_up(self) -> bool:
        return self.left == 0


def figure(fp: str) -> Figure:
    minute = _Minute.read(fp)
    if minute.unlimited and not minute.blocked_for:
        return Figure(None, None, minute.calls, 0, kept_for_writes=False)
    limit = minute.limit
    left = min(limit, minute.calls_available)
    reserve = settings.SOCIOSTACKS_READ_RESERVE
    kept = left > 0 and (
        left <= reserve or minute.reads >= _reads_share(limit, reserve, minute.jobs_reserved)
    )
    return Figure(limit, left, limit - left, minute.blocked_for, kept_for_writes=kept)


@dataclass(frozen=True)
class _Minute:
    """All the cache holds about a key's current minute, read in two round trips.

    The page header shows `figure` on every page: read one key at a time that
    was seven cache queries per page (a database query each with the default
    cache). The answers are those of blocked_for, current_state, is_unlimited,
    jobs_reserved and calls_this_minute, read together.
    """

    now: float
    unlimited: bool
    blocked_until: float | None
    state: RateLimitState | None
    jobs_reserved: int
    calls: int
    reads: int

    @classmethod
    def read(cls, fp: str) -> "_Minute":
        now = time.time()
        names = ("unlimited", "blocked", "rate", "offset", "jobs-reserved")
        keys = {name: _key(fp, name) for name in names}
        known = cache.get_many(keys.values())
        offset = float(known.get(keys["offset"], 0.0) or 0.0)
        minute = int((now - offset) // WINDOW_SECONDS)
        calls_key, reads_key = _key(fp, "calls", minute), _key(fp, "reads", minute)
        counted = cache.get_many([calls_key, reads_key])
        return cls(
            now=now,
            unlimited=bool(known.get(keys["unlimited"])),
            blocked_until=known.get(keys["blocked"]),
            state=_as_of(known.get(keys["rate"]), now),
            jobs_reserved=int(known.get(keys["jobs-reserved"], 0) or 0),
            calls=counted.get(calls_key, 0),
            reads=counted.get(reads_key, 0),
        )

    @property
    def blocked_for(self) -> int:
        return _seconds_until(self.blocked_until, self.now)

    @property
    def limit(self) -> int:
        return self.state.limit if self.state is not None and self.state.limit else DEFAULT_LIMIT

    @property
    def calls_available(self) -> int:
        if self.blocked_for:
            return 0
        if self.state is not None and self.state.remaining is not None:
            return max(0, self.state.remaining)
        return max(0, self.limit - self.calls)


# --- What we count ourselves --------------------------------------------------


def _minute_key(fp: str, counter: str = "calls") -> str:
    return _key(fp, counter, minute_index(fp))


def minute_key(fp: str, counter: str) -> str:
    """The cache key of one of this minute's counters (``count_call`` is "calls")."""
    return _minute_key(fp, counter)


def _increment(key: str) -> int:
    """The counter's new value. add() then incr(): atomic on Redis, never a lost first count."""
    if cache.add(key, 1, 2 * WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, 2 * WINDOW_SECONDS)
        return 1


_this_thread = threading.local()


def count_call(fp: str) -> None:
    _increment(_minute_key(fp))
    _this_thread.calls = getattr(_this_thread, "calls", 0) + 1


def _calls_by_this_thread() -> int:
    return getattr(_this_thread, "calls", 0)


def _count_extra_reads(fp: str, extra: int) -> None:
    """A read that took several calls (a directory of many pages) takes as many slots."""
    key = _minute_key(fp, "reads")
    for _slot in range(extra):
        _increment(key)


def reserve_for_jobs(fp: str, calls: int, seconds: int = 2 * WINDOW_SECONDS) -> None:
    """Keep ``calls`` of every minute for jobs on this key while one runs.

    A running job renews it before each of its calls; it lapses ``seconds``
    after the last renewal (a job paused until the next minute keeps it), and
    ``release_jobs_reservation`` ends it when the job is over.
    """
    cache.set(_key(fp, "jobs-reserved"), max(0, calls), seconds)


def release_jobs_reservation(fp: str) -> None:
    cache.delete(_key(fp, "jobs-reserved"))


def jobs_reserved(fp: str) -> int:
    """Calls of each minute kept for running jobs on this key (0: no job running)."""
    return int(cache.get(_key(fp, "jobs-reserved"), 0) or 0)


def reads_allowed(fp: str, limit: int, reserve: int) -> int:
    """Reads a minute may make: what is left once writes' reserve and jobs' share are kept."""
    return _reads_share(limit, reserve, jobs_reserved(fp))


def _reads_share(limit: int, reserve: int, jobs: int) -> int:
    return max(0, limit - reserve - jobs)


def _claim_read(fp: str, reserve: int) -> bool:
    """Take one of this minute's read slots: at most limit - reserve reads a minute,
    less the jobs' share while a job runs on the key (``reserve_for_jobs``).

    Claimed atomically in the shared cache, so ten people opening ten different
    pages at once cannot together spend the calls kept for sends, deletes and
    jobs; past it, reads serve their older copy ("fresh data in N s").
    """
    if is_unlimited(fp):
        return True
    state = current_state(fp)
    limit = state.limit if state is not None and state.limit else DEFAULT_LIMIT
    return _increment(_minute_key(fp, "reads")) <= reads_allowed(fp, limit, reserve)


def calls_this_minute(fp: str) -> int:
    return cache.get(_minute_key(fp), 0)


# --- Budget-aware cached reads -----------------------------------------------


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T
    fetched_at: datetime
    is_fresh: bool
    refresh_in: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    fetched_at: float
    generation: int

    def is_fresh(self, generation: int, fresh_for: int) -> bool:
        return self.generation == generation and time.time() - self.fetched_at < fresh_for

    def served(
        self, *, fresh: bool, reason: str | None = None, refresh_in: int | None = None
    ) -> Cached[T]:
        fetched_at = datetime.fromtimestamp(self.fetched_at, UTC)
        return Cached(self.value, fetched_at, fresh, refresh_in, reason)


def _generation_key(fp: str) -> str:
    return _key(fp, "generation")


def _generation(fp: str) -> int:
    return cache.get(_generation_key(fp), 0)


def _generation_and_entry(
    fp: str, entry_key: str, invalidated_by_writes: bool
) -> tuple[int, "_Entry[Any] | None"]:
    """The writes' generation and the stored entry, in one cache round trip."""
    if not invalidated_by_writes:
        return 0, cache.get(entry_key)
    generation_key = _generation_key(fp)
    found = cache.get_many([generation_key, entry_key])
    return found.get(generation_key, 0), found.get(entry_key)


def invalidate(fp: str) -> None:
    """Make every read of this key fetch anew; older copies stay for stale serving."""
    key = _generation_key(fp)
    if not cache.add(key, 1, None):
        try:
            cache.incr(key)
        except ValueError:  # evicted between add() and incr()
            cache.add(key, 1, None)


def prime(fp: str, values: Mapping[str, T], *, generation: int) -> None:
    """Store values that came inside a larger answer, as if each had been read alone.

    A list page carries every message on it, so opening one of them afterwards
    needs no upstream call. `generation` is the one read before the larger
    answer was fetched, so a write that happened meanwhile still wins.
    """
    now = time.time()
    cache.set_many(
        {_key(fp, "read", name): _Entry(value, now, generation) for name, value in values.items()},
        STALE_KEEP_SECONDS,
    )


def last_read(fp: str, name: str) -> Cached[T] | None:
    """What ``cached_read`` last fetched for ``name``, however old, without calling upstream."""
    entry: _Entry[T] | None = cache.get(_key(fp, "read", name))
    return None if entry is None else entry.served(fresh=False)


def fresh_reads(fp: str, wanted: Mapping[str, tuple[int, bool]]) -> dict[str, Cached[Any]]:
    """The cached answers among ``wanted`` that are still fresh: no call, no wait, one cache read.

    ``wanted`` maps a read's name to its ``fresh_for`` and ``invalidated_by_writes``,
    as the ``cached_read`` of it would be given them.
    """
    keys = {_key(fp, "read", name): name for name in wanted}
    generation = _generation(fp) if any(by_writes for _, by_writes in wanted.values()) else 0
    fresh: dict[str, Cached[Any]] = {}
    for key, entry in cache.get_many(list(keys)).items():
        name = keys[key]
        fresh_for, by_writes = wanted[name]
        if entry.is_fresh(generation if by_writes else 0, fresh_for):
            fresh[name] = entry.served(fresh=True)
    return fresh


def current_generation(fp: str) -> int:
    return _generation(fp)


def _hold_back(fp: str, reserve: int) -> tuple[str, int] | None:
    """Why a read should not call upstream now, and for how long."""
    if wait := blocked_for(fp):
        return RATE_LIMITED, wait
    # (until when, why): the backoff after a failed read says what failed.
    down: tuple[float, str] | None = cache.get(_key(fp, "down"))
    if down is not None and down[0] > time.time():
        return down[1], math.ceil(down[0] - time.time())
    state = current_state(fp)
    # Upstream's minute need not start with ours: what it says is left must
    # still hold the writes' reserve and what running jobs have yet to spend.
    if (
        state is not None
        and state.remaining is not None
        and state.remaining <= reserve + jobs_unspent(fp)
    ):
        return BUDGET_NEARLY_SPENT, state.seconds_to_reset(time.time())
    return None


def jobs_unspent(fp: str) -> int:
    """The part of this minute's jobs' share that jobs have not spent yet."""
    reserved = jobs_reserved(fp)
    if not reserved:
        return 0
    return max(0, reserved - int(cache.get(_minute_key(fp, "jobs"), 0) or 0))


def _serve_without_calling(
    fp: str, entry: _Entry[T] | None, generation: int, fresh_for: int, reserve: int
) -> Cached[T] | None:
    if entry is not None and entry.is_fresh(generation, fresh_for):
        return entry.served(fresh=True)
    held_back = _hold_back(fp, reserve)
    if held_back is None:
        return None
    reason, wait = held_back
    if entry is not None:
        return entry.served(fresh=False, reason=reason, refresh_in=wait)
    if reason == RATE_LIMITED:
        # Upstream already said no until `wait` has passed: asking again would
        # only spend a request on another 429.
        raise RateLimited(retry_after=wait)
    if reason == BUDGET_NEARLY_SPENT:
        # Nothing to show, but the last calls of the minute belong to writes.
        raise BudgetKeptForWrites(retry_after=wait)
    return None


def _wait_for_unlock(lock_key: str) -> None:
    deadline = time.monotonic() + WAIT_FOR_OTHER_SECONDS
    while cache.get(lock_key) and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)


def cached_read(
    fp: str,
    name: str,
    fetch: Callable[[], T],
    *,
    fresh_for: int,
    reserve: int | None = None,
    invalidated_by_writes: bool = True,
) -> Cached[T]:
    """`fetch()`'s value, through the shared cache and within the key's budget.

    A value younger than `fresh_for` is served without calling. An older copy
    is served (stale) instead of calling while the key is blocked by a 429,
    while upstream just failed, or while `calls_left <= reserve` or this
    minute's `limit - reserve` reads are taken: those calls are kept for writes,
    and with no older copy the read raises BudgetKeptForWrites rather than
    spend them. Concurrent readers share one upstream call.
    `invalidated_by_writes=False` is for data our sends and deletes cannot
    change (the account's time zone).
    """
    reserve = settings.SOCIOSTACKS_READ_RESERVE if reserve is None else reserve
    entry_key = _key(fp, "read", name)
    generation, stored = _generation_and_entry(fp, entry_key, invalidated_by_writes)
    lock_key = _key(fp, "lock", generation, name)

    served = _serve_without_calling(fp, stored, generation, fresh_for, reserve)
    if served is not None:
        return served
    owns_lock = cache.add(lock_key, True, LOCK_SECONDS)
    if not owns_lock:
        # Another viewer is already asking upstream for this: share its answer.
        _wait_for_unlock(lock_key)
        served = _serve_without_calling(fp, cache.get(entry_key), generation, fresh_for, reserve)
        if served is not None:
            return served
    try:
        if not _claim_read(fp, reserve):
            return _stale_or_raise(
                entry_key,
                BudgetKeptForWrites(retry_after=seconds_left_in_minute(fp)),
                BUDGET_NEARLY_SPENT,
                seconds_left_in_minute(fp),
            )
        calls_before = _calls_by_this_thread()
        try:
            entry = _Entry(fetch(), time.time(), generation)
        finally:
            if (made := _calls_by_this_thread() - calls_before) > 1:
                _count_extra_reads(fp, made - 1)
        # Stored before the lock goes, so whoever waited on it finds the answer.
        cache.set(entry_key, entry, STALE_KEEP_SECONDS)
    except RateLimited as exc:
        return _stale_or_raise(entry_key, exc, RATE_LIMITED, exc.retry_after)
    except UpstreamUnavailable as exc:
        why = _why_unavailable(exc)
        cache.set(_key(fp, "down"), (time.time() + DOWN_BACKOFF_SECONDS, why), DOWN_BACKOFF_SECONDS)
        return _stale_or_raise(entry_key, exc, why, DOWN_BACKOFF_SECONDS)
    finally:
        if owns_lock:
            cache.delete(lock_key)
    return entry.served(fresh=True)


def _why_unavailable(exc: UpstreamUnavailable) -> str:
    if exc.timed_out:
        return UPSTREAM_TIMED_OUT
    return UPSTREAM_ERROR if exc.status is not None else UPSTREAM_UNAVAILABLE


def reason_words(reason: str | None) -> str:
    """Why a page shows an older copy, in the reader's language ("" when it is current)."""
    if reason is None:
        return ""
    words = {
        RATE_LIMITED: _("Sociostacks asked us to wait"),
        BUDGET_NEARLY_SPENT: _("this minute's calls are kept for sends and deletes"),
        UPSTREAM_UNAVAILABLE: _("Sociostacks could not be reached"),
        UPSTREAM_TIMED_OUT: _("Sociostacks did not answer in time"),
        UPSTREAM_ERROR: _("Sociostacks answered with an error"),
    }
    return str(words.get(reason, reason))


def _stale_or_raise(entry_key: str, exc: Exception, reason: str, refresh_in: int) -> Cached[T]:
    older: _Entry[T] | None = cache.get(entry_key)
    if older is None:
        raise exc
    return older.served(fresh=False, reason=reason, refresh_in=refresh_in)
