"""Data exchange moves out of tracking into its own app: the same rows (tables renamed, the review
queue's candidate table with them), the same content types and permissions. tracking 0007 then drops
the models from its state."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_moves import take_over_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tracking", "0006_model_period_rules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0005_restriction_moved_from_sharing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportBatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "file_format",
                            models.CharField(
                                choices=[
                                    ("school_roll", "School roll or Year 11 leavers"),
                                    ("enrolments", "College and training provider enrolments"),
                                    ("council_leavers", "Leavers from another council"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("file_name", models.CharField(max_length=200)),
                        ("file_sha256", models.CharField(max_length=64)),
                        ("content", models.BinaryField(null=True)),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("queued", "Waiting to start"),
                                    ("checking", "Checking every row"),
                                    ("applying", "Matching and saving"),
                                    ("applied", "Imported"),
                                    ("rejected", "Rejected: nothing was imported"),
                                ],
                                default="queued",
                                max_length=16,
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("rows", models.PositiveIntegerField(default=0)),
                        ("created", models.PositiveIntegerField(default=0)),
                        ("updated", models.PositiveIntegerField(default=0)),
                        ("unchanged", models.PositiveIntegerField(default=0)),
                        ("to_review", models.PositiveIntegerField(default=0)),
                        (
                            "errors",
                            models.JSONField(
                                default=list, help_text="[line, reason] for each bad row; no values"
                            ),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "source_organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cases.organisation",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                help_text="Where new young people are placed",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="cases.team",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tracking_importbatch",
                        "verbose_name_plural": "import batches",
                        "ordering": ["-uploaded_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReviewItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("line", models.PositiveIntegerField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("possible_match", "Possible match"),
                                    ("several_matches", "Several possible matches"),
                                    ("provider_not_found", "Provider not found"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("reason", models.CharField(max_length=200)),
                        (
                            "row",
                            models.JSONField(
                                encoder=django.core.serializers.json.DjangoJSONEncoder,
                                help_text="The row as checked; cleared when resolved",
                            ),
                        ),
                        ("score", models.FloatField(null=True)),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("open", "Waiting for review"),
                                    ("linked", "Linked to an existing record"),
                                    ("created", "New record created"),
                                    ("dismissed", "Dismissed"),
                                ],
                                default="open",
                                max_length=16,
                            ),
                        ),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "batch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="review_items",
                                to="exchange.importbatch",
                            ),
                        ),
                        (
                            "candidates",
                            models.ManyToManyField(blank=True, related_name="+", to="cases.youngperson"),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "young_person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review_items",
                                to="cases.youngperson",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tracking_reviewitem",
                        "ordering": ["batch", "line"],
                        "permissions": [
                            ("resolve_reviewitem", "Can resolve imported rows waiting for review")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SelfUpdateLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token_sha256", models.CharField(max_length=64, unique=True)),
                        ("sent_at", models.DateTimeField(auto_now_add=True)),
                        ("expires_at", models.DateTimeField()),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "activity",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="tracking.activity",
                            ),
                        ),
                        (
                            "sent_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "young_person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="self_update_links",
                                to="cases.youngperson",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tracking_selfupdatelink",
                        "ordering": ["-sent_at", "-id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="importbatch",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("state", "rejected"), _negated=True),
                        fields=("file_format", "file_sha256"),
                        name="one_import_of_each_file",
                    ),
                ),
                migrations.AddIndex(
                    model_name="reviewitem",
                    index=models.Index(fields=["outcome", "batch"], name="tracking_re_outcome_6dc383_idx"),
                ),
            ],
        ),
        migrations.AlterModelTable(name="importbatch", table=None),
        migrations.AlterModelTable(name="reviewitem", table=None),
        migrations.AlterModelTable(name="selfupdatelink", table=None),
        migrations.RenameIndex(
            model_name="reviewitem",
            new_name="exchange_re_outcome_600f30_idx",
            old_name="tracking_re_outcome_6dc383_idx",
        ),
        take_over_content_types("tracking", "exchange", ("importbatch", "reviewitem", "selfupdatelink")),
    ]
