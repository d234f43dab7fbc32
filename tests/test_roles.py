import pytest
from django.contrib.auth.models import Group

from core.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_after_every_migration_each_role_holds_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(ROLE_PERMISSIONS[role])
