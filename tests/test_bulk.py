"""core.bulk.insert, as the import's bulk writes use it: every row written with the values it was
given and an id the database will not give again; the dates a save sets; JSON as JSON. On SQLite it is
Django's bulk_create; CI runs this on PostgreSQL too, where it is COPY with ids from the sequence."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.models import Team, YoungPerson
from core import bulk
from exchange.models import ReviewItem
from tests.factories import (
    ImportBatchFactory,
    TeamFactory,
    YoungPersonFactory,
    valid_upn,
)
from tracking.models import MonthEndStatus

pytestmark = pytest.mark.django_db


def test_inserted_rows_read_back_with_their_values_and_ids_never_given_again():
    team: Team = TeamFactory()
    before = timezone.now()
    people = [
        YoungPerson(
            legal_given_name="Cara",
            legal_family_name=f"Quenby{n}",
            date_of_birth=date(2010, 3, 4) + timedelta(days=n),
            upn=valid_upn(),
            team=team,
            source="school",
        )
        for n in range(3)
    ]
    inserted = bulk.insert(YoungPerson, people)
    assert all(person.pk for person in inserted)
    stored = {p.pk: p for p in YoungPerson.objects.filter(pk__in=[p.pk for p in inserted])}
    for person in inserted:
        row = stored[person.pk]
        assert (row.legal_family_name, row.date_of_birth, row.upn, row.team_id, row.source) == (
            person.legal_family_name,
            person.date_of_birth,
            person.upn,
            team.pk,
            "school",
        )
        assert row.created_at >= before
        assert row.updated_at >= before
    later = YoungPersonFactory(team=team)
    assert later.pk not in stored


def test_json_is_written_as_json(world):
    batch = ImportBatchFactory(
        team=world.team,
        file_sha256="x",
        uploaded_by=world.service_manager,
    )
    item = ReviewItem(
        batch=batch,
        line=2,
        kind="possible_match",
        reason="a possible match",
        row={"given_name": "Cara", "date_of_birth": "2010-03-04"},
        evidence=[{"field": "postcode", "level": "exact", "weight": 8.0}],
    )
    bulk.insert(ReviewItem, [item])
    stored = ReviewItem.objects.get(pk=item.pk)
    assert stored.row == {"given_name": "Cara", "date_of_birth": "2010-03-04"}
    assert stored.evidence[0]["weight"] == 8.0


def test_values_are_inserted_by_attribute_name_and_the_table_gives_the_ids(world):
    """core.bulk.insert_values, as the month end stores its statuses: foreign keys by their ``_id``."""
    month_end = date(2026, 10, 31)
    values = {
        "month_end": month_end,
        "team_id": world.team.pk,
        "cohort_status": "P",
        "academic_age": 16,
        "in_service_cohort": True,
        "headline": True,
        "status": "neet",
        "participating": False,
        "vulnerable": True,
        "guarantee": "",
        "neet_joiner": True,
        "neet_leaver": False,
        "district": "SS1",
        "sen_status": "N",
        "gender": "F",
        "ethnicity": "WBRI",
        "characteristics": " 110 ",
    }
    people = [world.case, world.other_case]
    bulk.insert_values(MonthEndStatus, [{**values, "young_person_id": person.pk} for person in people])
    stored = MonthEndStatus.objects.filter(month_end=month_end).order_by("young_person_id")
    assert [row.young_person_id for row in stored] == sorted(person.pk for person in people)
    assert {(row.team_id, row.status, row.characteristics, row.neet_joiner) for row in stored} == {
        (world.team.pk, "neet", " 110 ", True)
    }
    assert len({row.pk for row in stored}) == 2
