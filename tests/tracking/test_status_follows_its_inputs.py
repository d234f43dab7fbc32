"""CurrentStatus follows every change to what the rules read, and only that: editing a phone number
refreshes nothing, while a new postcode, team or date of birth refreshes the person's status at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import YoungPerson
from tracking.models import CurrentStatus

pytestmark = pytest.mark.django_db


def _edit(world, **fields) -> list[str]:
    person = YoungPerson.objects.get(pk=world.case.pk)  # as a page reads it
    with CaptureQueriesContext(connection) as queries:
        services.young_person_update(young_person=person, actor=world.adviser, reason="Corrected", **fields)
    return [query["sql"] for query in queries.captured_queries]


def _touches_status(sql: list[str]) -> bool:
    return any("tracking_currentstatus" in statement for statement in sql)


def test_a_phone_number_refreshes_no_status(world):
    sql = _edit(world, phone="07700 900456")
    assert not _touches_status(sql)
    assert len(sql) < 15  # was 24 when every save refreshed the status


def test_an_unchanged_postcode_in_another_spelling_refreshes_no_status(world):
    stored = YoungPerson.objects.get(pk=world.case.pk).postcode
    assert not _touches_status(_edit(world, postcode=stored.lower().replace(" ", "")))


def test_a_new_postcode_refreshes_the_district(world):
    assert _touches_status(_edit(world, postcode="SS1 2AB"))
    assert CurrentStatus.objects.get(young_person=world.case).district == "SS1"


def test_a_new_team_refreshes_the_status(world):
    assert _touches_status(_edit(world, team=world.other_team))
    assert CurrentStatus.objects.get(young_person=world.case).team == world.other_team


def test_a_corrected_date_of_birth_refreshes_the_academic_age(world):
    before = CurrentStatus.objects.get(young_person=world.case).academic_age
    born = YoungPerson.objects.get(pk=world.case.pk).date_of_birth
    assert _touches_status(_edit(world, date_of_birth=born.replace(year=born.year - 2)))
    assert CurrentStatus.objects.get(young_person=world.case).academic_age == before + 2


def test_a_second_save_of_the_same_instance_compares_with_what_it_saved(world):
    person = YoungPerson.objects.get(pk=world.case.pk)
    services.young_person_update(young_person=person, actor=world.adviser, reason="Moved", postcode="SS1 2AB")
    with CaptureQueriesContext(connection) as queries:
        services.young_person_update(
            young_person=person, actor=world.adviser, reason="Phone", phone="07700 900457"
        )
    assert not _touches_status([query["sql"] for query in queries.captured_queries])
