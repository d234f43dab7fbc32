"""Operational surfaces the README promises: the health check and team creation in the admin."""

import pytest
from django.urls import reverse

from cases.models import Team
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_health_check_answers_ok_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok")


def test_a_system_administrator_creates_a_team_with_its_group_in_the_admin(client_for):
    admin = UserFactory(role=Role.SYSTEM_ADMINISTRATOR, is_staff=True)
    manager = UserFactory(role=Role.TEAM_MANAGER)
    response = client_for(admin).post(
        reverse("admin:cases_team_add"), {"name": "East", "area": "Coast", "members": [manager.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get(name="East")
    assert team.group.name == "Team: East"
    assert manager.groups.filter(pk=team.group_id).exists()  # a manager member gains team-wide reach
    assert team.history.get().history_user == admin
