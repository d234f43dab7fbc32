from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0007_feedback_permission"), ("tracking", "0005_exchange_roles")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
