"""The shared budget: cached reads, stale serving, 429 blocks, one call for all viewers."""

import threading
import time

import pytest
from django.utils import translation

from smsadmin.sociostacks import RateLimited, UpstreamUnavailable, budget
from smsadmin.sociostacks.errors import BudgetKeptForWrites

from .payloads import API_KEY

FP = budget.key_fingerprint(API_KEY)


class Upstream:
    """A fetch function that counts its calls and can be told to fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.failure: Exception | None = None

    def __call__(self) -> str:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return f"answer {self.calls}"


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


def read(upstream: Upstream, fresh_for: int = 30, **kwargs):
    return budget.cached_read(FP, "sms-page-1", upstream, fresh_for=fresh_for, **kwargs)


def spend_budget(remaining: int) -> None:
    budget.record_response(
        FP, {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": str(remaining)}, status=200
    )


def test_a_fresh_value_is_served_without_calling(upstream, time_machine):
    time_machine.move_to("2030-01-01 12:00:00Z", tick=False)
    first = read(upstream)
    time_machine.shift(29)
    again = read(upstream)

    assert upstream.calls == 1
    assert again.is_fresh and again.value == first.value == "answer 1"
    assert again.fetched_at == first.fetched_at
    assert again.reason is None and again.refresh_in is None

    time_machine.shift(2)
    assert read(upstream).value == "answer 2"


def test_invalidate_forces_a_call(upstream):
    read(upstream)
    budget.invalidate(FP)

    after = read(upstream)

    assert upstream.calls == 2
    assert after.is_fresh and after.value == "answer 2"


def test_a_429_serves_the_older_copy_with_refresh_in(upstream):
    read(upstream)
    budget.invalidate(FP)
    upstream.failure = RateLimited(retry_after=20)

    stale = read(upstream)

    assert not stale.is_fresh
    assert stale.value == "answer 1"
    assert stale.reason == budget.RATE_LIMITED
    assert stale.refresh_in == 20


def test_while_blocked_reads_serve_the_older_copy_without_calling(upstream):
    read(upstream)
    budget.invalidate(FP)
    budget.record_rate_limited(FP, 20)

    stale = read(upstream)

    assert upstream.calls == 1
    assert stale.reason == budget.RATE_LIMITED
    assert 19 <= stale.refresh_in <= 20


def test_while_blocked_without_a_copy_it_raises_without_calling(upstream):
    budget.record_rate_limited(FP, 20)

    with pytest.raises(RateLimited) as caught:
        read(upstream)

    assert upstream.calls == 0
    assert 19 <= caught.value.retry_after <= 20


def test_a_429_without_an_older_copy_raises(upstream):
    upstream.failure = RateLimited(retry_after=20)

    with pytest.raises(RateLimited):
        read(upstream)


def test_a_nearly_spent_budget_serves_the_older_copy(upstream):
    read(upstream)
    budget.invalidate(FP)
    spend_budget(remaining=5)

    stale = read(upstream)

    assert upstream.calls == 1
    assert stale.reason == budget.BUDGET_NEARLY_SPENT
    assert 59 <= stale.refresh_in <= 60


def test_reads_spend_the_budget_down_to_the_reserve(upstream):
    read(upstream)
    budget.invalidate(FP)
    spend_budget(remaining=6)

    assert read(upstream).is_fresh
    assert upstream.calls == 2


def test_the_reserve_can_be_chosen_per_read(upstream):
    read(upstream)
    budget.invalidate(FP)
    spend_budget(remaining=6)

    assert read(upstream, reserve=10).reason == budget.BUDGET_NEARLY_SPENT


def test_a_nearly_spent_budget_without_a_copy_refuses_without_calling(upstream):
    spend_budget(remaining=5)

    with pytest.raises(BudgetKeptForWrites) as refused:
        read(upstream)

    assert upstream.calls == 0
    assert refused.value.status is None
    assert 59 <= refused.value.retry_after <= 60


def test_reads_take_at_most_limit_minus_reserve_slots_a_minute(upstream, time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    served = [budget.cached_read(FP, f"detail-{n}", upstream, fresh_for=30) for n in range(55)]
    assert all(answer.is_fresh for answer in served)

    with pytest.raises(BudgetKeptForWrites):
        budget.cached_read(FP, "detail-55", upstream, fresh_for=30)
    assert upstream.calls == 55

    time_machine.move_to("2026-11-26 10:01:01", tick=False)
    assert budget.cached_read(FP, "detail-55", upstream, fresh_for=30).is_fresh


def test_a_read_past_its_slots_serves_the_older_copy(upstream, time_machine):
    time_machine.move_to("2026-11-26 10:00:05", tick=False)
    read(upstream)
    budget.invalidate(FP)
    for n in range(54):
        budget.cached_read(FP, f"detail-{n}", upstream, fresh_for=30)

    stale = read(upstream)

    assert stale.reason == budget.BUDGET_NEARLY_SPENT
    assert stale.refresh_in == 55


def test_a_state_older_than_a_minute_means_a_full_budget(time_machine):
    time_machine.move_to("2030-01-01 12:00:00Z", tick=False)
    spend_budget(remaining=3)
    assert budget.calls_left(FP) == 3

    time_machine.shift(61)

    assert budget.calls_left(FP) == 60


def test_an_unavailable_upstream_serves_the_older_copy_and_backs_off(upstream):
    read(upstream)
    budget.invalidate(FP)
    upstream.failure = UpstreamUnavailable(timed_out=True)

    first = read(upstream)
    second = read(upstream)

    assert first.reason == second.reason == budget.UPSTREAM_TIMED_OUT
    assert first.value == "answer 1"
    assert upstream.calls == 2


def test_an_unavailable_upstream_without_a_copy_raises(upstream):
    upstream.failure = UpstreamUnavailable()

    with pytest.raises(UpstreamUnavailable):
        read(upstream)


def test_older_copies_survive_invalidation_but_not_a_day(upstream, time_machine):
    time_machine.move_to("2030-01-01 12:00:00Z", tick=False)
    read(upstream)
    budget.invalidate(FP)
    budget.record_rate_limited(FP, 60)
    assert read(upstream).value == "answer 1"

    time_machine.shift(24 * 60 * 60 + 1)
    budget.record_rate_limited(FP, 60)
    with pytest.raises(RateLimited):
        read(upstream)


def test_concurrent_readers_share_one_upstream_call():
    started = threading.Event()
    calls: list[str] = []

    def slow_fetch() -> str:
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.3)
        return "shared"

    results = {}
    first = threading.Thread(
        target=lambda: results.update(first=budget.cached_read(FP, "p", slow_fetch, fresh_for=30))
    )
    first.start()
    started.wait(timeout=2)
    results["second"] = budget.cached_read(FP, "p", slow_fetch, fresh_for=30)
    first.join()

    assert len(calls) == 1
    assert results["first"].value == results["second"].value == "shared"
    assert results["second"].is_fresh


def test_it_counts_calls_per_minute(time_machine):
    time_machine.move_to("2030-01-01 12:00:10Z", tick=False)
    for _ in range(3):
        budget.count_call(FP)
    assert budget.calls_this_minute(FP) == 3

    time_machine.shift(60)

    assert budget.calls_this_minute(FP) == 0


def test_a_block_ends(time_machine):
    time_machine.move_to("2030-01-01 12:00:00Z", tick=False)
    assert budget.blocked_for(FP) == 0
    budget.record_rate_limited(FP, 30)
    assert budget.blocked_for(FP) == 30

    time_machine.shift(31)

    assert budget.blocked_for(FP) == 0


def test_a_reset_given_as_an_epoch_is_read_as_seconds_from_now():
    in_a_minute = str(int(time.time()) + 42)

    assert 41 <= budget.reset_seconds({"X-RateLimit-Reset": in_a_minute}) <= 42
    assert budget.reset_seconds({"X-RateLimit-Reset": "17"}) == 17
    assert budget.reset_seconds({}) is None


def test_a_key_fingerprint_cannot_be_checked_without_the_server_secret(settings):
    """Not sha256(key)[:24] (issue 22): a guessed key must not be testable offline."""
    import hashlib

    fingerprint = budget.key_fingerprint(API_KEY)
    assert fingerprint != hashlib.sha256(API_KEY.encode()).hexdigest()[:24]
    assert fingerprint == budget.key_fingerprint(API_KEY)
    assert len(fingerprint) == 24
    settings.SECRET_KEY = "another-server-secret"
    assert budget.key_fingerprint(API_KEY) != fingerprint


def test_reads_of_a_key_that_is_not_limited_are_not_capped(upstream):
    budget.record_response(FP, {}, status=200)

    for _ in range(budget.DEFAULT_LIMIT + 5):
        budget.invalidate(FP)
        assert read(upstream).is_fresh

    assert upstream.calls == budget.DEFAULT_LIMIT + 5


def test_fresh_reads_gives_what_cached_read_would_serve_without_calling(upstream, time_machine):
    time_machine.move_to("2030-01-01 12:00:00Z", tick=False)
    read(upstream)  # "sms-page-1", invalidated by writes
    budget.cached_read(FP, "devices", upstream, fresh_for=300, invalidated_by_writes=False)
    wanted = {"sms-page-1": (30, True), "devices": (300, False), "contacts": (300, False)}

    fresh = budget.fresh_reads(FP, wanted)
    assert {name: answer.value for name, answer in fresh.items()} == {
        "sms-page-1": "answer 1",
        "devices": "answer 2",
    }
    budget.invalidate(FP)  # a send: pages go stale, devices stay
    assert set(budget.fresh_reads(FP, wanted)) == {"devices"}
    time_machine.shift(301)
    assert budget.fresh_reads(FP, wanted) == {}
    assert upstream.calls == 2


def test_the_figure_agrees_with_itself_whatever_was_counted(time_machine):
    time_machine.move_to("2030-01-01 12:00:10Z", tick=False)
    for _ in range(7):
        budget.count_call(FP)
    spend_budget(remaining=2)
    figure = budget.figure(FP)
    assert (figure.used, figure.left, figure.limit) == (58, 2, 60)
    assert figure.kept_for_writes  # below the reserve: pages show their last copy

    budget.record_rate_limited(FP, 30)
    figure = budget.figure(FP)
    assert figure.used_up and figure.left == 0 and figure.used == figure.limit
    assert figure.blocked_for == 30


def test_the_figure_of_an_unlimited_key_counts_our_calls():
    budget.record_response(FP, {}, status=200)
    budget.count_call(FP)
    figure = budget.figure(FP)
    assert figure.limit is None and figure.left is None and figure.used == 1


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (UpstreamUnavailable(timed_out=True), budget.UPSTREAM_TIMED_OUT),
        (UpstreamUnavailable(status=503), budget.UPSTREAM_ERROR),
        (UpstreamUnavailable(), budget.UPSTREAM_UNAVAILABLE),
    ],
)
def test_an_older_copy_says_what_failed(upstream, failure, reason):
    read(upstream)
    budget.invalidate(FP)
    upstream.failure = failure

    assert read(upstream).reason == reason
    # The backoff that follows keeps saying what failed, without a call.
    assert read(upstream).reason == reason
    assert upstream.calls == 2


def test_why_a_copy_is_older_is_said_in_the_readers_language():
    with translation.override("en"):
        assert (
            budget.reason_words(budget.UPSTREAM_TIMED_OUT) == "Sociostacks did not answer in time"
        )
    with translation.override("de"):
        assert budget.reason_words(budget.UPSTREAM_TIMED_OUT) == (
            "Sociostacks hat nicht rechtzeitig geantwortet"
        )
    assert budget.reason_words(None) == ""
