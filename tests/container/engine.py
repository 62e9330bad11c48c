"""podman (through scripts/container/podman) and the containers the checks start.

Every container is started the way docker-compose.yml starts the smsadmin
services (the x-smsadmin anchor: read-only, tmpfs /tmp, cap_drop ALL,
no-new-privileges), on a private network where the stand-in PostgreSQL is
`db` and the sandbox is `sandbox`, as in compose. The site is reached on a
port published on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
PODMAN = str(ROOT / "scripts" / "container" / "podman")
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SANDBOX_KEY = "sandbox-demo-key"
ADMIN_PASSWORD = "container-check-" + secrets.token_hex(8)


def podman(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"podman {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def inspect(name: str) -> dict:
    return json.loads(podman("inspect", name).stdout)[0]


def hardening_flags(service: str = "web") -> list[str]:
    """podman run flags for what docker-compose.yml says of a service's confinement."""
    spec = COMPOSE["services"][service]
    flags = []
    if spec.get("read_only"):
        flags.append("--read-only")
    for mount in spec.get("tmpfs", []):
        flags += ["--tmpfs", mount]
    for cap in spec.get("cap_drop", []):
        flags += ["--cap-drop", cap]
    for option in spec.get("security_opt", []):
        flags += ["--security-opt", option]
    return flags


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(database: str, **extra: str) -> dict[str, str]:
    """What .env gives the web container: fresh secrets, plain http on this machine."""
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SMSADMIN_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0xLW5vdC00LXByb2Q=",
        "SMSADMIN_AUDIT_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"postgres://smsadmin:{DB_PASSWORD}@db:5432/{database}",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SMSADMIN_2FA_REQUIRED": "none",
        "SOCIOSTACKS_API_URL": "http://sandbox:8001/api",
        "SMSADMIN_ADMIN_USERNAME": "admin",
        "SMSADMIN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SMSADMIN_ADMIN_API_KEY": SANDBOX_KEY,
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
    }
    env.update(extra)
    return env


DB_PASSWORD = "checks" + secrets.token_hex(6)


def env_flags(env: dict[str, str]) -> list[str]:
    flags = []
    for name, value in env.items():
        flags += ["--env", f"{name}={value}"]
    return flags


@dataclass
class Stack:
    """A network with the stand-in PostgreSQL (`db`) and the sandbox (`sandbox`)."""

    image: str
    network: str
    started: list[str] = field(default_factory=list)

    def run(self, name: str, *args: str, image: str | None = None) -> str:
        podman(
            "run", "--detach", "--name", name, "--network", self.network, *args, image or self.image
        )
        self.started.append(name)
        return name

    def run_command(
        self, name: str, flags: list[str], command: list[str], image: str | None = None
    ) -> str:
        podman(
            "run",
            "--detach",
            "--name",
            name,
            "--network",
            self.network,
            *flags,
            image or self.image,
            *command,
        )
        self.started.append(name)
        return name

    def create_database(self) -> str:
        name = "smsadmin_" + secrets.token_hex(4)
        podman(
            "exec",
            "db",
            "psql",
            "-U",
            "smsadmin",
            "-d",
            "smsadmin",
            "-qc",
            f'CREATE DATABASE "{name}"',
        )
        return name

    def sql(self, database: str, query: str) -> str:
        return podman(
            "exec", "db", "psql", "-U", "smsadmin", "-d", database, "-At", "-c", query
        ).stdout.strip()

    def web(self, name: str, database: str, *, image: str | None = None, **extra: str) -> Site:
        port = free_port()
        self.run_command(
            name,
            [
                *hardening_flags("web"),
                "--publish",
                f"127.0.0.1:{port}:8000",
                *env_flags(site_environment(database, **extra)),
            ],
            [],
            image=image,
        )
        return Site(name, f"http://127.0.0.1:{port}")

    def stop_all(self) -> None:
        # One call: removing containers one by one takes seconds each.
        if self.started:
            podman("rm", "--force", "--time", "0", *self.started, check=False)
        self.started.clear()


@dataclass
class Site:
    container: str
    url: str

    def logs(self) -> str:
        result = podman("logs", self.container, check=False)
        return result.stdout + result.stderr

    def wait_until_serving(self, timeout: float = 180) -> requests.Response:
        """The first /healthz answer, waiting through migrations and gunicorn's start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = inspect(self.container)["State"]
            if not state["Running"]:
                raise AssertionError(
                    f"{self.container} stopped (exit {state['ExitCode']}):\n{self.logs()}"
                )
            try:
                return requests.get(self.url + "/healthz", timeout=5)
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or too busy starting to answer in time.
                time.sleep(1)
        raise AssertionError(f"{self.container} never answered on {self.url}:\n{self.logs()}")

    def sign_in(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> requests.Session:
        session = requests.Session()
        page = session.get(self.url + "/accounts/login/", timeout=30)
        assert page.status_code == 200, page.text[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:2000]
        answer = session.post(
            self.url + "/accounts/login/",
            data={"csrfmiddlewaretoken": token[1], "username": username, "password": password},
            timeout=30,
        )
        assert answer.status_code == 200 and "/accounts/login/" not in answer.url, (
            answer.url,
            answer.text[:2000],
        )
        return session


def db_healthcheck() -> list[str]:
    """docker-compose.yml's healthcheck for db, as a command for `podman exec`.

    The same test compose waits on: a ready answer from the init-time server
    (socket only, about to shut down) would let the checks race its restart.
    """
    kind, script = COMPOSE["services"]["db"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL", kind
    return ["sh", "-c", script.replace("$$", "$")]


@contextmanager
def stack(image: str) -> Iterator[Stack]:
    network = "smsadmin-checks-" + secrets.token_hex(3)
    podman("network", "create", network)
    checks = Stack(image=image, network=network)
    try:
        checks.run(
            "db",
            "--env",
            "POSTGRES_USER=smsadmin",
            "--env",
            f"POSTGRES_PASSWORD={DB_PASSWORD}",
            "--env",
            "POSTGRES_DB=smsadmin",
            image="docker.io/library/postgres:16",
        )
        sandbox = COMPOSE["services"]["sandbox"]
        checks.run_command(
            "sandbox",
            [*hardening_flags("sandbox"), "--entrypoint", json.dumps(sandbox["entrypoint"])],
            # Compose's own command; its one variable is the key, defaulting to ours.
            [
                arg.replace("${SMSADMIN_SANDBOX_KEY:-sandbox-demo-key}", SANDBOX_KEY)
                for arg in sandbox["command"]
            ],
        )
        deadline = time.monotonic() + 120
        while podman("exec", "db", *db_healthcheck(), check=False).returncode != 0:
            assert time.monotonic() < deadline, podman("logs", "db", check=False).stderr
            time.sleep(1)
        yield checks
    finally:
        checks.stop_all()
        podman("network", "rm", "--force", network, check=False)


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


def planted_copy(folder: Path) -> Path:
    """This checkout's files (as git lists them) in folder, plus the PLANTED ones."""
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


def environ_image() -> str:
    image = os.environ.get("SMSADMIN_CONTAINER_IMAGE")
    if not image:
        raise RuntimeError(
            "SMSADMIN_CONTAINER_IMAGE is not set: run these checks with `make test-container`, "
            "which builds the image first."
        )
    return image
