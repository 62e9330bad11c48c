from collections.abc import Iterator

import pytest
import responses

from smsadmin.sociostacks import SociostacksClient, client

from .payloads import API_KEY, BASE


@pytest.fixture(autouse=True)
def retry_pauses(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Retries happen at once; the list counts the pauses taken."""
    pauses: list[None] = []
    monkeypatch.setattr(client, "_pause_before_retry", lambda: pauses.append(None))
    return pauses


@pytest.fixture
def api() -> SociostacksClient:
    return SociostacksClient(API_KEY, base_url=BASE, timeout=(1.0, 1.0))


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
