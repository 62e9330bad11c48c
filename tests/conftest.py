import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from smsadmin.accounts.models import User


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_user(username: str, *roles: str, **fields) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery", **fields)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


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
