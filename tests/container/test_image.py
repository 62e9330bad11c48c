"""Checks 1-3 and 6 of issue #20 against the image built from this checkout."""

import re

import requests

from tests.container.engine import Site, Stack, inspect, podman

CAPABILITY_SETS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


def process_status(container: str, pid: int = 1) -> dict[str, str]:
    text = podman("exec", container, "cat", f"/proc/{pid}/status").stdout
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def assert_confined(container: str) -> None:
    """What docker-compose.yml promises, as the kernel sees gunicorn (pid 1)."""
    status = process_status(container)
    uids = status["Uid"].split()
    assert uids[0] != "0" and set(uids) == {uids[0]}, f"gunicorn runs as uid {status['Uid']}"
    assert uids[0] == "10001", status["Uid"]
    for name in CAPABILITY_SETS:
        assert int(status[name].strip(), 16) == 0, f"{name} {status[name]}"
    assert status["NoNewPrivs"].strip() == "1"
    config = inspect(container)["HostConfig"]
    assert config["ReadonlyRootfs"] is True
    writes = podman(
        "exec",
        container,
        "sh",
        "-c",
        "for d in / /app /app/staticfiles /opt/venv /data; do touch $d/probe 2>&1; done",
        check=False,
    )
    assert writes.stdout.count("Read-only file system") == 5, writes.stdout
    # The one writable place compose gives it.
    podman("exec", container, "touch", "/tmp/probe")


def test_the_site_runs_read_only_without_capabilities_as_an_unprivileged_user(site: Site):
    assert_confined(site.container)
    user = podman("exec", site.container, "id", "-un").stdout.strip()
    assert user == "smsadmin"


def assert_serves_the_site(site: Site, checks: Stack, database: str) -> None:
    health = site.wait_until_serving()
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
    logs = site.logs()
    assert "Applying accounts." in logs or "Applying" in logs, logs
    assert "Created the admin 'admin'." in logs, logs
    applied = int(checks.sql(database, "SELECT count(*) FROM django_migrations"))
    assert applied > 20
    session = site.sign_in()
    assert "Sign in" not in session.get(site.url + "/", timeout=30).text
    page = session.get(site.url + "/messages/", timeout=60)
    assert page.status_code == 200, page.text[:3000]
    # Seeded messages of the sandbox's account, through the sandbox container.
    assert re.search(r"<tr\b", page.text) or "message" in page.text.lower()


def test_against_postgresql_it_migrates_creates_the_admin_and_serves_signed_in_pages(
    checks: Stack, site: Site
):
    database = inspect(site.container)["Config"]["Env"]
    name = next(v for v in database if v.startswith("DATABASE_URL=")).rsplit("/", 1)[1]
    assert_serves_the_site(site, checks, name)


def assert_static_files_served(site: Site) -> None:
    page = requests.get(site.url + "/accounts/login/", timeout=30)
    assert page.status_code == 200, page.status_code
    assert "Sign in to smsadmin" in page.text
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    assert stylesheets, page.text[:2000]
    for path in stylesheets:
        # Hashed names from collectstatic's manifest, served by whitenoise.
        assert re.search(r"\.[0-9a-f]{12}\.css$", path), path
        assert requests.get(site.url + path, timeout=30).status_code == 200


def test_the_sign_in_page_is_served_with_its_static_files(site: Site):
    assert_static_files_served(site)


def test_the_image_speaks_the_browsers_language(site: Site):
    # The catalogues are compiled in the build: without them this page is English.
    page = requests.get(
        site.url + "/accounts/login/", headers={"Accept-Language": "de"}, timeout=30
    )
    assert page.status_code == 200, page.status_code
    assert '<html lang="de">' in page.text and "Bei smsadmin anmelden" in page.text


def test_the_images_healthcheck_runs_and_passes(image: str, site: Site):
    config = inspect(image)["Healthcheck"]
    assert config["Test"] == ["CMD", "python", "/app/docker/healthcheck.py"]
    result = podman("healthcheck", "run", site.container, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert inspect(site.container)["State"]["Health"]["Status"] == "healthy"


SECRET_NAMES = ("SECRET_KEY", "SMSADMIN_ENCRYPTION_KEYS", "SMSADMIN_AUDIT_KEY", "PASSWORD")
PLACEHOLDER = "collectstatic-only-not-a-secret"


def test_no_secret_in_the_images_history_or_environment(image: str):
    env = inspect(image)["Config"]["Env"]
    for entry in env:
        name = entry.split("=", 1)[0]
        assert not any(secret in name for secret in SECRET_NAMES), entry
        assert "DATABASE_URL" not in name and "API_KEY" not in name, entry
    history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    assigned = re.findall(r"\b(\w*(?:SECRET|KEYS?|PASSWORD)\w*)=(\S+)", history)
    assert assigned, "the collectstatic placeholders should show in the history"
    for name, value in assigned:
        assert value == PLACEHOLDER, f"{name}={value} in the image history"


def test_no_local_secret_or_database_in_the_images_filesystem(image: str):
    found = podman(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        image,
        "-c",
        "find / -xdev \\( -name .env -o -name '.env.*' -o -name '*.sqlite3*' -o -name .git "
        "-o -name .venv -o -name id_rsa -o -name id_ed25519 \\) -print 2>/dev/null; "
        "grep -rlE 'PRIVATE KEY-----|^(SECRET_KEY|SMSADMIN_ENCRYPTION_KEYS|SMSADMIN_AUDIT_KEY"
        "|POSTGRES_PASSWORD)=[^{[:space:]]' /app /data 2>/dev/null",
        check=False,
    ).stdout.split()
    assert found == [], found
