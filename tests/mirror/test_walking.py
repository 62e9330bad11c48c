"""The page walk against an upstream list that changes between reads."""

from collections.abc import Callable

from smsadmin.mirror.walking import FULL, NEW, PAGE_SIZE, Walk
from smsadmin.sociostacks.types import Message, Page


def _message(sms_id: int) -> Message:
    return Message(
        sms_id=sms_id,
        device_id=1,
        sim_subscription_id=1,
        contact_id=1,
        campaign_id=None,
        flow_id=None,
        rss_automation_id=None,
        recurring_campaign_id=None,
        user_id=1,
        type="sent",
        content="",
        status="sent",
        error=None,
        scheduled_at=None,
        created_at=None,
    )


class Upstream:
    """Message ids, newest first, paged the way Sociostacks pages them."""

    def __init__(self, count: int, served: int = PAGE_SIZE) -> None:
        self.ids = list(range(count, 0, -1))
        self.served = served
        self.reads: list[int] = []

    def page(self, number: int) -> Page[Message]:
        self.reads.append(number)
        rows = self.ids[(number - 1) * self.served : number * self.served]
        total = len(self.ids)
        pages = -(-total // self.served)
        return Page(tuple(_message(i) for i in rows), number, pages, total, self.served)

    def send(self, count: int) -> None:
        top = max(self.ids, default=0)
        self.ids[:0] = range(top + count, top, -1)

    def delete(self, ids: set[int]) -> None:
        self.ids = [i for i in self.ids if i not in ids]


def walk_through(
    walk: Walk, upstream: Upstream, between: Callable[[int], None] = lambda read: None
) -> tuple[set[int], bool]:
    """Run the walk to its end; ``between(n)`` changes upstream after the n-th read."""
    taken: set[int] = set()
    for read in range(1, 200):
        step = walk.take(upstream.page(walk.page))
        taken.update(m.sms_id for m in step.messages)
        if step.done:
            return taken, step.reached_end
        between(read)
    raise AssertionError("the walk never ended")


def test_a_full_walk_reads_each_page_once_and_takes_every_message():
    upstream = Upstream(2500)
    taken, reached_end = walk_through(Walk(FULL, number=1), upstream)
    assert taken == set(range(1, 2501))
    assert reached_end
    assert upstream.reads == [1, 2, 3]


def test_new_messages_arriving_mid_walk_push_pages_down_without_a_gap():
    upstream = Upstream(3500)
    before = set(upstream.ids)

    def busy(read: int) -> None:
        upstream.send(300)

    taken, _ = walk_through(Walk(FULL, number=1), upstream, busy)
    assert before <= taken


def test_deletions_mid_walk_make_it_step_back_rather_than_skip():
    upstream = Upstream(3500)

    def deleting(read: int) -> None:
        if read == 1:
            upstream.delete(set(range(3400, 3450)))  # from the page already read

    taken, _ = walk_through(Walk(FULL, number=1), upstream, deleting)
    assert set(upstream.ids) <= taken
    assert upstream.reads.count(2) == 2  # page 2 read again after the count shrank


def test_a_paused_walk_resumes_past_a_flood_of_new_messages():
    upstream = Upstream(5000)
    walk = Walk(FULL, number=1)
    for _ in range(2):
        walk.take(upstream.page(walk.page))
    upstream.send(2500)
    resumed = Walk.from_json(walk.to_json())
    taken, _ = walk_through(resumed, upstream)
    assert set(range(1, 3001)) <= taken
    assert len(upstream.reads) <= 2 + 5


def test_a_paused_walk_steps_back_once_when_nothing_moved():
    upstream = Upstream(3000)
    walk = Walk(FULL, number=1)
    walk.take(upstream.page(1))
    resumed = Walk.from_json(walk.to_json())
    taken, _ = walk_through(resumed, upstream)
    assert set(range(1, 2001)) <= taken
    # Page 2 is kept from before the step back: page 1 shows nothing moved.
    assert upstream.reads == [1, 2, 1, 3]


def test_a_paused_walk_notices_deletions_made_during_the_pause():
    upstream = Upstream(3000)
    walk = Walk(FULL, number=1)
    walk.take(upstream.page(1))
    upstream.delete(set(range(2500, 2900)))
    taken, _ = walk_through(Walk.from_json(walk.to_json()), upstream)
    assert set(upstream.ids) <= taken


def test_a_new_walk_stops_at_the_first_page_reaching_what_is_known():
    upstream = Upstream(5000)
    upstream.send(1200)
    taken, reached_end = walk_through(Walk(NEW, stop_at_id=5000), upstream)
    assert set(range(5001, 6201)) <= taken
    assert not reached_end
    assert upstream.reads == [1, 2]


def test_a_new_walk_with_nothing_new_costs_one_read():
    upstream = Upstream(5000)
    walk = Walk(NEW, stop_at_id=5000)
    walk_through(walk, upstream)
    assert upstream.reads == [1]
    assert walk.top_id == 5000


def test_an_empty_account_ends_at_once():
    upstream = Upstream(0)
    walk = Walk(FULL, number=1)
    taken, reached_end = walk_through(walk, upstream)
    assert taken == set() and reached_end and walk.top_id == 0


def test_a_smaller_page_than_asked_for_is_not_taken_for_the_end():
    upstream = Upstream(2500, served=500)
    taken, reached_end = walk_through(Walk(FULL, number=1), upstream)
    assert taken == set(range(1, 2501)) and reached_end
    assert upstream.reads == [1, 2, 3, 4, 5]
