"""Schools, colleges and providers are written and read by the DfE registers' own references: a school
by its URN, a college or provider by its UKPRN, and by id only an organisation that has neither. An
answer carries all three and the name, and a reference the service does not hold is refused naming it
(as the DfE's codes are: an internal row id meant another school)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Organisation, YoungPerson
from tests.factories import OrganisationFactory
from tracking.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return {
        "school": OrganisationFactory(name="Hillside Academy", urn="100001"),
        "college": OrganisationFactory(
            name="Riverside College", kind=Organisation.Kind.COLLEGE, ukprn="10001234"
        ),
        "agency": OrganisationFactory(name="Youth Hub", kind=Organisation.Kind.VOLUNTARY),
    }


def activity(api, person, **extra):
    body = {
        "young_person": person.pk,
        "code": "310",
        "start_date": str(timezone.localdate() - timedelta(days=3)),
        "date_ascertained": str(timezone.localdate()),
        **extra,
    }
    return api.post("/api/v1/activities/", body, format="json")


def test_a_provider_is_given_by_ukprn_and_answered_with_every_reference(world, api_for, places):
    api = api_for(world.adviser)
    created = activity(api, world.case, provider={"ukprn": "10001234"})
    assert created.status_code == 201, created.content
    college = places["college"]
    expected = {"id": college.pk, "urn": None, "ukprn": "10001234", "name": "Riverside College"}
    assert created.json()["provider"] == expected
    assert Activity.objects.get(pk=created.json()["id"]).provider == college
    listed = api.get("/api/v1/activities/", {"young_person": world.case.pk}).json()["results"]
    assert listed[0]["provider"] == expected


def test_a_school_is_changed_by_urn_with_the_reason(world, api_for, places):
    api = api_for(world.adviser)
    changed = api.patch(
        f"/api/v1/young-people/{world.case.pk}/",
        {"school": {"urn": "100001"}, "reason": "Moved school"},
        format="json",
        HTTP_IF_MATCH=api.get(f"/api/v1/young-people/{world.case.pk}/")["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["school"]["name"] == "Hillside Academy"
    assert YoungPerson.objects.get(pk=world.case.pk).school == places["school"]


def test_an_organisation_with_neither_reference_is_given_by_id(world, api_for, places):
    created = activity(api_for(world.adviser), world.case, provider={"id": places["agency"].pk})
    assert created.status_code == 201, created.content
    assert created.json()["provider"]["urn"] is None
    assert created.json()["provider"]["ukprn"] is None


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ({"urn": "999999"}, "No organisation with URN 999999"),
        ({"ukprn": "10009999"}, "No organisation with UKPRN 10009999"),
        ({"id": 2**70}, "No organisation with id"),
        ({"urn": "100001", "ukprn": "10001234"}, "Give one of urn, ukprn or id"),
        ({"name": "Riverside College"}, "Give one of urn, ukprn or id"),
        (41, "Give one of urn, ukprn or id"),  # a bare row id, as the API took before
        ({"id": True}, "No organisation with id"),
        ({"urn": "1000\x0001"}, "No organisation with URN"),  # PostgreSQL's text cannot hold NUL
    ],
)
def test_a_reference_the_service_does_not_hold_is_refused_naming_it(
    world, api_for, places, provider, message
):
    refused = activity(api_for(world.adviser), world.case, provider=provider)
    assert refused.status_code == 400
    assert refused.json()["provider"][0].startswith(message)
    assert not Activity.objects.filter(young_person=world.case).exists()


def test_a_dfe_code_holding_nul_is_refused_as_unknown_not_a_server_error(world, api_for):
    refused = activity(api_for(world.adviser), world.case, code="3\x0010")
    assert refused.status_code == 400
    assert refused.json()["code"][0].startswith("Object with code=3")
    assert not Activity.objects.filter(young_person=world.case).exists()


def test_listing_reads_the_organisations_with_the_rows(world, api_for, places):
    api = api_for(world.adviser)
    activity(api, world.case, provider={"ukprn": "10001234"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/activities/").status_code == 200
        return len(captured)

    queries()
    few = queries()
    for place in places.values():
        Activity.objects.create(
            young_person=world.colleague_case,
            code=Activity.objects.first().code,
            start_date=timezone.localdate() - timedelta(days=400),
            end_date=timezone.localdate() - timedelta(days=300),
            date_ascertained=timezone.localdate() - timedelta(days=400),
            provider=place,
        )
    assert queries() == few
