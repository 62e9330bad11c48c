"""A job's title is kept as a kind and its numbers, and each reader sees it in their language.

Whoever confirmed it, in whatever language, the job's English title (audit,
old rows) stays English, and a page words it in its own request's language.
"""

import pytest
from django.utils import translation

from smsadmin.audit.recorder import Who
from smsadmin.jobs import pacing, titles
from smsadmin.jobs.models import Job
from smsadmin.jobs.running import create_job, delete_items

pytestmark = pytest.mark.django_db


def _job(owner, key, words) -> Job:
    with translation.override("de"):  # confirmed by someone reading German
        return create_job(
            owner=owner,
            api_key=key,
            kind=Job.Kind.DELETE,
            title_words=words,
            items=delete_items([(11, False), (12, True)]),
            who=Who(actor=owner, actor_username=owner.username),
        )


def test_the_stored_title_is_english_and_each_page_words_it_in_its_language(client, owner, key):
    job = _job(owner, key, {"kind": titles.DELETE_SEARCH, "deletes": 1234, "cancels": 1})
    assert job.title == "Delete 1,234 and cancel 1 messages matching a search"
    client.force_login(owner)
    german = client.get(f"/jobs/{job.pk}/", headers={"Accept-Language": "de"}).content.decode()
    assert "1.234 löschen und 1 stornieren" in german
    assert "matching a search" not in german
    french = client.get("/jobs/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Supprimer 1\u202f234 et annuler 1 messages correspondant" in french
    english = client.get("/jobs/", headers={"Accept-Language": "en"}).content.decode()
    assert "Delete 1,234 and cancel 1 messages matching a search" in english


def test_an_old_row_with_only_an_english_title_is_translated_when_the_catalogue_knows_it(
    client, owner, key
):
    job = _job(owner, key, {})
    Job.objects.filter(pk=job.pk).update(
        title="Tidy-up", problem=pacing.SHARE_SPENT, state=Job.State.PAUSED
    )
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", headers={"Accept-Language": "es"}).content.decode()
    assert "Tidy-up" in page  # not in any catalogue: shown as stored
    assert "la parte de la cuota de este minuto para las tareas está agotada" in page
    assert "En pausa por la cuota" in page


def test_durations_follow_the_language():
    with translation.override("en"):
        assert pacing.duration_words(125 * 60) == "2 h 5 min"
    with translation.override("fr"):
        assert pacing.duration_words(45) == "45 s"
