"""Restrictions now live in cases (cases 0005 took over the rows): drop them from sharing's state only,
and give the DPO's role the moved permissions under their new app label."""

from django.db import migrations

from core.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0008_roles"),
        ("cases", "0005_restriction_moved_from_sharing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="restriction", name="young_person"),
                migrations.DeleteModel(name="HistoricalRestriction"),
                migrations.DeleteModel(name="Restriction"),
            ],
        ),
        migrations.RunPython(lambda apps, schema_editor: sync_roles(apps), migrations.RunPython.noop),
    ]
