"""The managers' figures. One definition of each measure, in two forms kept side by side:
- ``contributions()`` counts one person's evaluation by the rules (monthly snapshots, any past month);
- ``measure_aggregates()`` counts CurrentStatus rows in SQL (today's figures and their drill-downs).
Tests recount both from tracking.rules and require exact agreement.

Headline cohort: the DfE return's cohort at academic age 16-17, custody (710) out of the denominator.
By academic age, the cohort is everyone in the service's cohort at that age.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Left, StrIndex
from django.utils import timezone

from cases import access
from cases import selectors as case_selectors
from cases.models import Team, YoungPerson
from tracking import rules
from tracking.models import Characteristic, CurrentStatus, MonthlySnapshot, Status

D = MonthlySnapshot.Dimension
HEADLINE_AGES = (16, 17)
MEASURES = (
    "cohort",
    "eet",
    "neet",
    "not_known",
    "excluded",
    "participating",
    "guarantee_cohort",
    "guarantee_offers",
)


def postcode_district(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


# --- One person (snapshots) ------------------------------------------------------------------------


def _measures(evaluation: rules.Evaluation, in_cohort: bool) -> Counter:
    counted = in_cohort and evaluation.status != Status.EXCLUDED
    return Counter(
        {
            "cohort": counted,
            "eet": counted and evaluation.status == Status.EET,
            "neet": counted and evaluation.status == Status.NEET,
            "not_known": counted and evaluation.status == Status.NOT_KNOWN,
            "excluded": in_cohort and evaluation.status == Status.EXCLUDED,
            "participating": counted and evaluation.participating,
            "guarantee_cohort": bool(evaluation.guarantee),
            "guarantee_offers": evaluation.guarantee == rules.Guarantee.OFFER_MADE,
        }
    )


def contributions(person: rules.PersonFacts, on: date, previous: date, tables: dict) -> Iterator[tuple]:
    """(dimension, value, measures) this person adds to the month ending ``on``."""
    now = rules.evaluate(person, on, **tables)
    headline = now.in_dfe_cohort and now.academic_age in HEADLINE_AGES
    measures = _measures(now, headline)
    if headline:
        was_neet = rules.in_dfe_cohort(person, previous) and rules.status(person, previous) == Status.NEET
        measures["neet_joiners"] = now.status == Status.NEET and not was_neet
        measures["neet_leavers"] = was_neet and now.status != Status.NEET
    values = [
        (D.ALL, "all"),
        (D.AREA, postcode_district(person.postcode)),
        (D.SEND, person.sen_status),
        (D.VULNERABLE, "yes" if now.vulnerable else "no"),
        (D.GENDER, person.gender),
        (D.ETHNICITY, person.ethnicity),
        *((D.CHARACTERISTIC, code) for code in rules.recorded_characteristics(person, on)),
    ]
    for dimension, value in values:
        yield dimension, value, measures
    if now.in_service_cohort:
        yield D.ACADEMIC_AGE, str(now.academic_age), _measures(now, True)


def previous_month_end(month_end: date) -> date:
    return month_end.replace(day=1) - timedelta(days=1)


# --- Many people in SQL (today) ---------------------------------------------------------------------

HEADLINE = Q(in_dfe_cohort=True, academic_age__in=HEADLINE_AGES)


def measure_aggregates(cohort: Q) -> dict:
    counted = cohort & ~Q(status=Status.EXCLUDED)
    return {
        "cohort": Count("pk", filter=counted),
        "eet": Count("pk", filter=counted & Q(status=Status.EET)),
        "neet": Count("pk", filter=counted & Q(status=Status.NEET)),
        "not_known": Count("pk", filter=counted & Q(status=Status.NOT_KNOWN)),
        "excluded": Count("pk", filter=cohort & Q(status=Status.EXCLUDED)),
        "participating": Count("pk", filter=counted & Q(participating=True)),
        "guarantee_cohort": Count("pk", filter=~Q(guarantee="")),
        "guarantee_offers": Count("pk", filter=Q(guarantee=rules.Guarantee.OFFER_MADE)),
    }


# The CurrentStatus column (or expression) that gives each dimension's value.
_DISTRICT = Left("young_person__postcode", StrIndex("young_person__postcode", Value(" ")) - 1)
DIMENSION_COLUMNS = {
    D.TEAM: F("young_person__team_id"),
    D.ACADEMIC_AGE: F("academic_age"),
    D.AREA: _DISTRICT,
    D.SEND: F("young_person__sen_status"),
    D.VULNERABLE: F("vulnerable"),
    D.GENDER: F("young_person__gender"),
    D.ETHNICITY: Coalesce("young_person__ethnicity__code", Value("")),
}


def statuses_in(user, teams: QuerySet[Team]) -> QuerySet[CurrentStatus]:
    """Today's statuses of the young people the user may see, in these teams."""
    return access.scope(user, CurrentStatus.objects.filter(young_person__team__in=teams))


def now_totals(statuses: QuerySet[CurrentStatus]) -> dict:
    return statuses.aggregate(**measure_aggregates(HEADLINE))


def now_breakdown(statuses: QuerySet[CurrentStatus], dimension: str) -> list[dict]:
    """Today's measures for each value of ``dimension``: one GROUP BY query."""
    if dimension == D.CHARACTERISTIC:
        return _characteristic_breakdown(statuses)
    cohort = Q(in_service_cohort=True) if dimension == D.ACADEMIC_AGE else HEADLINE
    rows = (
        statuses.filter(cohort | ~Q(guarantee=""))
        .annotate(value=DIMENSION_COLUMNS[dimension])
        .values("value")
        .order_by("value")
        .annotate(**measure_aggregates(cohort))
    )
    return [{**row, "value": "" if row["value"] is None else str(_plain(row["value"]))} for row in rows]


def _plain(value):
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def _active_characteristics(statuses: QuerySet[CurrentStatus], code: str | None = None) -> QuerySet:
    on = timezone.localdate()
    active = Characteristic.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on),
        start_date__lte=on,
        young_person__in=statuses.values("young_person"),
    )
    return active.filter(code__code=code) if code else active


def _characteristic_breakdown(statuses: QuerySet[CurrentStatus]) -> list[dict]:
    """One GROUP BY per characteristic code in use (a person may have several)."""
    codes = sorted(set(_active_characteristics(statuses).values_list("code__code", flat=True)))
    rows = []
    for code in codes:
        holders = statuses.filter(
            young_person__in=_active_characteristics(statuses, code).values("young_person")
        )
        rows.append(
            {
                "value": code,
                **holders.filter(HEADLINE | ~Q(guarantee="")).aggregate(**measure_aggregates(HEADLINE)),
            }
        )
    return rows


def drill_down(
    statuses: QuerySet[CurrentStatus], measure: str, dimension: str = "", value: str = ""
) -> QuerySet[YoungPerson]:
    """The young people behind one figure on the dashboard (already scoped by ``statuses``)."""
    cohort = Q(in_service_cohort=True) if dimension == D.ACADEMIC_AGE else HEADLINE
    conditions = {
        "cohort": cohort & ~Q(status=Status.EXCLUDED),
        "eet": cohort & Q(status=Status.EET),
        "neet": cohort & Q(status=Status.NEET),
        "not_known": cohort & Q(status=Status.NOT_KNOWN),
        "excluded": cohort & Q(status=Status.EXCLUDED),
        "participating": cohort & ~Q(status=Status.EXCLUDED) & Q(participating=True),
        "guarantee_cohort": ~Q(guarantee=""),
        "guarantee_offers": Q(guarantee=rules.Guarantee.OFFER_MADE),
    }
    chosen = statuses.filter(conditions.get(measure, Q(pk__in=[])))
    if dimension == D.CHARACTERISTIC:
        chosen = chosen.filter(
            young_person__in=_active_characteristics(statuses, value).values("young_person")
        )
    elif dimension in DIMENSION_COLUMNS:
        chosen = chosen.annotate(value=DIMENSION_COLUMNS[dimension]).filter(
            value={"yes": True, "no": False}.get(value, value) if dimension == D.VULNERABLE else value
        )
    people = YoungPerson.objects.filter(pk__in=chosen.values("young_person")).select_related(
        "team", "lead_adviser"
    )
    return case_selectors.with_last_contact(people)


# --- History (snapshots) ----------------------------------------------------------------------------


def snapshot_totals(teams: QuerySet[Team], month_ends: list[date]) -> dict[date, dict]:
    """The headline measures per month end, summed over the teams (one query)."""
    rows = (
        MonthlySnapshot.objects.filter(team__in=teams, month_end__in=month_ends, dimension=D.ALL)
        .values("month_end")
        .order_by("month_end")
        .annotate(**{name: Coalesce(Sum(name), 0) for name in (*MEASURES, "neet_joiners", "neet_leavers")})
    )
    return {row["month_end"]: row for row in rows}


def month_ends_before(on: date, count: int) -> list[date]:
    ends, end = [], on.replace(day=1) - timedelta(days=1)
    for _ in range(count):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return sorted(ends)


def winter_months(on: date) -> list[date]:
    """The most recent complete December, January and February month ends before ``on``."""
    year = on.year if on.month >= 3 else on.year - 1
    february_end = date(year, 3, 1) - timedelta(days=1)
    return [date(year - 1, 12, 31), date(year, 1, 31), february_end]


def rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None
