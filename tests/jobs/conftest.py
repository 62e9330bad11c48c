import pytest

from smsadmin.audit.recorder import Who
from smsadmin.jobs.models import Job
from smsadmin.jobs.running import create_job, delete_items
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY, give_key, make_user


@pytest.fixture
def owner(db):
    return make_user("olga", "sender")


@pytest.fixture
def key(owner):
    return give_key(owner)


def upstream_ids(sandbox, count: int) -> list[int]:
    """The newest ``count`` message ids the sandbox holds for RAW_KEY."""
    page = SociostacksClient(RAW_KEY, base_url=sandbox.url).list_messages(1, 1000)
    return [message.sms_id for message in page.items][:count]


def still_upstream(sandbox, ids: list[int]) -> set[int]:
    page = SociostacksClient(RAW_KEY, base_url=sandbox.url).list_messages(1, 1000)
    return {message.sms_id for message in page.items} & set(ids)


def delete_job(owner, key, ids: list[int]) -> Job:
    return create_job(
        owner=owner,
        api_key=key,
        kind=Job.Kind.DELETE,
        title=f"Delete {len(ids)} messages",
        items=delete_items([(sms_id, False) for sms_id in ids]),
        who=Who(actor=owner, actor_username=owner.username, operator_name="Maria K."),
    )


def calls(sandbox, route: str) -> int:
    return sandbox.stats()["by_route"].get(route, 0)
