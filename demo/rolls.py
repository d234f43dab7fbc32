"""Synthetic files as schools send them, made from the council on file (for the import page's demo
and the import benchmark). Nobody real: names from Faker with a fixed seed."""

import io
from collections.abc import Iterator
from datetime import date, timedelta

from faker import Faker

from cases import validators
from cases.models import YoungPerson
from core.spreadsheets import write_csv


def school_roll(count: int) -> bytes:
    """A school roll of ``count`` rows against the council: nine in ten are pupils on file (by UPN),
    a fifth of them with a new address; one in ten is new to us (new UPN, synthetic name)."""
    fake = Faker("en_GB")
    fake.seed_instance(2026)
    known = list(
        YoungPerson.objects.exclude(upn="")
        .order_by("pk")
        .values_list(
            "upn",
            "legal_given_name",
            "legal_family_name",
            "date_of_birth",
            "gender",
            "postcode",
            "school__urn",
        )[: count * 9 // 10]
    )
    urns = [urn for *_, urn in known if urn] or [""]
    header = [
        "UPN",
        "Forename",
        "Surname",
        "Date of birth",
        "Gender",
        "Address line 1",
        "Postcode",
        "School URN",
    ]

    def rows() -> Iterator[list[object]]:
        for n, (upn, given, family, born, gender, postcode, urn) in enumerate(known):
            moved = n % 5 == 0
            address = fake.street_address().replace("\n", ", ") if moved else ""
            yield [upn, given, family, born, gender, address, postcode, urn]
        for n in range(count - len(known)):
            body = f"88299{n:07d}"
            born = date(2010, 1, 1) + timedelta(days=n % 700)
            upn, given, family = validators.upn_check_letter(body) + body, fake.first_name(), fake.last_name()
            yield [upn, given, family, born, "F", "", fake.postcode(), urns[n % len(urns)]]

    out = io.StringIO()
    write_csv(out, header, rows())
    return out.getvalue().encode()
