"""The earliest review date of each person's activities in force, stored with their status (the
review-due work list reads it), filled here in one statement for the statuses already stored."""

from django.db import connection, migrations, models

FILL = """
UPDATE tracking_currentstatus SET review_on = (
    SELECT min(a.review_date) FROM tracking_activity a
    WHERE a.young_person_id = tracking_currentstatus.young_person_id AND a.review_date IS NOT NULL
      AND a.start_date <= tracking_currentstatus.evaluated_on
      AND (a.end_date IS NULL OR a.end_date >= tracking_currentstatus.evaluated_on)
)
"""


def fill(apps, schema_editor):
    with connection.cursor() as cursor:
        cursor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0010_month_end_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="currentstatus",
            name="review_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
