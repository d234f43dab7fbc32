"""Adviser work lists on My caseload, and the CSV export through the access path."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessEvent, YoungPerson
from tests.factories import YoungPersonFactory, years_ago
from tracking import services
from tracking.models import ActivityCode, OfferType

pytestmark = pytest.mark.django_db


def record(person, code, *, started_days_ago=10, actor=None, **extra):
    return services.activity_record(
        young_person=person,
        actor=actor,
        code=ActivityCode.objects.get(code=code),
        start_date=timezone.localdate() - timedelta(days=started_days_ago),
        date_ascertained=timezone.localdate() - timedelta(days=started_days_ago),
        **extra,
    )


def listed(client, work_list):
    response = client.get(reverse("cases:caseload"), {"work_list": work_list})
    counts = {w.key: count for w, count in response.context["work_lists"]}
    return {p.pk for p in response.context["page"].object_list}, counts


def test_work_lists_show_neet_not_known_lapsing_and_high_risk(world, client_for):
    neet = world.case
    record(neet, "619")
    lapsing = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    record(lapsing, "619", started_days_ago=80)  # NEET re-confirmation due within 30 days
    in_college = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    record(in_college, "230")
    unknown = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)  # nothing recorded
    client = client_for(world.adviser)

    people, counts = listed(client, "neet")
    assert people == {neet.pk, lapsing.pk}
    assert {key: counts[key] for key in ("neet", "not_known", "lapsing", "high_roni")} == {
        "neet": 2,
        "not_known": 1,
        "lapsing": 1,
        "high_roni": 0,
    }
    assert listed(client, "not_known")[0] == {unknown.pk}
    assert listed(client, "lapsing")[0] == {lapsing.pk}


def born_for_guarantee_year(year: int, on):
    """A date of birth that puts someone in the Year ``year`` guarantee cohort on ``on``."""
    academic_age = year + 4 + (1 if on.month in (9, 10) else 0)
    start = on.year if on.month >= 9 else on.year - 1
    return date(start - academic_age, 1, 15)


def test_the_no_offer_list_holds_the_guarantee_cohort_without_a_suitable_offer(world, client_for):
    today = timezone.localdate()
    year_11 = YoungPersonFactory(
        team=world.team, lead_adviser=world.adviser, date_of_birth=born_for_guarantee_year(11, today)
    )
    assert year_11.current_status.guarantee_year == 11
    assert year_11.pk in listed(client_for(world.adviser), "no_offer")[0]
    services.offer_record(
        young_person=year_11,
        actor=world.adviser,
        guarantee_year=11,
        offer_type=OfferType.objects.get(code="APP"),
        state="offered",
        offered_on=today,
    )
    assert year_11.pk not in listed(client_for(world.adviser), "no_offer")[0]


def test_high_risk_of_neet(world, client_for):
    person = YoungPersonFactory(
        team=world.team,
        lead_adviser=world.adviser,
        date_of_birth=years_ago(14, 30),
        sen_status="E",
        fsm_eligible=True,
    )
    assert listed(client_for(world.adviser), "high_roni")[0] == {person.pk}
    assert person.current_status.roni_band == "substantial"


def test_the_export_holds_exactly_the_list_and_logs_each_person(world, client_for):
    record(world.case, "619")
    record(world.other_case, "619")
    sneaky = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    # a name from before names were checked on every path: the export still must not make it live
    YoungPerson.objects.filter(pk=sneaky.pk).update(legal_given_name="=HYPERLINK(1)")
    record(sneaky, "619")
    response = client_for(world.adviser).get(reverse("cases:caseload-export"), {"work_list": "neet"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {int(row["Record id"]) for row in rows} == {world.case.pk, sneaky.pk}
    assert "'=HYPERLINK(1)" in {row["Given name"] for row in rows}  # never a live formula
    exported = AccessEvent.objects.filter(what=AccessEvent.What.EXPORT, user=world.adviser)
    assert set(exported.values_list("young_person_id", flat=True)) == {world.case.pk, sneaky.pk}


def test_a_user_with_no_role_exports_an_empty_list(world, client_for):
    response = client_for(world.nobody).get(reverse("cases:caseload-export"))
    assert response.content.decode().splitlines() == [
        "Record id,Given name,Family name,Date of birth,Postcode,Phone,Team,Lead adviser,Level of support,"
        "Last contact"
    ]
    assert not AccessEvent.objects.exists()


def test_a_transfer_keeps_the_status_for_the_new_adviser(world, client_for):
    record(world.case, "619")
    case_services.assign(
        young_person=world.case, adviser=world.colleague, actor=world.team_manager, reason="Cover"
    )
    assert listed(client_for(world.colleague), "neet")[0] == {world.case.pk}
