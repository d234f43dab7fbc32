"""Each person's latest contact and next open action's due date, kept by cases.signals: filled here
for the records already on file, in one statement."""

import django.db.models.deletion
from django.db import connection, migrations, models

FILL = """
INSERT INTO cases_caseloadfacts (young_person_id, last_contact_at, next_action_due)
SELECT p.id,
       (SELECT max(c.occurred_at) FROM cases_contact c WHERE c.young_person_id = p.id),
       (SELECT min(a.due_on) FROM cases_action a WHERE a.young_person_id = p.id AND a.completed_on IS NULL)
FROM cases_youngperson p
WHERE EXISTS (SELECT 1 FROM cases_contact c WHERE c.young_person_id = p.id)
   OR EXISTS (SELECT 1 FROM cases_action a WHERE a.young_person_id = p.id)
"""


def fill(apps, schema_editor):
    if not apps.get_model("cases", "CaseloadFacts").objects.exists():  # the test suite runs it again
        with connection.cursor() as cursor:
            cursor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_list_order_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseloadFacts",
            fields=[
                (
                    "young_person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="caseload_facts",
                        serialize=False,
                        to="cases.youngperson",
                    ),
                ),
                ("last_contact_at", models.DateTimeField(null=True)),
                ("next_action_due", models.DateField(null=True)),
            ],
            options={
                "verbose_name": "caseload facts",
                "verbose_name_plural": "caseload facts",
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
