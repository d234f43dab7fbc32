"""Once restrictions and data exchange have left sharing's and tracking's state, the roles take the
moved permissions under their new app labels (sync_roles would otherwise recreate the old ones)."""

from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0001_initial"),
        ("sharing", "0009_restriction_moved_to_cases"),
        ("tracking", "0007_data_exchange_moved_to_exchange"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
