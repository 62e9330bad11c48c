"""Walking upstream's message list from the newest down, a page at a time, across pauses.

Upstream lists messages newest first, highest ``sms_id`` first, and can
neither filter nor sort: page 3 only means "the 2001st to 3000th message,
counted from the newest". Between two reads, new messages push every page
down and deletions pull it up. Ids only grow, though, so a walk keeps the
lowest id it has taken in (``below_id``) and checks each page against it:

- a page holding ids at or above ``below_id`` overlaps what was taken in, so
  nothing between the two was skipped: its lower ids are taken in;
- a page holding only already-taken ids was pushed down by new messages: the
  walk jumps ahead by as many pages as upstream's count grew;
- a page holding only lower ids follows straight on, if the walk just read
  the page before it and upstream's count did not shrink in between. After a
  pause, or when the count shrank (deletions pulled messages onto the page
  already read), the walk cannot tell a neat continuation from a gap, and
  steps back a page to find an overlap. That costs a call only when nothing
  new arrived during the pause.

The walk does no I/O: the caller reads ``walk.page`` and hands the answer to
``walk.take``, which says what to store and whether the walk is over.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from smsadmin.sociostacks.types import Message, Page

PAGE_SIZE = 1000  # the largest page upstream serves: the fewest calls per message

NEW = "new"  # from the newest down to what the mirror already has
FULL = "full"  # from the newest down to the oldest, to notice deletions


@dataclass(frozen=True)
class Step:
    """What one page read brought: messages to store, and whether the walk is over."""

    messages: Sequence[Message]
    done: bool = False
    reached_end: bool = False  # the walk saw the oldest message there is


@dataclass
class Walk:
    kind: str
    stop_at_id: int = 0  # a NEW walk is done on reaching this id; 0 walks to the end
    number: int = 0  # a FULL walk's number, stamped on every row it sees
    top_id: int | None = None  # the newest id when the walk began
    below_id: int | None = None  # every id from top_id down to this one was taken in
    page: int = 1  # the page to read next
    total: int | None = None  # upstream's message count at the last read
    anchored: bool = True  # the next page follows straight on from the last one read
    pages_read: int = 0
    size: int = PAGE_SIZE  # what upstream says it served, should it ever serve fewer
    # The page read just before stepping back, kept (not stored) in case the
    # page before it shows nothing moved: then it need not be read again.
    ahead: tuple[int, list[Message]] | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Walk":
        walk = cls(**data)
        # Stored means paused: the list may have moved since the last read.
        walk.anchored = walk.below_id is None
        return walk

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "ahead"}

    @property
    def pages_left(self) -> int | None:
        """About how many reads the walk still needs, from the last count seen."""
        if self.total is None:
            return None
        if self.kind == FULL:
            return max(0, math.ceil(self.total / self.size) - self.page + 1)
        return None

    def take(self, answer: Page[Message]) -> Step:
        items = sorted(answer.items, key=lambda message: message.sms_id, reverse=True)
        previous_total, self.total = self.total, answer.total
        ahead, self.ahead = self.ahead, None
        if answer.results_per_page >= max(1, len(items)):
            self.size = answer.results_per_page
        self.pages_read += 1
        if self.below_id is None:
            return self._first(items)
        fresh = [message for message in items if message.sms_id < self.below_id]
        overlaps = len(fresh) < len(items)
        shrank = previous_total is not None and answer.total < previous_total
        if not fresh and items:
            return self._pushed_down(items, previous_total, ahead)
        if not overlaps and self.page > 1 and (not self.anchored or shrank):
            self.ahead = (self.page, items)
            self._step_back(previous_total)
            return Step(())  # stored once it is clear they follow on
        if not items:
            return Step((), done=True, reached_end=True)
        return self._advance(items)

    def _first(self, items: list[Message]) -> Step:
        self.top_id = items[0].sms_id if items else 0
        if not items:
            return Step((), done=True, reached_end=True)
        return self._advance(items)

    def _advance(self, items: list[Message]) -> Step:
        at_end = self._at_end(items)
        self.below_id = items[-1].sms_id
        self.page += 1
        self.anchored = True
        if self.kind == NEW and self.below_id <= self.stop_at_id:
            return Step(items, done=True)
        return Step(items, done=at_end, reached_end=at_end)

    def _pushed_down(
        self,
        items: list[Message],
        previous_total: int | None,
        ahead: tuple[int, list[Message]] | None,
    ) -> Step:
        grown = (self.total or 0) - (previous_total or 0)
        if self._at_end(items):
            return Step(items, done=True, reached_end=True)
        if ahead is not None and ahead[0] == self.page + 1 and ahead[1] and grown == 0:
            # Nothing moved since the next page was read: it follows straight on.
            self.page += 1
            step = self._advance(ahead[1])
            return Step(items + ahead[1], step.done, step.reached_end)
        jump = max(1, grown // self.size)
        self.page += jump
        self.anchored = jump == 1
        return Step(items)

    def _step_back(self, previous_total: int | None) -> None:
        lost = max(0, (previous_total or 0) - (self.total or 0))
        self.page = max(1, self.page - max(1, math.ceil(lost / self.size)))
        self.anchored = False

    def _at_end(self, items: list[Message]) -> bool:
        """The page just read (``self.page``) is the last one."""
        return len(items) < self.size or self.page * self.size >= (self.total or 0)
