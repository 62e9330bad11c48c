from collections.abc import Iterator

import pytest

from smsadmin.sandbox.testing import SandboxHandle, running_sandbox

from .helpers import ApiClient

KEY_A = "key-alpha"
KEY_B = "key-bravo"


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[SandboxHandle]:
    # No life thread and no inbound noise: tests move time on with the `tick` control.
    with running_sandbox(
        api_keys=(KEY_A, KEY_B), rate_limit=0, tick_seconds=0, inbound_one_in=0
    ) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared_sandbox: SandboxHandle) -> SandboxHandle:
    """The shared sandbox, reseeded with start-up knobs before every test."""
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def api(sandbox: SandboxHandle) -> ApiClient:
    return ApiClient(sandbox.url, KEY_A)


@pytest.fixture
def other_api(sandbox: SandboxHandle) -> ApiClient:
    return ApiClient(sandbox.url, KEY_B)
