"""The real settings module under a production environment, in a fresh interpreter each time."""

import json

import pytest

from tests.production.helpers import production_env, run_python

SETTINGS_REPORT = """
import json
from django.conf import settings
print(json.dumps({
    name: getattr(settings, name, None)
    for name in (
        "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_NAME", "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SECURE_PROXY_SSL_HEADER",
        "SESSION_IDLE_TIMEOUT", "SESSION_COOKIE_AGE", "AXES_COOLOFF_TIME",
    )
}))
"""


def deploy_check(env: dict[str, str]):
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_is_switched_off(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false")
    result = deploy_check(env)
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr


def test_production_defaults_lock_cookies_and_transport_down(tmp_path):
    env = production_env(tmp_path, SECURE_PROXY_SSL_HEADER="true")
    result = run_python(["-c", f"import django; django.setup(); {SETTINGS_REPORT}"], env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["DEBUG"] is False
    assert found["SECURE_HSTS_SECONDS"] == 31_536_000
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SESSION_COOKIE_SECURE"] is found["CSRF_COOKIE_SECURE"] is True
    assert found["SESSION_COOKIE_HTTPONLY"] is found["CSRF_COOKIE_HTTPONLY"] is True
    assert found["SESSION_COOKIE_SAMESITE"] == found["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert found["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert found["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert found["X_FRAME_OPTIONS"] == "DENY"
    assert found["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert found["SECURE_REFERRER_POLICY"] == "same-origin"
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["SESSION_IDLE_TIMEOUT"] == 1800
    assert found["SESSION_COOKIE_AGE"] == 43200
    assert found["AXES_COOLOFF_TIME"] == 0.25


def test_the_proxy_ssl_header_is_off_unless_asked_for(tmp_path):
    env = production_env(tmp_path, SECURE_PROXY_SSL_HEADER=None)
    result = run_python(["-c", f"import django; django.setup(); {SETTINGS_REPORT}"], env)
    assert json.loads(result.stdout)["SECURE_PROXY_SSL_HEADER"] is None


def test_session_time_outs_come_from_the_environment(tmp_path):
    env = production_env(tmp_path, SESSION_IDLE_TIMEOUT="600", SESSION_ABSOLUTE_LIFETIME="3600")
    result = run_python(["-c", f"import django; django.setup(); {SETTINGS_REPORT}"], env)
    found = json.loads(result.stdout)
    assert (found["SESSION_IDLE_TIMEOUT"], found["SESSION_COOKIE_AGE"]) == (600, 3600)


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "SMSADMIN_ENCRYPTION_KEYS", "SMSADMIN_AUDIT_KEY"]
)
def test_the_site_refuses_to_start_without_a_secret(tmp_path, missing):
    result = run_python(["manage.py", "check"], production_env(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert f"{missing} is not set. smsadmin refuses to start with DEBUG off" in result.stderr


def test_debug_mode_starts_without_secrets_for_development(tmp_path):
    env = production_env(
        tmp_path,
        DEBUG="true",
        SECRET_KEY=None,
        SMSADMIN_ENCRYPTION_KEYS=None,
        SMSADMIN_AUDIT_KEY=None,
    )
    result = run_python(["manage.py", "check"], env)
    assert result.returncode == 0, result.stderr
