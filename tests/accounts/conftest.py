import pytest

from smsadmin.sociostacks import client


@pytest.fixture(autouse=True)
def _no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Upstream retries happen at once, so an unreachable upstream costs no test time."""
    monkeypatch.setattr(client, "_pause_before_retry", lambda: None)
