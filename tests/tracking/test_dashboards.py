"""The dashboards' figures equal a recount from tracking.rules; managers see only their teams."""

import csv
import io
from collections import Counter
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Team, YoungPerson
from core.roles import Role
from tests.factories import UserFactory, YoungPersonFactory, synthetic_council, years_ago
from tracking import dashboards, facts, rules
from tracking.models import MonthlySnapshot, Status

pytestmark = pytest.mark.django_db
D = MonthlySnapshot.Dimension


@pytest.fixture
def council(db):
    """A small synthetic council (two teams) and a manager of the first team."""
    synthetic_council(400, seed=7, contacts_per_person=1)
    manager = YoungPerson.objects.filter(team__name="Team 01").first().team.group.user_set.get()
    manager.set_password("test-password-123")
    manager.save()
    return manager


def recount(people, on: date) -> Counter:
    """The headline figures straight from the rules, person by person."""
    tables = facts.rule_tables()
    counts = Counter()
    for person in facts.person_facts(people):
        evaluation = rules.evaluate(person, on, **tables)
        if evaluation.in_dfe_cohort and evaluation.academic_age in (16, 17):
            if evaluation.status == Status.EXCLUDED:
                counts["excluded"] += 1
                continue
            counts["cohort"] += 1
            counts[evaluation.status] += 1
            counts["participating"] += evaluation.participating
        counts["guarantee_cohort"] += bool(evaluation.guarantee)
        counts["guarantee_offers"] += evaluation.guarantee == rules.Guarantee.OFFER_MADE
    return counts


def test_the_service_dashboard_equals_a_recount_from_the_rules(council, client_for):
    service = UserFactory(role=Role.SERVICE_MANAGER)
    response = client_for(service).get(reverse("tracking:dashboard"))
    now = response.context["now"]
    expected = recount(YoungPerson.objects.all(), timezone.localdate())
    for measure in (
        "cohort",
        "eet",
        "neet",
        "not_known",
        "excluded",
        "participating",
        "guarantee_cohort",
        "guarantee_offers",
    ):
        assert now[measure] == expected[measure], measure
    assert expected["cohort"] > 100  # the council is big enough to mean something
    assert expected["neet"] > 0
    assert now["combined_rate"] == round(
        100 * (expected["neet"] + expected["not_known"]) / expected["cohort"], 1
    )


def test_each_breakdown_adds_up_to_the_headline(council, client_for):
    response = client_for(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("tracking:dashboard"))
    now = response.context["now"]
    for breakdown in response.context["breakdowns"]:
        if breakdown["dimension"] in (D.ACADEMIC_AGE, D.CHARACTERISTIC):
            continue  # other cohort / people in several rows
        assert sum(row["neet"] for row in breakdown["rows"]) == now["neet"], breakdown["dimension"]
        assert sum(row["cohort"] for row in breakdown["rows"]) == now["cohort"], breakdown["dimension"]
    by_age = {row["value"]: row for row in response.context["breakdowns"][0]["rows"]}
    assert by_age["16"]["neet"] + by_age["17"]["neet"] == now["neet"]


def test_a_snapshot_equals_a_recount_for_that_month(council):
    month_end = dashboards.month_ends_before(timezone.localdate(), 2)[0]
    call_command("take_snapshot", "--month", month_end.strftime("%Y-%m"))
    totals = dashboards.snapshot_totals(Team.objects.all(), [month_end])
    expected = recount(YoungPerson.objects.all(), month_end)
    for measure in ("cohort", "neet", "not_known", "excluded", "participating"):
        assert totals[month_end][measure] == expected[measure], measure


def test_taking_a_snapshot_twice_changes_nothing(council):
    month_end = dashboards.month_ends_before(timezone.localdate(), 1)[0]
    call_command("take_snapshot", "--month", month_end.strftime("%Y-%m"))
    first = list(MonthlySnapshot.objects.values_list("team_id", "dimension", "value", "cohort", "neet"))
    call_command("take_snapshot", "--month", month_end.strftime("%Y-%m"))
    assert (
        list(MonthlySnapshot.objects.values_list("team_id", "dimension", "value", "cohort", "neet")) == first
    )


@pytest.mark.parametrize(
    ("on", "months"),
    [
        (date(2026, 11, 23), [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]),
        (date(2024, 3, 1), [date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29)]),  # leap year
        (
            date(2024, 2, 29),
            [date(2022, 12, 31), date(2023, 1, 31), date(2023, 2, 28)],
        ),  # this winter not over
    ],
)
def test_the_winter_months_are_the_last_complete_december_to_february(on, months):
    assert dashboards.winter_months(on) == months


def test_the_december_to_february_average_averages_the_three_snapshots(council, client_for):
    months = dashboards.winter_months(timezone.localdate())
    for month_end in months:
        call_command("take_snapshot", "--month", month_end.strftime("%Y-%m"))
    totals = dashboards.snapshot_totals(Team.objects.all(), months)
    numerator = sum(totals[m]["neet"] + totals[m]["not_known"] for m in months)
    denominator = sum(totals[m]["cohort"] for m in months)
    winter = (
        client_for(UserFactory(role=Role.SERVICE_MANAGER))
        .get(reverse("tracking:dashboard"))
        .context["winter"]
    )
    assert winter["combined_rate"] == round(100 * numerator / denominator, 1)


def test_a_team_managers_dashboard_and_drill_downs_hold_only_their_team(council, client_for):
    client = client_for(council)
    response = client.get(reverse("tracking:dashboard"))
    team = council.teams.get()
    mine = YoungPerson.objects.filter(team=team)
    assert response.context["now"]["cohort"] == recount(mine, timezone.localdate())["cohort"]
    assert [t.pk for t in response.context["teams"]] == [team.pk]
    people = client.get(reverse("tracking:dashboard-people"), {"measure": "cohort"}).context["page"].paginator
    assert people.count == response.context["now"]["cohort"]
    assert {p.team_id for p in people.object_list} == {team.pk}
    other_team = YoungPerson.objects.exclude(team=team).first().team_id
    narrowed = client.get(reverse("tracking:dashboard"), {"team": other_team})
    assert narrowed.context["now"]["cohort"] == response.context["now"]["cohort"]  # not theirs: ignored


def test_every_figure_drills_down_to_exactly_the_people_it_counts(council, client_for):
    client = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    response = client.get(reverse("tracking:dashboard"))
    for breakdown in response.context["breakdowns"]:
        for row in breakdown["rows"][:3]:
            listed = client.get(
                reverse("tracking:dashboard-people"),
                {"measure": "neet", "dimension": breakdown["dimension"], "value": row["value"]},
            )
            assert listed.context["page"].paginator.count == row["neet"], (
                breakdown["dimension"],
                row["value"],
            )


def test_the_aggregates_download_as_csv(council, client_for):
    response = client_for(UserFactory(role=Role.SERVICE_MANAGER)).get(reverse("tracking:dashboard-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["breakdown"] == "all"
    assert {row["breakdown"] for row in rows} >= {"academic_age", "team", "gender"}
    assert "legal_given_name" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PERSONAL_ADVISER, 403),
        (Role.SYSTEM_ADMINISTRATOR, 403),
        (Role.DATA_PROTECTION_OFFICER, 200),
        (None, 403),
    ],
)
def test_who_may_see_dashboards(db, client_for, role, status):
    user = UserFactory(role=role)
    for name in ("tracking:dashboard", "tracking:dashboard-csv", "tracking:dashboard-people"):
        assert client_for(user).get(reverse(name)).status_code == status


def test_dashboard_figures_are_kept_per_viewer_for_the_configured_time(world, client_for, settings):
    cache.clear()
    settings.DASHBOARD_CACHE_SECONDS = 300
    url = reverse("tracking:dashboard")
    first = client_for(world.team_manager).get(url).context["now"]
    YoungPersonFactory(team=world.team, date_of_birth=years_ago(17, days=40))
    page = client_for(world.team_manager).get(url)
    assert page.context["now"] == first  # kept for five minutes
    assert "refresh every 5 minutes" in page.content.decode()
    fresh_for_service = client_for(world.service_manager).get(url).context["now"]
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert client_for(world.service_manager).get(url).context["now"] == fresh_for_service  # its own key
    assert client_for(world.team_manager).get(url).context["now"]["cohort"] == first["cohort"] + 1
