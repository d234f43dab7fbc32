"""An Article 18 restriction holds on every write about the person, whatever its shape: a test walks
every service that takes a young person and finds each refuses everyone but the DPO. A new service
that takes a young person must be added here, or this test fails."""

import importlib
import inspect
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Action, Contact, Restriction, YoungPersonUserObjectPermission
from exchange.models import ReviewItem, SelfUpdateLink
from sharing.services import ShareRefused
from tests.factories import ImportBatchFactory, OrganisationFactory
from tracking.models import ActivityCode, CharacteristicCode, OfferType

pytestmark = pytest.mark.django_db
APPS = ("cases", "tracking", "sharing", "exchange", "retention")
PERSON_PARAMETERS = {"young_person", "young_people", "kept", "action", "subject_request", "item"}
REFUSED = (case_services.RESTRICTED, "only the data protection officer can share it")


def waiting_row(world) -> ReviewItem:
    batch = ImportBatchFactory(team=world.team, uploaded_by=world.service_manager, state="applied")
    return ReviewItem.objects.create(
        batch=batch, line=2, kind="possible_match", reason="a possible match", row={}
    )


def calls(world, person, colleague_case):
    """Each service's call about ``person`` (as its lead adviser), or the reason it is not walked."""
    today = timezone.localdate()
    return {
        "cases.action_add": lambda a: case_services.action_add(
            young_person=person, actor=a, description="Visit", owner="young_person", due_on=today
        ),
        "cases.action_complete": lambda a: case_services.action_complete(
            action=Action.objects.get(young_person=person), actor=a
        ),
        "cases.assign": lambda a: case_services.assign(young_person=person, adviser=world.colleague, actor=a),
        "cases.co_worker_grant": lambda a: case_services.co_worker_grant(
            young_person=person,
            user=world.colleague,
            actor=a,
            until=today + timedelta(days=5),
            reason="Cover",
        ),
        "cases.co_worker_revoke": lambda a: case_services.co_worker_revoke(
            young_person=person, user=world.co_worker, actor=a, reason="Done"
        ),
        "cases.contact_log": lambda a: case_services.contact_log(
            young_person=person,
            actor=a,
            occurred_at=timezone.now(),
            method="phone",
            purpose="guidance",
            notes="x",
        ),
        "cases.restriction_set": lambda a: case_services.restriction_set(
            young_person=person, actor=a, kind="s507b", set_by="parent", set_on=today
        ),
        "cases.sensitive_note_add": lambda a: case_services.sensitive_note_add(
            young_person=person, actor=a, category="health", note="x"
        ),
        "cases.young_person_update": lambda a: case_services.young_person_update(
            young_person=person, actor=a, reason="x", town="Leigh"
        ),
        "tracking.activity_record": lambda a: services("tracking").activity_record(
            young_person=person,
            actor=a,
            code=ActivityCode.objects.get(code="619"),
            start_date=today,
            date_ascertained=today,
        ),
        "tracking.allocate": lambda a: services("tracking").allocate(
            young_person=person, adviser=world.adviser, actor=a
        ),
        "tracking.characteristic_record": lambda a: services("tracking").characteristic_record(
            young_person=person, actor=a, code=CharacteristicCode.objects.get(code="140"), start_date=today
        ),
        "tracking.intended_destination_record": lambda a: services("tracking").intended_destination_record(
            young_person=person, actor=a, code=ActivityCode.objects.get(code="310"), recorded_on=today
        ),
        "tracking.offer_record": lambda a: services("tracking").offer_record(
            young_person=person,
            actor=a,
            guarantee_year=11,
            offered_on=today,
            offer_type=OfferType.objects.get(code="APP"),
        ),
        "tracking.records_merge": lambda a: services("tracking").records_merge(
            kept=person, merged=colleague_case, actor=a, reason="Duplicate"
        ),
        "sharing.share": lambda a: services("sharing").share(
            actor=a,
            young_people=[person],
            categories=["identity"],
            purpose="x",
            recipient=OrganisationFactory(),
        ),
        "sharing.transfer_out": lambda a: services("sharing").transfer_out(
            actor=a, young_person=person, council=OrganisationFactory(kind="council", la_code="886")
        ),
        "exchange.self_update_send": lambda a: services("exchange").self_update_send(
            young_person=person, actor=a
        ),
        "exchange.review_resolve": lambda a: services("exchange").review_resolve(
            item=waiting_row(world), actor=a, young_person=person
        ),
        # not walked, and why
        "cases.access_event_record": "a read, recorded",
        "cases.access_events_record": "a read, recorded",
        "sharing.access_bundle_request": "the DPO's (a subject access request)",
        "sharing.erasure_hand_over": "the DPO's (an erasure request)",
        "exchange.review_dismiss": "names no person: the row is dropped",
    }


def messages_of(error: Exception) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def services(app):
    return importlib.import_module(f"{app}.services")


def walked_services() -> set[str]:
    found = set()
    for app in APPS:
        module = services(app)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameters = set(inspect.signature(function).parameters)
            if (
                function.__module__ == module.__name__
                and not name.startswith("_")
                and parameters & PERSON_PARAMETERS
            ):
                found.add(f"{app}.{name}")
    return found


def test_every_service_about_a_person_is_listed(world):
    assert set(calls(world, world.case, world.colleague_case)) == walked_services()


def test_every_write_about_a_restricted_person_is_refused_to_all_but_the_dpo(world):
    person = world.case
    Action.objects.create(
        young_person=person, description="Before", owner="young_person", due_on=timezone.localdate()
    )
    case_services.co_worker_grant(
        young_person=person,
        user=world.co_worker,
        actor=world.team_manager,
        until=timezone.localdate() + timedelta(days=9),
        reason="Cover",
    )
    restriction = case_services.restriction_set(
        young_person=person, actor=world.dpo, kind="art18", set_by="young_person", set_on=timezone.localdate()
    )
    before = {
        model.__name__: model.objects.filter(**{link: person}).count()
        for model, link in (
            (Contact, "young_person"),
            (Action, "young_person"),
            (Restriction, "young_person"),
            (YoungPersonUserObjectPermission, "content_object"),
            (SelfUpdateLink, "young_person"),
        )
    }
    for name, call in calls(world, person, world.colleague_case).items():
        if isinstance(call, str):
            continue
        for actor in (world.adviser, world.team_manager):
            with pytest.raises((ValidationError, ShareRefused)) as refused:
                call(actor)
            assert any(words in message for message in messages_of(refused.value) for words in REFUSED), (
                name,
                refused.value.messages,
            )
    after = {
        model.__name__: model.objects.filter(**{link: person}).count()
        for model, link in (
            (Contact, "young_person"),
            (Action, "young_person"),
            (Restriction, "young_person"),
            (YoungPersonUserObjectPermission, "content_object"),
            (SelfUpdateLink, "young_person"),
        )
    }
    assert after == before
    assert restriction.pk
    person.refresh_from_db()
    assert person.town != "Leigh"
    case_services.young_person_update(
        young_person=person, actor=world.dpo, reason="Rectification", town="Leigh"
    )
    case_services.co_worker_revoke(young_person=person, user=world.co_worker, actor=world.dpo, reason="Done")
    person.refresh_from_db()
    assert person.town == "Leigh"  # the DPO still can


def test_the_self_update_page_says_why_no_link_is_made_for_a_restricted_record(world, client_for):
    case_services.restriction_set(
        young_person=world.case,
        actor=world.dpo,
        kind="art18",
        set_by="young_person",
        set_on=timezone.localdate(),
    )
    response = client_for(world.adviser).post(
        reverse("exchange:self-update-send", args=[world.case.pk]), {"channel": "shown"}
    )
    assert response.status_code == 200
    assert case_services.RESTRICTED in response.content.decode()
    assert not SelfUpdateLink.objects.filter(young_person=world.case).exists()
