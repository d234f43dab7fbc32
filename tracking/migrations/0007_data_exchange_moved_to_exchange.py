"""Imports, the review queue and self-update links now live in the exchange app (its first migration
took over the rows): drop them from tracking's state only; exchange 0002 gives the roles the moved
permissions under their new app label."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0006_model_period_rules"),
        ("exchange", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="reviewitem", name="batch"),
                migrations.RemoveField(model_name="reviewitem", name="candidates"),
                migrations.RemoveField(model_name="reviewitem", name="resolved_by"),
                migrations.RemoveField(model_name="reviewitem", name="young_person"),
                migrations.RemoveField(model_name="selfupdatelink", name="activity"),
                migrations.RemoveField(model_name="selfupdatelink", name="sent_by"),
                migrations.RemoveField(model_name="selfupdatelink", name="young_person"),
                migrations.DeleteModel(name="ImportBatch"),
                migrations.DeleteModel(name="ReviewItem"),
                migrations.DeleteModel(name="SelfUpdateLink"),
            ],
        ),
    ]
