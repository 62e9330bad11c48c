"""A standalone, standard-library-only fake of the Sociostacks SMS API (66text), quirks included.

Run it with `python -m smsadmin.sandbox`, or in tests with
`smsadmin.sandbox.testing.running_sandbox`.
"""

from .config import DEFAULT_API_KEY, FAILURE_MODES, SandboxConfig
from .server import SandboxServer
from .testing import SandboxHandle, SandboxProcess, running_sandbox, spawn_sandbox_process

__all__ = [
    "DEFAULT_API_KEY",
    "FAILURE_MODES",
    "SandboxConfig",
    "SandboxHandle",
    "SandboxProcess",
    "SandboxServer",
    "running_sandbox",
    "spawn_sandbox_process",
]
