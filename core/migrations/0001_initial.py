"""StaffSession, first made by the "youthservice" app (which now holds only configuration): a database
that already has that table keeps its rows under the new name; a new database creates it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_moves import take_over_content_types

OLD_TABLE = "youthservice_staffsession"


def take_over_table(apps, schema_editor):
    model = apps.get_model("core", "StaffSession")
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
    else:
        schema_editor.create_model(model)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffSession",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("session_key", models.CharField(max_length=40, unique=True)),
                        ("signed_in_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                ),
            ],
        ),
        migrations.RunPython(take_over_table, migrations.RunPython.noop),
        take_over_content_types("youthservice", "core", ("staffsession",)),
    ]
