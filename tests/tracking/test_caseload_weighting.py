"""Team managers see weighted caseloads against caps and allocate new referrals within the hard cap."""

import pytest
from django.urls import reverse

from cases.models import YoungPerson
from tests.factories import YoungPersonFactory
from tracking.models import AdviserCapacity, NeedWeight

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(world):
    return YoungPersonFactory(team=world.team, lead_adviser=None, support_level="intensive")


def loads(client):
    response = client.get(reverse("tracking:team-caseloads"))
    assert response.status_code == 200
    return {row["adviser"].username: row for row in response.context["loads"]}, response


def test_a_team_manager_sees_each_advisers_size_weight_and_caps(world, client_for, referral):
    YoungPersonFactory(team=world.team, lead_adviser=world.adviser, support_level="intensive")
    AdviserCapacity.objects.create(adviser=world.adviser, soft_cap=4, hard_cap=6)
    rows, response = loads(client_for(world.team_manager))
    universal, intensive = (
        NeedWeight.objects.get(support_level=level).points for level in ("universal", "intensive")
    )
    assert rows["adviser"]["size"] == 2
    assert rows["adviser"]["weight"] == universal + intensive
    assert (rows["adviser"]["soft_cap"], rows["adviser"]["hard_cap"], rows["adviser"]["state"]) == (
        4,
        6,
        "over_soft",
    )
    assert set(rows) == {"adviser", "colleague"}  # only their team's advisers
    assert [person.pk for person, _ in response.context["unassigned"]] == [referral.pk]


def test_allocating_a_referral_gives_the_adviser_the_record(world, client_for, referral):
    client = client_for(world.team_manager)
    response = client.post(reverse("tracking:allocate", args=[referral.pk]), {"adviser": world.colleague.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.lead_adviser == world.colleague
    assert (
        client_for(world.colleague).get(reverse("cases:young-person-detail", args=[referral.pk])).status_code
        == 200
    )


def test_allocation_never_passes_the_hard_cap(world, client_for, referral):
    AdviserCapacity.objects.create(adviser=world.colleague, soft_cap=2, hard_cap=3)  # has 1 point already
    response = client_for(world.team_manager).post(
        reverse("tracking:allocate", args=[referral.pk]), {"adviser": world.colleague.pk}, follow=True
    )
    assert "over their hard cap of 3" in response.content.decode()
    referral.refresh_from_db()
    assert referral.lead_adviser is None


def test_only_advisers_of_the_young_persons_team_can_be_chosen(world, client_for, referral):
    response = client_for(world.team_manager).post(
        reverse("tracking:allocate", args=[referral.pk]), {"adviser": world.other_adviser.pk}, follow=True
    )
    assert "Choose an adviser to allocate to" in response.content.decode()
    assert YoungPerson.objects.get(pk=referral.pk).lead_adviser is None


@pytest.mark.parametrize(
    ("persona", "page", "allocate"),
    [
        ("adviser", 403, 404),
        ("nobody", 403, 404),
        ("other_adviser", 403, 404),
        ("service_manager", 200, 403),
    ],
)
def test_who_may_see_team_caseloads_and_allocate(world, client_for, referral, persona, page, allocate):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("tracking:team-caseloads")).status_code == page
    target = world.colleague.pk
    assert (
        client.post(reverse("tracking:allocate", args=[referral.pk]), {"adviser": target}).status_code
        == allocate
    )
