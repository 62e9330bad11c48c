"""In the browser: search failed messages, "Delete all N", progress, done and gone upstream."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import sign_in
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_delete_all_failed_messages_a_search_matches(page: Page, site: Site, worker):
    sign_in(page, "sam")
    page.goto("/search/?status=failed")
    status = page.get_by_role("status").first
    expect(status).to_contain_text("match")
    count = int(re.search(r"(\d+) messages? match", status.inner_text()).group(1))
    assert count > 1

    page.get_by_role("link", name=f"Delete all {count}…").click()
    expect(
        page.get_by_role("heading", name=f"Delete all {count} matching messages?")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"{count} deletes ≈")
    expect(page.locator("main")).to_contain_text("at this key's budget")
    assert site.upstream_calls("DELETE /sms/{id}") == 0
    # The session's audit log holds earlier tests' deletes too.
    deleted_before = len(site.audit_events(action="delete", outcome="ok"))

    page.get_by_role("button", name=f"Delete all {count}").click()
    expect(page.get_by_role("heading", name=re.compile(f"Delete {count} messages"))).to_be_visible()
    # The progress updates itself (htmx) until the job is done; no reload.
    expect(page.locator("#job-progress")).to_contain_text(
        f"Done: {count} of {count} done", timeout=60_000
    )
    assert site.upstream_calls("DELETE /sms/{id}") == count
    assert len(site.audit_events(action="delete", outcome="ok")) - deleted_before == count
    assert site.audit_events(action="job finished", outcome="ok")

    page.goto("/search/?status=failed")
    expect(page.get_by_role("status").first).to_contain_text("0 messages match")
