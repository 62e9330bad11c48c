"""The checks turn red on a broken Dockerfile (issue #20): `make test-container-red`.

Two more image builds, so only with SMSADMIN_CONTAINER_RED=1 (see conftest.py).
Built from the planted copy of the checkout in test_dockerfile.py; layers up to
the changed step are shared with the real build.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import requests

from tests.container.engine import ROOT, Stack
from tests.container.test_image import assert_confined, assert_static_files_served


def build(context: Path, dockerfile: str, tag: str) -> None:
    """Through scripts/container/build-image: the real build's flags and base."""
    (context / "Dockerfile").write_text(dockerfile)
    result = subprocess.run(
        [str(ROOT / "scripts" / "container" / "build-image"), tag, str(context)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


DOCKERFILE = (ROOT / "Dockerfile").read_text()


def without_user() -> str:
    broken = re.sub(r"^USER .*\n", "", DOCKERFILE, flags=re.M)
    assert broken != DOCKERFILE
    return broken


def without_collectstatic() -> str:
    broken = re.sub(
        r"^RUN SECRET_KEY=.*?collectstatic --noinput -v 0 \\\n\s+&& ",
        "RUN ",
        DOCKERFILE,
        flags=re.M | re.S,
    )
    assert "collectstatic" not in broken.split("\nFROM ${PYTHON_IMAGE}\n")[-1].replace(
        "collectstatic-only", ""
    ), broken
    return broken


def test_a_dockerfile_without_user_turns_the_confinement_check_red(context: Path, checks: Stack):
    build(context, without_user(), "localhost/smsadmin:broken-no-user")
    site = checks.web(
        "broken-no-user", checks.create_database(), image="localhost/smsadmin:broken-no-user"
    )
    site.wait_until_serving()
    with pytest.raises(AssertionError, match="runs as uid 0"):
        assert_confined(site.container)


def test_a_dockerfile_without_collectstatic_turns_the_sign_in_check_red(
    context: Path, checks: Stack
):
    build(context, without_collectstatic(), "localhost/smsadmin:broken-no-static")
    site = checks.web(
        "broken-no-static", checks.create_database(), image="localhost/smsadmin:broken-no-static"
    )
    site.wait_until_serving()
    with pytest.raises(AssertionError):
        assert_static_files_served(site)
    assert requests.get(site.url + "/accounts/login/", timeout=30).status_code == 500
