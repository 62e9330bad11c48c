"""What .dockerignore lets into the build context (issue #20, check 6).

A copy of this checkout (the files git knows, plus a planted .env, .venv,
database and .git holding a canary secret) is the build context of a probe
image that copies the whole context: none of the planted files may be in it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.container.engine import CANARY, PLANTED, PODMAN, podman


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
