"""The main pages, each reached as a person reaches it, for the accessibility and screenshots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.e2e.browsing import row_ids, sign_in
from tests.e2e.compose_steps import NUMBERS, fill_message, review


@dataclass(frozen=True)
class MainPage:
    name: str
    heading: str
    # Who looks at it: an admin sees every control there is. None: signed out.
    username: str | None
    reach: Callable[[Page], None]


def _goto(path: str) -> Callable[[Page], None]:
    return lambda page: page.goto(path)


def _newest_message(page: Page) -> None:
    page.goto("/messages/")
    page.goto(f"/messages/{row_ids(page)[0]}/")


def _person(page: Page) -> None:
    page.goto("/people/")
    page.get_by_role("link", name="sam", exact=True).click()


def _confirmation(page: Page) -> None:
    page.goto("/compose/")
    fill_message(page, "Your order #A1234 has shipped. Track it in the app.", NUMBERS[0])
    review(page)


MAIN_PAGES = (
    MainPage("sign-in", "Sign in to smsadmin", None, _goto("/accounts/login/")),
    MainPage("dashboard", "Dashboard", "alice", _goto("/")),
    MainPage("messages", "Messages", "alice", _goto("/messages/")),
    MainPage("message", "Message", "alice", _newest_message),
    MainPage("compose", "Compose", "alice", _goto("/compose/")),
    MainPage("confirm", "Confirm the send", "alice", _confirmation),
    MainPage("scheduled", "Scheduled messages", "alice", _goto("/scheduled/")),
    MainPage("search", "Search messages", "alice", _goto("/search/")),
    MainPage("keys", "API keys", "alice", _goto("/keys/")),
    MainPage("audit", "Audit log", "alice", _goto("/audit/")),
    MainPage("preferences", "Preferences", "alice", _goto("/accounts/preferences/")),
    MainPage("people", "People", "alice", _goto("/people/")),
    MainPage("person", "sam", "alice", _person),
    MainPage("invite", "Invite a person", "alice", _goto("/people/invite/")),
)


def open_main_page(page: Page, main_page: MainPage) -> None:
    if main_page.username is not None:
        sign_in(page, main_page.username)
    main_page.reach(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(main_page.heading)
    page.wait_for_load_state("networkidle")
