"""What the NCCIS return carries for a person: every data item the MIR has that the service holds, the
council's own codes, guarantee categories as codes, and no empty elements."""

import io
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.models import Organisation, YoungPerson
from tests.factories import OrganisationFactory, YoungPersonFactory, a_year_ago, on_file_from
from tracking import dashboards, nccis, rules, services
from tracking.models import ActivityCode, CohortExit, Merge

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")  # the council's time zone (settings.TIME_ZONE)


def write(month_end):
    out = io.StringIO()
    summary = nccis.write_return(month_end, out)
    return ET.fromstring(out.getvalue()), summary  # noqa: S314 - the XML this test just wrote


def person_in(root, person) -> ET.Element:
    return next(p for p in root.iter("YoungPerson") if p.findtext("YPID") == str(person.pk))


def last_month_end():
    return dashboards.month_ends_before(timezone.localdate(), 1)[0]


def year_12(month_end):
    return date(rules.academic_year_start(month_end) - 17, 12, 1)  # academic age 16


def test_a_person_carries_every_item_the_service_holds(world):
    month_end = last_month_end()
    school = OrganisationFactory(kind=Organisation.Kind.SCHOOL, la_code="886")
    college = OrganisationFactory(
        name="Southend Adult College",
        kind=Organisation.Kind.COLLEGE,
        establishment_number="8824001",
        ukprn="10001234",
    )
    person = YoungPersonFactory(
        team=world.team,
        date_of_birth=year_12(month_end),
        middle_names="Ash",
        address_line_1="1 Quenby Road",
        address_line_2="Rose & Crown Yard <rear>",
        town="Southend-on-Sea",
        county="Essex",
        school=school,
        looked_after=True,
        care_leaver=True,
        on_file_since=a_year_ago(),
    )
    duplicate = YoungPersonFactory(team=world.team, date_of_birth=person.date_of_birth)
    merge = Merge.objects.create(
        kept=person, merged=duplicate, reason="The same person", merged_by=world.team_manager
    )
    Merge.objects.filter(pk=merge.pk).update(
        merged_at=timezone.now() - timedelta(days=62)
    )  # before the month end
    services.activity_record(
        young_person=person,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="230"),
        provider=college,
        start_date=month_end - timedelta(days=40),
        date_ascertained=month_end - timedelta(days=30),
        date_verified=month_end - timedelta(days=10),
        review_date=month_end + timedelta(days=60),
        predicted_end_date=month_end + timedelta(days=300),
    )

    element = person_in(write(month_end)[0], person)
    items = {child.tag: child.text for child in element if len(child) == 0}
    assert (
        items.items()
        >= {
            "PreviousYPID": str(duplicate.pk),
            "MiddleName": "Ash",
            "AddressLine1": "1 Quenby Road",
            "AddressLine2": "Rose & Crown Yard <rear>",  # escaped, and read back whole
            "Town": "Southend-on-Sea",
            "County": "Essex",
            "EducatedLA": "886",
            "LAAtYear11": "882",
        }.items()
    )
    activity = {child.tag: child.text for child in element.find("Activity")}
    assert activity == {
        "ActivityCode": "230",
        "StartDate": (month_end - timedelta(days=40)).isoformat(),
        "DateAscertained": (month_end - timedelta(days=30)).isoformat(),
        "DateVerified": (month_end - timedelta(days=10)).isoformat(),
        "ReviewDate": (month_end + timedelta(days=60)).isoformat(),
        "PredictedEndDate": (month_end + timedelta(days=300)).isoformat(),
        "DueToLapseDate": (month_end + timedelta(days=300)).isoformat(),
        "CurrencyLapsed": "N",
        "EstablishmentNumber": "8824001",
        "EstablishmentName": "Southend Adult College",
        "UKPRN": "10001234",
    }
    codes = [c.findtext("CharacteristicCode") for c in element.iter("Characteristic")]
    assert codes == ["110", "160"]  # the looked-after and care-leaver flags are characteristics too


def test_the_header_says_when_who_and_which_schema_and_no_element_is_empty(world):
    root, _ = write(last_month_end())
    assert root.get("DateOfSend") == timezone.localdate().isoformat()
    assert (root.get("SupplierName"), root.get("SchemaVersion")) == ("Youthservice", nccis.SCHEMA_VERSION)
    empty = [element.tag for element in root.iter() if len(element) == 0 and not (element.text or "").strip()]
    assert empty == []
    assert person_in(root, world.case).find("MiddleName") is None  # none on the record: left out


def year_12_with_activity(world, month_end, code, start_date, end_date=None) -> ET.Element:
    """A Year 12 with one activity (ascertained when it started, or on the month end if later): their
    element in the month's return."""
    person = YoungPersonFactory(team=world.team, date_of_birth=year_12(month_end), on_file_since=a_year_ago())
    services.activity_record(
        young_person=person,
        actor=world.adviser,
        code=ActivityCode.objects.get(code=code),
        start_date=start_date,
        end_date=end_date,
        date_ascertained=min(start_date, month_end),
    )
    return person_in(write(month_end)[0], person)


def test_a_neet_activity_carries_its_start_and_a_guarantee_goes_as_its_code(world):
    month_end = last_month_end()
    element = year_12_with_activity(world, month_end, "619", month_end - timedelta(days=20))
    assert element.find("Activity").findtext("NEETStartDate") == (month_end - timedelta(days=20)).isoformat()
    for guarantee in write(date(month_end.year, 6, 30) if month_end.month > 6 else month_end)[0].iter(
        "SeptemberGuarantee"
    ):
        assert guarantee.findtext("Category") in nccis.GUARANTEE_CODES.values()


def test_a_transfer_says_which_council_they_went_to_and_a_missing_one_is_a_problem(world):
    month_end = last_month_end()
    kent = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL, la_code="886")
    moved, unknown = (
        YoungPersonFactory(team=world.team, date_of_birth=year_12(month_end), on_file_since=a_year_ago())
        for _ in range(2)
    )
    CohortExit.objects.create(
        young_person=moved, reason="T", left_on=month_end - timedelta(days=3), transferred_to=kent
    )
    CohortExit.objects.create(young_person=unknown, reason="T", left_on=month_end - timedelta(days=3))
    root, summary = write(month_end)
    assert person_in(root, moved).findtext("TransferredToLA") == "886"
    assert person_in(root, unknown).find("TransferredToLA") is None
    problems = {(p.young_person_id, p.message) for p in summary.problems}
    assert (unknown.pk, "A transfer needs the LA code of the council they moved to") in problems
    assert moved.pk not in {p.young_person_id for p in summary.problems if "transfer" in p.message}


@pytest.mark.parametrize(("days_after_year_11", "la"), [(0, "882"), (1, None)])
def test_la_at_year_11_is_ours_only_if_the_record_was_on_file_by_the_end_of_year_11(
    world, days_after_year_11, la
):
    month_end = last_month_end()
    born = year_12(month_end)  # Year 11 was the academic year before this one
    year_11_ends = date(rules.academic_year_start(month_end), 8, 31)
    person = on_file_from(
        YoungPersonFactory(team=world.team, date_of_birth=born),
        year_11_ends + timedelta(days=days_after_year_11),
    )
    assert person_in(write(month_end)[0], person).findtext("LAAtYear11") == la


@pytest.mark.parametrize(("recorded", "la"), [((8, 31, 23, 30), "882"), ((9, 1, 0, 30), None)])
def test_the_end_of_year_11_is_midnight_in_the_councils_time_zone(world, recorded, la):
    """At 00:30 on 1 September (British Summer Time) it is still 31 August in UTC: too late all the same."""
    month_end = last_month_end()
    month, day, hour, minute = recorded
    person = YoungPersonFactory(team=world.team, date_of_birth=year_12(month_end))
    created = datetime(rules.academic_year_start(month_end), month, day, hour, minute, tzinfo=LONDON)
    YoungPerson.objects.filter(pk=person.pk).update(created_at=created)
    assert person_in(write(month_end)[0], person).findtext("LAAtYear11") == la


@pytest.mark.parametrize(
    ("starts", "ends", "in_force"),
    [(0, None, True), (1, None, False), (-40, 0, True), (-40, -1, False)],  # days from the month end
)
def test_the_activity_is_the_one_in_force_on_the_month_end(world, starts, ends, in_force):
    month_end = last_month_end()
    element = year_12_with_activity(
        world,
        month_end,
        "230",
        month_end + timedelta(days=starts),
        None if ends is None else month_end + timedelta(days=ends),
    )
    assert (element.findtext("Activity/ActivityCode") == "230") is in_force


def compulsory_age(month_end):
    return date(rules.academic_year_start(month_end) - 16, 12, 1)  # academic age 15: Year 11


@pytest.mark.parametrize(
    ("verified_days_into_the_year", "problem"),
    [(-1, True), (0, False)],  # verified on 31 August: last year's; on 1 September: this year's
)
def test_error_909_looks_at_the_date_verified_not_the_date_ascertained(
    world, verified_days_into_the_year, problem
):
    # The latest 31 October: two months into its academic year, whatever month the test runs in.
    month_end = next(
        end for end in reversed(dashboards.month_ends_before(timezone.localdate(), 12)) if end.month == 10
    )
    year_starts = date(rules.academic_year_start(month_end), 9, 1)
    person = YoungPersonFactory(
        team=world.team,
        date_of_birth=compulsory_age(month_end),
        on_file_since=year_starts - timedelta(days=400),
    )
    services.activity_record(
        young_person=person,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="110"),
        start_date=year_starts - timedelta(days=300),
        date_ascertained=year_starts - timedelta(days=300),  # ascertained last year ...
        date_verified=year_starts + timedelta(days=verified_days_into_the_year),  # ... verified now?
    )
    messages = {p.message for p in write(month_end)[1].problems if p.young_person_id == person.pk}
    assert (
        "A compulsory-age activity needs a start or verification date in this academic year" in messages
    ) is problem


def test_the_activity_survey_counts_each_of_our_leavers_once(world):
    year = timezone.localdate().year - 1
    born = date(year - 16, 1, 10)  # Year 11 in the year that ended that summer
    kept, merged, moved = (YoungPersonFactory(team=world.team, date_of_birth=born) for _ in range(3))
    CohortExit.objects.create(young_person=merged, reason="M", left_on=date(year, 10, 1))
    CohortExit.objects.create(young_person=moved, reason="E", left_on=date(year, 11, 2))  # after 1 November
    out = io.StringIO()
    nccis.write_activity_survey(year, out)
    ids = {line.split(",")[0] for line in out.getvalue().splitlines()[1:]}
    assert str(kept.pk) in ids
    assert str(moved.pk) in ids  # still ours on 1 November
    assert str(merged.pk) not in ids  # counted once, as the record it was merged into
