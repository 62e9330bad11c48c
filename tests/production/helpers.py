"""Shared by the production tests: signing in through the real form, production environments."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"  # tests.conftest.make_user's


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    """POST the login form like a browser does (axes, signals and all)."""
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """An environment like a real deployment's: DEBUG off, real-looking secrets, HTTPS.

    Built from nothing, so neither the developer's shell nor .env leaks in;
    an override of None leaves a variable out.
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "smsadmin.settings",
        "SMSADMIN_READ_DOTENV": "0",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SMSADMIN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SMSADMIN_AUDIT_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "sms.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://sms.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "SECURE_PROXY_SSL_HEADER": "true",
        "SMSADMIN_TRUSTED_PROXIES": "1",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(args: list[str], env: dict[str, str], timeout: float = 60):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
