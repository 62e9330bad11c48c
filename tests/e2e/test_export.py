"""A search's CSV export downloads in one click and compose reads it back as recipients."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browsing import nav_link
from tests.e2e.compose_steps import choose_phone, open_compose
from tests.e2e.modes import Mode, assert_no_sideways_scroll
from tests.e2e.world import Site

pytestmark = pytest.mark.e2e


def test_an_export_is_one_click_and_re_imports_into_compose(page: Page, site: Site, mode: Mode):
    open_compose(page, "sam")
    page.goto("/search/?direction=received")
    export = page.get_by_role("link", name="Export").first
    expect(export).to_be_visible()
    assert_no_sideways_scroll(page)
    with page.expect_download() as download_info:
        export.click()
    data = download_info.value.path().read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    phones = {row["phone"] for row in rows if row["phone"]}
    assert phones and all(phone.startswith("'+") for phone in phones)  # the formula guard

    nav_link(page, "Compose").click()
    page.get_by_label("Message").fill("Thanks for your message, we will call you back.")
    page.get_by_label("Or upload a CSV file").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": data}]
    )
    choose_phone(page)
    count = len(phones)
    check = page.locator("#recipients-check")
    expect(check).to_contain_text(f"{count} valid number{'s' if count != 1 else ''}")
    expect(check).not_to_contain_text("not valid")
    assert_no_sideways_scroll(page)
