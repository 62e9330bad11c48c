# smsadmin production image: gunicorn behind your TLS-terminating proxy.
# Build: docker compose build   (or: docker build -t smsadmin .)
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- builder: the dependencies, in a virtualenv copied whole into the final stage
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
# Only the dependencies are installed: the site runs from /app, where
# settings find templates/ and static/ beside the smsadmin package.
RUN python -m venv /opt/venv \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && /opt/venv/bin/pip install -r requirements.txt
# The translations, compiled here: msgfmt stays in the builder, the .mo files
# (never committed) go to the final stage.
COPY locale ./locale
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext \
    && for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po"; done

# --- final: slim runtime, no compilers, no secrets, not root
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=smsadmin.settings \
    SMSADMIN_READ_DOTENV=0 \
    STATIC_ROOT=/app/staticfiles
RUN groupadd --system --gid 10001 smsadmin \
    && useradd --system --uid 10001 --gid smsadmin --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin smsadmin \
    && mkdir /data && chown smsadmin:smsadmin /data
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /src/locale /app/locale
WORKDIR /app
COPY manage.py ./
COPY smsadmin ./smsadmin
COPY templates ./templates
COPY static ./static
COPY docker ./docker
# Static files are collected (hashed and compressed for whitenoise) at build
# time. Settings insist on secrets when DEBUG is off, so this one command gets
# throwaway values inline: they are in no ENV, and the running container must
# be given real ones.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    SMSADMIN_ENCRYPTION_KEYS=collectstatic-only-not-a-secret \
    SMSADMIN_AUDIT_KEY=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q smsadmin docker
USER smsadmin:smsadmin
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "smsadmin.wsgi"]
