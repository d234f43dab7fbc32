"""The managers' figures. One definition of each measure, in two forms kept side by side:
- ``month_end_values()`` evaluates one person on a month end by the rules, and
  ``month_end_breakdowns()`` counts those rows in SQL (monthly snapshots, any past month);
- ``measure_aggregates()`` counts CurrentStatus rows in SQL (today's figures and their drill-downs).
Tests recount both from tracking.rules and require exact agreement.

Headline cohort: the DfE return's cohort at academic age 16-17, custody (710) out of the denominator.
By academic age, the cohort is everyone in the service's cohort at that age.
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import access
from cases import selectors as case_selectors
from cases.models import Team, YoungPerson
from tracking import rules
from tracking.models import (
    Characteristic,
    CurrentStatus,
    MonthEndStatus,
    MonthlySnapshot,
    Status,
)

D = MonthlySnapshot.Dimension
HEADLINE_AGES = (16, 17)
STATUS_MEASURES = ("cohort", "eet", "neet", "not_known", "excluded", "participating")
MEASURES = (*STATUS_MEASURES, "guarantee_cohort", "guarantee_offers")


def postcode_district(postcode: str) -> str:
    return postcode.split(" ")[0] if postcode else ""


# --- One person (snapshots) ------------------------------------------------------------------------


def month_end_values(person: rules.PersonFacts, on: date, previous: date, tables: dict) -> dict[str, Any]:
    """One person's evaluation on the month end ``on``, as a MonthEndStatus row's values."""
    now = rules.evaluate(person, on, **tables)
    headline = now.in_dfe_cohort and now.academic_age in HEADLINE_AGES
    was_neet = (
        headline and rules.in_dfe_cohort(person, previous) and rules.status(person, previous) == Status.NEET
    )
    return {
        "month_end": on,
        "young_person_id": person.id,
        "team_id": person.team_id,
        "cohort_status": rules.dfe_cohort_status(person, on, previous_month_end=previous),
        "academic_age": now.academic_age,
        "in_service_cohort": now.in_service_cohort,
        "headline": headline,
        "status": now.status,
        "participating": now.participating,
        "vulnerable": now.vulnerable,
        "guarantee": now.guarantee,
        "neet_joiner": headline and now.status == Status.NEET and not was_neet,
        "neet_leaver": was_neet and now.status != Status.NEET,
        "district": postcode_district(person.postcode),
        "sen_status": person.sen_status,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "characteristics": "".join(f" {code} " for code in sorted(rules.active_characteristics(person, on))),
    }


def _snapshot_aggregates(cohort: Q) -> dict[str, Count]:
    """A snapshot row's measures over month-end statuses: the status measures of ``cohort``, the
    guarantee counts of everyone in the group, NEET joiners and leavers of the headline cohort."""
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
        "neet_joiners": Count("pk", filter=cohort & Q(neet_joiner=True)),
        "neet_leavers": Count("pk", filter=cohort & Q(neet_leaver=True)),
    }


# The MonthEndStatus column that gives each snapshot breakdown's value.
MONTH_END_COLUMNS: dict[str, str] = {
    D.AREA: "district",
    D.SEND: "sen_status",
    D.VULNERABLE: "vulnerable",
    D.GENDER: "gender",
    D.ETHNICITY: "ethnicity",
}


def month_end_breakdowns(stored: QuerySet[MonthEndStatus]) -> Iterator[tuple[int, str, str, dict]]:
    """(team id, dimension, value, measures) for a month's snapshot, from its month-end statuses: a
    GROUP BY per breakdown (the headline cohort by team and value; the service's cohort by team and
    academic age). Characteristics are grouped by each person's set of codes, then summed per code."""
    headline = _snapshot_aggregates(Q(headline=True))
    yield from _by_team(stored, D.ALL, None, headline, value="all")
    for dimension, column in MONTH_END_COLUMNS.items():
        yield from _by_team(stored, dimension, column, headline)
    by_code: dict[tuple[int, str], dict[str, int]] = {}
    for team_id, _, codes, counts in _by_team(
        stored.exclude(characteristics=""), "", "characteristics", headline
    ):
        for code in codes.split():
            total = by_code.setdefault((team_id, code), dict.fromkeys(counts, 0))
            for name, count in counts.items():
                total[name] += count
    for (team_id, code), counts in by_code.items():
        yield team_id, D.CHARACTERISTIC, code, counts
    by_age = _snapshot_aggregates(Q(in_service_cohort=True))
    del by_age["neet_joiners"], by_age["neet_leavers"]  # counted for the headline cohort only
    for team_id, dimension, age, counts in _by_team(
        stored.filter(in_service_cohort=True), D.ACADEMIC_AGE, "academic_age", by_age
    ):
        yield team_id, dimension, age, counts | {"neet_joiners": 0, "neet_leavers": 0}


def _by_team(
    rows: QuerySet[MonthEndStatus], dimension: str, column: str | None, aggregates: dict, value: str = ""
) -> Iterator[tuple[int, str, str, dict]]:
    """One GROUP BY: team and ``column``'s value (or the fixed ``value``)."""
    columns = ["team_id", *([column] if column else [])]
    for row in rows.values(*columns).order_by().annotate(**aggregates):
        counts: dict[str, Any] = dict(row)
        team_id = counts.pop("team_id")
        yield team_id, dimension, _plain(counts.pop(column)) if column else value, counts


def previous_month_end(month_end: date) -> date:
    return month_end.replace(day=1) - timedelta(days=1)


# --- Many people in SQL (today) ---------------------------------------------------------------------

HEADLINE = Q(in_dfe_cohort=True, academic_age__in=HEADLINE_AGES)


def measure_aggregates(via: str = "", within: Q | None = None) -> dict:
    """The status measures of one cohort; the caller's WHERE already restricts rows to it, and
    ``within`` (if given) each count. ``via`` counts them from another table: the path to the young
    person, whose status is read through it and who is counted once however many of its rows they
    have."""
    status, participating = (
        (f"{via}__current_status__status", f"{via}__current_status__participating")
        if via
        else ("status", "participating")
    )
    counted = ~Q(**{status: Status.EXCLUDED})

    def count(condition: Q) -> Count:
        return Count(via or "pk", filter=condition & within if within else condition, distinct=bool(via))

    return {
        "cohort": count(counted),
        "eet": count(Q(**{status: Status.EET})),
        "neet": count(Q(**{status: Status.NEET})),
        "not_known": count(Q(**{status: Status.NOT_KNOWN})),
        "excluded": count(Q(**{status: Status.EXCLUDED})),
        "participating": count(counted & Q(**{participating: True})),
    }


GUARANTEE = ~Q(guarantee="")
GUARANTEE_AGGREGATES = {
    "guarantee_cohort": Count("pk"),
    "guarantee_offers": Count("pk", filter=Q(guarantee=rules.Guarantee.OFFER_MADE)),
}
# The CurrentStatus column that gives each dimension's value (copied from the person on refresh).
DIMENSION_COLUMNS: dict[str, str] = {
    D.TEAM: "team_id",
    D.ACADEMIC_AGE: "academic_age",
    D.AREA: "district",
    D.SEND: "sen_status",
    D.VULNERABLE: "vulnerable",
    D.GENDER: "gender",
    D.ETHNICITY: "ethnicity",
}


def cached(user, teams: QuerySet[Team], compute) -> tuple[dict, str]:
    """A dashboard's figures for ``user`` and ``teams``, computed at most once every
    DASHBOARD_CACHE_SECONDS (0: every time), and the key they are kept under (the page keeps the
    figures' HTML under it too; "" when nothing is kept). Shared by everyone who reaches every young
    person in these teams (``access.reaches_whole``: service-wide reach, or a manager of each); anyone
    else's figures are their own, so reach never mixes between viewers."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute(), ""
    team_ids = list(teams.order_by("pk").values_list("pk", flat=True))
    viewer = (
        "teams" if access.reaches_whole(user, Team.objects.filter(pk__in=team_ids)) else f"user-{user.pk}"
    )
    key = f"dashboard:{viewer}:{','.join(map(str, team_ids))}:{timezone.localdate()}"
    return cast(dict, cache.get_or_set(key, compute, seconds)), key


def statuses_in(user, teams: QuerySet[Team]) -> QuerySet[CurrentStatus]:
    """Today's statuses of the young people the user may see, in these teams. For someone who reaches
    the teams whole that is every status in them: a status's team is its record's (``team_id`` is a rule
    input, refreshed in the transaction that moves the record), so no row needs the access scope's join
    (a team manager's dashboard joined every status to its record in each of 20 aggregates)."""
    statuses = CurrentStatus.objects.filter(team__in=teams)
    return statuses if access.reaches_whole(user, teams) else access.scope(user, statuses)


def now_totals(statuses: QuerySet[CurrentStatus]) -> dict:
    """The headline figures: two indexed queries (the 16-17 cohort, the guarantee cohorts), and the
    oldest evaluation among them (``as_at``) in the first."""
    return {
        **statuses.filter(HEADLINE).aggregate(**measure_aggregates(), as_at=Min("evaluated_on")),
        **statuses.filter(GUARANTEE).aggregate(**GUARANTEE_AGGREGATES),
    }


def _cohort(dimension: str) -> Q:
    return Q(in_service_cohort=True) if dimension == D.ACADEMIC_AGE else HEADLINE


def now_breakdown(statuses: QuerySet[CurrentStatus], dimension: str) -> list[dict]:
    """Today's status measures for each value of ``dimension``: one GROUP BY over the cohort's rows."""
    if dimension == D.CHARACTERISTIC:
        return _characteristic_breakdown(statuses)
    column = DIMENSION_COLUMNS[dimension]
    rows = (
        statuses.filter(_cohort(dimension)).values(column).order_by(column).annotate(**measure_aggregates())
    )
    return [{"value": _plain(row.pop(column)), **row} for row in rows]


def now_breakdowns(statuses: QuerySet[CurrentStatus], dimensions: Sequence[str]) -> dict[str, list[dict]]:
    """``now_breakdown`` for each dimension. On PostgreSQL the dimensions counted over the headline
    cohort share one pass over it (GROUP BY GROUPING SETS); academic age (another cohort) and
    characteristic (another table) keep their own queries, as every dimension does elsewhere."""
    shared = [
        dimension
        for dimension in dimensions
        if _cohort(dimension) is HEADLINE and dimension in DIMENSION_COLUMNS
    ]
    found = _grouping_sets(statuses, shared) if connection.vendor == "postgresql" and len(shared) > 1 else {}
    return {
        dimension: found[dimension] if dimension in found else now_breakdown(statuses, dimension)
        for dimension in dimensions
    }


_MEASURES_SQL = {  # as measure_aggregates counts them, over rows with a status and participating column
    "cohort": ("status <> %s", [Status.EXCLUDED]),
    "eet": ("status = %s", [Status.EET]),
    "neet": ("status = %s", [Status.NEET]),
    "not_known": ("status = %s", [Status.NOT_KNOWN]),
    "excluded": ("status = %s", [Status.EXCLUDED]),
    "participating": ("status <> %s AND participating", [Status.EXCLUDED]),
}


def _grouping_sets(statuses: QuerySet[CurrentStatus], dimensions: list[str]) -> dict[str, list[dict]]:
    """The headline cohort's measures for several dimensions in one scan; each dimension's rows in
    its values' order, as ``now_breakdown`` returns them. Column names are our own constants."""
    columns = [DIMENSION_COLUMNS[dimension] for dimension in dimensions]
    inner, inner_params = (
        statuses.filter(HEADLINE)
        .order_by()
        .values(*columns, "status", "participating")
        .query.sql_with_params()
    )
    measures = ", ".join(
        f"count(*) FILTER (WHERE {condition}) AS {name}" for name, (condition, _) in _MEASURES_SQL.items()
    )
    flags = ", ".join(f"GROUPING({column}) AS grouped_{column}" for column in columns)
    sets = ", ".join(f"({column})" for column in columns)
    # Our own column names and conditions; every value is a parameter.
    select = f"SELECT {', '.join(columns)}, {flags}, {measures}"
    sql = f"{select} FROM ({inner}) counted GROUP BY GROUPING SETS ({sets})"
    params = [value for _, (_, values) in _MEASURES_SQL.items() for value in values] + list(inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    found: dict[str, list[dict]] = {dimension: [] for dimension in dimensions}
    for row in rows:
        dimension, column = next(
            (d, c) for d, c in zip(dimensions, columns, strict=True) if row[f"grouped_{c}"] == 0
        )
        found[dimension].append({"value": row[column], **{name: row[name] for name in _MEASURES_SQL}})
    return {
        dimension: [
            {**row, "value": _plain(row["value"])}
            for row in sorted(found[dimension], key=lambda row: (row["value"] is None, row["value"]))
        ]
        for dimension in dimensions
    }


def _plain(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


FLAGGED_CHARACTERISTICS = {code: flag for flag, code in rules.VULNERABLE_FLAGS.items()}  # 110, 160


def _with_characteristic(statuses: QuerySet[CurrentStatus], code: str) -> QuerySet:
    """The ids of the people in ``statuses`` with characteristic ``code`` today: recorded, or (looked
    after, care leaver) a flag on their record, as the rules and the return count them."""
    people = statuses.values("young_person")
    recorded = _in_force(people).filter(code__code=code).values("young_person")
    if code not in FLAGGED_CHARACTERISTICS:
        return recorded
    flagged = Q(pk__in=people, **{FLAGGED_CHARACTERISTICS[code]: True})
    return YoungPerson.objects.filter(Q(pk__in=recorded) | flagged).values("pk")


def _in_force(people: QuerySet) -> QuerySet[Characteristic]:
    """The characteristics of ``people`` (ids) recorded as in force today."""
    on = timezone.localdate()
    return Characteristic.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on, young_person__in=people
    )


def _characteristic_breakdown(statuses: QuerySet[CurrentStatus]) -> list[dict]:
    """The headline measures for each characteristic a person in the cohort has: one GROUP BY over the
    recorded characteristics (each person once per code), and one pass over the cohort for the codes a
    flag also gives (looked after, care leaver: copied onto the status), whatever the number of codes."""
    cohort = statuses.filter(HEADLINE)
    recorded = (
        _in_force(cohort.values("young_person"))
        .exclude(code__code__in=FLAGGED_CHARACTERISTICS)
        .values("code__code")
        .order_by("code__code")
        .annotate(**measure_aggregates(via="young_person"))
    )
    rows: dict[str, dict[str, Any]] = {
        row["code__code"]: {name: value for name, value in row.items() if name != "code__code"}
        for row in recorded
    }
    on = timezone.localdate()
    in_force = Characteristic.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
    )
    flagged = cohort.aggregate(
        **{
            f"{code}:{name}": aggregate
            for code, flag in FLAGGED_CHARACTERISTICS.items()
            for name, aggregate in measure_aggregates(
                within=Q(**{flag: True})
                | Q(young_person__in=in_force.filter(code__code=code).values("young_person"))
            ).items()
        }
    )
    for code in FLAGGED_CHARACTERISTICS:
        row = {name.split(":")[1]: value for name, value in flagged.items() if name.startswith(f"{code}:")}
        if row["cohort"] or row["excluded"]:
            rows[code] = row
    return [{**rows[code], "value": code} for code in sorted(rows)]


def drill_down(
    statuses: QuerySet[CurrentStatus], measure: str, dimension: str = "", value: str = ""
) -> QuerySet[YoungPerson]:
    """The young people behind one figure on the dashboard (already scoped by ``statuses``)."""
    cohort = statuses.filter(_cohort(dimension))
    conditions = {
        "cohort": cohort.exclude(status=Status.EXCLUDED),
        "eet": cohort.filter(status=Status.EET),
        "neet": cohort.filter(status=Status.NEET),
        "not_known": cohort.filter(status=Status.NOT_KNOWN),
        "excluded": cohort.filter(status=Status.EXCLUDED),
        "participating": cohort.exclude(status=Status.EXCLUDED).filter(participating=True),
        "guarantee_cohort": statuses.filter(GUARANTEE),
        "guarantee_offers": statuses.filter(guarantee=rules.Guarantee.OFFER_MADE),
    }
    chosen = conditions.get(measure, statuses.none())
    if dimension == D.CHARACTERISTIC:
        chosen = chosen.filter(young_person__in=_with_characteristic(statuses, value))
    elif dimension in DIMENSION_COLUMNS:
        chosen = chosen.filter(
            **{
                DIMENSION_COLUMNS[dimension]: {"yes": True, "no": False}.get(value, value)
                if dimension == D.VULNERABLE
                else value
            }
        )
    people = YoungPerson.objects.filter(pk__in=chosen.values("young_person")).select_related(
        "team", "lead_adviser"
    )
    return case_selectors.with_table_columns(people)


# --- History (snapshots) ----------------------------------------------------------------------------


def snapshot_totals(teams: QuerySet[Team], month_ends: list[date]) -> dict[date, dict]:
    """The headline measures per month end, summed over the teams (one query)."""
    rows = (
        MonthlySnapshot.objects.filter(team__in=teams, month_end__in=month_ends, dimension=D.ALL)
        .values("month_end")
        .order_by("month_end")
        .annotate(**{name: Coalesce(Sum(name), 0) for name in (*MEASURES, "neet_joiners", "neet_leavers")})
    )
    return {row["month_end"]: dict(row) for row in rows}


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


# --- Charts on one scale -----------------------------------------------------------------------------

NICE_STEPS = (0.5, 1, 2, 2.5, 5, 10, 20, 25)
MAX_TICKS = 5


@dataclass(frozen=True)
class Scale:
    """A percentage axis every chart on the page shares, so bars of equal length mean equal rates."""

    top: float
    ticks: list[float]

    @property
    def marks(self) -> list[tuple[float, float]]:
        """Each tick and where it falls along the axis (a percentage)."""
        return [(tick, self.width(tick)) for tick in self.ticks]

    def width(self, rate: float | None) -> float:
        """A bar's length as a percentage of the axis."""
        return round(100 * min(rate or 0, self.top) / self.top, 1)


def common_scale(rates: list[float | None]) -> Scale:
    """The smallest axis, in nice steps with at most ``MAX_TICKS`` of them, that holds the largest rate
    (1% when every rate is 0)."""
    largest = max((rate or 0 for rate in rates), default=0) or 1
    step = next((step for step in NICE_STEPS if step * MAX_TICKS >= largest), NICE_STEPS[-1])
    steps = math.ceil(largest / step)
    return Scale(top=step * steps, ticks=[round(step * i, 1) for i in range(steps + 1)])
