import pytest

from tests.conftest import give_key, make_user
from tests.mirror.conftest import link


@pytest.fixture
def desk(db):
    """A sender with a key linked to mirrored account 1."""
    user = make_user("maria", "sender")
    link(give_key(user), 1)
    return user


@pytest.fixture
def other_account_sender(db):
    user = make_user("olga", "sender")
    link(give_key(user, raw_key="sk-test-other-account-2b8e61d04c97"), 2)
    return user
