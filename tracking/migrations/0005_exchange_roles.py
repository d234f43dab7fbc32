from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("tracking", "0004_data_exchange")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
