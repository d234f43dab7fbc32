"""Moving a model from one app to another without touching its rows: the new app takes the model
into its migration state with the old table name, renames the table, and takes over the old content
types (so permissions, group memberships and admin log entries stay attached); the old app then
drops the model from its state only. Used by migrations, so it reads models through ``apps``."""

from django.db import migrations


def take_over_content_types(old_app: str, new_app: str, models: tuple[str, ...]) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not content_type.objects.filter(app_label=new_app, model=model).exists():
                content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    def backwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not content_type.objects.filter(app_label=old_app, model=model).exists():
                content_type.objects.filter(app_label=new_app, model=model).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards)
