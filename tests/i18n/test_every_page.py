"""Every page and htmx fragment, in German, French and Spanish, has no English left (issue 21).

One world for the module (people of every role, a key on the sandbox with its
seeded messages, the mirror synced, a send reviewed and one sent, a job, a
saved text, a team), built once; every case is rendered once per language
and the parametrized tests only read the renders. The cases come from walking
the URLconf (as tests/foundation and tests/test_hostile_properties.py do),
each parameter filled from the world, plus the fragments htmx asks for.

A page in language L has English left when one of its texts (text nodes and
the attributes a person reads: title, aria-label, placeholder, alt, a
button's value), once the world's own data is taken out, is
- an English message of L's catalogue whose translation differs from it, or
- a text with words that is the same in the English render of the same page.
Code, script, style, a textarea's content and the names every language shares
(SIM, smsadmin, Sociostacks, the languages in the picker) are not English.

With I18N_LEFTOVERS=path the leftovers of every case are also written there as JSON.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import time
import unicodedata
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from smsadmin.accounts.models import Operator, Team
from smsadmin.accounts.operators import OPERATOR_SESSION_KEY
from smsadmin.audit.models import AuditEvent
from smsadmin.audit.recorder import Who
from smsadmin.conversations.models import SavedText
from smsadmin.jobs.models import Job
from smsadmin.jobs.running import create_job, delete_items
from smsadmin.mirror.models import MirroredMessage
from smsadmin.sms.models import SendRequest
from smsadmin.sociostacks import content as stored_text
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY, give_key, make_user

# The renders happen once, in the module's world (see `rendered`): the first mark
# makes pytest-django set up the test database that world lives in, the second
# keeps every case on one xdist worker (`make test` runs --dist loadgroup), so
# the world is built once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("i18n-every-page")]

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de", "fr", "es")
SAME_EVERYWHERE = {
    "smsadmin",
    "Sociostacks",
    "SIM",
    "SMS",
    "OK",
    "UTC",
    "CSV",
    "GSM-7",
    "UCS-2",
    *(name for _, name in django_settings.LANGUAGES),
}
# Words a language writes exactly as English does: in that language's render they
# are not English left (the other languages' renders still catch them unmarked).
SAME_IN = {
    "de": {"Team", "Teams", "Details"},  # German uses the English words (GLOSSARY: Team)
    "fr": {"Message", "Messages"},  # French spells "message" the same
    "es": set(),
}
# The preferences' zone list shows IANA names: data, the same in every language.
ZONES = frozenset(zoneinfo.available_timezones())
# "U+FF1C fullwidth less-than sign": Unicode names characters only in English.
CODE_POINT = re.compile(r"U\+([0-9A-F]{4,6})\b")
UNREAD = ("script", "style", "code", "pre", "kbd", "samp", "textarea")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
WORD = re.compile(r"[^\W\d_]{2,}")
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[sdif]|\{[^}]*\}")
OPERATOR = "Priya Patel"


# --- What a page says ----------------------------------------------------------------


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lang: str | None = None
        self._unread: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag in UNREAD:
            self._unread.append(tag)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self._add(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self._add(values["value"] or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in UNREAD:
            self._unread.pop()

    def handle_endtag(self, tag: str) -> None:
        if self._unread and self._unread[-1] == tag:
            self._unread.pop()

    def handle_data(self, data: str) -> None:
        if not self._unread:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def read_page(html: str) -> tuple[list[str], str | None]:
    reader = _Texts()
    reader.feed(html)
    reader.close()
    return reader.texts, reader.lang


# --- The English catalogue of each language ------------------------------------------


@dataclass
class Catalogue:
    english: set[str]  # messages whose translation differs, as a page would show them
    translations: set[str]  # every translation in this language
    by_first_word: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for msgid in self.english:
            words = msgid.split()
            if len(words) >= 2:
                self.by_first_word.setdefault(words[0], []).append(msgid)

    def finds_english_in(self, text: str) -> bool:
        """The text is an English message, or holds one of two words or more.

        Whole words only: Spanish "una persona" holds the letters of "a person".
        """
        if text in self.english:
            return True
        return any(
            re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", text)
            for word in set(text.split())
            for msgid in self.by_first_word.get(word, ())
        )

    @classmethod
    def of(cls, language: str) -> Catalogue:
        po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
            f"{mo.relative_to(ROOT)} is missing or older than its .po: run `make messages`"
        )
        with mo.open("rb") as compiled:
            catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
        english, translations = set(), set()
        for key, translated in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            msgid = " ".join(msgid.split("\x04")[-1].split())
            translated = " ".join(translated.split())
            if not msgid:
                continue
            translations.add(translated)
            if translated != msgid and not PLACEHOLDER.search(msgid):
                english.add(msgid)
        return cls(english - translations, translations)


# --- The world -----------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, object]
    values: dict[str, object]
    data: list[str] = field(default_factory=list)
    clients: dict[str | None, Client] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._pieces = sorted(
            {" ".join(d.split()) for d in self.data if len(d.strip()) >= 3}, key=len, reverse=True
        )
        self._cleaned: dict[str, str] = {}

    def without_data(self, text: str) -> str:
        """The text with the world's data (longest first) taken out; remembered, texts repeat."""
        if text not in self._cleaned:
            cleaned = text
            for piece in self._pieces:
                if piece in cleaned:
                    cleaned = _cut(cleaned, piece)
            self._cleaned[text] = " ".join(cleaned.split())
        return self._cleaned[text]

    def is_data_cut_short(self, text: str) -> bool:
        """A message shown shortened (``…``) is still the world's data."""
        stem = text.rstrip("…").strip()
        return len(stem) >= 12 and any(stem in piece for piece in self._pieces)


def _strings(value: object) -> Iterator[str]:
    """Every text inside an upstream answer (a dataclass of dataclasses)."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value):
        for item in fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def build_world(sandbox_url: str) -> World:
    people = {
        "admin": make_user("alice", "admin", email="alice@example.test"),
        "sender": make_user("sam", "sender", time_zone="America/New_York"),
        "viewer": make_user("vera", "viewer"),
        "auditor": make_user("ada", "auditor"),
        "shared login": make_user("frontdesk", "sender", is_shared=True),
    }
    keys = {role: give_key(people[role]) for role in ("admin", "sender", "viewer", "shared login")}
    for name in (OPERATOR, "Tom Berg"):
        Operator.objects.create(login=people["shared login"], name=name)
    team = Team.objects.create(name="Night shift")
    team.members.add(people["sender"])
    call_command("sync_messages", verbosity=0)

    upstream = SociostacksClient(RAW_KEY, base_url=sandbox_url)
    messages = upstream.list_messages(1, 1000).items
    devices = upstream.all_devices()
    device, sim = devices[0], devices[0].sims[0]

    admin = Client()
    admin.force_login(people["admin"])
    form = {
        "content": "Quarterly check of the backup phones.",
        "recipients": "+447400123456",
        "device": str(device.id),
        "sim": f"{device.id}:{sim.subscription_id}",
        "when": "now",
        "send_date": "",
        "send_time": "",
    }
    reviewed = admin.post("/compose/", form)
    assert reviewed.status_code == 302, reviewed.content.decode()[:2000]
    unsent = reviewed["Location"].rstrip("/").rsplit("/", 1)[-1]
    sent_review = admin.post("/compose/", form | {"content": "Backup phones checked."})
    sent = sent_review["Location"].rstrip("/").rsplit("/", 1)[-1]
    fingerprint = SendRequest.objects.get(token=sent).fingerprint
    admin.post(f"/compose/send/{sent}", {"fingerprint": fingerprint})

    saved = SavedText.objects.create(name="Opening hours", text="We open at 9, {name}.")
    who = Who(actor=people["admin"], actor_username="alice")
    ids = [m.sms_id for m in messages[:2]]
    job = create_job(
        owner=people["admin"],
        api_key=keys["admin"],
        kind=Job.Kind.DELETE,
        title="Tidy-up of two test messages",
        items=delete_items([(sms_id, False) for sms_id in ids]),
        who=who,
    )
    received = next(m for m in MirroredMessage.objects.order_by("-happened_at") if m.phone)
    export = admin.get("/search/export/").content.decode()
    export_token = re.search(r"/search/export/([\w-]+)/", export)

    values: dict[str, object] = {
        "sms_id": messages[0].sms_id,
        "seq": AuditEvent.objects.order_by("seq").first().seq,  # type: ignore[union-attr]
        "job_id": job.pk,
        "key_id": keys["admin"].pk,
        "text_id": saved.pk,
        "number": received.phone,
        "user_id": people["viewer"].pk,
        "team_id": team.pk,
        "token:uuid": unsent,
        "token:sent": sent,
        "token:export": export_token.group(1) if export_token else "0" * 32,
        "token:path": "1",
        "device": device.id,
        "two_ids": [m.sms_id for m in messages[2:4]],
    }
    data = [
        *(_strings(messages)),
        *(_strings(devices)),
        *(_strings(list(upstream.all_contacts().values()))),
        *(_strings(upstream.get_account())),
        *(str(v) for m in MirroredMessage.objects.all() for v in (m.content, m.phone, m.error)),
        *(p.username for p in people.values()),
        *(p.email for p in people.values() if p.email),
        OPERATOR,
        "Tom Berg",
        team.name,
        "Ops key",
        saved.name,
        saved.text,
        job.title,
        form["content"],
        "Backup phones checked.",
        # Names every language writes the same: time zones, the picker's languages.
        *(zone for zone in zoneinfo.available_timezones() if "/" in zone),
    ]
    return World(people, values, [d for d in data if d])


# --- The cases: every URL, filled from the world, and htmx's fragments ----------------


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    role: str | None = "admin"
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)
    htmx: bool = False


def _walk(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """Every named URL of the site (the Django admin's aside) and its parameters' names."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and entry.name != "healthz":
            yield namespace + entry.name, list(getattr(entry.pattern, "converters", {}))


def url_names() -> list[str]:
    return sorted(dict(_walk()))


# Which world value a parameter takes, where its name alone does not say.
TOKENS = {
    "sms:compose_result": "token:sent",
    "sms:compose_progress": "token:sent",
    "sms:compose_make_default": "token:sent",
    "mirror:export_progress": "token:export",
    "set_password": "token:path",
}
# Whose page it is, where the admin would not see it as meant.
ROLES = {
    "operator": "shared login",
    "login": None,
    "set_password": None,
    "logout": "sender",
    "people:shared_password": "admin",
}
SHARED_LOGIN_PAGES = {"people:shared_password", "people:operators"}


def page_cases(world: World) -> dict[str, list[Case]]:
    cases: dict[str, list[Case]] = {}
    for name, parameters in _walk():
        kwargs = {}
        for parameter in parameters:
            key = TOKENS.get(name, "token:uuid") if parameter == "token" else parameter
            value = world.values[key]
            if parameter == "user_id" and name in SHARED_LOGIN_PAGES:
                value = world.people["shared login"].pk  # type: ignore[attr-defined]
            kwargs[parameter] = value
        path = reverse(name, kwargs=kwargs)
        role = ROLES.get(name, "admin")
        found = [Case(name, path, role), Case(name + " (htmx)", path, role, htmx=True)]
        cases[name] = found + EXTRA.get(name, lambda w: [])(world)
    cases["errors"] = [
        Case("404", "/no-such-page/"),
        Case("403", "/people/", role="viewer"),
        Case("403 (htmx)", "/audit/", role="viewer", htmx=True),
        Case("message gone", "/messages/999999999/"),
    ]
    return cases


EXTRA = {
    "login": lambda w: [
        Case("login refused", "/accounts/login/", None, "POST", {"username": "x", "password": "y"})
    ],
    "logout": lambda w: [Case("signed out", "/accounts/logout/", "sender", "POST")],
    "sms:compose": lambda w: [
        Case("compose with errors", "/compose/", method="POST", data={"when": "later"}),
        Case(
            "compose scheduled in the past",
            "/compose/",
            method="POST",
            data={
                "content": "Hello",
                "recipients": "+447400123456",
                "when": "later",
                "send_date": "2020-01-01",
                "send_time": "09:00",
            },
        ),
    ],
    "sms:compose_check_recipients": lambda w: [
        Case(
            "recipients check (htmx)",
            "/compose/check-recipients",
            method="POST",
            data={"recipients": "+447400123456\n+447400123456\n+49 151 234\nnot a number"},
            htmx=True,
        )
    ],
    "sms:compose_check_content": lambda w: [
        Case(
            "content check (htmx)",
            "/compose/check-content",
            method="POST",
            data={
                "content": "“Quoted” text with <b> and — a dash " * 6,
                "recipients": "+447400123456",
            },
            htmx=True,
        )
    ],
    "sms:compose_replace_lookalikes": lambda w: [
        Case(
            "look-alikes replaced (htmx)",
            "/compose/replace-lookalikes",
            method="POST",
            data={"content": "“Quoted” \u2013 text ✓"},
            htmx=True,
        )
    ],
    "sms:compose_keep_angle_brackets": lambda w: [
        Case(
            "angle brackets kept (htmx)",
            "/compose/keep-angle-brackets",
            method="POST",
            data={"content": "a <b> c"},
            htmx=True,
        )
    ],
    "sms:compose_sims": lambda w: [
        Case("SIMs of a phone (htmx)", f"/compose/sims?device={w.values['device']}", htmx=True)
    ],
    "keys:verify": lambda w: [
        Case(
            "key verified (htmx)",
            reverse("keys:verify", args=[w.values["key_id"]]),
            method="POST",
            htmx=True,
        )
    ],
    "audit:verify": lambda w: [Case("audit chain checked", "/audit/verify/", method="POST")],
    "sms:bulk_delete": lambda w: [
        Case(
            "bulk delete confirmation",
            "/messages/delete/",
            method="POST",
            data={"ids": [str(i) for i in w.values["two_ids"]]},  # type: ignore[attr-defined]
        )
    ],
    "mirror:sync": lambda w: [Case("sync (htmx)", "/sync/", method="POST", htmx=True)],
    "mirror:search": lambda w: [
        Case("search results", "/search/?q=the&status=failed"),
        Case("search results (htmx)", "/search/?q=the", htmx=True),
    ],
    "sms:list": lambda w: [Case("messages filtered (htmx)", "/messages/?status=failed", htmx=True)],
    "audit:review": lambda w: [Case("audit filtered (htmx)", "/audit/?action=login", htmx=True)],
}


# --- Rendering -----------------------------------------------------------------------


def client_for(world: World, role: str | None) -> Client:
    """A signed-in client for the role, reused (a new session per request costs seconds here)."""
    if role in world.clients:
        return world.clients[role]
    client = Client()
    world.clients[role] = client
    if role is not None:
        client.force_login(world.people[role])  # type: ignore[arg-type]
        if role == "shared login":
            session = client.session
            session[OPERATOR_SESSION_KEY] = OPERATOR
            session.save()
    return client


@dataclass
class Render:
    case: Case
    status: int
    texts: list[str]
    lang: str | None
    seconds: float = 0.0


def render(world: World, case: Case, language: str) -> Render:
    headers = {"Accept-Language": language}
    if case.htmx:
        headers["HX-Request"] = "true"
    # Signing out ends the session: that case has a client of its own.
    client = client_for(world, case.role) if case.name != "signed out" else Client()
    if case.name == "signed out":
        client.force_login(world.people["sender"])  # type: ignore[arg-type]
    call = client.get if case.method == "GET" else client.post
    started = time.monotonic()
    response = call(case.path, case.data, headers=headers)
    took = time.monotonic() - started
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return Render(case, response.status_code, [], None, took)
    texts, lang = read_page(response.content.decode())
    return Render(case, response.status_code, texts, lang, took)


@dataclass
class Rendered:
    world: World
    pages: dict[str, list[tuple[Render, dict[str, Render]]]]
    catalogues: dict[str, Catalogue]
    seconds: float


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Iterator[Rendered]:
    from smsadmin.sandbox.testing import running_sandbox

    started = time.monotonic()
    with (
        running_sandbox(
            api_keys=(RAW_KEY,), seed_messages=120, seed=7, tick_seconds=0, inbound_one_in=0
        ) as sandbox,
        override_settings(SOCIOSTACKS_API_URL=sandbox.url),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_world(sandbox.url)
        pages: dict[str, list[tuple[Render, dict[str, Render]]]] = {}
        for name, cases in page_cases(world).items():
            pages[name] = []
            for case in cases:
                english = render(world, case, "en")
                if case.htmx and not case.data and _same(english, pages[name]):
                    continue  # no fragment of its own: the whole page, already checked
                if english.status == 405:
                    pages[name].append((english, {lang: english for lang in LANGUAGES}))
                    continue
                pages[name].append(
                    (english, {lang: render(world, case, lang) for lang in LANGUAGES})
                )
        yield Rendered(
            world,
            pages,
            {lang: Catalogue.of(lang) for lang in LANGUAGES},
            time.monotonic() - started,
        )
        transaction.set_rollback(True)


def _same(english: Render, earlier: list[tuple[Render, dict[str, Render]]]) -> bool:
    return any(
        (e.status, e.texts) == (english.status, english.texts)
        for e, _ in earlier
        if not e.case.htmx
    )


# --- The checks ----------------------------------------------------------------------


def _words(text: str, language: str = "") -> list[str]:
    for same in SAME_EVERYWHERE | SAME_IN.get(language, set()):
        text = re.sub(rf"(?<![\w-]){re.escape(same)}(?![\w-])", " ", text)
    return WORD.findall(text)


def without_character_names(text: str) -> str:
    """The text with "U+XXXX <its Unicode name>" taken out: only the exact name goes."""
    for match in reversed(list(CODE_POINT.finditer(text))):
        name = unicodedata.name(chr(int(match.group(1), 16)), "").lower()
        end = match.end()
        if name and text[end:].startswith(" " + name):
            end += len(name) + 1
        text = text[: match.start()] + " " + text[end:]
    return " ".join(text.split())


def _case_data(case: Case) -> list[str]:
    """What the case itself typed (a message's content), also as Sociostacks would store it."""
    pieces = set()
    for value in case.data.values():
        if isinstance(value, str) and len(value.strip()) >= 3:
            pieces.add(" ".join(value.split()))
            pieces.add(" ".join(stored_text.rewrite(value).stored.split()))
    return sorted(pieces, key=len, reverse=True)


def _cut(text: str, piece: str) -> str:
    """The text without ``piece``, taken only as whole words: the username "ada"
    is data, the end of "Confirmada" is not."""
    starts = r"(?<!\w)" if piece[0].isalnum() else ""
    ends = r"(?!\w)" if piece[-1].isalnum() else ""
    return re.sub(starts + re.escape(piece) + ends, " ", text)


def _without(text: str, pieces: list[str]) -> str:
    for piece in pieces:
        if piece in text:
            text = _cut(text, piece)
    return " ".join(text.split())


def leftovers(rendered: Rendered, english: Render, translated: Render, language: str) -> list[str]:
    catalogue = rendered.catalogues[language]
    world = rendered.world
    typed = _case_data(translated.case)

    def cleaned(text: str) -> str:
        return world.without_data(_without(without_character_names(text), typed))

    # A zone name is taken whole, before the world's data (a username "ada" is in "Canada").
    shown_in_english = {cleaned(t) for t in english.texts if t not in ZONES}
    found: list[str] = []
    for text in translated.texts:
        if text in ZONES:
            continue
        text = cleaned(text)
        words = _words(text, language)
        if not words or text in catalogue.translations:
            continue
        if (
            text in shown_in_english or catalogue.finds_english_in(text)
        ) and not world.is_data_cut_short(text):
            found.append(text)
    return list(dict.fromkeys(found))


CASES = [(name, language) for name in [*url_names(), "errors"] for language in LANGUAGES]
LEFTOVERS: dict[str, dict[str, list[str]]] = {}


@pytest.mark.parametrize(("name", "language"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_no_english_is_left(rendered, name, language):
    problems = []
    for english, by_language in rendered.pages[name]:
        translated = by_language[language]
        case = translated.case
        where = f"{case.method} {case.path}{' (htmx)' if case.htmx else ''} as {case.role}"
        if translated.status == 405:
            continue  # not a page: a POST-only action (its answers are cases of their own)
        if translated.status >= 500:
            problems.append(f"{where}: answered {translated.status}")
            continue
        if translated.lang is not None and translated.lang != language:
            problems.append(f"{where}: <html lang={translated.lang!r}>, not {language!r}")
        left = leftovers(rendered, english, translated, language)
        if left:
            LEFTOVERS.setdefault(f"{case.name} [{where}]", {})[language] = left
            problems.append(
                f"{where} [{translated.status}]:\n    " + "\n    ".join(map(repr, left))
            )
    _write_leftovers()
    if problems:
        pytest.fail(f"English left in {language}:\n" + "\n".join(problems), pytrace=False)


def _write_leftovers() -> None:
    target = os.environ.get("I18N_LEFTOVERS")
    if target:
        Path(target).write_text(json.dumps(LEFTOVERS, ensure_ascii=False, indent=1))


def test_every_url_is_rendered_and_most_are_pages(rendered):
    """The walk reached every URL, and enough of them answered with a page to check."""
    assert set(rendered.pages) == {*url_names(), "errors"}
    statuses = [en.status for cases in rendered.pages.values() for en, _ in cases]
    assert statuses.count(200) >= 40, statuses
    print(f"\n{len(CASES)} URL x language cases, rendered in {rendered.seconds:.1f} s")
    if os.environ.get("I18N_TIMINGS"):
        every = [
            r for cases in rendered.pages.values() for en, rs in cases for r in (en, *rs.values())
        ]
        for r in sorted(every, key=lambda r: -r.seconds)[:25]:
            print(f"{r.seconds:6.2f} {r.status} {r.case.method} {r.case.path} htmx={r.case.htmx}")
        for cases in rendered.pages.values():
            for en, _ in cases:
                case = en.case
                print(f"  {en.status} {case.method} {case.path} htmx={case.htmx} {case.role}")


def test_the_check_finds_english_in_a_translated_page(rendered):
    english = Render(Case("x", "/"), 200, ["Scheduled messages", "Ops Pixel 8"], "en")
    german = Render(Case("x", "/"), 200, ["Scheduled messages", "Geplante Nachrichten"], "de")
    assert leftovers(rendered, english, german, "de") == ["Scheduled messages"]
    world_only = Render(Case("x", "/"), 200, [rendered.world.data[0]], "de")
    assert leftovers(rendered, world_only, world_only, "de") == []


@pytest.mark.parametrize(
    ("language", "shown", "left"),
    [
        # The allowlists name words, not sentences: English around them is still found.
        ("de", ["Team", "Teams · smsadmin", "Details"], []),
        ("de", ["Team members are listed here."], ["Team members are listed here."]),
        ("fr", ["Message 120", "Team"], ["Team"]),
        ("es", ["Message 120"], ["Message 120"]),
        # Zone names are data as a whole; a sentence about zones is not.
        ("fr", ["Europe/Berlin", "America/Argentina/ComodRivadavia", "Canada/Atlantic"], []),
        ("fr", ["Pick your time zone"], ["Pick your time zone"]),
        # Unicode's own name of a character is data; other words after U+XXXX are not.
        ("es", ["U+FF1C fullwidth less-than sign", "U+2713 check mark"], []),
        ("es", ["U+FF1C is not allowed here"], ["is not allowed here"]),
    ],
)
def test_the_check_knows_data_and_same_words_but_not_unmarked_english(
    rendered, language, shown, left
):
    english = Render(Case("x", "/"), 200, shown, "en")
    translated = Render(Case("x", "/"), 200, shown, language)
    assert leftovers(rendered, english, translated, language) == left


def test_an_english_message_counts_only_as_whole_words(rendered):
    spanish = rendered.catalogues["es"]
    assert "a person" in spanish.english
    assert not spanish.finds_english_in("Invitar a una persona · smsadmin")
    assert spanish.finds_english_in("Invitar a person · smsadmin")


def test_the_case_s_own_content_is_data_but_a_sentence_next_to_it_is_not(rendered):
    content = "“Quoted” text with <b> and — a dash"
    case = Case("x", "/", method="POST", data={"content": content})
    stored = stored_text.rewrite(content).stored
    shown = [stored, "Sociostacks will store this:"]
    english = Render(case, 200, shown, "en")
    translated = Render(case, 200, shown, "de")
    assert leftovers(rendered, english, translated, "de") == ["Sociostacks will store this:"]
