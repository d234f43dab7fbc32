"""Synthetic files as schools send them, made from the council on file (for the import page's demo
and the import benchmark). Nobody real: names from Faker with a fixed seed."""

import io
from collections.abc import Iterator
from datetime import date, timedelta

from faker import Faker

from cases import validators
from cases.models import YoungPerson
from core.spreadsheets import write_csv


def school_roll(count: int, near_misses: int = 0) -> bytes:
    """A school roll of ``count`` rows against the council: nine in ten are pupils on file (by UPN),
    a fifth of them with a new address; one in ten is new to us (new UPN, synthetic name). Up to
    ``near_misses`` rows carry another pupil's UPN (keyed against the wrong pupil; that pupil has no row
    of their own): the import cannot tell who they are and sends each to the review queue."""
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

    # A near miss: pupil 2k's details with pupil 2k+1's UPN, and no row of pupil 2k+1's own.
    wrong_upn = {2 * k: known[2 * k + 1][0] for k in range(min(near_misses, len(known) // 2))}

    def rows() -> Iterator[list[object]]:
        written = 0
        for n, (upn, given, family, born, gender, postcode, urn) in enumerate(known):
            if n - 1 in wrong_upn:
                continue
            moved = n % 5 == 0
            address = fake.street_address().replace("\n", ", ") if moved else ""
            yield [wrong_upn.get(n, upn), given, family, born, gender, address, postcode, urn]
            written += 1
        for n in range(count - written):
            body = f"88299{n:07d}"
            born = date(2010, 1, 1) + timedelta(days=n % 700)
            upn, given, family = validators.upn_check_letter(body) + body, fake.first_name(), fake.last_name()
            yield [upn, given, family, born, "F", "", fake.postcode(), urns[n % len(urns)]]

    out = io.StringIO()
    write_csv(out, header, rows())
    return out.getvalue().encode()
