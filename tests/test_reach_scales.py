"""What keeps pages fast as a council grows (issue 19), asserted by the queries they send: one
record's access is checked by that record's id (never by building the union of every grant the user
holds, which for a team manager is every grant in the team); the caseload's filter menus read distinct
teams and advisers, not every person; the dashboard's figures are shared by everyone who sees the same
teams whole, and no one else's."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import access, forms, services
from cases.models import YoungPerson, YoungPersonPermission
from core.roles import Role
from tests.factories import UserFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db
VIEW = YoungPersonPermission.VIEW


def sql_of(action) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        action()
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("persona", ["adviser", "team_manager", "co_worker"])
def test_one_records_access_is_probed_by_its_id(world, persona):
    user = getattr(world, persona)
    person = world.other_case if persona == "co_worker" else world.case
    sql = sql_of(lambda: access.young_person_or_404(user, person.pk))
    sql += sql_of(lambda: access.can(user, person, YoungPersonPermission.CHANGE))
    reads = [statement for statement in sql if 'FROM "cases_youngperson" ' in statement]
    assert len(reads) == 1  # the record itself, by its primary key, and nothing of anyone else's
    assert re.search(rf'"cases_youngperson"\."id" = {person.pk}\b', reads[0])
    assert "lead_adviser_id" not in reads[0].split(" WHERE ", 1)[1]
    grants = [statement for statement in sql if "objectpermission" in statement]
    assert grants
    assert all(re.search(rf'content_object_id"? = {person.pk}\b', s) for s in grants)


def list_sql(user) -> str:
    """The WHERE clause of the list's query."""
    *_, listing = sql_of(lambda: list(access.young_people_for(user).order_by("legal_family_name")[:25]))
    return listing.split(" WHERE ", 1)[1]


def test_a_team_managers_list_is_their_teams_by_the_records_column(world):
    listing = list_sql(world.team_manager)
    assert re.search(rf'"team_id" IN \({world.team.pk}\)', listing), listing
    assert "objectpermission" not in listing
    assert "auth_user_groups" not in listing
    # they lead no one outside their team: "team OR lead adviser" walked the name index filtering
    assert "lead_adviser_id" not in listing
    assert " OR " not in listing


def test_a_team_manager_who_leads_a_record_elsewhere_lists_it_by_its_id(world):
    with access.reach_read_once():  # as a request: the reach read once, and read again after a move
        assert world.other_case not in access.young_people_for(world.team_manager)
        services.assign(
            young_person=world.other_case, adviser=world.team_manager, actor=world.service_manager
        )
        assert world.other_case in access.young_people_for(world.team_manager)
    listing = list_sql(world.team_manager)
    assert re.search(rf'"id" IN \({world.other_case.pk}\)', listing), listing
    assert set(access.young_people_for(world.team_manager)) == {
        world.case,
        world.colleague_case,
        world.other_case,
    }
    assert set(access.young_people_for(world.other_adviser)) == set()


def test_an_advisers_list_is_their_caseload_by_the_records_column(world):
    listing = list_sql(world.adviser)
    assert re.search(rf'"lead_adviser_id" = {world.adviser.pk}\b', listing), listing
    assert "objectpermission" not in listing
    assert "team_id" not in listing


def test_a_co_workers_list_names_the_records_they_were_granted(world):
    listing = list_sql(world.co_worker)
    assert re.search(rf'"id" IN \({world.other_case.pk}\)', listing), listing
    assert "objectpermission" not in listing


def test_the_id_probe_refuses_as_the_list_does(world):
    users = ("adviser", "colleague", "other_adviser", "team_manager", "co_worker", "service_manager", "dpo")
    for user in [getattr(world, name) for name in users] + [world.nobody]:
        for person in (world.case, world.colleague_case, world.other_case):
            for perm in YoungPersonPermission:
                listed = access.young_people_for(user, perm).filter(pk=person.pk).exists()
                assert access.can(user, person, perm) is listed, (user, person, perm)
                assert (perm in access.perms_on(user, person)) is listed, (user, person, perm)


def test_the_filter_menus_probe_each_team_and_adviser_never_every_person(world):
    form = forms.CaseloadFilterForm(None, user=world.team_manager)
    sql = sql_of(lambda: (list(form.fields["team"].queryset), list(form.fields["adviser"].queryset)))
    menus = [statement for statement in sql if "EXISTS" in statement.upper()]
    assert len(menus) == 2
    assert not any("DISTINCT" in statement.upper() for statement in sql)
    assert list(form.fields["team"].queryset) == [world.team]
    assert set(form.fields["adviser"].queryset) == {world.adviser, world.colleague}


def counting(client, **filters) -> tuple[list[str], Any]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("cases:caseload"), filters)
    return [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()], page


def test_the_caseload_counts_its_people_once_and_the_paginator_not_again(world, client_for):
    """From today's work-list entries: the people in reach and the lists, each a part of the reach at
    a time, also under a filter on the record's own columns (the entries joined to their records);
    never the paginator again."""
    client = client_for(world.team_manager)
    counts, page = counting(client)
    people = [sql for sql in counts if "cases_youngperson" in sql]
    on_lists = [sql for sql in counts if "cases_worklistentry" in sql]
    assert len(people) + len(on_lists) == len(counts)  # the paginator counts nothing of its own
    # the team's people (the manager leads no one outside it: their own are none, by id), then the
    # lists' entries: the team's, then the manager's own outside it (entries carry copies)
    assert (len(people), len(on_lists)) == (1, 2)
    assert not any(" OR " in sql for sql in counts)  # each an index range
    assert page.context["page"].paginator.count == 2
    counts, page = counting(client, support_level="targeted")
    assert len(counts) == 2  # the people, then the lists through the records: each the team's alone
    assert all("\"support_level\" = 'targeted'" in sql for sql in counts)
    assert not any(" OR " in sql for sql in counts)
    overdue = client.get(reverse("cases:caseload"), {"work_list": "not_known"})
    assert overdue.context["page"].paginator.count == len(overdue.context["page"].object_list)


@pytest.fixture
def cached_dashboard(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tracking:dashboard")).status_code == 200
    return len(queries)


def test_managers_of_the_same_team_share_the_dashboards_figures(world, client_for, cached_dashboard):
    second = UserFactory(username="second-manager", role=Role.TEAM_MANAGER)
    services.team_member_add(team=world.team, user=second, actor=None)
    first = dashboard_queries(client_for(world.team_manager))
    shared = dashboard_queries(client_for(second))
    assert shared < first - 10  # the figures came from the cache
    assert (
        client_for(second).get(reverse("tracking:dashboard")).context["now"]["cohort"]
        == (client_for(world.team_manager).get(reverse("tracking:dashboard")).context["now"]["cohort"])
    )


def test_someone_who_does_not_reach_the_whole_team_gets_figures_of_their_own(
    world, client_for, cached_dashboard
):
    partial = UserFactory(username="partial-manager", role=Role.TEAM_MANAGER)
    world.team.members.add(partial)  # a member, but not in the team's group: no grant on its records
    first = dashboard_queries(client_for(world.team_manager))
    own = dashboard_queries(client_for(partial))
    assert own >= first - 2  # computed, not read from the manager's cache
    figures = client_for(partial).get(reverse("tracking:dashboard")).context["now"]
    assert figures["cohort"] == 0
    assert YoungPerson.objects.filter(team=world.team).exists()


def headline(client, **query) -> tuple[int, str]:
    """The cohort the page was given, and the cohort its HTML shows."""
    response = client.get(reverse("tracking:dashboard"), query)
    shown = re.search(r"16-17 cohort</dt>\s*<dd[^>]*><a [^>]*>(\d+)<", response.content.decode())
    return response.context["now"]["cohort"], shown.group(1)


def test_the_figures_html_is_shared_as_the_figures_are_and_no_further(world, client_for, cached_dashboard):
    sixteen = timezone.localdate() - timedelta(days=16 * 365 + 200)
    for _ in range(3):
        YoungPersonFactory(team=world.team, date_of_birth=sixteen)
    cohort, shown = headline(client_for(world.team_manager))
    assert cohort > 0
    assert shown == str(cohort)
    partial = UserFactory(username="partial-manager", role=Role.TEAM_MANAGER)
    world.team.members.add(partial)  # reaches none of the team's records
    assert headline(client_for(partial)) == (0, "0")
    service = client_for(world.service_manager)
    whole, whole_shown = headline(service)
    assert whole_shown == str(whole)
    one_team, one_team_shown = headline(service, team=world.other_team.pk)
    assert one_team != whole
    assert one_team_shown == str(one_team)  # that team's figures, not the whole service's


def test_the_figures_links_keep_the_team_chosen(world, client_for, cached_dashboard):
    """One team's manager sees the same figures for "All my teams" and for that team; the links to
    who is counted keep the choice."""
    client = client_for(world.team_manager)
    everything = client.get(reverse("tracking:dashboard")).content.decode()
    chosen = client.get(reverse("tracking:dashboard"), {"team": world.team.pk}).content.decode()
    assert f"&amp;team={world.team.pk}" not in everything
    assert f"?measure=cohort&amp;team={world.team.pk}" in chosen


def test_counting_the_reach_part_by_part_counts_each_person_once(world):
    """A team manager who is also a record's lead adviser in their own team, and co-works records in
    and out of it: the parts overlap, the counts must not; every role counts what its list holds."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import WorkListEntry
    from tests.factories import YoungPersonFactory

    YoungPersonFactory(team=world.team, lead_adviser=world.team_manager)  # in their team and theirs
    YoungPersonFactory(team=world.other_team, lead_adviser=world.team_manager)  # theirs, not their team
    until = timezone.localdate() + timedelta(days=10)
    for person in (world.case, world.other_case):  # co-worked: one inside their team, one outside
        services.co_worker_grant(
            young_person=person, user=world.team_manager, actor=world.service_manager, until=until, reason="x"
        )
    WorkListEntry.objects.bulk_create(
        WorkListEntry(young_person=p, key=key, team_id=p.team_id, lead_adviser_id=p.lead_adviser_id)
        for p in YoungPerson.objects.all()
        for key in ("a", "b")
    )
    for persona in ("adviser", "team_manager", "service_manager", "co_worker", "other_adviser", "nobody"):
        user = getattr(world, persona)
        reach = access.young_people_for(user)
        assert access.counts_in_reach(user, YoungPerson.objects.all())[None] == reach.count(), persona
        entries = WorkListEntry.objects.filter(key__in=["a", "b"])
        on_lists = access.counts_in_reach(user, entries, by="key", person="young_person_id")
        assert dict(on_lists) == ({"a": reach.count(), "b": reach.count()} if reach.exists() else {}), persona
    assert access.young_people_for(world.team_manager).count() == 5


def reach_reads(statements: list[str]) -> int:
    return sum("auth_user_groups" in sql and "UNION" in sql.upper() for sql in statements)


def test_a_request_reads_the_reach_once_and_a_change_to_it_is_not_missed(world, client_for):
    """The caseload read the manager's teams and grants five times; now once, and what a user may do
    with one record once. Within the block a request runs in, a grant given or a manager added is
    seen by the next read."""
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(world.team_manager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:caseload")).status_code == 200
    assert reach_reads([q["sql"] for q in queries.captured_queries]) == 1

    with access.reach_read_once():
        assert not access.young_people_for(world.colleague).filter(pk=world.other_case.pk).exists()
        assert VIEW not in access.perms_on(world.colleague, world.other_case)
        assert sql_of(lambda: access.can(world.colleague, world.other_case, VIEW)) == []  # worked out once
        services.co_worker_grant(
            young_person=world.other_case,
            user=world.colleague,
            actor=world.service_manager,
            until=timezone.localdate() + timedelta(days=5),
            reason="Cover",
        )
        assert access.young_people_for(world.colleague).filter(pk=world.other_case.pk).exists()
        assert access.can(world.colleague, world.other_case, VIEW)
        assert not access.young_people_for(world.other_adviser).filter(pk=world.case.pk).exists()
        world.team.group.user_set.add(world.other_adviser)  # made a manager of the team
        assert access.young_people_for(world.other_adviser).filter(pk=world.case.pk).exists()
