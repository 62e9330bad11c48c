"""`python -m smsadmin.sandbox`: run a fake Sociostacks API until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import replace
from types import FrameType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config import DEFAULT_API_KEY, PAGE_SIZES, QUIRK_SWITCHES, SandboxConfig
from .server import SandboxServer


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"unknown time zone {name!r}") from error
    return name


def parse_args(argv: list[str] | None = None) -> SandboxConfig:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="python -m smsadmin.sandbox",
        description="A standalone fake of the Sociostacks SMS API, quirks included.",
    )
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        dest="api_keys",
        action="append",
        metavar="KEY",
        help=f"one account per key; repeat for more (default: {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--admin-api-key",
        dest="admin_api_keys",
        action="append",
        metavar="KEY",
        help="an account whose key belongs to a Sociostacks admin: never rate limited",
    )
    parser.add_argument(
        "--without",
        dest="quirks_off",
        action="append",
        choices=QUIRK_SWITCHES,
        metavar="QUIRK",
        help=f"switch off one of the real server's quirks: {', '.join(QUIRK_SWITCHES)}",
    )
    parser.add_argument(
        "--account-page-size",
        type=int,
        choices=sorted(PAGE_SIZES),
        default=defaults.quirks.account_page_size,
        help="page size when results_per_page is missing or not allowed",
    )
    parser.add_argument("--latency-ms", type=int, default=defaults.latency_ms)
    parser.add_argument(
        "--rate-limit", type=int, default=defaults.rate_limit, help="per key and minute; 0 = off"
    )
    parser.add_argument("--seed-messages", type=int, default=defaults.seed_messages)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--timezone", type=_time_zone, default=defaults.timezone, help="the accounts' time zone"
    )
    parser.add_argument(
        "--tick-seconds", type=float, default=defaults.tick_seconds, help="0 = no life thread"
    )
    parser.add_argument("--send-delay-seconds", type=float, default=defaults.send_delay_seconds)
    parser.add_argument(
        "--inbound-one-in",
        type=int,
        default=defaults.inbound_one_in,
        help="chance 1/N per tick of an inbound SMS per account; 0 = never",
    )
    parser.add_argument("--timeout-seconds", type=float, default=defaults.timeout_seconds)
    parser.add_argument("--log-requests", action="store_true")
    args = parser.parse_args(argv)
    return SandboxConfig(
        host=args.host,
        port=args.port,
        api_keys=tuple(args.api_keys or (DEFAULT_API_KEY,)),
        admin_api_keys=tuple(args.admin_api_keys or ()),
        latency_ms=args.latency_ms,
        rate_limit=args.rate_limit,
        seed_messages=args.seed_messages,
        seed=args.seed,
        timezone=args.timezone,
        tick_seconds=args.tick_seconds,
        send_delay_seconds=args.send_delay_seconds,
        inbound_one_in=args.inbound_one_in,
        timeout_seconds=args.timeout_seconds,
        log_requests=args.log_requests,
        quirks=replace(
            defaults.quirks,
            account_page_size=args.account_page_size,
            **dict.fromkeys(args.quirks_off or (), False),
        ),
    )


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # Unwinds serve_forever exactly like Ctrl-C does.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    server = SandboxServer(parse_args(argv))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    server.start_life()
    print(f"sandbox listening on {server.root_url}/api", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
