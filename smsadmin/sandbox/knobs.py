"""Runtime knobs, request statistics and the per-key rate limiter of the sandbox."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .config import FAILURE_MODES, PAGE_SIZES, QUIRK_SWITCHES, Quirks, SandboxConfig

RATE_LIMIT_WINDOW_SECONDS = 60.0
RECORDED_POST_BODIES = 20


class KnobError(ValueError):
    """A control request asked for something the sandbox cannot do."""


@dataclass
class Knobs:
    latency_ms: int
    rate_limit: int
    timeout_seconds: float
    send_delay_seconds: float
    inbound_one_in: int
    fail_next_count: int = 0
    fail_next_mode: str = "500"
    quirks: Quirks = field(default_factory=Quirks)

    @classmethod
    def from_config(cls, config: SandboxConfig) -> Knobs:
        return cls(
            latency_ms=config.latency_ms,
            rate_limit=config.rate_limit,
            timeout_seconds=config.timeout_seconds,
            send_delay_seconds=config.send_delay_seconds,
            inbound_one_in=config.inbound_one_in,
            quirks=config.quirks,
        )

    def apply(self, changes: dict[str, Any]) -> None:
        """Validate every change first, so a bad request changes nothing."""
        updates: dict[str, Any] = {}
        for name in ("latency_ms", "rate_limit", "inbound_one_in"):
            if name in changes:
                updates[name] = _non_negative(name, changes[name], int)
        for name in ("timeout_seconds", "send_delay_seconds"):
            if name in changes:
                updates[name] = float(_non_negative(name, changes[name], (int, float)))
        if "fail_next" in changes:
            updates.update(_fail_next(changes["fail_next"]))
        quirks: dict[str, Any] = {
            name: _switch(name, changes[name]) for name in QUIRK_SWITCHES if name in changes
        }
        if "account_page_size" in changes:
            quirks["account_page_size"] = _page_size(changes["account_page_size"])
        if quirks:
            updates["quirks"] = replace(self.quirks, **quirks)
        for name, value in updates.items():
            setattr(self, name, value)

    def take_failure(self) -> str | None:
        """The failure mode to inject into the current request, if one is still queued."""
        if self.fail_next_count <= 0:
            return None
        self.fail_next_count -= 1
        return self.fail_next_mode

    def to_json(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "rate_limit": self.rate_limit,
            "timeout_seconds": self.timeout_seconds,
            "send_delay_seconds": self.send_delay_seconds,
            "inbound_one_in": self.inbound_one_in,
            "fail_next": {"count": self.fail_next_count, "mode": self.fail_next_mode},
            **asdict(self.quirks),
        }


def _non_negative(name: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    # bool is an int subclass; `"latency_ms": true` is a typo, not 1 ms.
    if isinstance(value, bool) or not isinstance(value, kind) or value < 0:
        raise KnobError(f"{name} must be a non-negative number, got {value!r}")
    return value


def _switch(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise KnobError(f"{name} must be true or false, got {value!r}")
    return value


def _page_size(value: Any) -> int:
    if isinstance(value, bool) or value not in PAGE_SIZES:
        sizes = ", ".join(map(str, sorted(PAGE_SIZES)))
        raise KnobError(f"account_page_size must be one of {sizes}, got {value!r}")
    return value


def _fail_next(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise KnobError('fail_next must look like {"count": 2, "mode": "500"}')
    count = _non_negative("fail_next.count", value.get("count", 1), int)
    mode = str(value.get("mode", "500"))
    if mode not in FAILURE_MODES:
        raise KnobError(f"fail_next.mode must be one of {', '.join(FAILURE_MODES)}")
    return {"fail_next_count": count, "fail_next_mode": mode}


class Stats:
    """What reached /api: tests count upstream calls and inspect the exact form fields."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._by_route: Counter[str] = Counter()
        self._post_fields: deque[dict[str, str]] = deque(maxlen=RECORDED_POST_BODIES)

    def record(self, route: str, post_fields: dict[str, str] | None) -> None:
        with self._lock:
            self._requests += 1
            self._by_route[route] += 1
            if post_fields is not None:
                self._post_fields.append(dict(post_fields))

    def reset(self) -> None:
        with self._lock:
            self._requests = 0
            self._by_route.clear()
            self._post_fields.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._requests,
                "by_route": dict(self._by_route),
                "last_post_fields": list(self._post_fields),
            }


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self, *, remaining_on_429: bool = False) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit)}
        if self.allowed or remaining_on_429:
            headers["X-RateLimit-Remaining"] = str(self.remaining)
        if not self.allowed:
            headers["X-RateLimit-Reset"] = str(self.reset_seconds)
        return headers


class RateLimiter:
    """Fixed one-minute windows per API key, starting at the key's first request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def consume(self, key: str, limit: int) -> RateDecision:
        return self._decide(key, limit, spend=True)

    def peek(self, key: str, limit: int) -> RateDecision:
        return self._decide(key, limit, spend=False)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def _decide(self, key: str, limit: int, *, spend: bool) -> RateDecision:
        with self._lock:
            now = self._clock()
            started, used = self._windows.get(key, (now, 0))
            if now - started >= RATE_LIMIT_WINDOW_SECONDS:
                started, used = now, 0
            allowed = used < limit
            if spend and allowed:
                used += 1
            self._windows[key] = (started, used)
            reset_in = max(1, math.ceil(started + RATE_LIMIT_WINDOW_SECONDS - now))
            return RateDecision(allowed, limit, max(0, limit - used), reset_in)
