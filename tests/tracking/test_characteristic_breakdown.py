"""The dashboard's breakdowns in as few passes as the data needs: by characteristic each person once
per code, agreeing with the drill-down behind each figure (the return's definition, care flags
included), in the same queries however many codes are in use; the headline dimensions in one scan on
PostgreSQL, equal to each on its own."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Team, YoungPerson
from tests.factories import YoungPersonFactory, synthetic_council
from tests.tracking.test_work_lists import born_for_guarantee_year, record
from tracking import dashboards, services
from tracking.models import CharacteristicCode

pytestmark = pytest.mark.django_db


def sixteen(world, **fields):
    """Someone in the headline cohort (academic age 16)."""
    today = timezone.localdate()
    return YoungPersonFactory(
        team=world.team,
        lead_adviser=world.adviser,
        date_of_birth=born_for_guarantee_year(12, today),
        **fields,
    )


def characteristic(world, person, code, days_ago=10):
    start = timezone.localdate() - timedelta(days=days_ago)
    services.characteristic_record(
        young_person=person,
        actor=world.adviser,
        code=CharacteristicCode.objects.get(code=code),
        start_date=start,
    )


def breakdown(world):
    statuses = dashboards.statuses_in(world.service_manager, Team.objects.all())
    with CaptureQueriesContext(connection) as queries:
        rows = {row["value"]: row for row in dashboards.now_breakdown(statuses, "characteristic")}
    return rows, len(queries), statuses


def codes(count: int) -> list[str]:
    return list(
        CharacteristicCode.objects.filter(valid_to__isnull=True)
        .exclude(code__in=dashboards.FLAGGED_CHARACTERISTICS)
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )


def test_each_row_agrees_with_its_drill_down_and_counts_a_person_once(world):
    first, second = codes(2)
    neet = sixteen(world)
    record(neet, "540")
    characteristic(world, neet, first, days_ago=20)
    characteristic(world, neet, first, days_ago=5)  # the same code twice: still one person
    characteristic(world, neet, second)
    cared_for = sixteen(world, looked_after=True)  # 110 by the flag alone
    record(cared_for, "230")
    services.status_refresh()
    rows, _, statuses = breakdown(world)
    assert rows[first]["cohort"] == 1
    assert rows[first]["neet"] == 1
    assert rows["110"]["eet"] == 1
    for code, row in rows.items():
        for measure in ("cohort", "neet", "not_known"):
            behind = dashboards.drill_down(statuses, measure, "characteristic", code).count()
            assert behind == row[measure], (code, measure)


def test_the_breakdown_costs_the_same_queries_for_two_codes_or_six(world):
    person = sixteen(world)
    for code in codes(2):
        characteristic(world, person, code)
    services.status_refresh()
    two, two_queries, _ = breakdown(world)
    for code in codes(6)[2:]:
        characteristic(world, sixteen(world), code)
    services.status_refresh()
    six, six_queries, _ = breakdown(world)
    assert len(six) == len(two) + 4
    assert six_queries == two_queries
    assert YoungPerson.objects.count() > 4


D = dashboards.D
SHARED = [D.TEAM, D.AREA, D.SEND, D.VULNERABLE, D.GENDER, D.ETHNICITY]


def test_the_breakdowns_in_one_pass_equal_each_on_its_own(world):
    """On PostgreSQL the headline dimensions share one GROUP BY GROUPING SETS scan; every row must be
    the one its own GROUP BY gives, in the same order, for a manager's reach and the whole service."""
    synthetic_council(300, seed=5)
    for user in (world.service_manager, Team.objects.get(name="Team 01").group.user_set.get()):
        statuses = dashboards.statuses_in(user, Team.objects.all())
        with CaptureQueriesContext(connection) as queries:
            together = dashboards.now_breakdowns(statuses, SHARED)
        apart = {dimension: dashboards.now_breakdown(statuses, dimension) for dimension in SHARED}
        assert together == apart
        assert sum(len(rows) for rows in together.values()) > len(SHARED)
        assert len(queries) == (1 if connection.vendor == "postgresql" else len(SHARED))


def test_a_care_flag_counts_once_with_or_without_the_code_and_follows_the_record(world):
    both = sixteen(world, looked_after=True)
    characteristic(world, both, "110")  # flagged and recorded: one person
    recorded_only = sixteen(world)
    characteristic(world, recorded_only, "160")
    rows, queries, _ = breakdown(world)
    assert (rows["110"]["cohort"], rows["160"]["cohort"]) == (1, 1)
    from cases import services as case_services

    case_services.young_person_update(
        young_person=recorded_only,
        actor=world.adviser,
        reason="Left care",
        care_leaver=True,
        looked_after=True,
    )  # the status follows the record in the same transaction
    rows, again, _ = breakdown(world)
    assert (rows["110"]["cohort"], rows["160"]["cohort"]) == (2, 1)
    assert again == queries


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_each_records_care_flags_onto_its_status(migration_data, world):
    from django.db.migrations.executor import MigrationExecutor

    from tracking.models import CurrentStatus

    YoungPerson.objects.filter(pk=world.case.pk).update(looked_after=True)
    YoungPerson.objects.filter(pk=world.colleague_case.pk).update(care_leaver=True)
    executor = MigrationExecutor(connection)
    executor.migrate([("tracking", "0011_status_review_on")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    flags = dict(CurrentStatus.objects.values_list("young_person_id", "looked_after"))
    assert flags == {world.case.pk: True, world.colleague_case.pk: False, world.other_case.pk: False}
    assert set(CurrentStatus.objects.filter(care_leaver=True).values_list("young_person_id", flat=True)) == {
        world.colleague_case.pk
    }
