"""The dashboard and the sync's sentence in another language, dates as that language writes them."""

import re

from django.conf import settings
from django.utils import translation

from smsadmin.mirror.sync import RunReport
from tests.mirror.test_dashboard import NOW, frozen, history, key, signed_in  # noqa: F401


def test_the_dashboard_speaks_german_with_german_dates(history):  # noqa: F811
    history.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = history.get("/").content.decode()
    assert '<html lang="de"' in page or 'lang="de"' in page
    assert "Nachrichten pro Tag, letzte 30 Tage" in page
    # The bar's tooltip: weekday and day in German order, the status in German.
    assert "<title>Di 10. Jun: 3 gesendet</title>" in page
    # The table's days in the German long date format.
    assert "Di, 10. Jun 2025" in page
    assert "Messages per day" not in page
    assert "Sync now" not in page


def test_the_dashboard_in_french_and_spanish(history):  # noqa: F811
    history.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    # French puts a space before the colon; the month is Django's French abbreviation.
    assert re.search(r"<title>mar 10 \w+ : 3 envoyés</title>", history.get("/").content.decode())
    history.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "Mensajes por día, últimos 30 días" in history.get("/").content.decode()


def test_the_sync_sentence_counts_with_the_language_s_plural_and_digits():
    report = RunReport(new=2500, refreshed=1, deleted=0, calls=1, up_to_date=True)
    with translation.override("de"):
        assert report.sentence == (
            "2.500 neue Nachrichten kopiert, 1 aktualisiert, 0 als gelöscht markiert "
            "(1 API-Aufruf). Die lokale Kopie ist aktuell."
        )
    with translation.override("en"):
        assert report.sentence == (
            "2,500 new messages mirrored, 1 refreshed, 0 marked deleted "
            "(1 upstream call). The mirror is up to date."
        )
