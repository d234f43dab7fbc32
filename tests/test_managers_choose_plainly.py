"""A manager's choices say what they need: advisers grouped by team on a transfer, each adviser's load
and a "Choose" on allocation, how long a referral has waited; and a co-worker grant to the record's own
lead adviser is refused."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_a_transfer_lists_advisers_under_their_teams(world, client_for):
    html = client_for(world.team_manager).get(reverse("cases:young-person-transfer", args=[world.case.pk]))
    page = html.content.decode()
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    assert world.adviser.get_full_name() in groups[world.team.name]
    assert world.adviser.get_full_name() not in groups[world.other_team.name]
    assert '<option value="" selected>Choose</option>' in page


def test_allocation_offers_a_choice_with_each_advisers_load_and_says_how_long_each_has_waited(
    world, client_for
):
    waiting = YoungPersonFactory(team=world.team, lead_adviser=None)
    page = client_for(world.team_manager).get(reverse("tracking:team-caseloads")).content.decode()
    row = page[page.index(f'action="{reverse("tracking:allocate", args=[waiting.pk])}"') :]
    assert '<option value="">Choose an adviser</option>' in row.split("</select>")[0]
    assert re.search(r"\(\d+ of \d+ points\)</option>", row.split("</select>")[0])
    assert f"{timezone.localtime(waiting.created_at):%-d %b %Y}" in page


def test_the_lead_adviser_cannot_be_given_co_worker_access_to_their_own_case(world):
    with pytest.raises(ValidationError) as error:
        services.co_worker_grant(
            young_person=world.case,
            user=world.adviser,
            actor=world.team_manager,
            until=timezone.localdate(),
            reason="Cover",
        )
    assert error.value.message_dict["user"] == ["They are the lead adviser: they have access already"]
    services.co_worker_grant(  # a colleague may be
        young_person=world.case,
        user=world.colleague,
        actor=world.team_manager,
        until=timezone.localdate(),
        reason="Cover",
    )
