"""Merging two records of one person (and undoing it), and young people's self-update links."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact
from tests.factories import ContactFactory, YoungPersonFactory, sign_in_verified, valid_upn
from tracking import services
from tracking.models import Activity, CohortExit, Merge, SelfUpdateLink

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


# --- Self-update links -----------------------------------------------------------------------------


def _token_from(text: str) -> str:
    return re.search(r"/update/([\w-]+)/", text).group(1)


def test_an_adviser_sends_a_link_and_the_young_person_updates_without_signing_in(client, world):
    world.case.email = "young.person@example.invalid"
    world.case.save()
    sign_in_verified(client, world.adviser)
    response = client.post(reverse("tracking:self-update-send", args=[world.case.pk]), follow=True)
    assert "emailed to the young person" in response.content.decode()
    assert mail.outbox[-1].to == ["young.person@example.invalid"]
    token = _token_from(mail.outbox[-1].body)
    client.logout()

    page = client.get(reverse("tracking:self-update", args=[token])).content.decode()
    assert f"Hello {world.case.known_as}" in page
    assert world.case.legal_family_name not in page
    assert str(world.case.date_of_birth.year) not in page
    start = timezone.localdate() - timedelta(days=20)
    done = client.post(
        reverse("tracking:self-update", args=[token]),
        {
            "code": "310",
            "where": "Harbour Engineering",
            "start_date_0": start.day,
            "start_date_1": start.month,
            "start_date_2": start.year,
        },
    )
    assert "Thank you" in done.content.decode()
    activity = Activity.objects.get(young_person=world.case)
    assert (activity.code.code, activity.source, activity.date_verified) == ("310", "young_person", None)
    assert activity.history.first().history_user is None
    # single use
    assert client.get(reverse("tracking:self-update", args=[token])).status_code == 410

    sign_in_verified(client, world.adviser)
    destinations = client.get(reverse("tracking:destinations", args=[world.case.pk])).content.decode()
    assert "Told us by the young person: to check" in destinations
    client.post(reverse("tracking:activity-verify", args=[world.case.pk, activity.pk]))
    activity.refresh_from_db()
    assert activity.date_verified == timezone.localdate()


def test_a_link_expires_and_a_new_one_replaces_it(client, world):
    _first, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    second, newer = services.self_update_send(young_person=world.case, actor=world.adviser)
    assert client.get(reverse("tracking:self-update", args=[token])).status_code == 410
    assert client.get(reverse("tracking:self-update", args=[newer])).status_code == 200
    SelfUpdateLink.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("tracking:self-update", args=[newer])).status_code == 410
    assert client.get(reverse("tracking:self-update", args=["not-a-token"])).status_code == 410
    assert not SelfUpdateLink.objects.filter(token_sha256=newer).exists()  # only a hash is stored


def test_a_bad_self_update_re_renders_with_messages(client, world):
    _, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    response = client.post(reverse("tracking:self-update", args=[token]), {"code": "999"})
    page = response.content.decode()
    assert "Choose what are you doing now? from the list" in page or "Select what are you doing now?" in page
    assert "Enter when did you start?" in page
    assert not Activity.objects.exists()


def test_the_bulk_action_sends_links_to_the_not_known_list_within_reach(client_for, world):
    world.case.email = "a@example.invalid"
    world.case.save()
    world.other_case.email = "b@example.invalid"
    world.other_case.save()
    response = client_for(world.team_manager).post(reverse("tracking:self-update-bulk"), follow=True)
    assert SelfUpdateLink.objects.filter(young_person=world.case).count() == 1
    assert not SelfUpdateLink.objects.filter(young_person=world.other_case).exists()  # another team's
    assert "Self-update links emailed to 1 young people; 1 have no email address" in response.content.decode()
    assert client_for(None).post(reverse("tracking:self-update-bulk")).status_code == 302


def test_an_address_guessing_links_is_refused_for_an_hour(client, world):
    _, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    for guess in range(20):
        assert client.get(reverse("tracking:self-update", args=[f"guess-{guess}"])).status_code == 410
    refused = client.get(reverse("tracking:self-update", args=[token]))
    assert refused.status_code == 429
    assert "Try your link again in an hour" in refused.content.decode()
    elsewhere = client.get(reverse("tracking:self-update", args=[token]), REMOTE_ADDR="198.51.100.9")
    assert elsewhere.status_code == 200
