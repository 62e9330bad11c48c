"""scripts/check-translations (run by `make lint`) fails on any untranslated or fuzzy message."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-translations"

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: smsadmin\\n"
"PO-Revision-Date: 2026-12-01 14:00+0000\\n"
"Last-Translator: smsadmin team\\n"
"Language-Team: smsadmin ({language})\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Save"
msgstr "Speichern"

"""


def run_check(workdir: Path, catalogues: dict[str, str]) -> subprocess.CompletedProcess:
    """The script on a copy of the project layout holding only ``catalogues``."""
    (workdir / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "ensure-gettext", workdir / "scripts" / "ensure-gettext")
    for language, body in catalogues.items():
        folder = workdir / "locale" / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "django.po").write_text(HEADER.format(language=language) + body)
    return subprocess.run(
        [str(SCRIPT)], cwd=workdir, capture_output=True, text=True, timeout=60, check=False
    )


COMPLETE = 'msgid "Scheduled"\nmsgstr "Geplant"\n'
UNTRANSLATED = 'msgid "Scheduled"\nmsgstr ""\n'
FUZZY = '#, fuzzy\nmsgid "Scheduled"\nmsgstr "Geplant"\n'
PLURAL_HALF_DONE = (
    'msgid "One message"\nmsgid_plural "%(n)s messages"\nmsgstr[0] "Eine Nachricht"\nmsgstr[1] ""\n'
)
BROKEN_PLACEHOLDER = 'msgid "%(n)s sent"\nmsgstr "%(anzahl)d gesendet"\n'


PLURAL_DONE = (
    'msgid "One message"\nmsgid_plural "%(n)s messages"\n'
    'msgstr[0] "Eine Nachricht"\nmsgstr[1] ""\n"%(n)s Nachrichten"\n'
)


def test_complete_catalogues_pass(tmp_path):
    done = run_check(tmp_path, {"de": COMPLETE + "\n" + PLURAL_DONE, "fr": COMPLETE})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "locale/de/LC_MESSAGES/django.po: 3 translated messages." in done.stdout
    assert "locale/fr/LC_MESSAGES/django.po: 2 translated messages." in done.stdout


@pytest.mark.parametrize(
    "body", [UNTRANSLATED, FUZZY, PLURAL_HALF_DONE], ids=["untranslated", "fuzzy", "plural"]
)
def test_one_unfinished_message_in_one_language_fails(tmp_path, body):
    done = run_check(tmp_path, {"de": COMPLETE, "fr": body, "es": COMPLETE})
    assert done.returncode != 0
    assert "locale/fr/LC_MESSAGES/django.po" in done.stdout + done.stderr


def test_a_translation_that_breaks_a_placeholder_fails(tmp_path):
    done = run_check(tmp_path, {"de": "#, python-format\n" + BROKEN_PLACEHOLDER})
    assert done.returncode != 0


def test_make_lint_runs_it():
    lint = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/check-translations" in lint


def test_every_language_of_the_site_has_a_catalogue():
    missing = [
        code
        for code, _ in settings.LANGUAGES
        if code != "en" and not (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").exists()
    ]
    assert not missing


def test_the_sites_catalogues_are_complete():
    done = subprocess.run(
        [str(SCRIPT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
