from datetime import date

from django.db import migrations

# DfE school census ethnicity codes (main and extended categories used in NCCIS returns).
ETHNICITY_CODES = [
    ("WBRI", "White - British"),
    ("WIRI", "White - Irish"),
    ("WIRT", "Traveller of Irish heritage"),
    ("WROM", "Gypsy / Roma"),
    ("WOTH", "Any other White background"),
    ("MWBC", "White and Black Caribbean"),
    ("MWBA", "White and Black African"),
    ("MWAS", "White and Asian"),
    ("MOTH", "Any other mixed background"),
    ("AIND", "Indian"),
    ("APKN", "Pakistani"),
    ("ABAN", "Bangladeshi"),
    ("CHNE", "Chinese"),
    ("AOTH", "Any other Asian background"),
    ("BCRB", "Black Caribbean"),
    ("BAFR", "Black - African"),
    ("BBRI", "Black British"),
    ("BOTH", "Any other Black background"),
    ("OOTH", "Any other ethnic group"),
    ("REFU", "Refused"),
    ("NOBT", "Information not yet obtained"),
]


def seed(apps, schema_editor):
    ethnicity = apps.get_model("cases", "Ethnicity")
    for code, label in ETHNICITY_CODES:
        ethnicity.objects.update_or_create(
            code=code, defaults={"label": label, "valid_from": date(2000, 1, 1)}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
