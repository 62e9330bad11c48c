from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smsadmin.audit.models import AuditEvent
from tests.mirror.conftest import mirrored, state_for
from tests.sms import upstream_fakes as fake
from tests.sociostacks.payloads import error_json, message_json

NUMBER = "+447700900123"  # the fake directory's contact 7


@pytest.fixture(autouse=True)
def newest_page(upstream):
    """Upstream's newest page holds nothing the mirror lacks, unless a test says so."""
    fake.directory(upstream)
    fake.messages(upstream, [])
    return upstream


def thread_url(number: str = NUMBER) -> str:
    return reverse("conversations:thread", args=[number])


def test_it_shows_both_directions_oldest_first(client, desk):
    state_for()
    now = timezone.now()
    mirrored(content="Your parcel arrives Tuesday", happened_at=now - timedelta(hours=3))
    mirrored(
        direction="received",
        status="received",
        content="Can we move it to Thursday?",
        happened_at=now - timedelta(hours=2),
    )
    mirrored(content="Done: Thursday it is", happened_at=now - timedelta(hours=1))
    mirrored(content="Someone else entirely", phone="+447700900999")
    client.force_login(desk)
    page = client.get(thread_url()).content.decode()
    first = page.index("Your parcel arrives Tuesday")
    assert first < page.index("Can we move it to Thursday?") < page.index("Done: Thursday it is")
    assert "Someone else entirely" not in page
    assert "bubble-in" in page and "bubble-out" in page


def test_the_reply_goes_to_compose_with_the_number_and_the_sim_it_came_in_on(client, desk):
    incoming = mirrored(direction="received", status="received", device_id=2, sim_id=2)
    client.force_login(desk)
    page = client.get(thread_url()).content.decode()
    assert f'name="to" value="{NUMBER}"' in page
    assert f'name="reply_to" value="{incoming.sms_id}"' in page
    assert 'name="device" value="2"' in page and 'name="sim" value="2"' in page


def test_content_stays_escaped(client, desk):
    mirrored(direction="received", status="received", content="<script>alert(1)</script>")
    client.force_login(desk)
    page = client.get(thread_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_number_in_another_format_redirects_to_its_e164_address(client, desk):
    client.force_login(desk)
    response = client.get(thread_url("+44 7700 900123"))
    assert response.status_code == 302
    assert response["Location"] == thread_url()


def test_something_that_is_not_a_number_is_a_clear_404_and_audited(client, desk):
    client.force_login(desk)
    response = client.get(thread_url("not-a-number"))
    assert response.status_code == 404
    assert "is not a full international number" in response.content.decode()
    assert AuditEvent.objects.filter(action="conversation viewed", outcome="invalid").exists()


def test_another_accounts_messages_never_show(client, desk):
    mirrored(account_id=2, content="Other account's secret")
    client.force_login(desk)
    assert "Other account's secret" not in client.get(thread_url()).content.decode()


def test_messages_newer_than_the_mirror_are_added_from_upstreams_newest_page(
    client, desk, newest_page
):
    newest_page.replace(
        "GET",
        f"{fake.UPSTREAM}/sms/",
        json=fake.page_json(
            [
                message_json(
                    9001,
                    type="received",
                    status="received",
                    content="Just arrived",
                    datetime=timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
                    scheduled_datetime=None,
                )
            ]
        ),
    )
    mirrored(content="Older, mirrored", happened_at=timezone.now() - timedelta(days=1))
    client.force_login(desk)
    page = client.get(thread_url()).content.decode()
    assert page.index("Older, mirrored") < page.index("Just arrived")
    assert "newer than the mirror" in page


def test_an_upstream_failure_still_shows_the_mirrors_copy(client, desk, newest_page):
    newest_page.replace(
        "GET",
        f"{fake.UPSTREAM}/sms/",
        json=error_json("Service unavailable", 503),
        status=503,
    )
    mirrored(content="From the mirror")
    client.force_login(desk)
    page = client.get(thread_url()).content.decode()
    assert "From the mirror" in page
    assert "Only the mirror's copy is shown" in page
