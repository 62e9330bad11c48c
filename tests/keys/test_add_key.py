import pytest

from smsadmin.audit.models import AuditEvent, Outcome
from smsadmin.keys.models import ApiKey
from tests.keys import fakes

pytestmark = pytest.mark.django_db

RAW = "ss-live-add-1234abcd"


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


def add(client, label: str = "Ops phones", raw_key: str = RAW):
    return client.post("/keys/add/", {"label": label, "api_key": raw_key})


def test_the_form_asks_for_the_key_in_a_password_field_that_browsers_do_not_fill(signed_in):
    page = signed_in.get("/keys/add/").content.decode()
    assert 'type="password"' in page
    assert 'name="api_key"' in page
    assert 'autocomplete="off"' in page
    assert '<label for="id_api_key">API key</label>' in page
    assert '<label for="id_label">Label</label>' in page


def test_it_checks_the_key_with_sociostacks_before_saving_it(signed_in, viewer, upstream):
    call = fakes.account_ok(upstream)
    response = add(signed_in)
    assert response.status_code == 302
    assert response["Location"] == "/keys/"
    assert call.call_count == 1
    assert fakes.bearer_of(upstream.calls[0]) == RAW
    key = ApiKey.objects.get()
    assert key.owner == viewer
    assert key.team is None
    assert key.label == "Ops phones"
    assert key.hint == "abcd"
    assert key.reveal() == RAW
    assert key.account_name == "Harbour Ops"
    assert key.account_time_zone == "Europe/Berlin"
    assert key.verified_at is not None


def test_it_says_which_account_the_saved_key_opens(signed_in, upstream):
    fakes.account_ok(upstream)
    add(signed_in)
    page = signed_in.get("/keys/").content.decode()
    assert "“Ops phones” is saved: it opens the Sociostacks account Harbour Ops." in page
    assert "••••abcd" in page


def test_it_records_the_attempt_and_the_outcome_with_label_and_hint_only(signed_in, upstream):
    fakes.account_ok(upstream)
    add(signed_in)
    key = ApiKey.objects.get()
    started, done = AuditEvent.objects.filter(action="key added").order_by("seq")
    assert started.outcome == Outcome.STARTED
    assert started.details == {"label": "Ops phones", "hint": "abcd"}
    assert done.outcome == Outcome.OK
    assert done.parent_id == started.pk
    assert done.target == f"key:{key.pk}"
    assert done.details == {"label": "Ops phones", "hint": "abcd", "account": "Harbour Ops"}


def test_a_key_sociostacks_refuses_is_not_saved_and_the_page_says_so(signed_in, upstream):
    fakes.key_refused(upstream)
    response = add(signed_in)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sociostacks refused this key" in page
    assert "The key was not saved." in page
    assert not ApiKey.objects.exists()


def test_a_refused_key_is_recorded_as_an_upstream_error(signed_in, upstream):
    fakes.key_refused(upstream)
    add(signed_in)
    outcome = AuditEvent.objects.filter(action="key added").order_by("seq").last()
    assert outcome.outcome == Outcome.UPSTREAM_ERROR
    assert outcome.error_class == "AuthenticationFailed"
    assert outcome.upstream_status == 401


@pytest.mark.parametrize(
    "trouble", [fakes.upstream_down, fakes.unreadable, fakes.rate_limited], ids=lambda f: f.__name__
)
def test_when_sociostacks_cannot_be_reached_the_key_is_not_saved_and_the_page_says_why(
    signed_in, upstream, trouble
):
    trouble(upstream)
    page = add(signed_in).content.decode()
    assert "Sociostacks could not be reached" in page and "The key was not saved." in page
    assert "refused" not in page
    assert not ApiKey.objects.exists()


def test_after_a_failed_check_the_label_is_kept_and_the_key_is_not_written_back(
    signed_in, upstream
):
    fakes.upstream_down(upstream)
    page = add(signed_in, label="Night shift").content.decode()
    assert 'value="Night shift"' in page
    assert RAW not in page


def test_it_refuses_a_key_with_spaces_without_asking_sociostacks(signed_in, upstream):
    page = add(signed_in, raw_key="two words").content.decode()
    assert "without spaces" in page
    assert len(upstream.calls) == 0
    assert not ApiKey.objects.exists()


def test_it_needs_a_label_and_a_key(signed_in, upstream):
    response = signed_in.post("/keys/add/", {"label": "", "api_key": ""})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert len(upstream.calls) == 0


@pytest.mark.parametrize("role", ["auditor", None])
def test_a_role_that_uses_no_key_may_not_store_one(client, upstream, role):
    """An auditor reviews the log and needs no key (issue 22); nor does a person with no role."""
    from tests.conftest import make_user

    person = make_user("ada", *([role] if role else []))
    client.force_login(person)
    assert client.get("/keys/add/").status_code == 403
    response = add(client)
    assert response.status_code == 403
    assert len(upstream.calls) == 0
    assert not ApiKey.objects.exists()
    refused = AuditEvent.objects.filter(action="permission denied").last()
    assert (refused.outcome, refused.target) == (Outcome.DENIED, "/keys/add/")
