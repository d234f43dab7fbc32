from django.db import migrations

from core.roles import sync_roles


def roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0005_statutory_return_permission"), ("retention", "0004_anonymise")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
