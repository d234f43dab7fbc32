"""A client stays in step by asking each resource for what changed since its last run: every tracked
resource says when each row was made and last changed, and takes ``updated_since``; a change the
service makes itself (a new activity ends the one before) moves the older row too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from tests.factories import YoungPersonFactory
from tests.tracking.test_work_lists import born_for_guarantee_year, record
from tracking import services as tracking_services
from tracking.models import ActivityCode, CharacteristicCode, IntendedDestination, OfferType

pytestmark = pytest.mark.django_db
RESOURCES = ("contacts", "actions", "activities", "intended-destinations", "offers", "characteristics")


def a_row_of_each(world) -> None:
    person, adviser, today = world.case, world.adviser, timezone.localdate()
    services.contact_log(
        young_person=person,
        actor=adviser,
        occurred_at=timezone.now(),
        method="phone",
        purpose="guidance",
        notes="Talked about college",
        action={"description": "Apply", "owner": "young_person", "due_on": today},
    )
    record(person, "540")
    destination = ActivityCode.objects.get(code="310")
    IntendedDestination.objects.create(young_person=person, code=destination, recorded_on=today)
    year_11 = YoungPersonFactory(
        team=world.team, lead_adviser=adviser, date_of_birth=born_for_guarantee_year(11, today)
    )
    tracking_services.offer_record(
        young_person=year_11,
        actor=adviser,
        guarantee_year=11,
        offer_type=OfferType.objects.get(code="APP"),
        state="offered",
        offered_on=today,
    )
    tracking_services.characteristic_record(
        young_person=person, actor=adviser, start_date=today, code=CharacteristicCode.objects.get(code="140")
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_tracked_resource_says_when_and_takes_updated_since(world, api_for, resource):
    before = timezone.now() - timedelta(seconds=1)
    a_row_of_each(world)
    after = timezone.now() + timedelta(seconds=1)
    api = api_for(world.adviser)
    rows = api.get(f"/api/v1/{resource}/").json()["results"]
    assert rows
    for row in rows:
        assert row["created_at"] <= row["updated_at"]
    since = api.get(f"/api/v1/{resource}/", {"updated_since": before.isoformat()}).json()["results"]
    assert [row["id"] for row in since] == [row["id"] for row in rows]
    assert api.get(f"/api/v1/{resource}/", {"updated_since": after.isoformat()}).json()["results"] == []


def test_a_change_the_service_makes_itself_moves_the_older_row(world, api_for):
    first = record(world.case, "540", started_days_ago=30)
    api = api_for(world.adviser)
    checkpoint = timezone.now()
    later = record(world.case, "410", started_days_ago=1)  # the apprenticeship ends the course
    changed = api.get("/api/v1/activities/", {"updated_since": checkpoint.isoformat()}).json()["results"]
    assert {row["id"] for row in changed} == {first.pk, later.pk}
    ended = next(row for row in changed if row["id"] == first.pk)
    assert ended["end_date"] is not None


def test_disclosures_are_never_changed_and_say_so(world, api_for):
    response = api_for(world.adviser).get(
        "/api/v1/disclosures/", {"updated_since": timezone.now().isoformat()}
    )
    assert response.status_code == 400
    assert response.json()["unknown_parameters"] == ["updated_since"]
