"""Start a sandbox from tests and benchmarks, in-process or as a separate process.

Typical use: `with running_sandbox(api_keys=("k1",)) as sb:` then point the client at
`sb.url`, inject trouble with `sb.control(fail_next={"count": 1, "mode": "502"})` and
count upstream calls with `sb.stats()["by_route"]["GET /sms"]`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from .config import DEFAULT_API_KEY, QUIRK_SWITCHES, SandboxConfig
from .server import SandboxServer

CONTROL_TIMEOUT_SECONDS = 10.0
_READY_LINE = re.compile(r"sandbox listening on (http://\S+)/api")
_PROJECT_ROOT = Path(__file__).resolve().parents[3]


class SandboxHandle:
    """Addresses of a running sandbox and its control plane."""

    def __init__(self, root: str) -> None:
        self.root = root

    @property
    def url(self) -> str:
        return f"{self.root}/api"

    def control(self, **knobs: Any) -> dict[str, Any]:
        """Change knobs (see POST /__sandbox__/control); returns the current knob values."""
        return self._call("POST", "control", knobs)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")

    def reset(self) -> dict[str, Any]:
        """Reseed the data and restore start-up knobs, stats and rate-limit windows."""
        return self._call("POST", "reset")

    def _call(self, method: str, action: str, payload: Any = None) -> dict[str, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        # Only ever our own loopback http:// URL, never a user-supplied scheme.
        request = urllib.request.Request(  # noqa: S310
            f"{self.root}/__sandbox__/{action}",
            data=body,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            return json.load(response)


def _config(host: str, port: int, api_keys: tuple[str, ...], **settings: Any) -> SandboxConfig:
    return SandboxConfig(host=host, port=port, api_keys=tuple(api_keys), **settings)


@contextmanager
def running_sandbox(
    *,
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,),
    latency_ms: int = 0,
    rate_limit: int = 0,
    seed_messages: int = 300,
    seed: int = 42,
    timezone: str = "Europe/Berlin",
    tick_seconds: float = 1.0,
    **more: Any,
) -> Iterator[SandboxHandle]:
    """An in-process sandbox on a free loopback port, serving from a daemon thread.

    `more` takes the remaining SandboxConfig fields: send_delay_seconds, inbound_one_in,
    timeout_seconds, log_requests, admin_api_keys, quirks.
    """
    config = _config(
        "127.0.0.1",
        0,
        api_keys,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        seed_messages=seed_messages,
        seed=seed,
        timezone=timezone,
        tick_seconds=tick_seconds,
        **more,
    )
    server = SandboxServer(config)
    # A short poll interval keeps fixture teardown (shutdown) fast.
    serving = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    server.start_life()
    serving.start()
    try:
        yield SandboxHandle(server.root_url)
    finally:
        server.shutdown()
        server.server_close()
        serving.join(timeout=5)


class SandboxProcess(SandboxHandle):
    """A sandbox running as `python -m smsadmin.sandbox` in a child process."""

    def __init__(self, root: str, process: subprocess.Popen[str]) -> None:
        super().__init__(root)
        self.process = process

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def spawn_sandbox_process(
    *,
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,),
    latency_ms: int = 0,
    rate_limit: int = 0,
    seed_messages: int = 300,
    seed: int = 42,
    timezone: str = "Europe/Berlin",
    tick_seconds: float = 1.0,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 15.0,
    **more: Any,
) -> SandboxProcess:
    """Start the CLI in a child process and wait for its ready line. Call `stop()` after."""
    config = _config(
        host,
        port,
        api_keys,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        seed_messages=seed_messages,
        seed=seed,
        timezone=timezone,
        tick_seconds=tick_seconds,
        **more,
    )
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(_PROJECT_ROOT), environment.get("PYTHONPATH")])
    )
    # Fixed argv of our own interpreter and module; no shell involved.
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "smsadmin.sandbox", *cli_arguments(config)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        root = _await_ready_line(process, startup_timeout)
    except BaseException:
        SandboxProcess("", process).stop()
        raise
    return SandboxProcess(root, process)


def cli_arguments(config: SandboxConfig) -> list[str]:
    arguments = [
        "--host", config.host,
        "--port", str(config.port),
        "--latency-ms", str(config.latency_ms),
        "--rate-limit", str(config.rate_limit),
        "--seed-messages", str(config.seed_messages),
        "--seed", str(config.seed),
        "--timezone", config.timezone,
        "--tick-seconds", str(config.tick_seconds),
        "--send-delay-seconds", str(config.send_delay_seconds),
        "--inbound-one-in", str(config.inbound_one_in),
        "--timeout-seconds", str(config.timeout_seconds),
        "--account-page-size", str(config.quirks.account_page_size),
    ]  # fmt: skip
    for api_key in config.api_keys:
        arguments += ["--api-key", api_key]
    for api_key in config.admin_api_keys:
        arguments += ["--admin-api-key", api_key]
    for quirk in QUIRK_SWITCHES:
        if not getattr(config.quirks, quirk):
            arguments += ["--without", quirk]
    if config.log_requests:
        arguments.append("--log-requests")
    return arguments


def _await_ready_line(process: subprocess.Popen[str], timeout: float) -> str:
    stdout = process.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    # readline() blocks, so it runs in a helper thread that the timeout can abandon.
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise RuntimeError(f"sandbox did not start within {timeout} s") from None
    match = _READY_LINE.search(line)
    if match is None:
        raise RuntimeError(f"sandbox failed to start (exit code {process.poll()}): {line!r}")
    return match.group(1)
