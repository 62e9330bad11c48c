"""Start-up settings of one sandbox instance, shared by the CLI and the test helpers."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_API_KEY = "sandbox-demo-key"
FAILURE_MODES = ("500", "502", "503", "timeout", "garbage", "html")


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8001
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    latency_ms: int = 0
    # Requests per minute and key; 0 means unlimited.
    rate_limit: int = 60
    seed_messages: int = 300
    seed: int = 42
    timezone: str = "Europe/Berlin"
    # 0 disables the background life thread; life then only moves on the `tick` control.
    tick_seconds: float = 1.0
    # How long a due pending message waits before the "phone" reports it sent or failed.
    send_delay_seconds: float = 3.0
    # Each tick, every account receives an inbound SMS with probability 1/inbound_one_in; 0 = never.
    inbound_one_in: int = 60
    # How long the `timeout` failure mode stalls before answering.
    timeout_seconds: float = 30.0
    log_requests: bool = False
