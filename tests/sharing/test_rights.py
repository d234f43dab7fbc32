"""Restriction of processing, the ICO deadline rule, subject requests, bundles and breaches."""

import hashlib
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import services as case_services
from cases.models import Restriction
from sharing import rules, services
from sharing.models import AccessBundle, SubjectRequest
from tests.factories import (
    BreachFactory,
    ContactFactory,
    OrganisationFactory,
    ParentCarerFactory,
    SensitiveNoteFactory,
    YoungPersonFactory,
)
from tracking import dashboards
from tracking import rules as tracking_rules

pytestmark = pytest.mark.django_db


def restrict(person, kind="art18"):
    return Restriction.objects.create(
        young_person=person, kind=kind, set_by="young_person", set_on=timezone.localdate()
    )


def test_a_restricted_record_can_be_changed_only_by_the_dpo_and_says_so_on_every_page(world, client_for):
    restrict(world.case)
    with pytest.raises(ValidationError, match="only the data protection officer"):
        case_services.young_person_update(young_person=world.case, actor=world.adviser, reason="x", phone="1")
    for name in ("cases:young-person-detail", "tracking:destinations", "sharing:disclosures"):
        html = client_for(world.adviser).get(reverse(name, args=[world.case.pk])).content.decode()
        assert "processing is restricted" in html
    case_services.young_person_update(
        young_person=world.case, actor=world.dpo, reason="Rectification", phone="1"
    )


def test_the_s507b_banner_says_who_controls_it(world, client_for):
    restrict(world.case, "s507b")
    html = (
        client_for(world.adviser)
        .get(reverse("cases:young-person-detail", args=[world.case.pk]))
        .content.decode()
    )
    assert "Section 507B restriction" in html
    assert "young person&#x27;s to change" in html  # the factory's young people are 16


@pytest.mark.parametrize(
    ("received", "verified", "clarified", "extension", "due"),
    [
        (date(2025, 1, 3), None, None, 0, date(2025, 2, 3)),
        (date(2025, 1, 31), None, None, 0, date(2025, 2, 28)),
        (date(2024, 1, 31), None, None, 0, date(2024, 2, 29)),  # leap year
        (date(2025, 3, 31), None, None, 0, date(2025, 4, 30)),
        (date(2025, 1, 3), date(2025, 1, 10), None, 0, date(2025, 2, 10)),  # the clock restarts on ID
        (
            date(2025, 1, 3),
            date(2025, 1, 10),
            date(2025, 1, 20),
            0,
            date(2025, 2, 20),
        ),  # and on clarification
        (date(2025, 1, 31), None, None, 2, date(2025, 4, 30)),  # extended by two months
    ],
)
def test_the_ico_deadline(received, verified, clarified, extension, due):
    assert (
        rules.subject_request_due(
            received_on=received,
            identity_verified_on=verified,
            clarification_received_on=clarified,
            extension_months=extension,
        )
        == due
    )


def request_for(world, **fields):
    values = {
        "kind": "access",
        "requester_name": "Requester",
        "relationship": "self",
        "received_on": timezone.localdate(),
        "young_person": world.case,
    } | fields
    return SubjectRequest(**values)


def test_a_request_received_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.subject_request_save(
            request=request_for(world, received_on=timezone.localdate() + timedelta(days=1)), actor=world.dpo
        )
    assert "received_on" in error.value.message_dict


def test_an_extension_beyond_three_months_in_all_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.subject_request_save(
            request=request_for(
                world, extension_months=3, extension_reason="Complex", extension_told_on=timezone.localdate()
            ),
            actor=world.dpo,
        )
    assert "extension_months" in error.value.message_dict


def test_an_extension_needs_a_reason_told_in_the_first_month(world):
    with pytest.raises(ValidationError) as error:
        services.subject_request_save(request=request_for(world, extension_months=1), actor=world.dpo)
    assert "extension_reason" in error.value.message_dict
    saved = services.subject_request_save(
        request=request_for(
            world, extension_months=1, extension_reason="Complex", extension_told_on=timezone.localdate()
        ),
        actor=world.dpo,
    )
    assert saved.due_on == rules.subject_request_due(received_on=timezone.localdate(), extension_months=1)


def test_the_bundle_holds_every_kind_of_record_and_history_about_them_and_nothing_else(
    world, django_capture_on_commit_callbacks, eager_celery
):
    person = world.case
    ContactFactory(young_person=person, staff_member=world.adviser, notes="Talked about apprenticeships")
    ParentCarerFactory(young_person=person, name="Pat Parent")
    SensitiveNoteFactory(young_person=person, note="Asthma", recorded_by=world.adviser)
    case_services.young_person_update(
        young_person=person, actor=world.adviser, reason="New phone", phone="07700900111"
    )
    other = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    ContactFactory(young_person=other, staff_member=world.adviser, notes="About someone else")
    client_request = services.subject_request_save(request=request_for(world), actor=world.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.access_bundle_request(subject_request=client_request, actor=world.dpo)

    bundle.refresh_from_db()  # built by the Celery task, queued on commit
    assert (bundle.state, bundle.progress) == (AccessBundle.State.READY, 100)
    content = json.loads(bundle.content_json)
    assert content["record"][0]["id"] == person.pk
    assert [c["notes"] for c in content["contacts"]] == ["Talked about apprenticeships"]
    assert len(content["history of record"]) == person.history.count() == 2
    assert content["sensitive notes"][0]["note"] == "Asthma"
    assert "About someone else" not in bundle.content_json
    assert str(other.pk) not in {
        str(row.get("young_person_id")) for rows in content.values() if isinstance(rows, list) for row in rows
    }
    assert "Pat Parent" in bundle.third_party_names
    disclosure, _ = services.access_bundle_release(bundle=bundle, actor=world.dpo)
    assert disclosure.recipient_name == "Requester"


def test_breach_notification_is_due_72_hours_after_awareness(world):
    aware = timezone.now() - timedelta(hours=73)
    breach = BreachFactory(aware_at=aware, recorded_by=world.dpo)
    assert breach.ico_due_at == aware + timedelta(hours=72)
    assert breach.ico_overdue
    breach.ico_notified_at = timezone.now()
    assert not breach.ico_overdue


def test_the_dpo_sees_overdue_requests_and_breaches_in_the_admin(world, client_for):
    overdue = request_for(world, received_on=timezone.localdate() - timedelta(days=40))
    services.subject_request_save(request=overdue, actor=world.dpo)
    BreachFactory(
        aware_at=timezone.now() - timedelta(days=5), breach_type="availability", recorded_by=world.dpo
    )
    client = client_for(world.dpo)
    assert "(overdue)" in client.get(reverse("admin:sharing_subjectrequest_changelist")).content.decode()
    assert "(overdue)" in client.get(reverse("admin:sharing_breach_changelist")).content.decode()


def test_the_dpo_reviews_the_bundle_as_a_document_with_third_parties_marked(
    world, client_for, django_capture_on_commit_callbacks, eager_celery
):
    ParentCarerFactory(young_person=world.case, name="Pat Parent")
    subject_request = services.subject_request_save(request=request_for(world), actor=world.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.access_bundle_request(subject_request=subject_request, actor=world.dpo)
    client = client_for(world.dpo)
    html = client.get(reverse("sharing:bundle-document", args=[bundle.pk])).content.decode()
    assert '<mark title="Another person\'s name: review before release">Pat Parent</mark>' in html
    assert escape(world.case.legal_family_name) in html  # as the page shows it (an apostrophe is escaped)
    change = client.get(reverse("admin:sharing_subjectrequest_change", args=[subject_request.pk]))
    assert "Build the access bundle" in change.content.decode()
    adviser = client_for(world.adviser)  # the same client, now signed in as the adviser
    assert adviser.get(reverse("sharing:bundle-document", args=[bundle.pk])).status_code == 403


def test_the_nccis_return_carries_a_restricted_record_and_its_disclosure_says_so(world):
    """ADR 0010: a statutory return is not trimmed by a restriction; the disclosure names the record."""
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    person = YoungPersonFactory(
        team=world.team,
        date_of_birth=date(
            tracking_rules.academic_year_start(month_end) - 17, 12, 1
        ),  # Year 12: in the return
        on_file_since=month_end - timedelta(days=300),
    )
    Restriction.objects.create(
        young_person=person, kind="art18", set_by="young_person", set_on=month_end - timedelta(days=30)
    )
    dfe = OrganisationFactory(name="Department for Education")
    content, _, disclosure = services.nccis_return_release(
        actor=world.service_manager, month_end=month_end, dfe=dfe
    )
    assert f"<YPID>{person.pk}</YPID>" in content.decode()
    assert disclosure.young_people.filter(pk=person.pk).exists()
    assert disclosure.file_sha256 == hashlib.sha256(content).hexdigest()
    assert f"Record {person.pk}: art18 in force" in disclosure.carried_despite_restriction
    assert "ADR 0010" in disclosure.carried_despite_restriction
    assert f"Record {world.case.pk}:" not in disclosure.carried_despite_restriction  # not restricted
