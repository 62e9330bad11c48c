"""Settings for the test suite: the real settings, with test secrets and fast hashing.

The environment still decides the database (DATABASE_URL), so the same suite
runs on SQLite and on PostgreSQL.
"""

import os

os.environ["SMSADMIN_READ_DOTENV"] = "0"
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-used-anywhere-else")
os.environ.setdefault("SMSADMIN_ENCRYPTION_KEYS", "dGVzdC1lbmNyeXB0aW9uLWtleS0xLW5vdC00LXByb2Q=")
os.environ.setdefault("SMSADMIN_AUDIT_KEY", "test-audit-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SOCIOSTACKS_API_URL", "http://sociostacks.test/api")

from smsadmin.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
