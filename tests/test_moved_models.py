"""Models that moved between apps kept their rows: a council's database migrated from before the moves
(restrictions in sharing; imports, the review queue and self-update links in tracking) has the same rows
afterwards, under the new apps, with their content types, permissions and the roles that hold them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Restriction
from core.roles import Role
from exchange.models import ImportBatch, ReviewItem, SelfUpdateLink
from tests.factories import OrganisationFactory

BEFORE_THE_MOVES = [
    ("cases", "0004_contact_not_ancient"),
    ("sharing", "0008_roles"),
    ("tracking", "0006_model_period_rules"),
    ("exchange", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([node for node in targets if node[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_moves_keeps_every_moved_row(migration_data, world):
    old = _migrate(BEFORE_THE_MOVES)
    today = timezone.localdate()
    school = OrganisationFactory()
    old.get_model("sharing", "Restriction").objects.create(
        young_person_id=world.case.pk, kind="art18", set_by="young_person", set_on=today
    )
    batch = old.get_model("tracking", "ImportBatch").objects.create(
        file_format="school_roll",
        source_organisation_id=school.pk,
        team_id=world.team.pk,
        file_name="roll.csv",
        file_sha256="0" * 64,
        uploaded_by_id=world.service_manager.pk,
    )
    item = old.get_model("tracking", "ReviewItem").objects.create(
        batch=batch, line=2, kind="possible_match", reason="a possible match", row={"line": 2}
    )
    item.candidates.set([world.case.pk, world.colleague_case.pk])
    old.get_model("tracking", "SelfUpdateLink").objects.create(
        young_person_id=world.case.pk,
        token_sha256="1" * 64,
        sent_by_id=world.adviser.pk,
        expires_at=timezone.now() + timedelta(days=14),
    )
    review_type = ContentType.objects.get(app_label="tracking", model="reviewitem").pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Restriction.objects.get(young_person=world.case).kind == "art18"
    moved_item = ReviewItem.objects.get()
    assert moved_item.batch == ImportBatch.objects.get(file_name="roll.csv")
    assert set(moved_item.candidates.values_list("pk", flat=True)) == {world.case.pk, world.colleague_case.pk}
    assert SelfUpdateLink.objects.get().young_person == world.case
    assert ContentType.objects.get_for_model(ReviewItem).pk == review_type  # the same row, relabelled
    assert not ContentType.objects.filter(app_label="tracking", model="reviewitem").exists()
    managers = Group.objects.get(name=Role.SERVICE_MANAGER.value)
    assert managers.permissions.filter(
        content_type__app_label="exchange", codename="resolve_reviewitem"
    ).exists()
    dpo = Group.objects.get(name=Role.DATA_PROTECTION_OFFICER.value)
    assert dpo.permissions.filter(content_type__app_label="cases", codename="change_restriction").exists()
