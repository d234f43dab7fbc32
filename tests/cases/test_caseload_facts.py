"""The work lists and people tables read each person's latest contact and next open action from
CaseloadFacts, and their activity review date from their stored status, instead of probing every
member of a team's contacts, actions and activities. These follow every write: a contact logged or
deleted, an action agreed, completed or deleted, a merge and its undoing, an activity recorded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import selectors, services
from cases.models import CaseloadFacts, Contact, YoungPerson
from cases.selectors import CaseloadFilters
from tests.tracking.test_work_lists import record
from tracking import services as tracking_services
from tracking.models import CurrentStatus

pytestmark = pytest.mark.django_db


def facts(person) -> tuple:
    row = CaseloadFacts.objects.filter(young_person=person).first()
    return (row.last_contact_at, row.next_action_due) if row else (None, None)


def log(person, actor, days_ago: int) -> Contact:
    return services.contact_log(
        young_person=person,
        actor=actor,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        method="phone",
        purpose="guidance",
        notes="Talked about college",
    )


def test_the_latest_contact_follows_contacts_logged_and_deleted(world):
    older = log(world.case, world.adviser, 10)
    assert facts(world.case)[0] == older.occurred_at
    newer = log(world.case, world.adviser, 2)
    between = log(world.case, world.adviser, 5)
    assert facts(world.case)[0] == newer.occurred_at
    services.tracked_delete(newer, actor=world.adviser, reason="Logged on the wrong record")
    assert facts(world.case)[0] == between.occurred_at


def agree(person, actor, due_in: int, description="Call about the course"):
    due_on = timezone.localdate() + timedelta(days=due_in)
    return services.action_add(
        young_person=person, actor=actor, description=description, owner="adviser", due_on=due_on
    )


def test_the_next_action_follows_actions_agreed_completed_and_deleted(world):
    later = agree(world.case, world.adviser, 9, "Visit")
    sooner = agree(world.case, world.adviser, 3)
    assert facts(world.case)[1] == sooner.due_on
    services.action_complete(action=sooner, actor=world.adviser)
    assert facts(world.case)[1] == later.due_on
    services.tracked_delete(later, actor=world.adviser, reason="Agreed by mistake")
    assert facts(world.case)[1] is None


def test_a_merge_moves_the_facts_with_the_contacts_and_undoing_it_moves_them_back(world):
    contact = log(world.colleague_case, world.colleague, 4)
    merge = tracking_services.records_merge(
        kept=world.case, merged=world.colleague_case, actor=world.team_manager, reason="Same person"
    )
    assert facts(world.case)[0] == contact.occurred_at
    assert facts(world.colleague_case) == (None, None)
    tracking_services.merge_undo(merge=merge, actor=world.team_manager)
    assert facts(world.colleague_case)[0] == contact.occurred_at
    assert facts(world.case) == (None, None)


def test_a_record_with_contacts_and_actions_can_still_be_deleted(world):
    log(world.case, world.adviser, 1)
    agree(world.case, world.adviser, 0)
    YoungPerson.objects.filter(pk=world.case.pk).first().delete()
    assert not CaseloadFacts.objects.filter(young_person_id=world.case.pk).exists()


def test_the_review_date_of_an_activity_in_force_is_stored_with_the_status(world):
    today = timezone.localdate()
    record(world.case, "310", review_date=today + timedelta(days=7))
    assert CurrentStatus.objects.get(young_person=world.case).review_on == today + timedelta(7)
    record(world.case, "410", started_days_ago=1)  # the apprenticeship ends the day before
    assert CurrentStatus.objects.get(young_person=world.case).review_on is None


def test_the_work_list_counts_probe_no_ones_contacts_actions_or_activities(world):
    with CaptureQueriesContext(connection) as queries:
        selectors.work_list_counts(world.team_manager, CaseloadFilters())
    counted = queries.captured_queries[-1]["sql"]  # after the reach's teams and grants
    assert "COUNT" in counted.upper()
    for table in ("cases_contact", "cases_action", "tracking_activity"):
        assert table not in counted
