"""What a person does in the browser, and what the tests watch while they do it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.e2e.world import PASSWORD, PEOPLE

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# Where the page loads axe from. The browser context answers this address from
# the vendored file, so axe arrives as a same-origin script that the site's CSP
# (script-src 'self') allows, and the page is checked under its real policy.
AXE_PATH = "/__e2e__/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class ConsoleWatch:
    """Errors a page printed to the console or threw, recorded as they happen."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} (at {message.location.get('url', '?')})")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error.message}")

    @property
    def csp_violations(self) -> list[str]:
        # Chromium reports every blocked inline script, style or eval this way.
        return [text for text in self.errors if "Content Security Policy" in text]

    @property
    def script_errors(self) -> list[str]:
        """Errors other than a refused resource (a 403 or 404 page is a normal answer)."""
        return [text for text in self.errors if "Failed to load resource" not in text]


# Cookies of the session each person last opened through the sign-in form
# (one site per pytest process). Hashing a password the way production does
# takes most of a second, so later tests reuse the session; the sign-in flow
# itself always uses the form.
_sessions: dict[str, list] = {}


def sign_in(page: Page, username: str, *, operator: str | None = None) -> None:
    """Sign in; a shared login also names its operator when one is given.

    A page already showing the sign-in form (after being sent there) is filled
    in as it is, so the site's "next" address is kept. A shared login always
    signs in anew: its operator's name belongs to one session.
    """
    showing_form = page.get_by_role("button", name="Sign in").count() > 0
    remembered = _sessions.get(username)
    if remembered and not showing_form and not PEOPLE[username].is_shared:
        page.context.add_cookies(remembered)
        page.goto("/")
        if page.locator("details.user-menu").count():
            return
    _sign_in_with_form(page, username, operator=operator)
    if not PEOPLE[username].is_shared:
        _sessions[username] = page.context.cookies()


def _sign_in_with_form(page: Page, username: str, *, operator: str | None) -> None:
    if page.get_by_role("button", name="Sign in").count() == 0:
        page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if PEOPLE[username].is_shared:
        expect(page.get_by_role("heading", name="Who is using this login?")).to_be_visible()
        if operator is not None:
            pick_operator(page, operator)
        return
    # Wait for the page the site sent them to, so the next step does not cut its load short.
    expect(page.locator("details.user-menu")).to_be_visible()
    page.wait_for_load_state()


def pick_operator(page: Page, name: str) -> None:
    """Answer "Who are you?" with a name from the shared login's list."""
    page.get_by_role("group", name="Who are you?").get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("details.user-menu > summary .operator")).to_have_text(name)


def nav_link(page: Page, name: str):
    """A link of the main navigation; on a phone the Menu button is opened first to show it."""
    menu = page.locator("details.nav-menu")
    if menu.locator("> summary").is_visible() and menu.get_attribute("open") is None:
        menu.locator("> summary").click()
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def sign_out(page: Page) -> None:
    page.locator("details.user-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def rows(page: Page):
    """The message rows of the table on the page (each row is `tr#sms-<id>`)."""
    return page.locator("tbody tr[id^='sms-']")


def row_ids(page: Page) -> list[int]:
    return [
        int(row_id.removeprefix("sms-"))
        for row_id in rows(page).evaluate_all("rows => rows.map(row => row.id)")
    ]


def pager_summary(page: Page):
    return page.locator("nav.pager .summary").first


def pager_link(page: Page, word: str):
    """First, Previous, Next or Last in the (first) pager, whatever arrows decorate them."""
    return page.locator("nav.pager").first.get_by_role("link", name=re.compile(rf"\b{word}\b"))


def serve_axe(page: Page) -> None:
    page.route(
        re.compile(re.escape(AXE_PATH) + "$"),
        lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"),
    )


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the current page (needs serve_axe)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    violations = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def focus_ring(page: Page) -> dict:
    """How the focused element is outlined right now, as computed by the browser.

    ``moved`` is false while focus only moves inside one element (the parts of
    a date input, say), where the browser draws its own marker on the part.
    """
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const moved = element !== window.__e2eLastFocused;
            window.__e2eLastFocused = element;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                text: (element.innerText || element.value || "").trim(),
                moved,
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth) || 0,
            };
        }"""
    )
