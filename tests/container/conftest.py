"""The container checks (make test-container): they need podman and a built image.

Not part of `make test`: tests/conftest.py leaves this folder out unless
SMSADMIN_CONTAINER_IMAGE names an image, which scripts/container/test sets
after building it. Missing podman is a failure here, never a skip.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.container.engine import Site, Stack, environ_image, planted_copy, stack


def pytest_sessionstart(session: pytest.Session) -> None:
    if shutil.which("podman") is None:
        raise pytest.UsageError(
            "podman is not installed: `make test-container` installs it (apt-get install podman)."
        )


@pytest.fixture(scope="session")
def image() -> str:
    return environ_image()


@pytest.fixture(scope="session")
def checks(image: str) -> Iterator[Stack]:
    with stack(image) as started:
        yield started


@pytest.fixture(scope="session")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build context: this checkout plus a planted .env, .venv, database and .git."""
    return planted_copy(tmp_path_factory.mktemp("context"))


@pytest.fixture(scope="session")
def site(checks: Stack) -> Site:
    """One web container on its own database, serving."""
    web = checks.web("web", checks.create_database())
    web.wait_until_serving()
    return web


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The suite's cache reset is for Django in this process; the sites here run in containers."""


# Two more image builds: `make test-container-red` (SMSADMIN_CONTAINER_RED=1).
collect_ignore = [] if os.environ.get("SMSADMIN_CONTAINER_RED") else ["test_red_dockerfile.py"]
