"""The task list: overdue actions and those due within a week, people not contacted within their
level of support's interval (set by managers), activity reviews due; each with a count, within the
user's reach; an action marked done there leaves the list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Action, ContactInterval, YoungPerson
from tests.factories import ContactFactory, YoungPersonFactory
from tracking import services as tracking_services
from tracking.models import ActivityCode

pytestmark = pytest.mark.django_db


def sections(client) -> dict:
    response = client.get(reverse("cases:todo"))
    assert response.status_code == 200
    return {section.key: section for section in response.context["sections"]}


def action(person, due_in: int, actor, description="Call about the course") -> Action:
    today = timezone.localdate()
    made = services.action_add(
        young_person=person, actor=actor, description=description, owner="adviser", due_on=today
    )
    Action.objects.filter(pk=made.pk).update(due_on=today + timedelta(days=due_in))  # as if set long ago
    services.caseload_facts_refresh([person.pk])  # as any write to it would have
    return made


def on_file_since(person, days: int) -> None:
    YoungPerson.objects.filter(pk=person.pk).update(created_at=timezone.now() - timedelta(days=days))


@pytest.mark.parametrize(("due_in", "where"), [(-1, "overdue"), (0, "due-soon"), (7, "due-soon"), (8, None)])
def test_actions_are_overdue_from_the_day_after_they_are_due_and_listed_a_week_ahead(
    world, client_for, due_in, where
):
    made = action(world.case, due_in, world.adviser)
    found = sections(client_for(world.adviser))
    listed = [key for key in ("overdue", "due-soon") if made in found[key].rows]
    assert listed == ([where] if where else [])
    assert {key: found[key].count for key in ("overdue", "due-soon")} == {
        "overdue": int(where == "overdue"),
        "due-soon": int(where == "due-soon"),
    }


def test_done_actions_and_people_out_of_reach_are_not_on_the_list(world, client_for):
    done = action(world.case, -3, world.adviser, "Done already")
    services.action_complete(action=done, actor=world.adviser)
    action(world.other_case, -3, world.other_adviser, "Another team's action")
    found = sections(client_for(world.adviser))
    assert found["overdue"].rows == []
    assert "Another team" not in client_for(world.adviser).get(reverse("cases:todo")).content.decode()


def test_an_action_marked_done_on_the_task_list_leaves_it(world, client_for):
    made = action(world.case, -2, world.adviser)
    client = client_for(world.adviser)
    response = client.post(reverse("cases:action-complete", args=[world.case.pk, made.pk]), {"from": "todo"})
    assert response.url == reverse("cases:todo")
    made.refresh_from_db()
    assert made.completed_on == timezone.localdate()
    assert made.completed_by == world.adviser
    assert sections(client)["overdue"].count == 0


def test_marking_done_on_the_record_returns_to_its_action_plan(world, client_for):
    made = action(world.case, 2, world.adviser)
    response = client_for(world.adviser).post(reverse("cases:action-complete", args=[world.case.pk, made.pk]))
    assert response.url == reverse("cases:young-person-detail", args=[world.case.pk]) + "#actions"


@pytest.mark.parametrize(("last_contact_days_ago", "listed"), [(28, False), (29, True), (None, True)])
def test_someone_is_listed_when_not_contacted_within_their_levels_interval(
    world, client_for, last_contact_days_ago, listed
):
    assert ContactInterval.objects.get(support_level="targeted").days == 28
    YoungPerson.objects.filter(pk=world.case.pk).update(support_level="targeted")
    on_file_since(world.case, 100)
    if last_contact_days_ago is not None:
        when = timezone.localtime() - timedelta(days=last_contact_days_ago)
        ContactFactory(
            young_person=world.case, staff_member=world.adviser, occurred_at=when.replace(hour=0, minute=1)
        )
    found = sections(client_for(world.adviser))["not-contacted"]
    assert (world.case.pk in {person.pk for person in found.rows}) is listed
    assert found.count == int(listed)


@pytest.mark.parametrize(("on_file_days", "listed"), [(28, False), (29, True)])
def test_a_new_record_is_not_listed_before_its_first_interval_has_passed(
    world, client_for, on_file_days, listed
):
    YoungPerson.objects.filter(pk=world.case.pk).update(support_level="targeted")
    on_file_since(world.case, on_file_days)
    found = sections(client_for(world.adviser))["not-contacted"]
    assert (world.case.pk in {person.pk for person in found.rows}) is listed


def test_a_review_date_within_a_week_puts_the_activity_on_the_list(world, client_for):
    today = timezone.localdate()
    later = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    for person, review_in in ((world.case, 7), (later, 8)):
        tracking_services.activity_record(
            young_person=person,
            actor=world.adviser,
            code=ActivityCode.objects.get(code="230"),
            start_date=today - timedelta(days=30),
            date_ascertained=today - timedelta(days=30),
            review_date=today + timedelta(days=review_in),
        )
    found = sections(client_for(world.adviser))["review-due"]
    assert [person.pk for person in found.rows] == [world.case.pk]


def test_the_counts_match_the_caseload_work_lists(world, client_for):
    YoungPerson.objects.filter(pk=world.case.pk).update(support_level="intensive")
    on_file_since(world.case, 30)
    action(world.case, -1, world.adviser)
    client = client_for(world.adviser)
    page = client.get(reverse("cases:caseload"))
    counts = {work_list.key: count for work_list, count in page.context["work_lists"]}
    assert counts["not_contacted"] == sections(client)["not-contacted"].count == 1
    assert counts["overdue_actions"] == 1


def test_a_team_manager_changes_the_intervals_and_the_list_follows(world, client_for):
    YoungPerson.objects.filter(pk=world.case.pk).update(support_level="universal")
    on_file_since(world.case, 40)
    client = client_for(world.team_manager)
    assert world.case.pk not in {p.pk for p in sections(client)["not-contacted"].rows}
    response = client.post(
        reverse("cases:contact-intervals"),
        {"intensive": "7", "targeted": "21", "universal": "30", "reason": "New practice standard"},
    )
    assert response.status_code == 302
    assert world.case.pk in {p.pk for p in sections(client)["not-contacted"].rows}
    interval = ContactInterval.objects.get(support_level="universal")
    assert interval.days == 30
    assert interval.history.first().history_user == world.team_manager
    assert interval.history.first().history_change_reason == "New practice standard"


@pytest.mark.parametrize(
    ("days", "message"), [("0", "must be 1 or more"), ("366", "must be 365 or less"), ("", "Enter")]
)
def test_an_interval_out_of_range_is_refused_and_nothing_changes(world, client_for, days, message):
    response = client_for(world.team_manager).post(
        reverse("cases:contact-intervals"),
        {"intensive": days, "targeted": "21", "universal": "30", "reason": "Typo"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ContactInterval.objects.get(support_level="targeted").days == 28


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("adviser", 403),
        ("team_manager", 200),
        ("service_manager", 200),
        ("dpo", 403),
        ("sysadmin", 403),
        ("nobody", 403),
    ],
)
def test_only_managers_set_the_intervals(world, client_for, persona, status):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("cases:contact-intervals")).status_code == status
    client.post(
        reverse("cases:contact-intervals"),
        {"intensive": "1", "targeted": "1", "universal": "1", "reason": "Widening my reach"},
    )
    assert (ContactInterval.objects.get(support_level="universal").days == 1) is (status == 200)


def test_someone_who_sees_nobody_has_an_empty_list(world, client_for):
    action(world.case, -1, world.adviser)
    found = sections(client_for(world.nobody))
    assert {key: section.count for key, section in found.items()} == dict.fromkeys(found, 0)
