from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_extract_permission")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
