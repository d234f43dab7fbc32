"""Assignment, transfer and co-worker grants move access exactly as they say."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import access, services
from cases.models import YoungPersonPermission as P
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reachable(user, perm=P.VIEW):
    return set(access.young_people_for(user, perm).values_list("pk", flat=True))


def test_a_transfer_removes_the_old_advisers_and_teams_access(world, client_for):
    services.assign(
        young_person=world.case,
        adviser=world.other_adviser,
        team=world.other_team,
        actor=world.team_manager,
        reason="Moved to the south of the borough",
    )
    assert world.case.pk not in reachable(world.adviser)
    assert world.case.pk not in reachable(world.team_manager)
    assert world.case.pk in reachable(world.other_adviser, P.CHANGE)
    assert (
        client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk])).status_code
        == 404
    )
    latest = world.case.history.latest()
    assert (latest.lead_adviser_id, latest.team_id, latest.history_user) == (
        world.other_adviser.pk,
        world.other_team.pk,
        world.team_manager,
    )


def test_a_transfer_within_the_team_keeps_the_teams_access(world):
    services.assign(
        young_person=world.case, adviser=world.colleague, actor=world.team_manager, reason="Cover"
    )
    assert world.case.pk in reachable(world.colleague)
    assert world.case.pk not in reachable(world.adviser)
    assert world.case.pk in reachable(world.team_manager, P.VIEW_SENSITIVE)


def test_the_transfer_page_moves_the_record_and_asks_for_a_reason(world, client_for):
    client = client_for(world.team_manager)
    url = reverse("cases:young-person-transfer", args=[world.case.pk])
    refused = client.post(url, {"team": world.other_team.pk, "adviser": world.adviser.pk, "reason": ""})
    assert refused.context["form"].errors == {
        "adviser": ["Select an adviser who works in the new team"],
        "reason": ["Enter the reason for the transfer"],
    }
    done = client.post(
        url, {"team": world.other_team.pk, "adviser": world.other_adviser.pk, "reason": "Moved"}
    )
    assert done.status_code == 302
    world.case.refresh_from_db()
    assert world.case.lead_adviser == world.other_adviser


def test_an_expired_co_worker_grant_stops_working(world, client_for):
    url = reverse("cases:young-person-detail", args=[world.other_case.pk])
    assert client_for(world.co_worker).get(url).status_code == 200
    grants = world.other_case.youngpersonuserobjectpermission_set.filter(user=world.co_worker)
    for grant in grants:  # the clock moves past the end date
        grant.expires_at = timezone.now() - timedelta(seconds=1)
        grant.save()
    assert client_for(world.co_worker).get(url).status_code == 404
    assert world.other_case.pk not in reachable(world.co_worker)


def test_a_co_worker_grant_needs_a_reason_and_a_future_end(world):
    helper = UserFactory(role=Role.PERSONAL_ADVISER)
    with pytest.raises(ValidationError) as no_reason:
        services.co_worker_grant(
            young_person=world.case,
            user=helper,
            actor=world.team_manager,
            until=timezone.localdate() + timedelta(days=5),
            reason="",
        )
    assert no_reason.value.message_dict == {"reason": ["Enter why this person needs access"]}
    with pytest.raises(ValidationError):
        services.co_worker_grant(
            young_person=world.case,
            user=helper,
            actor=world.team_manager,
            until=timezone.localdate() - timedelta(days=1),
            reason="Cover",
        )
    assert world.case.pk not in reachable(helper)


def test_a_co_worker_grant_to_the_lead_adviser_is_refused_and_leaves_their_access_whole(world):
    until = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="lead adviser"):
        services.co_worker_grant(
            young_person=world.case,
            user=world.adviser,
            actor=world.team_manager,
            until=until,
            reason="Mistake",
        )
    assert not world.case.youngpersonuserobjectpermission_set.filter(
        user=world.adviser, expires_at__isnull=False
    ).exists()


def test_granting_and_revoking_a_co_worker_through_the_pages(world, client_for):
    helper = UserFactory(role=Role.PERSONAL_ADVISER)
    client = client_for(world.team_manager)
    until = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("cases:co-worker-grant", args=[world.case.pk]),
        {
            "user": helper.pk,
            "until_0": until.day,
            "until_1": until.month,
            "until_2": until.year,
            "reason": "Youth justice worker",
            "include_sensitive": "on",
        },
    )
    assert response.status_code == 302
    assert world.case.pk in reachable(helper, P.VIEW_SENSITIVE)
    client.post(reverse("cases:co-worker-revoke", args=[world.case.pk, helper.pk]))
    assert world.case.pk not in reachable(helper)
    grant_history = world.case.youngpersonuserobjectpermission_set.model.history.filter(
        user_id=helper.pk, history_type="-"
    )
    assert grant_history.count() == 3
    assert {row.history_user for row in grant_history} == {world.team_manager}


def test_an_inactive_user_reaches_nothing(world):
    world.adviser.is_active = False
    world.adviser.save()
    assert reachable(world.adviser) == set()
