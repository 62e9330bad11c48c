"""Random values at every parameter of every URL, for every role (issue 22).

Two properties, whatever the input:
- no answer is a 500;
- a request that records an audit event when its parameters are fine still
  records one when they are hostile, and every event written while it ran
  carries its request id (none is lost to a rolled-back transaction, none
  belongs to another request).

Every URL comes from walking the URLconf (as tests/foundation does); every
parameter name from the templates' form fields, the views' ``GET``/``POST``
look-ups and the site's Form classes. Upstream is a `responses` mock: no
request leaves the machine.

The "ci" profile (default) runs a fixed number of examples per role, so CI
time is bounded; each run draws new inputs, and a failure prints the
@reproduce_failure line that replays it. HYPOTHESIS_PROFILE=deep runs many more.
"""

import os
import re
import sys
from pathlib import Path

import pytest
import responses
from django import forms
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.accounts.otp_devices import AppDevice
from smsadmin.audit.models import AuditEvent
from tests.conftest import UPSTREAM, give_key, make_user
from tests.foundation.test_login_required import _concrete_paths
from tests.sociostacks.payloads import message_json, page_json

ROOT = Path(__file__).resolve().parents[1]

# No shrinking: a failure's message already names the role, URL and values, and
# shrinking would replay whole sweeps for minutes.
settings.register_profile(
    "ci",
    max_examples=8,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROLES = ("viewer", "sender", "auditor", "admin", "stranger", "shared login")


def _parameter_names() -> list[str]:
    import smsadmin.accounts.forms
    import smsadmin.audit.forms
    import smsadmin.keys.forms
    import smsadmin.mirror.search
    import smsadmin.sms.compose.forms  # noqa: F401  (their Form classes, below)

    names = {"page", "before", "after", "waited", "next", "back", "ids", "progress"}
    for template in (ROOT / "templates").rglob("*.html"):
        names.update(re.findall(r'name="([a-z_]+)"', template.read_text()))
    for module in (ROOT / "smsadmin").rglob("*.py"):
        names.update(
            re.findall(r'\.(?:GET|POST|FILES)\.get(?:list)?\("([a-z_]+)"', module.read_text())
        )

    def every_form(base: type) -> list[type]:
        return [base, *(found for sub in base.__subclasses__() for found in every_form(sub))]

    for form in every_form(forms.BaseForm):
        if form.__module__.startswith("smsadmin."):
            names.update(getattr(form, "base_fields", {}))
    return sorted(names - {"csrfmiddlewaretoken", "viewport"})


PARAMETERS = _parameter_names()
PATHS = [
    path
    for path in _concrete_paths()
    if not path.startswith("/static/")
    # Signing out ends the session the next example needs; it is covered below.
    and path != "/accounts/logout/"
]

# Numbers and days that only look harmless: the attack run's most fruitful values.
KILLERS = ["²", "٣", "9" * 4400, "0", "-1", str(2**63), "9999-12-31", "0001-01-01"]
HOSTILE = [
    "²",
    "٣",
    "9" * 4400,
    "0",
    "-1",
    str(2**63),
    str(2**63 - 1),
    "9999-12-31",
    "0001-01-01",
    "javascript:alert(1)",
    "//evil.example/",
    "http://127.0.0.1@evil.example/",
    "http://[",
    "\x00",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1--",
    '=HYPERLINK("http://evil")',
    "../../etc/passwd",
    "%00%2F%2F",
    "1:1",
    "1;2",
    "yes",
    "Cancel",
    "review",
    "replace_lookalikes",
    "later",
    "+447400123456",
    "0b6f9c55-9b1f-4e1b-9a52-7f1f6c8e2d11",
    "a" * 5000,
]

values = st.one_of(
    # Weighted: most of the attack run's findings came from these few values.
    st.sampled_from(KILLERS),
    st.sampled_from(KILLERS),
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.integers().map(str),
    st.dates().map(str),
)
headers_ = st.fixed_dictionaries(
    {
        "htmx": st.booleans(),
        "current_url": st.one_of(st.none(), st.sampled_from(HOSTILE), st.text(max_size=30)),
    }
)


def _names_in(text: str) -> set[str]:
    """Parameter names a page or a module mentions: form fields, query strings, quoted names."""
    found = set(re.findall(r'name="([a-z_]+)"', text))
    found |= set(re.findall(r"[?&]([a-z_]+)=", text))
    found |= set(re.findall(r'"([a-z_]+)"', text))
    return found & set(PARAMETERS)


def names_for(path: str, page: str) -> list[str]:
    """The parameters this URL's own page and view module use, most likely to matter."""
    view = resolve(path).func
    module = sys.modules.get(getattr(view, "__module__", ""), None)
    source = Path(module.__file__).read_text() if module and module.__file__ else ""
    return sorted(_names_in(page) | _names_in(source)) or PARAMETERS


@pytest.fixture
def upstream_answers():
    """Upstream as a mock with plausible answers, so pages go past their first call."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        device = {"id": 1, "name": "Pixel", "sims": [{"subscription_id": 1}]}
        mock.get(re.compile(rf"{UPSTREAM}/devices/.*"), json=page_json([device]))
        mock.get(re.compile(rf"{UPSTREAM}/contacts/.*"), json=page_json([]))
        mock.get(re.compile(rf"{UPSTREAM}/sms/\d+"), json={"data": message_json(1)})
        mock.get(re.compile(rf"{UPSTREAM}/sms/.*"), json=page_json([message_json(1)]))
        body = {"data": {"id": 1, "name": "Ops", "email": "o@x.test", "timezone": "UTC"}}
        mock.get(f"{UPSTREAM}/user", json=body)
        mock.post(f"{UPSTREAM}/sms", json={"data": {"sms_ids": [1]}}, status=201)
        mock.delete(re.compile(rf"{UPSTREAM}/sms/\d+"), body="", status=200)
        yield mock


@pytest.fixture
def people(db, monkeypatch):
    from smsadmin.sociostacks import client

    monkeypatch.setattr(client, "_pause_before_retry", lambda: None)
    # The URL walk fills ids with 1: key 1 belongs to none of the people below,
    # so no example can delete or replace a key another one needs.
    give_key(make_user("owner-of-key-1", "viewer"))
    found = {
        "viewer": make_user("vera", "viewer"),
        "sender": make_user("sam", "sender"),
        "auditor": make_user("ada", "auditor"),
        "admin": make_user("alice", "admin"),
        "stranger": make_user("sid"),
        "shared login": make_user("frontdesk", "sender", is_shared=True),
    }
    for role in ("viewer", "sender", "admin", "shared login"):
        give_key(found[role])
    return found


def signed_in(person, role: str) -> Client:
    """A fresh session, from the same starting point for every request.

    A second factor half set up by an earlier request is removed: it changes
    what the setup page records, and a finished one would turn every page
    into the code page.
    """
    AppDevice.objects.filter(user=person).delete()
    client = Client()
    client.force_login(person)
    if role == "shared login":
        session = client.session
        session[OPERATOR_SESSION_KEY] = "Priya"
        session.save()
    return client


def send(client: Client, method: str, path: str, params: dict, headers: dict):
    call = client.get if method == "GET" else client.post
    return call(path, params, headers=headers)


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=since).order_by("seq"))


def last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


CHUNK = 20
# Requests sent per role in this run (printed with -s; the figure for the closing note).
SENT: dict[str, int] = {}


@pytest.mark.parametrize("role", ROLES)
def test_no_input_is_a_500_and_none_loses_its_audit_event(role, people, upstream_answers):
    person = people[role]
    # Only what the role can reach is worth the examples: a 403 or 405 never
    # reads a parameter (both are checked by the role and CSRF suites).
    baseline: dict[tuple[str, str], tuple[bool, list[str]]] = {}
    for path in PATHS:
        for method in ("GET", "POST"):
            client = signed_in(person, role)
            before = last_seq()
            page = send(client, method, path, {}, {})
            if page.status_code in (403, 405):
                continue
            text = "" if page.streaming else page.content.decode(errors="replace")
            baseline[(path, method)] = (bool(new_events(before)), names_for(path, text))
    reachable = sorted(baseline)

    # One example sweeps one chunk of the reachable URLs: a sweep of all of them
    # draws more than Hypothesis lets one example hold.
    chunks = [reachable[start : start + CHUNK] for start in range(0, len(reachable), CHUNK)]

    @given(st.sampled_from(chunks), st.data())
    def hostile_sweep(chunk: list[tuple[str, str]], data: st.DataObject) -> None:
        """One example: each URL of a chunk once, each with its own drawn values."""
        for path, method in chunk:
            records, names = baseline[(path, method)]
            nearby = st.sampled_from(names)
            name = st.one_of(nearby, nearby, st.sampled_from(PARAMETERS))
            params = data.draw(st.dictionaries(name, values, min_size=1, max_size=4))
            extra = data.draw(headers_)
            headers = {"HX-Request": "true"} if extra["htmx"] else {}
            if extra["current_url"] is not None:
                headers["HX-Current-URL"] = extra["current_url"]
            client = signed_in(person, role)
            before = last_seq()
            response = send(client, method, path, params, headers)
            SENT[role] = SENT.get(role, 0) + 1
            assert response.status_code != 500, (role, method, path, params)
            events = new_events(before)
            request_id = response.get("X-Request-ID")
            assert all(event.request_id == request_id for event in events), (path, params)
            if records:
                assert events, ("no audit event", role, method, path, params)

    hostile_sweep()
    print(f"\n{role}: {len(reachable)} URL and method pairs, {SENT[role]} requests")


@given(values)
@settings(max_examples=20)
def test_signing_out_with_any_next_is_no_500(people, value):
    client = signed_in(people["sender"], "sender")
    response = client.post("/accounts/logout/", {"next": value})
    assert response.status_code == 302
    assert not re.match(r"^(https?:)?//", response["Location"])
