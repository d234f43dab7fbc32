"""Lead advisers and team managers reach a record by its own columns (ADR 0011); the grants left are
co-workers', each with an end. A council's database from before keeps everyone's reach across the
migration, and gets its grants back if the migration is undone."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases import access, services
from cases.models import YoungPersonPermission as P
from cases.models import YoungPersonUserObjectPermission

BEFORE = [("cases", "0010_name_search")]


def reach(world) -> dict[str, set[int]]:
    users = ("adviser", "colleague", "other_adviser", "team_manager", "co_worker", "nobody")
    return {
        name: set(access.young_people_for(getattr(world, name), perm).values_list("pk", flat=True))
        for name in users
        for perm in P
    }


@pytest.mark.django_db
def test_a_grant_without_an_end_is_refused_by_the_database(world):
    grant = YoungPersonUserObjectPermission.objects.filter(user=world.co_worker).first()
    grant.expires_at = None
    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save()


@pytest.mark.django_db
def test_assignment_writes_no_grants_and_moves_reach_with_the_columns(world):
    before = YoungPersonUserObjectPermission.objects.count()
    services.assign(
        young_person=world.case, adviser=world.colleague, actor=world.team_manager, reason="Cover"
    )
    assert YoungPersonUserObjectPermission.objects.count() == before
    assert world.case.pk in access.young_people_for(world.colleague, P.SHARE).values_list("pk", flat=True)
    assert world.case.pk not in access.young_people_for(world.adviser).values_list("pk", flat=True)


@pytest.mark.django_db
def test_a_co_worker_who_becomes_lead_adviser_keeps_reach_after_their_grant_ends(world):
    services.assign(
        young_person=world.other_case, adviser=world.co_worker, actor=world.team_manager, reason="Took over"
    )
    YoungPersonUserObjectPermission.objects.filter(user=world.co_worker).update(
        expires_at=timezone.now() - timedelta(seconds=1)  # the grant's end passes
    )
    assert access.perms_on(world.co_worker, world.other_case) == access.perms_on(world.adviser, world.case)
    assert P.VIEW_SENSITIVE in access.perms_on(world.co_worker, world.other_case)  # their grant had not


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_everyones_reach_and_undoing_it_writes_the_grants_back(migration_data, world):
    expected = reach(world)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user_grants = old.get_model("cases", "YoungPersonUserObjectPermission").objects
    team_grants = old.get_model("cases", "YoungPersonGroupObjectPermission").objects
    leads = user_grants.filter(expires_at__isnull=True)
    assert set(leads.values_list("content_object_id", "user_id")) == {
        (world.case.pk, world.adviser.pk),
        (world.colleague_case.pk, world.colleague.pk),
        (world.other_case.pk, world.other_adviser.pk),
    }
    assert leads.count() == 3 * 4  # view, change, view sensitive, share
    assert set(team_grants.values_list("content_object_id", "group_id")) == {
        (world.case.pk, world.team.group_id),
        (world.colleague_case.pk, world.team.group_id),
        (world.other_case.pk, world.other_team.group_id),
    }
    assert user_grants.filter(expires_at__isnull=False).count() == 2  # the co-worker's, untouched

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert set(YoungPersonUserObjectPermission.objects.values_list("user_id", flat=True)) == {
        world.co_worker.pk
    }
    assert reach(world) == expected
