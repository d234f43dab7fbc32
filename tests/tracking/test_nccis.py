"""The monthly NCCIS return: exactly the in-scope people with the right statuses, validated first."""

import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Team, YoungPerson
from tests.factories import (
    YoungPersonFactory,
    a_year_ago,
    on_file_from,
    synthetic_council,
    years_ago,
)
from tests.tracking.test_work_lists import born_for_guarantee_year
from tracking import dashboards, facts, nccis, rules
from tracking.models import CohortExit

pytestmark = pytest.mark.django_db


def returned(month_end) -> tuple[dict[str, ET.Element], list]:
    out = io.StringIO()
    problems = nccis.write_return(month_end, out).problems
    root = ET.fromstring(out.getvalue())  # noqa: S314 - the XML this test just wrote
    return {person.findtext("YPID"): person for person in root.iter("YoungPerson")}, problems


def test_the_return_holds_exactly_the_people_in_scope_with_their_statuses(db):
    synthetic_council(300, seed=5)
    ends = dashboards.month_ends_before(timezone.localdate(), 14)
    # last month, and August and September either side of the academic year's turn (ages move on)
    for month_end in [ends[-1], *(end for end in ends if end.month in (8, 9))]:
        people, _ = returned(month_end)
        expected = {}
        for person in facts.person_facts(YoungPerson.objects.all()):
            status = rules.dfe_cohort_status(
                person, month_end, previous_month_end=dashboards.previous_month_end(month_end)
            )
            if status:
                expected[str(person.id)] = status
        assert {pk: p.findtext("CohortStatus") for pk, p in people.items()} == expected, month_end
        assert "P" in expected.values()


def test_its_counts_agree_with_the_dashboards_snapshot(db):
    synthetic_council(300, seed=6)
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    call_command("take_snapshot", "--month", month_end.strftime("%Y-%m"))
    snapshot = dashboards.snapshot_totals(Team.objects.all(), [month_end])[month_end]
    people, _ = returned(month_end)
    headline = [
        p
        for p in people.values()
        if p.findtext("CohortStatus") in ("P", "G")
        and rules.academic_age(timezone.datetime.fromisoformat(p.findtext("DOB")).date(), month_end)
        in (16, 17)
    ]
    assert len(headline) == snapshot["cohort"] + snapshot["excluded"]


def test_a_leaver_appears_once_in_the_month_they_leave(world):
    earlier, last = dashboards.month_ends_before(timezone.localdate(), 2)
    this_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    person = YoungPersonFactory(team=world.team, date_of_birth=years_ago(16, 60), on_file_since=a_year_ago())
    CohortExit.objects.create(young_person=person, reason="T", left_on=last - timedelta(days=3))
    assert returned(earlier)[0][str(person.pk)].findtext("CohortStatus") == "P"
    assert returned(last)[0][str(person.pk)].findtext("CohortStatus") == "T"
    assert str(person.pk) not in returned(this_month)[0]


def test_validation_names_each_problem_with_the_record(world):
    bad = YoungPersonFactory(team=world.team, date_of_birth=years_ago(16, 30), on_file_since=a_year_ago())
    YoungPerson.objects.filter(pk=bad.pk).update(legal_family_name="Sm1th")  # as an import could leave it
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    _, problems = returned(month_end)
    messages = {(p.young_person_id, p.message) for p in problems}
    assert (bad.pk, "The family name contains a digit or a character the DfE refuses") in messages
    assert (bad.pk, "There is no current activity") in messages


def test_the_command_writes_the_file_and_lists_problems_by_record_id(world, tmp_path, capsys):
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    out = tmp_path / "return.xml"
    call_command("nccis_return", "--month", month_end.strftime("%Y-%m"), "--out", str(out))
    printed = capsys.readouterr().out
    assert out.read_text().startswith("<?xml")
    assert f"record {world.case.pk}: There is no current activity" in printed
    assert world.case.legal_family_name not in printed  # ids, never names, in the output


def test_the_return_page_validates_then_generates_a_disclosure_to_the_dfe(world, client_for):
    from django.urls import reverse

    from cases.models import Organisation
    from sharing.models import Disclosure
    from tests.factories import OrganisationFactory

    dfe = OrganisationFactory(name="Department for Education", kind=Organisation.Kind.DFE)
    month = dashboards.month_ends_before(timezone.localdate(), 1)[0].strftime("%Y-%m")
    client = client_for(world.service_manager)
    checked = client.post(reverse("sharing:nccis-return"), {"month": month, "validate": ""})
    assert any(p.young_person_id == world.case.pk for p in checked.context["problems"])
    assert reverse("cases:young-person-detail", args=[world.case.pk]) in checked.content.decode()
    generated = client.post(reverse("sharing:nccis-return"), {"month": month, "generate": ""})
    assert generated["Content-Disposition"].startswith('attachment; filename="nccis-')
    disclosure = Disclosure.objects.get(recipient=dfe)
    assert set(disclosure.young_people.values_list("pk", flat=True)) >= {world.case.pk}
    assert client_for(world.adviser).get(reverse("sharing:nccis-return")).status_code == 403


def test_the_return_carries_characteristics_intended_destination_and_guarantee(world):
    from tracking import services
    from tracking.models import ActivityCode, CharacteristicCode, IntendedDestination

    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    person = world.case
    services.characteristic_record(
        young_person=person,
        actor=world.adviser,
        start_date=month_end - timedelta(days=9),
        code=CharacteristicCode.objects.get(code="140"),
    )
    IntendedDestination.objects.create(
        young_person=person,
        code=ActivityCode.objects.get(code="310"),
        recorded_on=month_end - timedelta(days=5),
    )
    element = returned(month_end)[0][str(person.pk)]
    assert element.findtext("IntendedDestination") == "310"
    assert element.find("Characteristics/Characteristic").findtext("CharacteristicCode") == "140"
    year_11 = YoungPersonFactory(
        team=world.team, date_of_birth=born_for_guarantee_year(11, month_end), on_file_since=month_end
    )
    guarantee = returned(month_end)[0][str(year_11.pk)].find("SeptemberGuarantee")
    assert (guarantee.findtext("GuaranteeYear"), guarantee.findtext("Category")) == (
        "11",
        "4",
    )  # not recorded


def test_the_activity_survey_lists_last_summers_year_11_leavers_on_1_november(world):
    import csv
    from datetime import date

    from tracking import services
    from tracking.models import ActivityCode

    year = timezone.localdate().year - 1
    leaver = YoungPersonFactory(
        team=world.team, date_of_birth=date(year - 16, 1, 10)
    )  # Year 11 in year-1/year
    younger = YoungPersonFactory(team=world.team, date_of_birth=date(year - 15, 1, 10))
    services.activity_record(
        young_person=leaver,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="230"),
        start_date=date(year, 9, 4),
        date_ascertained=date(year, 9, 4),
    )
    out = io.StringIO()
    assert nccis.write_activity_survey(year, out) >= 1
    rows = {row["YPID"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (rows[str(leaver.pk)]["ActivityCode"], rows[str(leaver.pk)]["Status"]) == ("230", "eet")
    assert str(younger.pk) not in rows


def test_a_month_end_return_and_snapshot_leave_out_records_made_after_it(world):
    """Both sides of the boundary: a record made on the month end is in that month's return and
    snapshot; one made the next day is in neither (it was not on file then), and is in the next."""
    from tracking import services
    from tracking.models import MonthlySnapshot

    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    year_12 = date(rules.academic_year_start(month_end) - 17, 12, 1)
    assert rules.academic_age(year_12, month_end) == 16
    on_the_day = YoungPersonFactory(team=world.team, date_of_birth=year_12, on_file_since=month_end)
    next_day = on_file_from(
        YoungPersonFactory(team=world.team, date_of_birth=year_12), month_end + timedelta(days=1)
    )
    people, problems = returned(month_end)
    assert str(on_the_day.pk) in people
    assert str(next_day.pk) not in people
    assert next_day.pk not in {p.young_person_id for p in problems}

    def headcount() -> int:
        services.snapshot_take(month_end=month_end)
        row = MonthlySnapshot.objects.get(month_end=month_end, team=world.team, dimension="all")
        return row.cohort + row.excluded

    before = headcount()
    on_file_from(next_day, month_end)
    assert headcount() == before + 1
    assert str(next_day.pk) in returned(month_end)[0]


@pytest.mark.parametrize("code", ["882", "330"])
def test_the_return_carries_the_councils_own_la_code(world, settings, code):
    settings.COUNCIL_LA_CODE = code
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    out = io.StringIO()
    nccis.write_return(month_end, out)
    root = ET.fromstring(out.getvalue())  # noqa: S314 - the XML this test just wrote
    assert root.get("LA") == code
    assert {person.findtext("LeadLA") for person in root.iter("YoungPerson")} == {code}
