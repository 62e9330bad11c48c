"""Teams move out of Django's groups without losing a member or a key, and back again."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.threads import in_own_thread, sqlite_file_for_threads

BEFORE = [("accounts", "0003_cache_table"), ("keys", "0001_initial")]
AFTER = [("accounts", "0005_team_groups_removed"), ("keys", "0004_team_key_to_team_finish")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def own_database(django_db_setup, django_db_blocker, tmp_path: Path) -> Iterator[None]:
    """Migrations committed for real, away from the other tests' data.

    Not ``transaction=True``, whose flush would remove the roles from under
    later tests: on SQLite a migrated file of its own; on PostgreSQL the test
    database, with what the test made removed afterwards.
    """
    with django_db_blocker.unblock(), sqlite_file_for_threads(tmp_path) as on_a_file:
        try:
            yield
        finally:
            if not on_a_file:
                in_own_thread(_remove_the_old_world)


def _remove_the_old_world() -> None:
    apps = migrate(AFTER)
    apps.get_model("keys", "ApiKey").objects.all().delete()
    apps.get_model("accounts", "Team").objects.all().delete()
    apps.get_model("accounts", "User").objects.filter(username__in=["mia", "desk"]).delete()


@pytest.fixture
def old_world(own_database) -> None:
    in_own_thread(_make_the_old_world)


def _make_the_old_world() -> None:
    """A database as it was: teams were groups beside the roles, keys pointed at them."""
    apps = migrate(BEFORE)
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    ApiKey = apps.get_model("keys", "ApiKey")
    support = Group.objects.create(name="support")
    night = Group.objects.create(name="night shift")
    # A transactional test elsewhere may have flushed the roles the migrations made.
    sender, _ = Group.objects.get_or_create(name="sender")
    mia = User.objects.create(username="mia")
    mia.groups.add(support, sender)
    desk = User.objects.create(username="desk", is_shared=True)
    desk.groups.add(support, night, sender)
    ApiKey.objects.create(label="Support line", team=support, ciphertext="x", hint="1111")
    ApiKey.objects.create(label="Own", owner=mia, ciphertext="y", hint="2222")


def test_groups_that_were_teams_become_teams_with_their_members_and_keys(old_world):
    in_own_thread(_check_moved_forward)


def _check_moved_forward() -> None:
    apps = migrate(AFTER)
    Team = apps.get_model("accounts", "Team")
    User = apps.get_model("accounts", "User")
    ApiKey = apps.get_model("keys", "ApiKey")
    Group = apps.get_model("auth", "Group")
    teams = {
        team.name: sorted(team.members.values_list("username", flat=True))
        for team in Team.objects.all()
    }
    assert teams == {"support": ["desk", "mia"], "night shift": ["desk"]}
    assert ApiKey.objects.get(label="Support line").team.name == "support"
    assert ApiKey.objects.get(label="Own").owner.username == "mia"
    # The groups left are roles only (a transactional test elsewhere may have removed some).
    assert set(Group.objects.values_list("name", flat=True)) <= {
        "viewer",
        "sender",
        "auditor",
        "admin",
    }
    assert not Group.objects.filter(name__in=["support", "night shift"]).exists()
    assert list(User.objects.get(username="mia").groups.values_list("name", flat=True)) == [
        "sender"
    ]
    # A shared login made before operator lists keeps taking typed names.
    assert User.objects.get(username="desk").operators_may_type_a_name
    assert not User.objects.get(username="mia").operators_may_type_a_name


def test_going_back_restores_the_groups(old_world):
    in_own_thread(_check_moved_back)


def _check_moved_back() -> None:
    migrate(AFTER)
    apps = migrate(BEFORE)
    Group = apps.get_model("auth", "Group")
    ApiKey = apps.get_model("keys", "ApiKey")
    support = Group.objects.get(name="support")
    assert sorted(support.user_set.values_list("username", flat=True)) == ["desk", "mia"]
    assert ApiKey.objects.get(label="Support line").team == support
