"""An unfinished import keeps its whole file: the purge drops a file that names a person it destroys
(their UPN or ULN anywhere, or their names and date of birth on one line) and leaves the others."""

from datetime import date

import pytest
from django.utils import timezone

from retention import services
from tests.factories import ImportBatchFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db
HEADER = "upn,uln,given_name,family_name,date_of_birth\n"


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        (",,Halcyon,Yarrowby,2001-05-03", True),  # ISO date
        (",,HALCYON,yarrowby,03/05/2001", True),  # dd/mm/yyyy, any case
        (",,Yarrowby,Halcyon,2001-05-03", True),  # names swapped round
        ("{upn},,Other,Person,2010-01-01", True),  # their UPN
        (",{uln},Other,Person,2010-01-01", True),  # their ULN
        (",,Halcyon,Yarrowby,2001-05-04", False),  # another birthday
        (",,Halcyon,Quenby,2001-05-03", False),  # another family name
        ("{upn}9,{uln}9,Other,Person,2010-01-01", False),  # longer identifiers: another's
        (",,Halcyon,Yarrowby,\n,,Other,Person,2001-05-03", False),  # date on another line
    ],
)
def test_a_file_naming_the_person_is_dropped_and_one_that_does_not_is_kept(world, line, dropped):
    person = YoungPersonFactory(
        team=world.team,
        legal_given_name="Halcyon",
        legal_family_name="Yarrowby",
        date_of_birth=date(2001, 5, 3),
    )
    batch = ImportBatchFactory(
        team=world.team,
        file_sha256="roll",
        uploaded_by=world.service_manager,
        state="queued",
        content=(HEADER + line.format(upn=person.upn, uln=person.uln) + "\n").encode(),
    )
    services.erase(young_person_id=person.pk, actor=world.dpo, reason="Erasure request 1")
    batch.refresh_from_db()
    assert (batch.content is None) is dropped
    assert (batch.state == "rejected") is dropped
    if dropped:
        assert batch.errors == [[0, "the file named a person whose record was destroyed: it was removed"]]
    assert batch.uploaded_at < timezone.now()
