from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("tracking", "0002_code_tables"), ("cases", "0002_roles")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
