"""The caseload's work-list counts come from today's work-list entries (an index range per team or
adviser) once the night's rebuild has run: every write that can move someone between lists keeps the
entries in step, so the counts read from them are the counts read from the records, for every role;
entries built for another day, or before a change of contact intervals, are never read."""

import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services, tasks
from cases.models import WorkListDay, WorkListEntry, YoungPerson
from cases.selectors import CaseloadFilters
from tests.cases.test_caseload_facts import log
from tests.factories import YoungPersonFactory, a_year_ago
from tests.tracking.test_work_lists import record
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db

ROLES = ("adviser", "colleague", "other_adviser", "team_manager", "service_manager", "co_worker", "nobody")


def counts(client, **filters) -> dict[str, int]:
    response = client.get(reverse("cases:caseload"), filters)
    assert response.status_code == 200
    shown = {work_list.key: count for work_list, count in response.context["work_lists"]}
    return {**shown, "listed": response.context["page"].paginator.count}


@contextmanager
def entries_not_for_today():
    """As before the night's rebuild: the page counts the records themselves."""
    day = WorkListDay.objects.get().day
    WorkListDay.objects.update(day=None)
    yield
    WorkListDay.objects.update(day=day)


def assert_in_step(world, client_for, **filters) -> dict[str, dict[str, int]]:
    """Every role's counts from the entries equal its counts from the records; returns them."""
    assert selectors.work_lists_are_for(timezone.localdate())
    seen = {}
    for role in ROLES:
        client = client_for(getattr(world, role))
        from_entries = counts(client, **filters)
        with entries_not_for_today():
            assert counts(client, **filters) == from_entries, role
        seen[role] = from_entries
    return seen


def test_every_write_that_moves_someone_between_lists_keeps_the_counts_in_step(world, client_for):
    before = assert_in_step(world, client_for)
    assert before["adviser"]["not_contacted"] == 1  # on file a year, never contacted
    assert before["nobody"] == {key: 0 for key in before["nobody"]}
    assert before["co_worker"]["listed"] == 1  # the record they co-work, counted through the grant

    contact = log(world.case, world.adviser, 0)
    assert assert_in_step(world, client_for)["adviser"]["not_contacted"] == 0
    services.tracked_delete(contact, actor=world.adviser, reason="Logged on the wrong record")
    assert assert_in_step(world, client_for)["adviser"]["not_contacted"] == 1

    action = services.action_add(
        young_person=world.case,
        actor=world.adviser,
        description="Call college",
        owner="adviser",
        due_on=timezone.localdate(),
    )
    services.action_complete(action=action, actor=world.adviser)
    assert_in_step(world, client_for)

    record(world.case, "619")  # NEET
    assert assert_in_step(world, client_for)["team_manager"]["neet"] == 1
    record(world.case, "230", started_days_ago=1)  # in college: off the NEET list
    assert assert_in_step(world, client_for)["team_manager"]["neet"] == 0

    services.young_person_update(
        young_person=world.colleague_case,
        actor=world.colleague,
        reason="Needs more",
        support_level="intensive",
    )
    assert_in_step(world, client_for)
    assert_in_step(world, client_for, support_level="intensive")  # filters on the record, joined
    YoungPerson.objects.filter(pk=world.colleague_case.pk).update(sen_status=YoungPerson.SenStatus.EHC_PLAN)
    assert_in_step(world, client_for, sen_status=YoungPerson.SenStatus.EHC_PLAN)
    assert_in_step(world, client_for, support_level="intensive", sen_status=YoungPerson.SenStatus.NONE)

    services.assign(young_person=world.case, adviser=world.colleague, actor=world.team_manager)
    moved = assert_in_step(world, client_for)
    assert moved["adviser"]["listed"] == 0
    assert moved["colleague"]["listed"] == 2
    services.assign(
        young_person=world.case,
        adviser=world.other_adviser,
        team=world.other_team,
        actor=world.service_manager,
    )
    across = assert_in_step(world, client_for)
    assert across["team_manager"]["listed"] == 1
    assert across["other_adviser"]["not_contacted"] == 2
    assert_in_step(world, client_for, team=world.other_team.pk)
    assert_in_step(world, client_for, mine="on")

    tracking_services.records_merge(
        kept=world.case, merged=world.other_case, actor=world.service_manager, reason="The same person"
    )
    assert_in_step(world, client_for)


def test_a_new_record_is_on_its_lists_at_once(world, client_for):
    YoungPersonFactory(team=world.team, lead_adviser=world.adviser, on_file_since=a_year_ago())
    YoungPersonFactory(team=world.team, lead_adviser=None)  # waiting in the team's unassigned list
    seen = assert_in_step(world, client_for)
    assert seen["adviser"]["not_contacted"] == 2
    assert seen["team_manager"]["listed"] == 4


def test_entries_built_for_another_day_are_never_read(world, client_for, monkeypatch):
    """An action due tomorrow is not overdue today, nor tomorrow; the day after, it is, whether or not
    the night's rebuild has run."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.action_add(
        young_person=world.case, actor=world.adviser, description="Ring", owner="adviser", due_on=tomorrow
    )
    assert counts(client_for(world.adviser))["overdue_actions"] == 0
    real_now = timezone.now()

    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(days=1))
    assert not selectors.work_lists_are_for(timezone.localdate())
    assert counts(client_for(world.adviser))["overdue_actions"] == 0  # due today: not yet overdue

    monkeypatch.setattr(timezone, "now", lambda: real_now + timedelta(days=2))
    client = client_for(world.adviser)  # signed in afresh: a day-old session has ended
    assert counts(client)["overdue_actions"] == 1  # counted from the records: yesterday's entries say 0
    assert not WorkListEntry.objects.filter(young_person=world.case, key="overdue_actions").exists()
    tasks.work_lists_rebuild()  # the night's job
    assert selectors.work_lists_are_for(timezone.localdate())
    assert WorkListEntry.objects.filter(young_person=world.case, key="overdue_actions").exists()
    assert counts(client)["overdue_actions"] == 1


def test_a_change_of_contact_intervals_is_counted_from_the_records_until_the_rebuild(
    world, client_for, eager_celery, django_capture_on_commit_callbacks
):
    log(world.case, world.adviser, days_ago=20)  # within the targeted interval, beyond the intensive
    services.young_person_update(
        young_person=world.case, actor=world.adviser, reason="More support", support_level="targeted"
    )
    client = client_for(world.adviser)
    assert counts(client)["not_contacted"] == 0

    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.contact_intervals_set(actor=world.service_manager, days={"targeted": 14}, reason="Policy")
    assert not selectors.work_lists_are_for(timezone.localdate())
    assert counts(client)["not_contacted"] == 1  # the entries still say 0
    for callback in queued:
        callback()  # the queued rebuild
    assert selectors.work_lists_are_for(timezone.localdate())
    assert WorkListEntry.objects.filter(young_person=world.case, key="not_contacted").exists()
    assert_in_step(world, client_for)


def test_a_rebuild_overtaken_by_a_change_of_intervals_leaves_the_day_unmarked(world, monkeypatch):
    def refresh_then_change(ids):
        services.work_lists_outdate()  # the intervals changed while the rebuild ran

    monkeypatch.setattr(services, "work_lists_refresh", refresh_then_change)
    services.work_lists_rebuild()
    assert not selectors.work_lists_are_for(timezone.localdate())


def test_the_rebuild_is_idempotent_and_a_second_run_only_reads(world):
    for person in (world.case, world.colleague_case):
        record(person, "619")
    services.work_lists_rebuild()
    entries = set(WorkListEntry.objects.values_list("young_person_id", "key", "team_id", "lead_adviser_id"))
    assert "neet" in {key for _, key, _, _ in entries}
    assert len(entries) >= 4
    with CaptureQueriesContext(connection) as queries:
        assert services.work_lists_rebuild() == YoungPerson.objects.count()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))]
    assert writes == []
    assert (
        set(WorkListEntry.objects.values_list("young_person_id", "key", "team_id", "lead_adviser_id"))
        == entries
    )


def test_counts_read_the_entries_not_the_people_and_do_not_grow(world, client_for):
    with CaptureQueriesContext(connection) as queries:
        selectors.work_list_counts(world.team_manager, CaseloadFilters())
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 2  # the manager's team, then their own records outside it
    for sql in grouped:
        assert "cases_worklistentry" in sql
        for table in ("cases_youngperson", "cases_caseloadfacts", "tracking_currentstatus"):
            assert table not in sql
    client = client_for(world.team_manager)
    with CaptureQueriesContext(connection) as few:
        counts(client)
    for _ in range(5):
        YoungPersonFactory(team=world.team, lead_adviser=world.colleague, on_file_since=a_year_ago())
    with CaptureQueriesContext(connection) as more:
        assert counts(client)["not_contacted"] == 7
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_filter_on_the_records_columns_counts_the_entries_joined_to_them(world, client_for):
    """Level of support and SEN status are the record's, not the entry's: the entries in reach are
    joined to their records, never the lists' conditions worked out over everyone in reach."""
    filters = CaseloadFilters(support_level="intensive", sen_status=YoungPerson.SenStatus.NONE)
    with CaptureQueriesContext(connection) as queries:
        selectors.work_list_counts(world.team_manager, filters)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped
    for sql in grouped:
        assert "cases_worklistentry" in sql
        assert '"support_level" = ' in sql
        for table in ("cases_caseloadfacts", "tracking_currentstatus", "cases_contact"):
            assert table not in sql


def test_an_operator_rebuilds_by_hand_after_a_missed_night(world, client_for):
    record(world.case, "619")
    WorkListEntry.objects.all().delete()
    WorkListDay.objects.update(day=timezone.localdate() - timedelta(days=1))  # the beat was down
    out = io.StringIO()
    call_command("rebuild_work_lists", stdout=out)
    assert out.getvalue().strip() == "Work lists rebuilt for 3 young people"
    assert selectors.work_lists_are_for(timezone.localdate())
    assert assert_in_step(world, client_for)["team_manager"]["neet"] == 1
