#!/bin/sh
# Container start: wait for the database, apply migrations (once, even when
# several replicas start together), create the first admin if asked, then run
# the command (gunicorn by default).
set -eu

if [ "${SMSADMIN_MIGRATE_ON_START:-true}" = "true" ]; then
    python /app/manage.py migrate_once --wait "${SMSADMIN_DB_WAIT_SECONDS:-60}"
    python /app/manage.py ensure_admin
fi

exec "$@"
