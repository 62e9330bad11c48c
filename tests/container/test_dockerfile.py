"""The build context, and the checks turning red on a broken Dockerfile (issue #20).

A copy of this checkout (the files git knows, plus a planted .env, .venv,
database and .git holding a canary secret) is the build context: a probe image
that copies the whole context shows what .dockerignore lets through, and two
broken Dockerfiles built from it must fail the checks the real one passes.
Layers are shared with the real build, so each variant costs only its last steps.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.container.engine import PODMAN, ROOT, Stack, podman
from tests.container.test_image import assert_confined, assert_static_files_served

CANARY = "canary-" + secrets.token_hex(12)
PLANTED = {
    ".env": f"SECRET_KEY={CANARY}\n",
    ".env.production": f"SMSADMIN_AUDIT_KEY={CANARY}\n",
    ".venv/lib/secret.txt": CANARY,
    "db.sqlite3": CANARY,
    "db.sqlite3-journal": CANARY,
    ".git/config": f"[credential]\n\thelper = {CANARY}\n",
    "smsadmin/__pycache__/leak.cpython-311.pyc": CANARY,
}


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("context")
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    for name, text in PLANTED.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def build(context: Path, dockerfile: str, tag: str) -> None:
    """Through scripts/container/build-image: the real build's flags and base."""
    (context / "Dockerfile").write_text(dockerfile)
    result = subprocess.run(
        [str(ROOT / "scripts" / "container" / "build-image"), tag, str(context)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_dockerignore_keeps_local_secrets_databases_and_git_out_of_the_build(context: Path):
    probe = context.parent / "probe.Containerfile"
    probe.write_text("FROM localhost/smsadmin-base:bookworm\nCOPY . /context\n")
    subprocess.run(
        [
            PODMAN,
            "build",
            "--isolation",
            "chroot",
            "--network",
            "host",
            "-f",
            str(probe),
            "--tag",
            "localhost/smsadmin-context-probe",
            str(context),
        ],
        capture_output=True,
        check=True,
        timeout=600,
    )
    output = podman(
        "run",
        "--rm",
        "localhost/smsadmin-context-probe",
        "sh",
        "-c",
        f"cd /context && find . -mindepth 1 | sort; echo CANARY-IN:; grep -rl {CANARY} . || true",
    ).stdout
    listed, _, holding_canary = output.partition("CANARY-IN:\n")
    assert holding_canary.split() == [], holding_canary
    listing = listed.split()
    for name in PLANTED:
        assert f"./{name}" not in listing, name
    assert "./.venv" not in listing and "./.git" not in listing
    # What the Dockerfile copies is still there.
    for needed in ("./manage.py", "./pyproject.toml", "./smsadmin/settings.py", "./docker"):
        assert needed in listing, needed


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
