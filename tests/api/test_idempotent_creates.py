"""A create sent with an Idempotency-Key makes its record once: a retry (a dropped connection, a
timeout) answers with the record the first made; the same key with another body is refused; a create
that was refused leaves the key free for the corrected request; keys are the user's own and kept a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Contact, YoungPerson
from core.models import IdempotentCreate
from sharing.models import SubjectRequest

pytestmark = pytest.mark.django_db
CONTACTS = "/api/v1/contacts/"


def contact(world, **fields) -> dict:
    return {
        "young_person": world.case.pk,
        "occurred_at": timezone.now().isoformat(),
        "method": "phone",
        "purpose": "guidance",
        "notes": "Talked about the college open day",
    } | fields


def test_a_retried_create_makes_one_record_and_answers_with_it(world, api_for):
    api = api_for(world.adviser)
    body = contact(world)
    first = api.post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="7b0c9f3e-retry")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = api.post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="7b0c9f3e-retry")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Contact.objects.filter(young_person=world.case).count() == 1
    without_key = api.post(CONTACTS, body, format="json")  # no key: a second contact, as asked
    assert without_key.status_code == 201
    assert Contact.objects.filter(young_person=world.case).count() == 2


def test_the_same_key_with_another_request_is_refused_and_makes_nothing(world, api_for):
    api = api_for(world.adviser)
    api.post(CONTACTS, contact(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = api.post(
        CONTACTS, contact(world, notes="Another call"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422
    assert "another request" in other.json()["detail"]
    person = {
        "legal_given_name": "Quillon",
        "legal_family_name": "Ashbury-Venn",
        "date_of_birth": "2010-01-01",
        "team": world.team.pk,
    }
    elsewhere = api.post("/api/v1/young-people/", person, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert elsewhere.status_code == 422
    assert Contact.objects.count() == 1
    assert not YoungPerson.objects.filter(legal_family_name="Ashbury-Venn").exists()


def test_keys_are_each_users_own(world, api_for):
    body = contact(world)
    for user in (world.adviser, world.team_manager):
        response = api_for(user).post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
    assert Contact.objects.count() == 2
    stranger = api_for(world.other_adviser).post(
        CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key"
    )
    assert stranger.status_code == 400  # out of their reach: as without a key, and nothing replayed
    assert Contact.objects.count() == 2


def test_a_refused_create_leaves_the_key_free_for_the_corrected_request(world, api_for):
    api = api_for(world.adviser)
    bad = api.post(CONTACTS, contact(world, method="pigeon"), format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert bad.status_code == 400
    fixed = api.post(CONTACTS, contact(world), format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed

    person = world.case  # a likely duplicate (409), then sent again as someone else, with the same key
    twin = {
        "legal_given_name": person.legal_given_name,
        "legal_family_name": person.legal_family_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "team": world.team.pk,
        "lead_adviser": world.adviser.pk,
    }
    maybe = api.post("/api/v1/young-people/", twin, format="json", HTTP_IDEMPOTENCY_KEY="twin")
    assert maybe.status_code == 409
    sure = {**twin, "not_a_duplicate": True}
    made = api.post("/api/v1/young-people/", sure, format="json", HTTP_IDEMPOTENCY_KEY="twin")
    assert made.status_code == 201
    again = api.post("/api/v1/young-people/", sure, format="json", HTTP_IDEMPOTENCY_KEY="twin")
    assert (again.status_code, again.json()["id"]) == (201, made.json()["id"])
    assert YoungPerson.objects.filter(legal_family_name=person.legal_family_name).count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(world, api_for, key):
    response = api_for(world.adviser).post(CONTACTS, contact(world), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(("hours", "replayed"), [(23, True), (25, False)])
def test_a_key_is_kept_a_day(world, api_for, hours, replayed):
    api = api_for(world.adviser)
    body = contact(world)
    api.post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="daily")
    IdempotentCreate.objects.update(created_at=timezone.now() - timedelta(hours=hours))
    again = api.post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="daily")
    assert again.status_code == 201
    assert (again.get("Idempotent-Replayed") == "true") is replayed
    assert Contact.objects.count() == (1 if replayed else 2)


def test_the_claim_holds_no_part_of_the_key_or_the_body(world, api_for):
    api_for(world.adviser).post(
        CONTACTS, contact(world), format="json", HTTP_IDEMPOTENCY_KEY="ULN-1041812328"
    )
    claim = IdempotentCreate.objects.values().get()
    held = " ".join(str(value) for value in claim.values())
    for secret in ("1041812328", "college open day", str(world.case.pk) + ","):
        assert secret not in held


def test_a_subject_request_is_made_once_too(world, api_for):
    body = {
        "young_person": world.case.pk,
        "kind": "access",
        "requester_name": "Requester",
        "relationship": "self",
        "received_on": timezone.localdate().isoformat(),
    }
    api = api_for(world.dpo)
    first = api.post("/api/v1/subject-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="sar-1")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/subject-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="sar-1")
    assert again.json()["id"] == first.json()["id"]
    assert SubjectRequest.objects.count() == 1
