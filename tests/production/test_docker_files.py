"""The Dockerfile, compose file and their helpers hold what a deployment relies on.

There is no Docker engine where the suite runs, so the image is not built
here: the files are read, and the scripts they run are run directly.
"""

import importlib.util
import re
import subprocess
from types import ModuleType

import pytest
import yaml

from tests.production.helpers import ROOT, run_python

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
SERVICES = COMPOSE["services"]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions(DOCKERFILE)
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.replace("/", "_"), ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_image_is_built_in_stages_on_a_slim_python():
    froms = [rest for keyword, rest in instructions(DOCKERFILE) if keyword == "FROM"]
    assert len(froms) == 2
    assert froms[0].endswith("AS builder")
    assert re.search(r"PYTHON_IMAGE=python:3\.1[1-3]-slim", DOCKERFILE)
    assert any("--from=builder" in rest for keyword, rest in final_stage() if keyword == "COPY")


def test_the_site_runs_as_a_user_without_privileges():
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "useradd --system" in DOCKERFILE


def test_no_secret_is_baked_into_the_image():
    for keyword, rest in instructions(DOCKERFILE):
        if keyword in ("ENV", "ARG"):
            for name in (
                "SECRET_KEY",
                "SMSADMIN_ENCRYPTION_KEYS",
                "SMSADMIN_AUDIT_KEY",
                "PASSWORD",
            ):
                assert name not in rest, f"{keyword} {rest}"
    collect = [rest for keyword, rest in final_stage() if "collectstatic" in rest]
    assert collect and collect[0].startswith("SECRET_KEY=collectstatic-only-not-a-secret")


def test_static_files_are_collected_when_the_image_is_built():
    runs = [rest for keyword, rest in final_stage() if keyword == "RUN"]
    assert any("manage.py collectstatic --noinput" in rest for rest in runs)


def test_the_health_check_asks_healthz_with_python():
    checks = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert '"python", "/app/docker/healthcheck.py"' in checks[0]
    assert "/healthz" in (ROOT / "docker" / "healthcheck.py").read_text()


def test_gunicorn_serves_the_site_sized_by_the_environment():
    (cmd,) = [rest for keyword, rest in final_stage() if keyword == "CMD"]
    assert cmd == '["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "smsadmin.wsgi"]'
    (entrypoint,) = [rest for keyword, rest in final_stage() if keyword == "ENTRYPOINT"]
    assert entrypoint == '["/app/docker/entrypoint.sh"]'


def gunicorn_config(**env: str) -> dict:
    code = (
        "import json, runpy; c = runpy.run_path('docker/gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'threads', 'worker_class', "
        "'accesslog', 'control_socket_disable')}))"
    )
    result = run_python(["-c", code], {"PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_gunicorn_defaults_to_two_workers_of_four_threads():
    config = gunicorn_config()
    assert (config["workers"], config["threads"]) == (2, 4)
    assert config["bind"] == "0.0.0.0:8000"
    assert config["worker_class"] == "gthread"
    assert config["accesslog"] == "-"
    assert config["control_socket_disable"] is True


def test_gunicorn_takes_its_sizes_from_the_environment():
    config = gunicorn_config(WEB_CONCURRENCY="5", GUNICORN_THREADS="8")
    assert (config["workers"], config["threads"]) == (5, 8)


def test_gunicorn_accepts_the_configuration_file():
    result = run_python(
        [
            "-m",
            "gunicorn",
            "--config",
            "docker/gunicorn.conf.py",
            "--check-config",
            "smsadmin.wsgi",
        ],
        {"PATH": "/usr/bin:/bin", "DEBUG": "true", "SMSADMIN_READ_DOTENV": "0"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_entrypoint_migrates_once_creates_the_admin_then_runs_the_command():
    script = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert subprocess.run(["sh", "-n", str(ROOT / "docker" / "entrypoint.sh")]).returncode == 0
    assert (ROOT / "docker" / "entrypoint.sh").stat().st_mode & 0o111
    assert "set -eu" in script
    assert "manage.py migrate_once" in script
    assert script.index("migrate_once") < script.index("ensure_admin") < script.index('exec "$@"')


def test_the_build_context_leaves_secrets_and_local_data_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "db.sqlite3*", "staticfiles", "tests"):
        assert entry in ignored


def test_postgres_16_keeps_its_data_in_a_named_volume_and_reports_health():
    db = SERVICES["db"]
    assert db["image"] == "postgres:16"
    volume, mount = db["volumes"][0].split(":")
    assert mount == "/var/lib/postgresql/data"
    assert volume in COMPOSE["volumes"]
    check = " ".join(db["healthcheck"]["test"])
    assert "pg_isready" in check
    # Over TCP, so the socket-only server of a first start is not taken for ready.
    assert "-h 127.0.0.1" in check


def test_web_waits_for_a_healthy_database_and_uses_it():
    web = SERVICES["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in web["environment"]["DATABASE_URL"]
    assert web["env_file"] == ".env"
    assert "profiles" not in web and "profiles" not in SERVICES["db"]
    assert web["read_only"] is True
    assert web["cap_drop"] == ["ALL"]


def test_redis_is_optional():
    assert SERVICES["redis"]["profiles"] == ["redis"]
    assert "redis-server" in SERVICES["redis"]["command"]


def test_the_sandbox_profile_runs_the_fake_api_and_a_demo_site_wired_to_it():
    sandbox, demo = SERVICES["sandbox"], SERVICES["demo"]
    assert sandbox["profiles"] == demo["profiles"] == ["sandbox"]
    assert sandbox["entrypoint"] == ["python", "-m", "smsadmin.sandbox"]
    # All interfaces inside its container, so the demo site's container reaches it.
    assert sandbox["command"][:4] == ["--host", "0.0.0.0", "--port", "8001"]  # noqa: S104
    assert demo["environment"]["SOCIOSTACKS_API_URL"] == "http://sandbox:8001/api"
    assert demo["environment"]["DATABASE_URL"].startswith("sqlite:////data/")
    assert demo["ports"][0].startswith("127.0.0.1:")


def settings_variables() -> set[str]:
    text = (ROOT / "smsadmin" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', text))
    names |= set(re.findall(r'_required\(\s*"([A-Z0-9_]+)"', text))
    # Decides whether .env is read at all, so it cannot usefully live in it.
    names.discard("SMSADMIN_READ_DOTENV")
    return names


def compose_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"\$\{([A-Z0-9_]+)", text))


def container_variables() -> set[str]:
    found = set()
    for path in ("docker/entrypoint.sh", "docker/gunicorn.conf.py"):
        text = (ROOT / path).read_text()
        found |= set(re.findall(r"\$\{([A-Z0-9_]+)", text))
        found |= set(re.findall(r'environ\.get\("([A-Z0-9_]+)"', text))
    management = ROOT / "smsadmin" / "accounts" / "management" / "commands" / "ensure_admin.py"
    found |= set(re.findall(r'environ\.get\("([A-Z0-9_]+)"', management.read_text()))
    return found


@pytest.mark.parametrize(
    "source", [settings_variables, compose_variables, container_variables], ids=lambda f: f.__name__
)
def test_env_example_lists_every_variable(source):
    listed = set(re.findall(r"^#? ?([A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    missing = source() - listed
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_holds_no_usable_secret():
    values = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", ENV_EXAMPLE, flags=re.MULTILINE))
    for name in (
        "SECRET_KEY",
        "SMSADMIN_ENCRYPTION_KEYS",
        "SMSADMIN_AUDIT_KEY",
        "POSTGRES_PASSWORD",
    ):
        assert values[name] == "", name


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("sms.example.com,other.example.com", "sms.example.com"),
        (" .example.com", "example.com"),
        ("*,sms.example.com", "sms.example.com"),
        ("", "localhost"),
    ],
)
def test_the_health_check_sends_a_host_the_site_accepts(allowed_hosts, host):
    assert load("docker/healthcheck.py").host_header(allowed_hosts) == host


@pytest.mark.django_db(transaction=True)
def test_the_health_check_passes_against_a_running_site(live_server):
    healthcheck = load("docker/healthcheck.py")
    assert healthcheck.main(f"{live_server.url}/healthz") == 0
    assert healthcheck.main(f"{live_server.url}/no-such-page") == 1


def test_gunicorn_answers_without_naming_itself(tmp_path):
    """No "Server: gunicorn/…" banner (issue 22): a real gunicorn, one real request."""
    import socket
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "true",
        "SMSADMIN_READ_DOTENV": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "docker/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-tmp-dir", str(tmp_path)]
    server = subprocess.Popen(
        [*command, "smsadmin.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status == 200
        assert "gunicorn" not in response.headers.get("Server", "").lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
