"""Requests presenting one token at the same moment make exactly one upstream POST.

Real transactions and real threads, each thread on its own database
connection as each worker process would be, so the database's own locking
decides. Run them on PostgreSQL too:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/smsadmin pytest tests/sms -k compose
"""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import responses
from django.contrib.auth.models import Group
from django.test import Client

from smsadmin.accounts.models import User
from smsadmin.audit.models import AuditEvent
from smsadmin.sms.models import SendRequest
from tests.conftest import give_key, make_user
from tests.sms.compose import support as fake
from tests.threads import in_own_thread, sqlite_file_for_threads

T = TypeVar("T")
SUBMITS = 4


def all_at_once(works: list[Callable[[], T]]) -> list[T]:
    """Run every ``work`` on its own thread, released together."""
    start = threading.Barrier(len(works))
    results: list[T | None] = [None] * len(works)

    def released(index: int) -> None:
        start.wait()
        results[index] = works[index]()

    threads = [
        threading.Thread(target=in_own_thread, args=(lambda i=i: released(i),))
        for i in range(len(works))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def database_for_threads(transactional_db, tmp_path: Path) -> Iterator[None]:
    """A database that several connections can write at once, as in production."""
    with sqlite_file_for_threads(tmp_path):
        yield


@pytest.fixture
def upstream_slow_to_answer() -> Iterator[fake.SendCounter]:
    # The first POST is still in flight when the others arrive.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.devices(mock)
        fake.account(mock)
        yield fake.accept_sends(mock, delay=0.3)


def a_sender(**fields) -> User:
    # A transactional test elsewhere may have flushed the roles the migrations made.
    Group.objects.get_or_create(name="sender")
    user = make_user("sam", "sender", **fields)
    give_key(user)
    return user


def clients_for(user: User, count: int) -> list[Client]:
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(user)
    return clients


def test_concurrent_submits_of_one_token_make_one_post(
    database_for_threads, upstream_slow_to_answer
):
    def prepare() -> tuple[list[Client], str]:
        clients = clients_for(a_sender(), SUBMITS)
        return clients, fake.token_of(fake.review(clients[0]))

    clients, token = in_own_thread(prepare)
    shown = in_own_thread(lambda: fake.shown_fingerprint(clients[0], token))

    answers = all_at_once(
        [lambda client=client: fake.send(client, token, shown) for client in clients]
    )

    assert len(upstream_slow_to_answer.posts) == 1
    assert [answer.status_code for answer in answers] == [302] * SUBMITS
    assert {answer["Location"] for answer in answers} == {f"/compose/result/{token}"}

    def look() -> tuple[str, int, int]:
        return (
            SendRequest.objects.get(token=token).state,
            AuditEvent.objects.filter(action="send repeat").count(),
            AuditEvent.objects.filter(action="send", outcome="ok").count(),
        )

    assert in_own_thread(look) == (SendRequest.State.SENT, SUBMITS - 1, 1)


def test_two_tabs_with_one_form_send_once(database_for_threads, upstream_slow_to_answer):
    data = fake.form_data()

    def open_two_tabs() -> tuple[list[Client], str]:
        tabs = clients_for(a_sender(), 2)
        tokens = {fake.token_of(tab.post("/compose/", data)) for tab in tabs}
        assert len(tokens) == 1
        return tabs, tokens.pop()

    tabs, token = in_own_thread(open_two_tabs)

    all_at_once([lambda tab=tab: fake.send(tab, token) for tab in tabs])

    assert len(upstream_slow_to_answer.posts) == 1


def test_one_persons_concurrent_sends_cannot_both_pass_the_cap(
    database_for_threads, upstream_slow_to_answer
):
    def prepare() -> list[tuple[Client, str]]:
        one, two = clients_for(a_sender(daily_send_cap=2), 2)
        both = f"{fake.DE_MOBILE}\n{fake.UK_MOBILE}"
        return [
            (one, fake.token_of(fake.review(one, recipients=both))),
            (two, fake.token_of(fake.review(two, recipients="+4917612345678"))),
        ]

    sends = in_own_thread(prepare)

    all_at_once([lambda c=c, t=t: fake.send(c, t) for c, t in sends])

    def sent_recipients() -> int:
        sent = SendRequest.objects.filter(state=SendRequest.State.SENT)
        return sum(send.recipient_count for send in sent)

    assert in_own_thread(sent_recipients) <= 2
    assert len(upstream_slow_to_answer.posts) == 1
