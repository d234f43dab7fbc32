"""Files as schools send them, and the upload a service manager makes, for the import tests."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import sign_in_verified, valid_upn, years_ago

SCHOOL_HEADER = [
    "UPN",
    "Forename",
    "Surname",
    "Date of birth",
    "Gender",
    "Address line 1",
    "Postcode",
    "Ethnicity",
    "FSM",
    "SEN status",
    "Intended destination",
    "Academic year",
    "Sessions possible",
    "Sessions attended",
    "Suspensions",
    "s507B",
]


def csv_bytes(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def school_row(
    person=None, *, upn=None, given="Amira", family="Okafor", born=None, postcode="SS1 2AB", **extra
):
    born = born or (person.date_of_birth if person else years_ago(16, 40))
    values = {
        "UPN": upn or (person.upn if person else valid_upn()),
        "Forename": person.legal_given_name if person else given,
        "Surname": person.legal_family_name if person else family,
        "Date of birth": born.isoformat(),
        "Gender": "F",
        "Address line 1": "1 High Street",
        "Postcode": postcode,
        "Ethnicity": "WBRI",
        "FSM": "Y",
        "SEN status": "N",
        "Intended destination": "230",
        "Academic year": "2025",
        "Sessions possible": "300",
        "Sessions attended": "270",
        "Suspensions": "1",
        "s507B": "N",
    } | extra
    return [values[h] for h in SCHOOL_HEADER]


def upload(client, world, school, content, name="roll.csv", file_format="school_roll"):
    sign_in_verified(client, world.service_manager)
    return client.post(
        reverse("exchange:imports"),
        {
            "file_format": file_format,
            "source_organisation": school.pk,
            "team": world.team.pk,
            "file": uploaded_file(content, name),
        },
        follow=True,
    )


def uploaded_file(content, name):
    return SimpleUploadedFile(name, content)
