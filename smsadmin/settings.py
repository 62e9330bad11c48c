"""smsadmin settings: one file, every knob from the environment (django-environ).

A `.env` file beside manage.py is read when present (`make run` writes one).
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# SMSADMIN_DOTENV names another file (`make run DOTENV=...`). Variables already
# in the environment win over the file's.
DOTENV_PATH = Path(env.str("SMSADMIN_DOTENV", default="") or BASE_DIR / ".env")
if env.bool("SMSADMIN_READ_DOTENV", default=True) and DOTENV_PATH.is_file():
    environ.Env.read_env(DOTENV_PATH)

DEBUG = env.bool("DEBUG", default=False)


def _required(name: str, dev_default: str) -> str:
    """A secret that must come from the environment unless DEBUG is on."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} is not set. smsadmin refuses to start with DEBUG off and no {name}: "
        f"set it in the environment or in .env (`make run` writes one for development)."
    )


SECRET_KEY = _required("SECRET_KEY", "insecure-development-only-secret-key")
# Fernet keys for stored API keys, comma separated; the first one encrypts.
SMSADMIN_ENCRYPTION_KEYS = [
    k.strip()
    for k in _required(
        "SMSADMIN_ENCRYPTION_KEYS", "bm90LWEtcmVhbC1rZXktZGV2ZWxvcG1lbnQtb25seSE="
    ).split(",")
    if k.strip()
]
# Keys the audit hash chain (HMAC). Independent of SECRET_KEY so rotating one
# does not invalidate the other.
SMSADMIN_AUDIT_KEY = _required("SMSADMIN_AUDIT_KEY", "insecure-development-audit-key")

_local_hosts = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_local_hosts if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, on a site that also asks for the second factor.
    "smsadmin.accounts.apps.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "smsadmin.accounts",
    "smsadmin.keys",
    "smsadmin.audit",
    "smsadmin.sms",
    "smsadmin.mirror",
    "smsadmin.conversations",
    "django_tasks",
    "django_tasks_db",
    "smsadmin.jobs",
]

MIDDLEWARE = [
    "smsadmin.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above CommonMiddleware, so even the 400 for a forged Host header carries
    # the policy and the frame refusal.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smsadmin.accounts.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the account middleware below, which flash a message and answer
    # htmx requests with HX-Redirect.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "smsadmin.accounts.middleware.SessionLifetimeMiddleware",
    "smsadmin.accounts.middleware.TwoFactorMiddleware",
    "smsadmin.accounts.middleware.UserTimeZoneMiddleware",
    "smsadmin.accounts.middleware.UserLanguageMiddleware",
    "smsadmin.accounts.middleware.SharedLoginOperatorMiddleware",
    # Last, so a lockout answer still passes through everything above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smsadmin.urls"
WSGI_APPLICATION = "smsadmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% partialdef %} everywhere, so any page can name its htmx fragments.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smsadmin.accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers
    # of the audit chain queue up instead of failing halfway (SQLITE_BUSY).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Connections live on between requests (per worker thread): opening one per
# request was 7 % of a gunicorn worker's CPU on SQLite (its PRAGMAs included),
# and a PostgreSQL connection costs a server process and an authentication.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several worker processes must agree on rate-limit counters and cached
# upstream data, so the default cache is shared: the database, or Redis.
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default="dbcache://smsadmin_cache",
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The language of a page: the person's preference, else the one chosen on the
# sign-in page (a cookie), else the browser's Accept-Language, else this.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers in the page's language; English keeps ISO-like dates.
FORMAT_MODULE_PATH = ["smsadmin.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Sociostacks -----------------------------------------------------------
SOCIOSTACKS_API_URL = env.str("SOCIOSTACKS_API_URL", default="https://sms.sociostacks.com/api")
SOCIOSTACKS_TIMEOUT = (
    env.float("SOCIOSTACKS_CONNECT_TIMEOUT", default=3.05),
    env.float("SOCIOSTACKS_READ_TIMEOUT", default=15.0),
)
# Pages a person waits for give up sooner than the general read time-out and
# show the older copy (or the mirror's) instead: a person is watching.
SOCIOSTACKS_PAGE_READ_TIMEOUT = env.float("SOCIOSTACKS_PAGE_READ_TIMEOUT", default=8.0)
# Calls per minute that reads leave untouched so sends and deletes always fit.
SOCIOSTACKS_READ_RESERVE = env.int("SOCIOSTACKS_READ_RESERVE", default=5)
# How long a list page stays fresh in the shared cache (seconds).
SOCIOSTACKS_LIST_FRESH_SECONDS = env.int("SOCIOSTACKS_LIST_FRESH_SECONDS", default=10)
# Devices, contacts and the account's time zone change rarely.
SOCIOSTACKS_DIRECTORY_FRESH_SECONDS = env.int("SOCIOSTACKS_DIRECTORY_FRESH_SECONDS", default=300)

# How many pages of 1000 messages the Scheduled page may read per look.
SMSADMIN_SCHEDULED_SCAN_PAGES = env.int("SMSADMIN_SCHEDULED_SCAN_PAGES", default=3)

# The message mirror (sync_messages): the share of each key's per-minute
# budget the sync may spend, how often the jobs worker queues a sync, and how often
# a full pass reads the whole account to notice deletions made elsewhere.
SMSADMIN_SYNC_BUDGET_SHARE = env.float("SMSADMIN_SYNC_BUDGET_SHARE", default=0.5)
SMSADMIN_SYNC_INTERVAL = env.int("SMSADMIN_SYNC_INTERVAL", default=60)
SMSADMIN_SYNC_FULL_PASS_HOURS = env.int("SMSADMIN_SYNC_FULL_PASS_HOURS", default=24)
# Jobs (bulk deletes, long sends, the recurring sync) run on Django's Tasks
# API with the database backend: `manage.py jobs_worker` runs them, any number
# of workers may share the queue. Together they spend at most this share of
# each key's minute once the read reserve (kept for people's own sends and
# deletes) is set aside.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SMSADMIN_JOBS_BUDGET_SHARE = env.float("SMSADMIN_JOBS_BUDGET_SHARE", default=0.5)
# A worker renews its hold on a job while working on it; a hold older than
# this is a dead worker's, and another worker takes the job over.
SMSADMIN_JOBS_LEASE_SECONDS = env.int("SMSADMIN_JOBS_LEASE_SECONDS", default=60)
# A daily job deletes (upstream) messages older than this many days; 0 = never.
SMSADMIN_MESSAGE_RETENTION_DAYS = env.int("SMSADMIN_MESSAGE_RETENTION_DAYS", default=0)
# The mirror answers the Messages list's quick filters for upstream while it
# caught up this recently (seconds); older, the page says how old it is.
SMSADMIN_MIRROR_CURRENT_SECONDS = env.int("SMSADMIN_MIRROR_CURRENT_SECONDS", default=180)
# How far back the inbox looks for received messages nobody has handled.
SMSADMIN_INBOX_DAYS = env.int("SMSADMIN_INBOX_DAYS", default=14)

DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="") or None

# --- People and sessions ---------------------------------------------------
# How many reverse proxies in front of the site append to X-Forwarded-For.
# 0 means REMOTE_ADDR is the client: a forwarded header is then ignored.
SMSADMIN_TRUSTED_PROXIES = env.int("SMSADMIN_TRUSTED_PROXIES", default=0)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Script never reads the CSRF cookie: htmx takes the token from <body hx-headers>.
CSRF_COOKIE_HTTPONLY = True
# The __Host- prefix makes browsers refuse these cookies unless they are
# Secure, host-only and for the whole site, so a sibling subdomain cannot
# plant one. Browsers reject the prefix without Secure, hence plain names then.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
CSRF_FAILURE_VIEW = "smsadmin.views.csrf_failure"
# Sending is capped per person per day when set (0 = no cap).
SMSADMIN_DAILY_SEND_CAP = env.int("SMSADMIN_DAILY_SEND_CAP", default=0)
# Audit events older than this many days may be pruned (0 = keep forever).
SMSADMIN_AUDIT_RETENTION_DAYS = env.int("SMSADMIN_AUDIT_RETENTION_DAYS", default=0)

# --- E-mail: the set-password links of invitations and resets ---------------
# A django-environ e-mail URL, e.g. smtp+tls://user:password@smtp.example.com:587.
# Unset, no link is e-mailed (the admin passes it on, and none lands in a log)
# and Django's console backend serves anything else that sends mail.
_email_url = env.str("EMAIL_URL", default="")
globals().update(environ.Env.email_url_config(_email_url or "consolemail://"))
SMSADMIN_EMAIL_LINKS = bool(_email_url)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="smsadmin@localhost")

# --- Two-factor sign-in (django-otp) ---------------------------------------
# Who must use a second factor: "none", "all", or roles, e.g. "admin,sender".
# The Django admin asks for it whatever this says.
SMSADMIN_2FA_REQUIRED = env.str("SMSADMIN_2FA_REQUIRED", default="none")
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("SMSADMIN_2FA_ISSUER", default="smsadmin")
# An admin may remove a person's devices (a lost phone) but never read their
# secrets or recovery codes, which would let the admin sign in as them.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Login protection (django-axes) ----------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "smsadmin.observability.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False

# Per account, beside axes (smsadmin/accounts/throttling.py): wrong passwords an
# hour from browsers that never signed in to the account before it refuses them
# unchecked, and from each browser that did.
SMSADMIN_SIGNIN_UNKNOWN_FAILURES = env.int("SMSADMIN_SIGNIN_UNKNOWN_FAILURES", default=20)
SMSADMIN_SIGNIN_DEVICE_FAILURES = env.int("SMSADMIN_SIGNIN_DEVICE_FAILURES", default=10)

# --- Security headers (django-csp and Django's own) ------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preloading commits the whole registrable domain to HTTPS in every browser
# for months and cannot be taken back quickly, so it is the operator's explicit
# choice (SECURE_HSTS_PRELOAD=true), not something `check --deploy` nags about.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging: one structured line per event on stdout ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "smsadmin.observability.RequestIdFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s "
            "request_id=%(request_id)s %(message)s"
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Axes logs every successful sign-in at INFO; our audit log has them.
        "axes": {"level": "WARNING"},
    },
}
