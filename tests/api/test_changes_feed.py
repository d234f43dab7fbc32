"""The changes feed: what a sync asking for rows changed since a time cannot see - a record merged into
another, moved to another team or adviser, destroyed, a row deleted - as tombstones of ids only, in
the reach of those who held the record before the event, followed with a cursor, kept for
CHANGES_KEEP_DAYS and then let go (a cursor older than that is 410: sync again in full)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.api import ScopedViewSet
from cases.models import Tombstone
from retention import services as retention_services
from tests.factories import ContactFactory
from tracking import services as tracking_services
from youthservice.api import router

pytestmark = pytest.mark.django_db
FEED = "/api/v1/changes/"


def feed(api, **params) -> dict:
    answer = api.get(FEED, params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def events(api) -> list[tuple[str, str, int]]:
    return [(row["event"], row["resource"], row["record"]) for row in feed(api)["results"]]


def merge(world, merged, kept):
    return tracking_services.records_merge(kept=kept, merged=merged, actor=world.team_manager, reason="Same")


def test_a_merged_record_is_told_with_the_record_it_joined_to_those_who_held_it(world, api_for):
    merge(world, world.case, world.colleague_case)
    (told,) = feed(api_for(world.adviser))["results"]
    assert told == {
        "event": "merged",
        "resource": "young-people",
        "record": world.case.pk,
        "young_person": world.case.pk,
        "merged_into": world.colleague_case.pk,
        "at": told["at"],
    }
    assert events(api_for(world.team_manager)) == [("merged", "young-people", world.case.pk)]
    assert events(api_for(world.dpo)) == [("merged", "young-people", world.case.pk)]
    for outsider in (world.other_adviser, world.co_worker, world.nobody):
        assert events(api_for(outsider)) == []


def test_an_undone_merge_is_told_and_the_cohort_exit_it_deleted_is_not_a_resource(world, api_for):
    done = merge(world, world.case, world.colleague_case)
    tracking_services.merge_undo(merge=done, actor=world.team_manager)
    assert Tombstone.objects.filter(resource="cohort-exits", event="deleted").exists()
    assert events(api_for(world.adviser)) == [
        ("merged", "young-people", world.case.pk),
        ("merge_undone", "young-people", world.case.pk),
    ]


def test_a_transfer_is_told_to_those_who_lost_the_record_and_not_to_those_who_gained_it(world, api_for):
    services.assign(
        young_person=world.case, adviser=world.other_adviser, team=world.other_team, actor=world.dpo
    )
    adviser = api_for(world.adviser)
    assert events(adviser) == [("transferred", "young-people", world.case.pk)]
    assert adviser.get(f"/api/v1/young-people/{world.case.pk}/").status_code == 404
    gained = api_for(world.other_adviser)
    assert events(gained) == []
    assert gained.get(f"/api/v1/young-people/{world.case.pk}/").status_code == 200


def test_a_co_worker_is_told_of_the_record_they_co_work_moving(world, api_for):
    services.assign(young_person=world.other_case, adviser=None, team=world.team, actor=world.dpo)
    assert events(api_for(world.co_worker)) == [("transferred", "young-people", world.other_case.pk)]


def test_assigning_the_same_team_and_adviser_again_tells_nothing(world, api_for):
    services.assign(young_person=world.case, adviser=world.adviser, team=world.team, actor=world.dpo)
    assert events(api_for(world.dpo)) == []


def test_a_deleted_contact_is_told_by_its_id(world, api_for):
    contact = ContactFactory(young_person=world.case)
    contact_id = contact.pk
    services.tracked_delete(contact, actor=world.dpo, reason="Logged on the wrong record")
    assert events(api_for(world.adviser)) == [("deleted", "contacts", contact_id)]
    assert events(api_for(world.other_adviser)) == []


def test_a_destroyed_person_is_told_once_and_what_was_told_of_them_before_goes(world, api_for):
    person_id, colleague_id = world.case.pk, world.colleague_case.pk
    merge(world, world.colleague_case, world.case)
    retention_services.erase(young_person_id=person_id, actor=world.dpo, reason="Erasure request 1")
    assert list(Tombstone.objects.filter(young_person_id=person_id).values_list("event", flat=True)) == [
        "destroyed"
    ]
    assert events(api_for(world.adviser)) == [("destroyed", "young-people", person_id)]
    assert events(api_for(world.team_manager)) == [
        ("merged", "young-people", colleague_id),
        ("destroyed", "young-people", person_id),
    ]


def test_the_cursor_gives_each_tombstone_once_in_order_and_pages_by_page_size(world, api_for):
    api = api_for(world.dpo)
    merge(world, world.case, world.colleague_case)
    first = feed(api)
    assert (len(first["results"]), first["more"]) == (1, False)
    assert feed(api, cursor=first["cursor"])["results"] == []
    services.assign(young_person=world.other_case, adviser=None, team=world.team, actor=world.dpo)
    services.assign(young_person=world.case, adviser=world.colleague, team=world.team, actor=world.dpo)
    page = feed(api, cursor=first["cursor"], page_size=1)
    assert ([row["record"] for row in page["results"]], page["more"]) == ([world.other_case.pk], True)
    last = feed(api, cursor=page["cursor"], page_size=1)
    assert ([row["record"] for row in last["results"]], last["more"]) == ([world.case.pk], False)
    assert feed(api, cursor=last["cursor"])["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "12"}, "cursor"),
        ({"cursor": "1.2.x"}, "cursor"),
        ({"cursor": "1.2.3.4"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"since": "2026-01-01"}, "unknown_parameters"),
    ],
)
def test_a_cursor_or_page_size_not_given_by_the_feed_is_a_400(world, api_for, params, field):
    answer = api_for(world.dpo).get(FEED, params)
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_cursor_older_than_the_days_kept_is_410_and_one_just_within_is_read(world, api_for, settings):
    settings.CHANGES_KEEP_DAYS = 90
    api = api_for(world.dpo)
    oldest = int((timezone.now() - timedelta(days=90)).timestamp())
    assert api.get(FEED, {"cursor": f"-1.0.{oldest + 60}"}).status_code == 200
    gone = api.get(FEED, {"cursor": f"-1.0.{oldest - 60}"})
    assert gone.status_code == 410
    assert "Sync again in full" in gone.json()["detail"]


def test_tombstones_are_let_go_after_the_days_kept_and_not_a_moment_before(world, settings, eager_celery):
    from cases.tasks import changes_expire

    settings.CHANGES_KEEP_DAYS = 90
    merge(world, world.case, world.colleague_case)
    services.assign(young_person=world.other_case, adviser=None, team=world.team, actor=world.dpo)
    now = timezone.now()
    old, young = Tombstone.objects.order_by("pk")
    Tombstone.objects.filter(pk=old.pk).update(at=now - timedelta(days=90, seconds=60))
    Tombstone.objects.filter(pk=young.pk).update(at=now - timedelta(days=90) + timedelta(seconds=60))
    assert changes_expire.delay().get() == 1
    assert list(Tombstone.objects.values_list("pk", flat=True)) == [young.pk]
    assert changes_expire.delay().get() == 0


def test_each_resource_a_tombstone_names_is_a_route_of_the_api():
    scoped = [(prefix, view) for prefix, view, _ in router.registry if issubclass(view, ScopedViewSet)]
    assert len(scoped) == 8
    for prefix, viewset in scoped:
        if prefix != "disclosures":  # rows of people in a disclosure, never deleted
            assert services.resource_name(viewset.queryset.model) == prefix
