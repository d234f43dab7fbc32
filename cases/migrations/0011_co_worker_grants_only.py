"""Lead advisers and team managers reach records by the record's own columns (ADR 0011): their grants
go, and the grants left are co-workers', each with an end. Undone, the grants are written back from
the columns, as assign() wrote them."""

from django.conf import settings
from django.db import migrations, models

SHARED = ["view_youngperson", "change_youngperson", "view_sensitive_youngperson", "share_youngperson"]


def _lead_grants(apps):
    return apps.get_model("cases", "YoungPersonUserObjectPermission").objects.filter(expires_at__isnull=True)


def _grants_back(apps, schema_editor):
    people = apps.get_model("cases", "YoungPerson").objects.all()
    permissions = list(
        apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="cases", content_type__model="youngperson", codename__in=SHARED
        )
    )
    apps.get_model("cases", "YoungPersonUserObjectPermission").objects.bulk_create(
        apps.get_model("cases", "YoungPersonUserObjectPermission")(
            content_object_id=pk, user_id=adviser, permission=permission, reason="Lead adviser"
        )
        for pk, adviser in people.filter(lead_adviser__isnull=False).values_list("pk", "lead_adviser_id")
        for permission in permissions
    )
    apps.get_model("cases", "YoungPersonGroupObjectPermission").objects.bulk_create(
        apps.get_model("cases", "YoungPersonGroupObjectPermission")(
            content_object_id=pk, group_id=group, permission=permission
        )
        for pk, group in people.values_list("pk", "team__group_id")
        for permission in permissions
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0010_name_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(lambda apps, schema_editor: _lead_grants(apps).delete(), _grants_back),
        migrations.AlterUniqueTogether(
            name="youngpersongroupobjectpermission",
            unique_together=None,
        ),
        migrations.RemoveField(
            model_name="youngpersongroupobjectpermission",
            name="content_object",
        ),
        migrations.RemoveField(
            model_name="youngpersongroupobjectpermission",
            name="group",
        ),
        migrations.RemoveField(
            model_name="youngpersongroupobjectpermission",
            name="permission",
        ),
        migrations.AlterModelOptions(
            name="historicalyoungpersonuserobjectpermission",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical co-worker access grant",
                "verbose_name_plural": "historical co-worker access grants",
            },
        ),
        migrations.AlterModelOptions(
            name="youngpersonuserobjectpermission",
            options={
                "verbose_name": "co-worker access grant",
                "verbose_name_plural": "co-worker access grants",
            },
        ),
        migrations.AddConstraint(
            model_name="youngpersonuserobjectpermission",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__isnull", False)), name="co_worker_grant_expires"
            ),
        ),
        migrations.DeleteModel(
            name="YoungPersonGroupObjectPermission",
        ),
    ]
