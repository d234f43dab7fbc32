"""Seed the retention rules from the councils' notices (the DPO edits them in the admin) and give
the DPO the retention permissions."""

from django.db import migrations

from core.roles import sync_roles

RULES = [
    ("Whole record: until the 25th birthday", "whole_record", "date_of_birth", 25 * 12),
    ("Paper and scanned copies: 12 months", "paper_copies", "upload", 12),
    ("ESF-funded participation: 10 years after the project ends", "esf", "project_end", 10 * 12),
]


def seed(apps, schema_editor):
    rule = apps.get_model("retention", "RetentionRule")
    for name, covers, trigger, months in RULES:
        rule.objects.update_or_create(
            covers=covers, defaults={"name": name, "trigger": trigger, "period_months": months}
        )
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial"), ("sharing", "0004_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
