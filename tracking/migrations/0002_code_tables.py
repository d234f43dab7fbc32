"""Seed the DfE code lists (NCCIS MIR; docs/domain.md) and the council-editable weights.
What the sources leave open (docs/domain.md) is data the council can change in the admin."""

from datetime import date

from django.db import migrations

FROM = date(2020, 9, 1)
EET, NEET, NK, EXCLUDED = "eet", "neet", "not_known", "excluded"

# code, label, status, participating, inactive, pre16, currency months (None: until predicted end)
ACTIVITY_CODES = [
    ("110", "At school or an educational establishment", EET, True, False, True, 12),
    ("120", "Electively home educated", EET, False, False, True, 12),
    ("130", "Custodial sentence (pre-16)", EXCLUDED, False, False, True, 6),
    ("140", "Not registered at any school (missing education)", NEET, False, False, True, 3),
    ("150", "Not known (pre-16)", NK, False, False, True, None),
    ("210", "Full-time education - school sixth form", EET, True, False, False, 12),
    ("220", "Full-time education - sixth-form college", EET, True, False, False, 12),
    ("230", "Full-time education - further education", EET, True, False, False, 12),
    ("240", "Full-time education - higher education", EET, True, False, False, 12),
    ("250", "Part-time education", EET, True, False, False, 6),
    ("260", "Gap year", EET, False, False, False, 6),
    ("270", "Full-time education - other", EET, True, False, False, 12),
    ("280", "Special post-16 institution", EET, True, False, False, 12),
    ("290", "Full-time education in custody", EET, True, False, False, 6),
    ("310", "Apprenticeship", EET, True, False, False, 12),
    ("320", "Full-time employment with study (regulated qualification)", EET, True, False, False, 12),
    ("330", "Employment without training", EET, False, False, False, 6),
    ("340", "Employment with training (other)", EET, False, False, False, 6),
    ("350", "Temporary employment", EET, False, False, False, 3),
    ("360", "Part-time employment", EET, False, False, False, 6),
    ("380", "Self-employment", EET, False, False, False, 6),
    ("381", "Self-employment with study", EET, True, False, False, 6),
    ("410", "ESFA-funded work-based learning", EET, True, False, False, 6),
    ("430", "Other training", EET, False, False, False, 6),
    ("440", "DWP training and support programme", EET, False, False, False, 3),
    ("450", "Traineeship", EET, True, False, False, 6),
    ("460", "Supported internship", EET, True, False, False, 12),
    ("530", "Re-engagement provision", EET, False, False, False, 3),
    ("540", "Working not for reward", NEET, False, False, False, 3),
    ("550", "Work not for reward with study", EET, False, False, False, 6),
    ("610", "Not yet ready for work or learning", NEET, False, False, False, 3),
    ("615", "Start date agreed (other)", NEET, False, False, False, 3),
    ("616", "Start date agreed (RPA compliant)", NEET, False, False, False, 3),
    ("619", "Seeking employment, education or training", NEET, False, False, False, 3),
    ("620", "Not available - young carer", NEET, False, True, False, 3),
    ("630", "Not available - teenage parent", NEET, False, True, False, 3),
    ("640", "Not available - illness", NEET, False, True, False, 3),
    ("650", "Not available - pregnancy", NEET, False, True, False, 3),
    ("660", "Not available - religious grounds", NEET, False, True, False, 3),
    ("670", "Not available - unlikely ever to be economically active", NEET, False, True, False, 6),
    ("680", "Not available - other reason", NEET, False, True, False, 3),
    ("710", "Custody (young adult offender)", EXCLUDED, False, False, False, 6),
    ("810", "Current situation not known", NK, False, False, False, None),
    ("820", "Cannot be contacted - no current address", NK, False, False, False, None),
    ("830", "Refused to disclose activity", NK, False, False, False, None),
]
CHARACTERISTIC_CODES = [
    ("110", "Looked after / in care", True),
    ("120", "Parent caring for own child", False),
    ("130", "Refugee / asylum seeker", True),
    ("140", "Young carer", True),
    ("150", "Substance misuse", True),
    ("160", "Care leaver", True),
    ("170", "Supervised by youth justice (YOT)", True),
    ("180", "Pregnant", False),
    ("190", "Parent not caring for own child", True),
    ("200", "Alternative provision", True),
    ("210", "Mental health", True),
]
OFFER_TYPES = [  # the sources leave these open: a council can add or retire types
    ("FTE", "Full-time education or training", True),
    ("APP", "Apprenticeship", True),
    ("TRA", "Traineeship", True),
    ("EMP", "Employment with regulated part-time study", True),
    ("SUP", "Supported internship", True),
    ("EWT", "Job without accredited training", False),
]
RONI_WEIGHTS = {
    "attendance_below_90": 1,
    "attendance_below_85": 1,
    "eal": 1,
    "ehc_plan": 2,
    "sen_support": 1,
    "exclusions": 1,
    "exclusions_heavy": 1,
    "alternative_provision": 1,
    "looked_after": 2,
    "pregnant_or_parent": 2,
    "fsm": 2,
    "young_carer": 2,
    "custody": 2,
    "youth_justice": 2,
}
NEED_WEIGHTS = {"universal": 1, "targeted": 2, "intensive": 4}


def seed(apps, schema_editor):
    activity = apps.get_model("tracking", "ActivityCode")
    for code, label, status, participating, inactive, pre16, months in ACTIVITY_CODES:
        activity.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "status": status,
                "participating": participating,
                "inactive": inactive,
                "pre16": pre16,
                "currency_months": months,
                "valid_from": FROM,
            },
        )
    characteristic = apps.get_model("tracking", "CharacteristicCode")
    for code, label, vulnerable in CHARACTERISTIC_CODES:
        characteristic.objects.update_or_create(
            code=code, defaults={"label": label, "vulnerable": vulnerable, "valid_from": FROM}
        )
    offer_type = apps.get_model("tracking", "OfferType")
    for code, label, suitable in OFFER_TYPES:
        offer_type.objects.update_or_create(
            code=code, defaults={"label": label, "suitable": suitable, "valid_from": FROM}
        )
    factor = apps.get_model("tracking", "RoniFactor")
    for key, points in RONI_WEIGHTS.items():
        factor.objects.update_or_create(key=key, defaults={"points": points})
    weight = apps.get_model("tracking", "NeedWeight")
    for level, points in NEED_WEIGHTS.items():
        weight.objects.update_or_create(support_level=level, defaults={"points": points})


class Migration(migrations.Migration):
    dependencies = [("tracking", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
