"""Personalised sends: a CSV and a text with {column} fields, previewed row by row, one job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smsadmin.audit.models import AuditEvent
from smsadmin.jobs import personalised, running
from smsadmin.jobs.models import Job, JobItem, PersonalisedDraft
from smsadmin.sms.models import SentMessage
from smsadmin.sociostacks.client import SociostacksClient
from tests.conftest import RAW_KEY
from tests.jobs.conftest import calls

pytestmark = pytest.mark.django_db

FIVE = (
    "phone,name,day\n"
    "+4915112345611,Ann,Monday\n"
    "+4915112345622,Bob,Tuesday\n"
    "+4915112345633,Cem,Monday\n"
    "+4915112345644,Dee,Friday\n"
    "+4915112345655,Eve,Monday\n"
)


def test_each_row_gets_its_own_text_and_the_same_texts_share_a_post():
    plan = personalised.plan("phone,day\n+4915112345611,Mon\n+4915112345622,Mon\n", "See you {day}")

    assert [row.stored for row in plan.rows] == ["See you Mon", "See you Mon"]
    (group,) = plan.groups
    assert group.numbers == ("+4915112345611", "+4915112345622")
    assert plan.posts == 1 and plan.count == 2


def test_field_names_match_columns_whatever_the_case_and_braces_can_be_written():
    plan = personalised.plan(FIVE, "Hi {Name} {{not a field}}")

    assert plan.rows[0].stored == "Hi Ann {not a field}"
    assert plan.fields == ("Name",)


def test_an_unknown_field_is_refused_naming_the_columns():
    with pytest.raises(personalised.PersonalisedError) as refused:
        personalised.plan(FIVE, "Hi {first_name}", file_name="people.csv")

    assert refused.value.in_text
    assert "{first_name}" in str(refused.value)
    assert "phone, name, day" in str(refused.value)


def test_invalid_and_repeated_numbers_are_listed_and_never_sent():
    data = "phone,name\n+4915112345611,Ann\nnot a number,Bob\n+4915112345611,Ann again\n,Nobody\n"

    plan = personalised.plan(data, "Hi {name}")

    assert [row.number for row in plan.sent_rows] == ["+4915112345611"]
    assert [(r.line, r.text) for r in plan.invalid] == [
        (3, "not a number"),
        (4, "+4915112345611"),
        (5, ""),
    ]
    assert "row 2" in plan.invalid[1].reason


def test_rows_with_an_empty_field_are_shown_and_left_out_unless_asked():
    data = "phone,name\n+4915112345611,Ann\n+4915112345622,\n"

    safe = personalised.plan(data, "Dear {name},")
    as_is = personalised.plan(data, "Dear {name},", send_empty=True)

    assert [row.empty for row in safe.rows] == [(), ("name",)]
    assert safe.count == 1 and safe.left_out_empty == 1
    assert as_is.count == 2 and as_is.groups[1].stored == "Dear ,"
    assert safe.fingerprint != as_is.fingerprint


def test_the_preview_shows_what_sociostacks_stores_and_refuses_texts_too_long():
    data = "phone,note\n+4915112345611,<b>bold</b>\n+4915112345622," + "x" * 1700 + "\n"

    plan = personalised.plan(data, "Note: {note}")

    assert plan.rows[0].stored == "Note: bold"
    assert [r.line for r in plan.too_long] == [3]
    assert not plan.may_send


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def sending(client, owner, key, on_sandbox):
    client.force_login(owner)
    device = SociostacksClient(RAW_KEY, base_url=on_sandbox.url).all_devices()[0]
    sim = f"{device.id}:{device.sims[0].subscription_id}"
    return client, sim


def test_compose_links_to_the_personalised_send(sending):
    client, _sim = sending
    assert 'href="/jobs/personalised/"' in client.get("/compose/").content.decode()


def test_an_unknown_field_comes_back_on_the_form_and_is_on_record(sending):
    client, sim = sending
    response = client.post(
        "/jobs/personalised/",
        {"recipients_file": upload(FIVE), "content": "Hi {nom}", "sim": sim},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The text names {nom}, but people.csv has no such column" in page
    assert not PersonalisedDraft.objects.exists()
    assert AuditEvent.objects.filter(action="job confirmed", outcome="invalid").exists()


def _preview(client, sim, text=FIVE, content="Hi {name}, see you {day}"):
    response = client.post(
        "/jobs/personalised/", {"recipients_file": upload(text), "content": content, "sim": sim}
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_five_rows_show_five_texts_then_one_job_sends_them_once(sending, on_sandbox):
    client, sim = sending
    preview_url = _preview(client, sim)
    page = client.get(preview_url).content.decode()

    for name, day in [("Ann", "Monday"), ("Bob", "Tuesday"), ("Cem", "Monday")]:
        assert f"Hi {name}, see you {day}" in page
    assert "5 messages (5 segments), 5 distinct texts, in 5 upstream calls" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]

    confirmed = client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint})
    again = client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint})

    job = Job.objects.get()
    assert confirmed["Location"] == again["Location"] == f"/jobs/{job.pk}/"
    assert job.total == 5 and job.kind == Job.Kind.SEND
    on_sandbox.control(reset_stats=True)
    running.run_slice(job.pk, sleep=lambda seconds: None)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert calls(on_sandbox, "POST /sms") == 5
    texts = {
        item.payload["numbers"][0]: item.payload["content"]
        for item in job.items.filter(state=JobItem.State.DONE)
    }
    assert texts["+4915112345622"] == "Hi Bob, see you Tuesday"
    assert SentMessage.objects.count() == 5
    assert AuditEvent.objects.filter(action="send", outcome="ok").count() == 5
    assert AuditEvent.objects.filter(action="send repeat").count() == 1


def test_rows_with_an_empty_field_are_left_out_by_default_and_may_be_sent(sending):
    client, sim = sending
    text = FIVE.replace("Bob,Tuesday", "Bob,")
    preview_url = _preview(client, sim, text=text)
    page = client.get(preview_url).content.decode()
    assert "1 row with an empty field" in page and "empty: day" in page
    assert "4 messages" in page and "1 row with an empty field is left out" in page

    client.post(preview_url, {"action": "empty", "empty_rows": "send"})
    page = client.get(preview_url).content.decode()
    assert "5 messages" in page


def test_a_confirmation_of_rows_no_longer_shown_sends_nothing(sending):
    client, sim = sending
    preview_url = _preview(client, sim)
    page = client.get(preview_url).content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    client.post(preview_url, {"action": "empty", "empty_rows": "send"})  # another tab
    PersonalisedDraft.objects.update(template="Changed {name}")

    response = client.post(preview_url, {"action": "confirm", "fingerprint": fingerprint})

    assert "changed since this page was shown" in response.content.decode()
    assert not Job.objects.exists()


def test_someone_elses_draft_is_not_found(sending, db):
    from tests.conftest import give_key, make_user

    client, sim = sending
    preview_url = _preview(client, sim)
    other = make_user("other", "sender")
    give_key(other)
    client.force_login(other)
    assert client.get(preview_url).status_code == 404
