"""One definition of each figure: for every month end of a year, the NCCIS return parsed back gives
exactly the month-end snapshot's and the dashboard's cohort, NEET, not known, custody, vulnerable and
guarantee counts (and so the December-February average), on a council holding every edge case the
return once got wrong."""

import io
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Organisation
from tests.factories import (
    OrganisationFactory,
    YoungPersonFactory,
    on_file_from,
    synthetic_council,
)
from tracking import dashboards, nccis, rules, services
from tracking.models import ActivityCode, CharacteristicCode, CohortExit, MonthlySnapshot, Status

pytestmark = pytest.mark.django_db

HEADLINE_AGES = (16, 17)


def born_with_academic_age(age: int, on: date) -> date:
    return date(rules.academic_year_start(on) - age - 1, 12, 1)


def edge_cases(world, month_ends: list[date]) -> None:
    """The cases the return got wrong: a lapsing custody record, a Year 9 leaver, the care flags, guarantee
    cohort members who moved away, were merged or died, and education confirmed in the last academic year."""
    first = month_ends[0] - timedelta(days=40)
    kent = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL, la_code="886")

    def person(age: int, **fields):
        made = YoungPersonFactory(team=world.team, date_of_birth=born_with_academic_age(age, first), **fields)
        return on_file_from(made, first)

    def activity(young_person, code: str, start: date):
        services.activity_record(
            young_person=young_person,
            actor=world.adviser,
            code=ActivityCode.objects.get(code=code),
            start_date=start,
            date_ascertained=start,
        )

    activity(person(16), "710", first)  # custody: excluded for six months, then not known
    activity(person(16), "230", first)  # college: current to the end of that academic year only
    activity(person(16, looked_after=True), "619", first)  # vulnerable by the flag alone
    activity(person(16, care_leaver=True), "230", first)
    year_9 = person(13)
    CohortExit.objects.create(young_person=year_9, reason="T", left_on=month_ends[3], transferred_to=kent)
    for reason, month in (("E", 2), ("M", 5), ("D", 8)):  # in the Year 11 guarantee cohort, then gone
        CohortExit.objects.create(
            young_person=person(15), reason=reason, left_on=month_ends[month] - timedelta(days=4)
        )
    services.characteristic_record(
        young_person=person(16),
        actor=world.adviser,
        code=CharacteristicCode.objects.get(code="140"),
        start_date=first,
        end_date=month_ends[6],
    )


def from_the_return(month_end: date, codes: dict[str, str], vulnerable_codes: set[str]) -> Counter:
    out = io.StringIO()
    nccis.write_return(month_end, out)
    counts: Counter = Counter()
    for person in ET.fromstring(out.getvalue()).iter("YoungPerson"):  # noqa: S314 - the XML just written
        if guarantee := person.find("SeptemberGuarantee"):
            counts["guarantee_cohort"] += 1
            counts["guarantee_offers"] += guarantee.findtext("Category") == "1"
        born = date.fromisoformat(person.findtext("DOB"))
        if person.findtext("CohortStatus") not in ("P", "G"):
            continue
        if rules.academic_age(born, month_end) not in HEADLINE_AGES:
            continue
        activity = person.find("Activity")
        lapsed = activity is None or activity.findtext("CurrencyLapsed") == "Y"
        status = Status.NOT_KNOWN if lapsed else codes[activity.findtext("ActivityCode")]
        if status == Status.EXCLUDED:
            counts["excluded"] += 1
            continue
        counts["cohort"] += 1
        counts["neet"] += status == Status.NEET
        counts["not_known"] += status == Status.NOT_KNOWN
        characteristics = {c.findtext("CharacteristicCode") for c in person.iter("Characteristic")}
        counts["vulnerable"] += bool(characteristics & vulnerable_codes)
    return counts


def from_the_snapshot(world, month_end: date) -> Counter:
    rows = MonthlySnapshot.objects.filter(month_end=month_end)
    counts: Counter = Counter()
    for row in rows.filter(dimension="all"):
        for name in ("cohort", "neet", "not_known", "excluded", "guarantee_cohort", "guarantee_offers"):
            counts[name] += getattr(row, name)
    counts["vulnerable"] = sum(row.cohort for row in rows.filter(dimension="vulnerable", value="yes"))
    return counts


def test_the_return_the_snapshot_and_the_dashboard_agree_every_month_of_a_year(world, client_for):
    synthetic_council(250, seed=11)
    month_ends = dashboards.month_ends_before(timezone.localdate(), 12)
    edge_cases(world, month_ends)
    codes = dict(ActivityCode.objects.values_list("code", "status"))
    vulnerable = set(CharacteristicCode.objects.filter(vulnerable=True).values_list("code", flat=True))

    returns = {}
    for month_end in month_ends:
        services.snapshot_take(month_end=month_end)
        returned = returns[month_end] = from_the_return(month_end, codes, vulnerable)
        snapshot = from_the_snapshot(world, month_end)
        assert +returned == +snapshot, month_end  # + drops zero counts on either side
        assert returned["cohort"] > 0, month_end

    world.service_manager.is_staff = True
    dashboard = client_for(world.service_manager).get(reverse("tracking:dashboard")).context
    trend = {row["month_end"]: row for row in dashboard["trend"]}
    for month_end, returned in returns.items():
        for name in ("cohort", "neet", "not_known", "excluded", "guarantee_cohort", "guarantee_offers"):
            assert trend[month_end][name] == returned[name], (month_end, name)

    winter = dashboard["winter"]
    assert winter["months"] == [m for m in month_ends if m.month in (12, 1, 2)]
    averaged = [returns[m] for m in winter["months"]]
    for name in ("neet", "not_known", "cohort"):
        assert winter[name] == pytest.approx(sum(counts[name] for counts in averaged) / 3), name
    combined = sum(c["neet"] + c["not_known"] for c in averaged) / sum(c["cohort"] for c in averaged)
    assert winter["combined_rate"] == round(100 * combined, 1)


def test_the_live_dashboard_agrees_with_the_return_on_a_month_end(world, client_for):
    """The dashboard's now figures are the status cache; evaluated on a month end they are that month's
    return, characteristic by characteristic (the care flags included)."""
    month_ends = dashboards.month_ends_before(timezone.localdate(), 12)
    edge_cases(world, month_ends)
    month_end = month_ends[-1]
    services.status_refresh(on=month_end)
    codes = dict(ActivityCode.objects.values_list("code", "status"))
    vulnerable = set(CharacteristicCode.objects.filter(vulnerable=True).values_list("code", flat=True))
    returned = from_the_return(month_end, codes, vulnerable)

    now = dashboards.now_totals(
        dashboards.statuses_in(world.service_manager, world.team.__class__.objects.all())
    )
    for name in ("cohort", "neet", "not_known", "excluded"):
        assert now[name] == returned[name], name
    breakdown = {
        row["value"]: row
        for row in dashboards.now_breakdown(
            dashboards.statuses_in(world.service_manager, world.team.__class__.objects.all()),
            "characteristic",
        )
    }
    assert breakdown["110"]["cohort"] == 1  # the looked-after flag, recorded as no characteristic row
    assert breakdown["160"]["cohort"] == 1
