"""Restrictions move from sharing to cases (every app checks them): the same rows, renamed tables,
the same content types and permissions. sharing 0009 then drops them from its state."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import cases.validators
from core.migration_moves import take_over_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_contact_not_ancient"),
        ("sharing", "0008_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalRestriction",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("young_person", "Young person"),
                                    ("parent_carer", "Parent or carer"),
                                    ("school", "School"),
                                    ("college", "College or training provider"),
                                    ("other_council", "Another council"),
                                    ("dwp", "Department for Work and Pensions"),
                                    ("apprenticeship_service", "National Apprenticeship Service"),
                                    ("other_agency", "Other agency (health, police, youth justice)"),
                                    ("adviser", "Personal adviser"),
                                    ("import", "Bulk import"),
                                ],
                                default="adviser",
                                max_length=32,
                            ),
                        ),
                        (
                            "source_date",
                            models.DateField(
                                default=django.utils.timezone.localdate,
                                help_text="When the source gave us this information",
                                validators=[cases.validators.validate_not_future],
                            ),
                        ),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "s507b",
                                        "Section 507B: only name, address and date of birth to be passed on",
                                    ),
                                    ("art18", "Article 18: restriction of processing"),
                                    ("art21", "Article 21: objection to processing"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "set_by",
                            models.CharField(
                                choices=[
                                    ("young_person", "The young person"),
                                    ("parent_carer", "A parent or carer"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("set_on", models.DateField(validators=[cases.validators.validate_not_future])),
                        (
                            "lifted_on",
                            models.DateField(
                                blank=True, null=True, validators=[cases.validators.validate_not_future]
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "young_person",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="cases.youngperson",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sharing_historicalrestriction",
                        "verbose_name": "historical restriction",
                        "verbose_name_plural": "historical restrictions",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Restriction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("young_person", "Young person"),
                                    ("parent_carer", "Parent or carer"),
                                    ("school", "School"),
                                    ("college", "College or training provider"),
                                    ("other_council", "Another council"),
                                    ("dwp", "Department for Work and Pensions"),
                                    ("apprenticeship_service", "National Apprenticeship Service"),
                                    ("other_agency", "Other agency (health, police, youth justice)"),
                                    ("adviser", "Personal adviser"),
                                    ("import", "Bulk import"),
                                ],
                                default="adviser",
                                max_length=32,
                            ),
                        ),
                        (
                            "source_date",
                            models.DateField(
                                default=django.utils.timezone.localdate,
                                help_text="When the source gave us this information",
                                validators=[cases.validators.validate_not_future],
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "s507b",
                                        "Section 507B: only name, address and date of birth to be passed on",
                                    ),
                                    ("art18", "Article 18: restriction of processing"),
                                    ("art21", "Article 21: objection to processing"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "set_by",
                            models.CharField(
                                choices=[
                                    ("young_person", "The young person"),
                                    ("parent_carer", "A parent or carer"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("set_on", models.DateField(validators=[cases.validators.validate_not_future])),
                        (
                            "lifted_on",
                            models.DateField(
                                blank=True, null=True, validators=[cases.validators.validate_not_future]
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        (
                            "young_person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="restrictions",
                                to="cases.youngperson",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sharing_restriction",
                        "ordering": ["-set_on", "-id"],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="historicalrestriction", table=None),
        migrations.AlterModelTable(name="restriction", table=None),
        take_over_content_types("sharing", "cases", ("restriction", "historicalrestriction")),
    ]
