"""HTTP front of the sandbox: /api plumbing, the /__sandbox__ control plane, the life thread."""

from __future__ import annotations

import json
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from . import api
from .config import QUIRK_SWITCHES, Quirks, SandboxConfig
from .forms import parse_form
from .knobs import KnobError, Knobs, RateDecision, RateLimiter, Stats
from .seed import make_seeder
from .state import Store

MAX_BODY_BYTES = 20 * 1024 * 1024
CONTROL_PREFIX = "/__sandbox__/"
CONTROL_KEYS = frozenset(
    {
        "latency_ms",
        "rate_limit",
        "timeout_seconds",
        "send_delay_seconds",
        "inbound_one_in",
        "fail_next",
        "reset_stats",
        "reset_rate_limit",
        "add_api_key",
        "add_admin_api_key",
        "remove_sim",
        "tick",
        "account_page_size",
        *QUIRK_SWITCHES,
    }
)

NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
    b"<h1>Not Found</h1><p>The page you are looking for does not exist.</p></body></html>"
)
PROXY_ERROR_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
# A 200 whose JSON stops mid-way, as when a PHP worker dies while writing.
GARBAGE_BODY = b'{"data": [{"sms_id": 1, "device_id": 1, "status": "se'
INJECTED_STATUS_TITLES = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
}


class SandboxServer(ThreadingHTTPServer):
    """One sandbox instance; `serve_forever` answers requests, `start_life` moves time on."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, config: SandboxConfig) -> None:
        ZoneInfo(config.timezone)  # fail at start-up, not on the first scheduled send
        self.config = config
        self.store = Store(
            config.api_keys,
            make_seeder(config.seed, config.seed_messages, config.timezone),
            config.seed,
            admin_api_keys=config.admin_api_keys,
        )
        self.knobs = Knobs.from_config(config)
        self.knobs_lock = threading.Lock()
        self.stats = Stats()
        self.rate_limiter = RateLimiter()
        # Set on shutdown; also wakes requests sleeping for latency or a simulated timeout.
        self.stopping = threading.Event()
        self._life_thread: threading.Thread | None = None
        super().__init__((config.host, config.port), SandboxRequestHandler)

    @property
    def root_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_life(self) -> None:
        if self.config.tick_seconds > 0:
            self._life_thread = threading.Thread(
                target=self._live, name="sandbox-life", daemon=True
            )
            self._life_thread.start()

    def tick(self) -> None:
        with self.knobs_lock:
            delay, inbound_one_in = self.knobs.send_delay_seconds, self.knobs.inbound_one_in
        self.store.tick(delay, inbound_one_in)

    def reset(self) -> None:
        """Everything back to how the process started."""
        with self.knobs_lock:
            self.knobs = Knobs.from_config(self.config)
        self.store.reset()
        self.stats.reset()
        self.rate_limiter.reset()

    def server_close(self) -> None:
        self.stopping.set()
        if self._life_thread is not None:
            self._life_thread.join(timeout=5)
        super().server_close()

    def _live(self) -> None:
        while not self.stopping.wait(self.config.tick_seconds):
            try:
                self.tick()
            except Exception:  # keep the phones alive whatever one tick does
                traceback.print_exc(file=sys.stderr)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's
    # algorithm and delayed ACKs add ~40 ms to every small answer on a reused
    # connection, which would make the sandbox far slower than the real API.
    disable_nagle_algorithm = True
    server_version = "sociostacks-sandbox"

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.config.log_requests:
            super().log_message(format, *args)

    # --- dispatch --------------------------------------------------------------------

    def _handle(self) -> None:
        self._responded = False
        try:
            self._dispatch()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its own timeout)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if not self._responded:
                self._send(api.error_response(500, "Internal Server Error"))

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        path, _, query = self.path.partition("?")
        if path == "/api" or path.startswith("/api/"):
            self._handle_api(path.removeprefix("/api"), query, body)
        elif path.startswith(CONTROL_PREFIX):
            self._handle_control(path.removeprefix(CONTROL_PREFIX).rstrip("/"), body)
        else:
            self._send(api.ApiResponse(404, NOT_FOUND_PAGE, "text/html; charset=UTF-8"))

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a body that cannot be framed."""
        raw_length = self.headers.get("Content-Length", "0").strip()
        problem = None
        if "Transfer-Encoding" in self.headers:
            problem = (411, "Send the body with a Content-Length.")
        elif not raw_length.isdigit():
            problem = (400, "Malformed Content-Length.")
        elif int(raw_length) > MAX_BODY_BYTES:
            problem = (413, "Request body too large.")
        if problem is not None:
            self.close_connection = True  # the unread body would poison the connection
            self._send(api.error_response(*problem))
            return None
        return self.rfile.read(int(raw_length))

    # --- /api --------------------------------------------------------------------------

    def _handle_api(self, api_path: str, query: str, body: bytes) -> None:
        route = api.match_route(self.command, api_path)
        is_post = self.command == "POST"
        form = parse_form(self.headers.get("Content-Type", ""), body) if is_post else {}
        self.server.stats.record(route.name, form if is_post else None)
        with self.server.knobs_lock:
            latency_ms = self.server.knobs.latency_ms
            rate_limit = self.server.knobs.rate_limit
            timeout_seconds = self.server.knobs.timeout_seconds
            quirks = self.server.knobs.quirks
            failure = self.server.knobs.take_failure()
        self._pause(latency_ms / 1000)

        token = api.bearer_token(self.headers.get("Authorization"))
        limit = self._limit_for(token, rate_limit, quirks)
        if failure == "timeout":
            # Stall past the client's patience, then really process the request, as a slow
            # upstream does: a client that retries a timed-out POST sends the SMS twice.
            self._pause(timeout_seconds)
        elif failure is not None:
            # An injected failure spends no budget but still reports it.
            decision = self._rate_decision(token or "", limit, spend=False)
            self._send(self._injected_failure(failure), decision.headers() if decision else {})
            return

        request = api.ApiRequest(
            query=dict(parse_qsl(query, keep_blank_values=True)),
            form=form,
            api_key=token or "",
            origin=self._origin(),
            quirks=quirks,
        )
        self._answer_api(route, request, token is not None, limit)

    def _answer_api(
        self, route: api.Route, request: api.ApiRequest, has_token: bool, limit: int
    ) -> None:
        decision = self._rate_decision(request.api_key, limit, spend=True)
        remaining_on_429 = not request.quirks.no_remaining_on_429
        rate_headers = decision.headers(remaining_on_429=remaining_on_429) if decision else {}
        if decision is not None and not decision.allowed:
            self._send(api.error_response(429, api.RATE_LIMITED), rate_headers)
        elif not has_token:
            self._send(api.missing_bearer_response(), rate_headers)
        else:
            self._send(api.handle(self.server.store, route, request), rate_headers)

    def _limit_for(self, token: str | None, rate_limit: int, quirks: Quirks) -> int:
        """The per-minute limit this request counts against; 0 means none, and no headers."""
        store = self.server.store
        if quirks.no_rate_headers_for_bad_keys and not store.knows_key(token):
            return 0
        if quirks.admin_keys_unlimited and store.is_admin_key(token):
            return 0
        return rate_limit

    def _rate_decision(self, bucket: str, limit: int, *, spend: bool) -> RateDecision | None:
        # An unlimited key or sandbox (limit 0) sends no rate headers rather than a misleading "0".
        if limit <= 0:
            return None
        limiter = self.server.rate_limiter
        return limiter.consume(bucket, limit) if spend else limiter.peek(bucket, limit)

    def _injected_failure(self, mode: str) -> api.ApiResponse:
        if mode == "garbage":
            return api.ApiResponse(200, GARBAGE_BODY)
        if mode == "html":
            return api.ApiResponse(502, PROXY_ERROR_PAGE, "text/html")
        return api.error_response(int(mode), INJECTED_STATUS_TITLES[mode])

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self.server.stopping.wait(seconds)

    def _origin(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}" if host else self.server.root_url

    # --- /__sandbox__ ------------------------------------------------------------------

    def _handle_control(self, action: str, body: bytes) -> None:
        if (self.command, action) == ("GET", "stats"):
            self._send_json(200, self.server.stats.to_json())
        elif (self.command, action) == ("POST", "control"):
            self._control(body)
        elif (self.command, action) == ("POST", "reset"):
            self.server.reset()
            self._send_json(200, self._knob_state())
        else:
            self._send_json(404, {"error": f"no control endpoint {self.command} {action!r}"})

    def _control(self, body: bytes) -> None:
        try:
            changes = json.loads(body or b"{}")
        except ValueError:
            self._send_json(400, {"error": "the body must be a JSON object"})
            return
        if not isinstance(changes, dict):
            self._send_json(400, {"error": "the body must be a JSON object"})
            return
        unknown = sorted(set(changes) - CONTROL_KEYS)
        if unknown:
            self._send_json(400, {"error": f"unknown knobs: {', '.join(unknown)}"})
            return
        for name in ("add_api_key", "add_admin_api_key"):
            new_key = changes.get(name)
            if new_key is not None and (not isinstance(new_key, str) or not new_key):
                self._send_json(400, {"error": f"{name} must be a non-empty string"})
                return
        if "remove_sim" in changes and not _is_sim_to_remove(changes["remove_sim"]):
            self._send_json(
                400, {"error": 'remove_sim must look like {"device_id": 1, "subscription_id": 2}'}
            )
            return
        try:
            with self.server.knobs_lock:
                self.server.knobs.apply(changes)
        except KnobError as error:
            self._send_json(400, {"error": str(error)})
            return
        if not self._apply_actions(changes):
            self._send_json(404, {"error": "no such device or SIM to remove"})
            return
        self._send_json(200, self._knob_state())

    def _apply_actions(self, changes: dict[str, Any]) -> bool:
        """Carry out the one-off actions; False when the SIM to remove was not there."""
        store = self.server.store
        if changes.get("reset_stats"):
            self.server.stats.reset()
        if changes.get("reset_rate_limit"):
            self.server.rate_limiter.reset()
        if (new_key := changes.get("add_api_key")) is not None:
            store.add_account(new_key)
        if (admin_key := changes.get("add_admin_api_key")) is not None:
            store.add_account(admin_key, admin=True)
        if changes.get("tick"):
            self.server.tick()
        if (sim := changes.get("remove_sim")) is not None:
            return store.remove_sim(sim["device_id"], sim.get("subscription_id"))
        return True

    def _knob_state(self) -> dict[str, Any]:
        with self.server.knobs_lock:
            state = self.server.knobs.to_json()
        return {**state, "api_keys": self.server.store.api_keys}

    # --- output ------------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(api.json_response(status, payload))

    def _send(self, response: api.ApiResponse, extra_headers: dict[str, str] | None = None) -> None:
        self._responded = True
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)


def _is_sim_to_remove(value: Any) -> bool:
    """{"device_id": 1, "subscription_id": 2} takes a SIM out; without the SIM, the whole phone."""
    if not isinstance(value, dict) or set(value) - {"device_id", "subscription_id"}:
        return False
    ids = [value.get("device_id"), value.get("subscription_id", 1)]
    return all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
