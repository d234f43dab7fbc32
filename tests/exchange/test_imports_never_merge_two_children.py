"""The cases that once attached one child's data to another's record, through the import page a
service manager uses: each now creates a record or waits for a person, and the record on file keeps its
names, date of birth and address."""

import pytest

from cases.models import Organisation, YoungPerson
from cases.validators import TEMPORARY_ULN
from exchange.models import ImportBatch, ReviewItem
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row, upload
from tests.factories import OrganisationFactory, YoungPersonFactory, years_ago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

ENROLMENT_HEADER = [
    "ULN",
    "Forename",
    "Surname",
    "Date of birth",
    "Postcode",
    "UKPRN",
    "Course",
    "Start date",
]


def _import(client, world, school, header, rows, capture, file_format="school_roll"):
    with capture(execute=True):
        upload(client, world, school, csv_bytes(header, rows), file_format=file_format)
    return ImportBatch.objects.latest("pk")


def _unchanged(person: YoungPerson) -> None:
    stored = YoungPerson.objects.get(pk=person.pk)
    assert (stored.legal_given_name, stored.legal_family_name, stored.date_of_birth, stored.postcode) == (
        person.legal_given_name,
        person.legal_family_name,
        person.date_of_birth,
        person.postcode,
    )


def test_learners_with_the_temporary_uln_are_never_matched_by_it(
    client, world, django_capture_on_commit_callbacks
):
    college = OrganisationFactory(name="Bay College", kind=Organisation.Kind.COLLEGE, ukprn="10001234")
    holder = world.case
    holder.uln = TEMPORARY_ULN
    holder.save()
    start = years_ago(0, 30)
    rows = [
        [TEMPORARY_ULN, "Kit", "Lowleigh", years_ago(17, 5), "ME4 4TB", "10001234", "Art L3", start],
        [TEMPORARY_ULN, "Dev", "Ranawick", years_ago(17, 90), "CM1 1AA", "10001234", "Plumbing L2", start],
    ]
    batch = _import(
        client, world, college, ENROLMENT_HEADER, rows, django_capture_on_commit_callbacks, "enrolments"
    )
    assert (batch.state, batch.errors, batch.created, batch.updated) == ("applied", [], 2, 0)
    _unchanged(holder)
    assert set(
        YoungPerson.objects.filter(legal_family_name__in=["Lowleigh", "Ranawick"]).values_list(
            "uln", flat=True
        )
    ) == {""}


def test_a_upn_keyed_against_another_pupil_waits_for_a_person(
    client, world, school, django_capture_on_commit_callbacks
):
    row = school_row(
        upn=world.case.upn, given="Zora", family="Quill", born=years_ago(15, 200), postcode="CM1 1AA"
    )
    batch = _import(client, world, school, SCHOOL_HEADER, [row], django_capture_on_commit_callbacks)
    assert (batch.updated, batch.created, batch.to_review) == (0, 0, 1)
    item = ReviewItem.objects.get()
    assert item.kind == ReviewItem.Kind.IDENTIFIER_CONFLICT
    assert list(item.candidates.all()) == [world.case]
    assert {fact["field"]: fact["level"] for fact in item.evidence}["given name"] == "different"
    _unchanged(world.case)
    page = client.get(f"/imports/review/{item.pk}/").content.decode()
    assert "How the row compares with the likeliest record" in page


def test_the_same_names_and_birthday_alone_do_not_update_a_record(
    client, world, school, django_capture_on_commit_callbacks
):
    on_file = YoungPersonFactory(
        team=world.team, upn="", legal_given_name="Olivia", legal_family_name="Smith", postcode="SS1 2AB"
    )
    row = school_row(given="Olivia", family="Smith", born=on_file.date_of_birth, postcode="ME4 4TB")
    batch = _import(client, world, school, SCHOOL_HEADER, [row], django_capture_on_commit_callbacks)
    assert batch.updated == 0
    assert ReviewItem.objects.get().kind == ReviewItem.Kind.POSSIBLE_MATCH
    _unchanged(on_file)
    assert YoungPerson.objects.get(pk=on_file.pk).upn == ""  # the other child's UPN did not land on her


def test_a_twin_becomes_a_record_of_their_own(client, world, school, django_capture_on_commit_callbacks):
    oliver = YoungPersonFactory(
        team=world.team,
        legal_given_name="Oliver",
        legal_family_name="Hartwelling",
        gender="M",
        postcode="SS1 2AB",
        school=school,
    )
    row = school_row(
        given="Olivia", family="Hartwelling", born=oliver.date_of_birth, postcode="SS1 2AB", Gender="F"
    )
    batch = _import(client, world, school, SCHOOL_HEADER, [row], django_capture_on_commit_callbacks)
    assert (batch.created, batch.updated, batch.to_review) == (1, 0, 0)
    olivia = YoungPerson.objects.get(legal_given_name="Olivia", legal_family_name="Hartwelling")
    assert olivia.pk != oliver.pk
    _unchanged(oliver)


def test_an_identifier_match_never_rewrites_names_or_birthday(
    client, world, school, django_capture_on_commit_callbacks
):
    person = world.case
    family = person.legal_family_name
    typo = family[0] + family[2] + family[1] + family[3:] if len(family) > 3 else family + "e"
    row = school_row(person, family=typo, postcode="ME4 4TB")
    batch = _import(client, world, school, SCHOOL_HEADER, [row], django_capture_on_commit_callbacks)
    assert batch.updated == 1
    stored = YoungPerson.objects.get(pk=person.pk)
    assert stored.legal_family_name == family
    assert stored.postcode == "ME4 4TB"  # the new address is taken; the name stays as the record has it
    assert not ReviewItem.objects.exists()
