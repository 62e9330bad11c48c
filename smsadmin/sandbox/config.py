"""Start-up settings of one sandbox instance, shared by the CLI and the test helpers."""

from __future__ import annotations

from dataclasses import dataclass, fields

DEFAULT_API_KEY = "sandbox-demo-key"
FAILURE_MODES = ("500", "502", "503", "timeout", "garbage", "html")
PAGE_SIZES = frozenset({10, 25, 50, 100, 250, 500, 1000})


@dataclass(frozen=True)
class Quirks:
    """What the real 66text v2.0.1 server does (the [real] items of sociostacks-api.md).

    Every one is on by default; each can be switched off (a knob of the same
    name, or ``--without NAME``) to get what the vendor's page describes
    instead, so a test can show that it depends on the quirk.
    """

    # A send to a number that is not yet a contact creates a contact without
    # owner: GET /contacts/{id} is 404 and /contacts does not list it.
    unowned_new_contacts: bool = True
    # Opted-out contacts are sent to like anyone else (off: they are left out).
    sends_to_opted_out: bool = True
    # Tags and a lone "<" stripped, quotes encoded, spacing and typography
    # normalised, then the 1000-character cut (off: only the cut).
    rewrites_content: bool = True
    # The answer lists the ids of the last N mod 5000 recipients only (off: all ids).
    last_chunk_ids_only: bool = True
    # An unknown device, another account's device or a SIM not on the device
    # is 401 "required fields" (off: 404, as the vendor's page suggests).
    unknown_sender_is_401: bool = True
    # One number that does not parse makes the whole POST an HTML 500 (off: it is skipped).
    bad_number_is_html_500: bool = True
    # A wall time that happens twice (clocks going back) is read as the second one.
    dst_second_occurrence: bool = True
    # A 429 carries X-RateLimit-Limit and -Reset but no -Remaining.
    no_remaining_on_429: bool = True
    # 401s for a missing or wrong key carry no rate headers and spend nothing.
    no_rate_headers_for_bad_keys: bool = True
    # Keys of the site's own admins are never limited and carry no rate headers.
    admin_keys_unlimited: bool = True
    # The page size used when results_per_page is missing or not allowed: the
    # account's own preference, 100 for an account the product creates (the
    # vendor's page says 25).
    account_page_size: int = 100


QUIRK_SWITCHES = tuple(field.name for field in fields(Quirks) if field.type == "bool")


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8001
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    # Accounts whose key belongs to an admin of the Sociostacks site itself.
    admin_api_keys: tuple[str, ...] = ()
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
    quirks: Quirks = Quirks()
