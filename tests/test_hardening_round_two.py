"""Issue 15's smaller findings, each a regression test: server errors on hand-made input, pages kept
by caches, the session key not rotated at the second step, API tokens surviving a new password."""

import base64

import pytest
from django.urls import reverse
from knox.models import AuthToken

from core.models import StaffSession
from tests.factories import authenticator, otp_code
from tests.test_two_factor_and_sessions import enter_code, password_sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", [b"p=abc", b"o=1&p=1e99", b"p=99999999999999999999999"])
def test_a_cursor_the_api_did_not_give_is_404(world, api_for, raw):
    cursor = base64.b64encode(raw).decode()
    assert api_for(world.adviser).get(f"/api/v1/contacts/?cursor={cursor}").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("dimension=team&value=abc", 400),
        ("dimension=team&value=99999999999999999999", 400),
        ("dimension=academic_age&value=x", 400),
        ("dimension=team&value=1", 200),
        ("dimension=gender&value=abc", 200),  # finds no one
    ],
)
def test_a_hand_edited_dashboard_link_is_a_bad_request_not_an_error(world, client_for, query, status):
    response = client_for(world.service_manager).get(
        f"{reverse('tracking:dashboard-people')}?measure=neet&{query}"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "url",
    [
        lambda world: reverse("cases:young-person-detail", args=[world.case.pk]),
        lambda world: reverse("cases:caseload-export"),
        lambda world: f"/api/v1/young-people/{world.case.pk}/",
        lambda world: reverse("admin:index"),
    ],
    ids=["record page", "caseload CSV", "API record", "admin"],
)
def test_nothing_a_signed_in_person_sees_is_stored_by_a_cache(world, client_for, url):
    response = client_for(world.dpo if "admin" in url(world) else world.adviser).get(url(world))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_session_key_changes_when_the_code_is_accepted_and_is_the_one_remembered(client, world):
    password_sign_in(client, "adviser")
    before = client.session.session_key
    authenticator(world.adviser)
    enter_code(client, otp_code(world.adviser))
    after = client.session.session_key
    assert after != before
    assert list(StaffSession.objects.filter(user=world.adviser).values_list("session_key", flat=True)) == [
        after
    ]


def test_a_new_password_ends_every_api_token(world):
    AuthToken.objects.create(user=world.adviser)
    world.adviser.set_password("A-new-l0ng-password")
    world.adviser.save()
    assert not AuthToken.objects.filter(user=world.adviser).exists()
    AuthToken.objects.create(user=world.adviser)
    world.adviser.first_name = "Renamed"
    world.adviser.save()  # other changes leave tokens alone
    assert AuthToken.objects.filter(user=world.adviser).exists()
