import pytest

from smsadmin.accounts.models import Operator
from smsadmin.audit.models import AuditEvent
from tests.accounts.people.conftest import assert_refused
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    login = make_user("desk", "sender", is_shared=True)
    Operator.objects.create(login=login, name="Maria K.")
    return login


def names(login) -> list[str]:
    return list(login.operators.values_list("name", flat=True))


def test_the_person_page_of_a_shared_login_shows_its_operators(as_admin, desk):
    page = as_admin.get(f"/people/{desk.pk}/").content.decode()
    assert "Operators of this shared login" in page
    assert "Maria K.</textarea>" in page


def test_an_admin_changes_the_list_and_the_free_text_choice(as_admin, desk):
    response = as_admin.post(
        f"/people/{desk.pk}/operators/",
        {"operators": "Sam\nPriya Patel", "may_type_a_name": "on"},
        follow=True,
    )
    assert "The operators are saved." in response.content.decode()
    assert names(desk) == ["Priya Patel", "Sam"]
    desk.refresh_from_db()
    assert desk.operators_may_type_a_name


def test_it_is_audited_with_before_and_after(as_admin, admin_user, desk):
    as_admin.post(f"/people/{desk.pk}/operators/", {"operators": "Maria K.\nSam"})
    event = AuditEvent.objects.get(action="operators changed")
    assert (event.actor, event.target) == (admin_user, "user:desk")
    assert event.details == {
        "before": {"operators": ["Maria K."], "may_type_a_name": False},
        "after": {"operators": ["Maria K.", "Sam"], "may_type_a_name": False},
    }


def test_no_change_is_recorded_as_no_change(as_admin, desk):
    as_admin.post(f"/people/{desk.pk}/operators/", {"operators": "Maria K."})
    event = AuditEvent.objects.get(action="operators changed")
    assert event.details == {"operators": ["Maria K."], "may_type_a_name": False, "changed": False}


def test_an_empty_list_without_free_text_is_refused(as_admin, desk):
    response = as_admin.post(f"/people/{desk.pk}/operators/", {"operators": ""})
    assert response.status_code == 400
    assert "List at least one operator" in response.content.decode()
    assert names(desk) == ["Maria K."]


def test_a_personal_login_has_no_operators(as_admin, sender):
    assert as_admin.post(f"/people/{sender.pk}/operators/", {"operators": "Sam"}).status_code == 404
    assert (
        "Operators of this shared login"
        not in as_admin.get(f"/people/{sender.pk}/").content.decode()
    )


def test_it_refuses_anyone_but_an_admin(client, not_an_admin, desk):
    assert_refused(
        client, not_an_admin, "post", f"/people/{desk.pk}/operators/", {"operators": "Eve"}
    )
    assert names(desk) == ["Maria K."]
