"""Each account's permissions are kept in the cache between requests (core.backends), and every change
to who holds what takes effect on the very next request: a role given or taken away, a group's
permission changed, a group deleted, superuser status set on the row."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db
DASHBOARD_PERMISSIONS = ("view_team_dashboard", "view_service_dashboard")


def dashboard(client) -> int:
    return client.get(reverse("tracking:dashboard")).status_code


def test_a_second_request_reads_no_permissions_from_the_database(world, client_for):
    client = client_for(world.team_manager)
    assert dashboard(client) == 200
    with CaptureQueriesContext(connection) as queries:
        assert dashboard(client) == 200
    assert not [q["sql"] for q in queries if "auth_permission" in q["sql"]]


def test_a_role_taken_away_ends_its_pages_on_the_next_request(world, client_for):
    client = client_for(world.team_manager)
    assert dashboard(client) == 200
    world.team_manager.groups.remove(Group.objects.get(name=Role.TEAM_MANAGER.value))
    assert dashboard(client) == 403


def test_a_role_given_opens_its_pages_on_the_next_request(world, client_for):
    client = client_for(world.adviser)
    assert dashboard(client) == 403
    world.adviser.groups.add(Group.objects.get(name=Role.TEAM_MANAGER.value))
    assert dashboard(client) == 200


def test_a_permission_taken_from_a_role_is_gone_for_its_holders_on_the_next_request(world, client_for):
    client = client_for(world.team_manager)
    assert dashboard(client) == 200
    role = Group.objects.get(name=Role.TEAM_MANAGER.value)
    role.permissions.remove(*Permission.objects.filter(codename__in=DASHBOARD_PERMISSIONS))
    assert dashboard(client) == 403


def test_a_permission_taken_away_from_its_side_is_gone_too(world, client_for):
    client = client_for(world.team_manager)
    assert dashboard(client) == 200
    for permission in Permission.objects.filter(codename__in=DASHBOARD_PERMISSIONS):
        permission.group_set.clear()
    assert dashboard(client) == 403


def test_a_deleted_role_takes_its_permissions_with_it(world, client_for):
    client = client_for(world.team_manager)
    assert dashboard(client) == 200
    Group.objects.get(name=Role.TEAM_MANAGER.value).delete()
    assert dashboard(client) == 403


def test_superuser_status_set_on_the_row_alone_is_seen(world, client_for):
    client = client_for(world.nobody)
    assert dashboard(client) == 403
    type(world.nobody).objects.filter(pk=world.nobody.pk).update(is_superuser=True)  # no signal sent
    assert dashboard(client) == 200
