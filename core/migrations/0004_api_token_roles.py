from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)  # system administrators list, end and rotate API tokens


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_idempotent_creates"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
