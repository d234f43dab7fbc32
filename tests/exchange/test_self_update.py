"""Young people's self-update links: sent by an adviser (by email through the embedded default's mail
backend, by a task once saved; GOV.UK Notify is tests/exchange/test_notify.py), answered
without signing in, single use, expiring, and refused to an address that keeps guessing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exchange import services
from exchange.models import SelfUpdateLink
from tests.factories import sign_in_verified
from tracking.models import Activity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _token_from(text: str) -> str:
    return re.search(r"/update/([\w-]+)/", text).group(1)


def test_an_adviser_sends_a_link_and_the_young_person_updates_without_signing_in(
    client, world, django_capture_on_commit_callbacks
):
    world.case.email = "young.person@example.invalid"
    world.case.save()
    sign_in_verified(client, world.adviser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:self-update-send", args=[world.case.pk]), {"channel": "email"}, follow=True
        )
    assert "It is on its way by email" in response.content.decode()
    assert mail.outbox[-1].to == ["young.person@example.invalid"]
    token = _token_from(mail.outbox[-1].body)
    client.logout()

    page = client.get(reverse("exchange:self-update", args=[token])).content.decode()
    assert f"Hello {world.case.known_as}" in page
    assert world.case.legal_family_name not in page
    assert str(world.case.date_of_birth.year) not in page
    start = timezone.localdate() - timedelta(days=20)
    done = client.post(
        reverse("exchange:self-update", args=[token]),
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
    assert client.get(reverse("exchange:self-update", args=[token])).status_code == 410

    sign_in_verified(client, world.adviser)
    destinations = client.get(reverse("tracking:destinations", args=[world.case.pk])).content.decode()
    assert "Told us by the young person: to check" in destinations
    client.post(reverse("tracking:activity-verify", args=[world.case.pk, activity.pk]))
    activity.refresh_from_db()
    assert activity.date_verified == timezone.localdate()


def test_a_link_expires_and_a_new_one_replaces_it(client, world):
    _first, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    second, newer = services.self_update_send(young_person=world.case, actor=world.adviser)
    assert client.get(reverse("exchange:self-update", args=[token])).status_code == 410
    assert client.get(reverse("exchange:self-update", args=[newer])).status_code == 200
    SelfUpdateLink.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("exchange:self-update", args=[newer])).status_code == 410
    assert client.get(reverse("exchange:self-update", args=["not-a-token"])).status_code == 410
    assert not SelfUpdateLink.objects.filter(token_sha256=newer).exists()  # only a hash is stored


def test_a_bad_self_update_re_renders_with_messages(client, world):
    _, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    response = client.post(reverse("exchange:self-update", args=[token]), {"code": "999"})
    page = response.content.decode()
    assert "Select one of the answers" in page  # 999 is not one of them
    assert "Enter when you started" in page
    assert not Activity.objects.exists()


def test_the_bulk_action_sends_links_to_the_not_known_list_within_reach(
    client_for, world, django_capture_on_commit_callbacks
):
    world.case.email = "a@example.invalid"
    world.case.save()
    world.other_case.email = "b@example.invalid"
    world.other_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.team_manager).post(reverse("exchange:self-update-bulk"), follow=True)
    assert SelfUpdateLink.objects.filter(young_person=world.case).count() == 1
    assert not SelfUpdateLink.objects.filter(young_person=world.other_case).exists()  # another team's
    assert [message.to for message in mail.outbox] == [["a@example.invalid"]]
    page = response.content.decode()
    assert "Self-update links are being emailed to 1 young people; 1 have no email address" in page
    assert client_for(None).post(reverse("exchange:self-update-bulk")).status_code == 302


def test_an_address_guessing_links_is_refused_for_an_hour_but_a_real_link_still_opens(client, world):
    _, token = services.self_update_send(young_person=world.case, actor=world.adviser)
    for guess in range(20):
        assert client.get(reverse("exchange:self-update", args=[f"guess-{guess}"])).status_code == 410
    refused = client.get(reverse("exchange:self-update", args=["guess-21"]))
    assert refused.status_code == 429
    assert "Try your link again in an hour" in refused.content.decode()
    assert client.get(reverse("exchange:self-update", args=[token])).status_code == 200  # shared addresses
