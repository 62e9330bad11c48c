"""Gunicorn in the container: sizes from the environment, logs on stdout.

WEB_CONCURRENCY    worker processes (default 2; about one per CPU core)
GUNICORN_THREADS   threads per worker (default 4); requests mostly wait on the
                   Sociostacks API, so threads are cheap concurrency
GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 60)
"""

import os

import gunicorn.http.wsgi

# Every answer names its server; "gunicorn/23.0.0" tells a scanner which
# advisories to try. Read by each response, so setting it here reaches the workers.
gunicorn.http.wsgi.SERVER = "smsadmin"

# Inside the container; which host interface is exposed is the published port's business.
bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Heartbeat files on tmpfs: the image's filesystem may be mounted read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108
# Nothing in the container uses gunicornc, and $HOME is read-only.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# One line per request, in the same key=value shape as the site's own log
# lines, with the request id the site also stamps on its log lines and audit events.
access_log_format = (
    'access method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s '
    "duration_ms=%(M)s request_id=%({x-request-id}o)s"
)
