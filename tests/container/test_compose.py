"""docker-compose.yml as it is, brought up by podman-compose (issue #20).

`postgres:16` and `redis:7-alpine` are the Debian-built stand-ins that
scripts/container/standin tags with those names (no registry is reachable
here); `web`, `worker`, `sandbox` and `demo` run from the image exactly as the
compose file defines them. The only inputs are a .env, as an operator writes
one, in a copy of the compose file's folder: the checkout's own .env (if any)
is never read or touched.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.container.engine import (
    ADMIN_PASSWORD,
    COMPOSE,
    PODMAN,
    ROOT,
    SANDBOX_KEY,
    Site,
    free_port,
    inspect,
    podman,
)

PODMAN_COMPOSE = str(ROOT / ".venv" / "bin" / "podman-compose")
PROJECT = "smsadmin-compose-check"


@dataclass
class Project:
    folder: Path
    env: dict[str, str]

    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [
                PODMAN_COMPOSE,
                "--podman-path",
                PODMAN,
                "-p",
                PROJECT,
                "--profile",
                "sandbox",
                "--profile",
                "redis",
                *args,
            ],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"podman-compose {args}:\n{result.stdout}\n{result.stderr}"
        return result

    def container(self, service: str) -> str:
        names = podman(
            "ps",
            "--all",
            "--format",
            "{{.Names}}",
            "--filter",
            f"label=com.docker.compose.project={PROJECT}",
            "--filter",
            f"label=com.docker.compose.service={service}",
        ).stdout.split()
        assert len(names) == 1, (service, names)
        return names[0]

    def sql(self, query: str) -> str:
        return podman(
            "exec",
            self.container("db"),
            "psql",
            "-U",
            self.env["POSTGRES_USER"],
            "-d",
            self.env["POSTGRES_DB"],
            "-At",
            "-c",
            query,
        ).stdout.strip()


def dotenv() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SMSADMIN_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0xLW5vdC00LXByb2Q=",
        "SMSADMIN_AUDIT_KEY": secrets.token_urlsafe(32),
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "POSTGRES_DB": "smsadmin",
        "POSTGRES_USER": "smsadmin",
        # Plain http on this machine, as README's "without a proxy" says.
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SMSADMIN_ADMIN_USERNAME": "admin",
        "SMSADMIN_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SMSADMIN_ADMIN_API_KEY": SANDBOX_KEY,
        # The sandbox profile's fake API: nothing leaves this machine.
        "SOCIOSTACKS_API_URL": "http://sandbox:8001/api",
        "SMSADMIN_SANDBOX_KEY": SANDBOX_KEY,
        "CACHE_URL": "redis://redis:6379/0",
        "SMSADMIN_PORT": str(free_port()),
        "SMSADMIN_DEMO_PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "SMSADMIN_SYNC_INTERVAL": "5",
    }


def keep_health_current(project: Project, stop: threading.Event) -> None:
    """What podman's systemd timers do where systemd runs: run each HEALTHCHECK.

    There is no systemd on these machines, so without this no container's
    health would ever change from "starting". (podman-compose 1.6 on podman 4.3
    starts services in depends_on order without waiting for health; the
    entrypoint's `migrate_once --wait` is what makes an early web or sync safe.)
    """
    while not stop.wait(3):
        names = podman(
            "ps",
            "--format",
            "{{.Names}}",
            "--filter",
            f"label=com.docker.compose.project={PROJECT}",
            check=False,
        ).stdout.split()
        for name in names:
            podman("healthcheck", "run", name, check=False, timeout=30)


@pytest.fixture(scope="module")
def project(tmp_path_factory, image: str) -> Iterator[Project]:
    folder = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    env = dotenv()
    (folder / ".env").write_text("".join(f"{name}={value}\n" for name, value in env.items()))
    # The image compose names, so `build: .` is not needed (and not used).
    podman("tag", image, COMPOSE["services"]["web"]["image"])
    started = Project(folder, env)
    stop = threading.Event()
    health = threading.Thread(target=keep_health_current, args=(started, stop), daemon=True)
    health.start()
    try:
        started.compose("up", "--detach", "--no-build")
        yield started
    finally:
        stop.set()
        health.join()
        subprocess.run(
            [
                PODMAN_COMPOSE,
                "--podman-path",
                PODMAN,
                "-p",
                PROJECT,
                "--profile",
                "sandbox",
                "--profile",
                "redis",
                "down",
                "--volumes",
                "--timeout",
                "2",
            ],
            cwd=folder,
            capture_output=True,
            timeout=300,
            check=False,
        )


def wait_serving(url: str, container: str, timeout: float = 240) -> Site:
    site = Site(container, url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return site
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(2)
    raise AssertionError(f"{url} never served:\n{site.logs()}")


def test_compose_brings_up_every_service(project: Project):
    expected = {"web", "worker", "db", "redis", "sandbox", "demo"}
    for service in expected:
        deadline = time.monotonic() + 240
        while not inspect(project.container(service))["State"]["Running"]:
            assert time.monotonic() < deadline, podman("logs", project.container(service)).stderr
            time.sleep(2)


def test_the_web_service_serves_the_signed_in_site_on_its_published_port(project: Project):
    web = wait_serving(f"http://127.0.0.1:{project.env['SMSADMIN_PORT']}", project.container("web"))
    config = inspect(web.container)
    assert config["HostConfig"]["ReadonlyRootfs"] is True
    # Health checks run every few seconds (keep_health_current); a loaded
    # machine makes each one slow.
    deadline = time.monotonic() + 300
    while inspect(web.container)["State"]["Health"]["Status"] != "healthy":
        assert time.monotonic() < deadline, inspect(web.container)["State"]["Health"]
        time.sleep(2)
    # Web and worker start from the same entrypoint: whichever migrates first
    # creates the admin, the other leaves it as it is.
    worker_logs = podman("logs", project.container("worker"), check=False)
    logs = web.logs() + worker_logs.stdout + worker_logs.stderr
    assert logs.count("Created the admin 'admin'.") == 1, logs
    session = web.sign_in()
    page = session.get(web.url + "/messages/", timeout=60)
    assert page.status_code == 200, page.text[:3000]
    # The cache is the redis stand-in: the budget and cached pages land there.
    keys = podman("exec", project.container("redis"), "redis-cli", "dbsize").stdout.strip()
    assert int(keys) > 0


def test_the_worker_service_mirrors_the_sandboxs_messages(project: Project):
    deadline = time.monotonic() + 300
    while True:
        mirrored = int(project.sql("SELECT count(*) FROM mirror_mirroredmessage"))
        if mirrored > 0:
            break
        assert time.monotonic() < deadline, podman("logs", project.container("worker")).stdout
        time.sleep(3)
    assert inspect(project.container("worker"))["State"]["Running"]


def test_the_demo_serves_the_sandboxs_messages_to_the_demo_login(project: Project):
    demo = wait_serving(
        f"http://127.0.0.1:{project.env['SMSADMIN_DEMO_PORT']}", project.container("demo")
    )
    session = demo.sign_in("demo", "sandbox-demo-password")
    assert session.get(demo.url + "/messages/", timeout=60).status_code == 200


def test_the_db_stand_in_honours_the_postgres_variables(project: Project):
    owner = project.sql(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
    )
    assert owner == "smsadmin"
    # Over the network the password is asked for, and POSTGRES_PASSWORD is it.
    db = project.container("db")
    tcp = ["psql", "-h", "127.0.0.1", "-U", "smsadmin", "-d", "smsadmin", "-w", "-Atc", "SELECT 1"]
    refused = podman("exec", db, *tcp, check=False)
    assert refused.returncode != 0 and "password" in refused.stderr, refused.stderr
    password = project.env["POSTGRES_PASSWORD"]
    assert podman("exec", "--env", f"PGPASSWORD={password}", db, *tcp).stdout.strip() == "1"
