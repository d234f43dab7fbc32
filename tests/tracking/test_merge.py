"""Merging two records of one person (and undoing it)."""

import pytest
from django.urls import reverse

from cases.models import Contact
from tests.factories import ContactFactory, YoungPersonFactory, sign_in_verified, valid_upn
from tracking import services
from tracking.models import CohortExit, Merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(world):
    """The adviser's young person recorded twice: the second record has a UPN and a contact."""
    person = world.case
    return YoungPersonFactory(
        team=world.team,
        lead_adviser=world.colleague,
        legal_given_name=person.legal_given_name,
        legal_family_name=person.legal_family_name,
        date_of_birth=person.date_of_birth,
        upn=valid_upn(),
        phone="07700 900123",
    )


def merge_through_pages(client, world, kept, merged):
    sign_in_verified(client, world.team_manager)
    url = reverse("tracking:merge", args=[kept.pk])
    data = {"merged": merged.pk, "reason": "Same pupil: school sent a second record"}
    compare = client.post(url, data)
    assert f"Merge: record {merged.pk}" in compare.content.decode()
    return client.post(url, {**data, "confirm": ""}, follow=True)


def test_a_merge_moves_records_fills_blanks_and_marks_the_duplicate_m(client, world, duplicate):
    world.case.phone, world.case.upn = "", ""
    world.case.save()
    contact = ContactFactory(young_person=duplicate, staff_member=world.colleague)
    upn = duplicate.upn
    response = merge_through_pages(client, world, world.case, duplicate)
    assert f"Record {duplicate.pk} merged into this record" in response.content.decode()

    contact.refresh_from_db()
    world.case.refresh_from_db()
    duplicate.refresh_from_db()
    merge = Merge.objects.get()
    assert contact.young_person == world.case
    assert contact.history.first().history_change_reason.startswith(f"Merge {merge.pk}")
    assert (world.case.upn, world.case.phone) == (upn, "07700 900123")
    assert duplicate.upn == ""
    assert CohortExit.objects.get(young_person=duplicate).reason == "M"
    assert duplicate.current_status.in_dfe_cohort is False
    for person in (world.case, duplicate):  # a merge entry on both
        assert person.history.filter(history_change_reason__startswith=f"Merge {merge.pk}").exists()
    page = client.get(reverse("cases:young-person-detail", args=[duplicate.pk])).content.decode()
    assert f"This record was merged into record {world.case.pk}" in page


def test_a_merge_can_be_undone(client, world, duplicate):
    world.case.upn = ""
    world.case.save()
    contact = ContactFactory(young_person=duplicate, staff_member=world.colleague)
    upn = duplicate.upn
    merge_through_pages(client, world, world.case, duplicate)
    merge = Merge.objects.get()
    client.post(reverse("tracking:merge-undo", args=[merge.pk]))

    contact.refresh_from_db()
    world.case.refresh_from_db()
    duplicate.refresh_from_db()
    merge.refresh_from_db()
    assert contact.young_person == duplicate
    assert (world.case.upn, duplicate.upn) == ("", upn)
    assert not CohortExit.objects.filter(young_person=duplicate).exists()
    assert merge.undone_by == world.team_manager
    assert duplicate.history.first().history_change_reason == f"Merge {merge.pk} undone"
    assert Contact.history.filter(id=contact.pk).count() == 3  # created, moved, moved back


def test_merging_needs_the_permission_and_reach_over_both_records(client_for, world, duplicate):
    url = reverse("tracking:merge", args=[world.case.pk])
    assert client_for(world.adviser).get(url).status_code == 403  # may change, may not merge
    assert client_for(world.other_adviser).get(url).status_code == 404
    assert client_for(world.nobody).get(url).status_code == 404
    response = client_for(world.team_manager).post(url, {"merged": world.other_case.pk, "reason": "x"})
    assert "There is no record with this number that you can change" in response.content.decode()
    assert not Merge.objects.exists()


def test_a_record_cannot_be_merged_twice_or_into_itself(client, world, duplicate):
    merge_through_pages(client, world, world.case, duplicate)
    url = reverse("tracking:merge", args=[world.case.pk])
    again = client.post(url, {"merged": duplicate.pk, "reason": "again", "confirm": ""})
    assert "has already left the cohort" in again.content.decode()
    itself = client.post(url, {"merged": world.case.pk, "reason": "self", "confirm": ""})
    assert "Choose two different records" in itself.content.decode()
    assert Merge.objects.count() == 1


def test_undo_is_refused_without_reach(client_for, world, duplicate):
    merge = services.records_merge(kept=world.case, merged=duplicate, actor=world.team_manager, reason="same")
    url = reverse("tracking:merge-undo", args=[merge.pk])
    assert client_for(world.adviser).post(url).status_code == 403
    assert client_for(world.other_adviser).post(url).status_code == 403
    assert client_for(world.service_manager).post(url).status_code == 404  # reads every record, changes none
    assert client_for(world.team_manager).post(url).status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None
