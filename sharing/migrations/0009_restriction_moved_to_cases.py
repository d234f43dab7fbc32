"""Restrictions now live in cases (cases 0005 took over the rows): drop them from sharing's state only
(exchange 0002 then gives the roles the moved permissions under their new app label)."""

from django.db import migrations


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
    ]
