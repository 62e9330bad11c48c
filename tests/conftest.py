import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from smsadmin.accounts.models import User

# tests/container builds and runs the image with podman (minutes): only
# `make test-container` runs it, naming the image it built.
collect_ignore = [] if os.environ.get("SMSADMIN_CONTAINER_IMAGE") else ["container"]

# The fixtures through which a test reaches the database (pytest-django's).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


_LEFT_TO_SQLITE = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Run only the tests that use the database (make test-postgres: the others "
        "cannot tell PostgreSQL from SQLite, and the SQLite run has run them).",
    )


def uses_database(item: pytest.Item) -> bool:
    return (
        item.get_closest_marker("django_db") is not None
        or item.get_closest_marker("postgres") is not None
        or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    without = [item for item in items if not uses_database(item)]
    if without:
        items[:] = [item for item in items if uses_database(item)]
        config.hook.pytest_deselected(items=without)
        config.stash[_LEFT_TO_SQLITE] = len(without)
        if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
            config.workeroutput["left_to_sqlite"] = len(without)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist's controller collects nothing itself: it learns the count from its workers."""
    left = getattr(node, "workeroutput", {}).get("left_to_sqlite", 0)
    node.config.stash[_LEFT_TO_SQLITE] = max(node.config.stash.get(_LEFT_TO_SQLITE, 0), left)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if left := config.stash.get(_LEFT_TO_SQLITE, 0):
        terminalreporter.write_line(
            f"{left} tests that use no database were left to the SQLite run "
            "(--database-tests-only)."
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a page rendered for a Spanish
    speaker leaves Spanish active in this thread (the middleware does not
    switch back), and the next test in the worker would read Spanish."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_user(username: str, *roles: str, **fields) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery", **fields)
    for role in roles:
        # get_or_create: a transactional test before this one (same worker)
        # flushed the roles the migration made.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def force_login_verified(client, user: User) -> None:
    """Sign ``user`` in as if they had also given a second-factor code.

    The Django admin needs such a session (django-otp's OTPAdminSite), and so
    does every page for a person who has set up two-factor sign-in.
    """
    import django_otp

    from smsadmin.accounts.otp_devices import AppDevice

    device = AppDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AppDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def viewer(db) -> User:
    return make_user("vera", "viewer")


@pytest.fixture
def sender(db) -> User:
    return make_user("sam", "sender")


@pytest.fixture
def auditor(db) -> User:
    return make_user("ada", "auditor")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("alice", "admin")


@pytest.fixture
def stranger(db) -> User:
    """Signed in, but with no role at all."""
    return make_user("sid")


UPSTREAM = "http://sociostacks.test/api"  # tests/settings.py points the client here
RAW_KEY = "sk-test-canary-7f3a9c1e5b2d4680"


def give_key(user: User, raw_key: str = RAW_KEY, label: str = "Ops key"):
    from smsadmin.keys.models import ApiKey

    key = ApiKey(label=label, owner=user, created_by=user)
    key.set_secret(raw_key)
    key.save()
    return key


@pytest.fixture
def upstream():
    """The Sociostacks API mocked with `responses`; unexpected calls fail the test."""
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(scope="session")
def sandbox():
    """The sandbox over real HTTP on a free port, shared by the whole session."""
    from smsadmin.sandbox.testing import running_sandbox

    with running_sandbox(api_keys=(RAW_KEY,), rate_limit=0, seed_messages=120, seed=7) as handle:
        yield handle


@pytest.fixture
def on_sandbox(sandbox, settings):
    """Point the site at the sandbox, reset to its seed with fresh counters."""
    settings.SOCIOSTACKS_API_URL = sandbox.url
    sandbox.reset()
    sandbox.control(reset_stats=True, reset_rate_limit=True, rate_limit=0, latency_ms=0)
    return sandbox
