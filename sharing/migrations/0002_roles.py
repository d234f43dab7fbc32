from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial"), ("tracking", "0003_dashboard_roles")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
