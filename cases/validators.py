"""Validators for the identifiers and values the DfE and Royal Mail define (docs/domain.md)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.spreadsheets import FORMULA_STARTS

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 0 -> A ... 22 -> Z (no I, O, S)
TEMPORARY_ULN = "9999999999"
MIN_AGE, MAX_AGE = 11, 25
NAME_FORBIDDEN = re.compile(r"[0-9/\\:?@$&*(){}\[\]!\"+=|]")  # the DfE's rule for names (docs/domain.md)

_POSTCODE = re.compile(  # Royal Mail formats, checked after normalise_postcode
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def validate_name(value: str) -> None:
    """A person's name as the DfE allows it (no digits or symbols), never starting like a formula."""
    if NAME_FORBIDDEN.search(value) or value.startswith(FORMULA_STARTS):
        raise ValidationError(
            'Names cannot have digits or the characters / \\ : ? @ $ & * ( ) { } [ ] ! " + = |, '
            "or start with a hyphen",
            code="name",
        )


def validate_plain_text(value: str) -> None:
    """An address line or a place: never starting like a spreadsheet formula (= + - @)."""
    if value.startswith(FORMULA_STARTS):
        raise ValidationError("This cannot start with = + - or @", code="formula")


def normalise_postcode(value: str) -> str:
    """Upper case with exactly one space before the inward code: 'sw1a1aa' -> 'SW1A 1AA'."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(value)))


def validate_postcode(value: str) -> None:
    if not is_postcode(value):
        raise ValidationError("Enter a real UK postcode, like SS1 2AB", code="postcode")


def upn_check_letter(body: str) -> str:
    """The check letter for characters 2-13 of a UPN: weights 2..13, mod 23. A temporary UPN's last
    character is a letter, counted as its position in the check alphabet (DfE rule)."""
    values = (int(ch) if ch.isdigit() else UPN_CHECK_LETTERS.index(ch) for ch in body)
    return UPN_CHECK_LETTERS[sum(value * weight for weight, value in enumerate(values, start=2)) % 23]


def validate_upn(value: str) -> None:
    upn = (value or "").upper()
    body = upn[1:]
    if len(upn) != 13 or not (body[:11].isdigit() and (body[11].isdigit() or body[11] in UPN_CHECK_LETTERS)):
        raise ValidationError(
            "Enter a UPN of 13 characters: a check letter then 12 digits (a temporary UPN ends in a letter)",
            code="upn_format",
        )
    if upn[0] != upn_check_letter(body):
        raise ValidationError(
            "This UPN's check letter is wrong: check it was copied correctly", code="upn_check"
        )


def uln_check_digit(first_nine: str) -> int | None:
    """The ULN check digit (weights 10..2, mod 11, 10 - remainder); None where no digit is valid."""
    remainder = sum(int(ch) * weight for ch, weight in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def validate_uln(value: str) -> None:
    uln = value or ""
    if len(uln) != 10 or not uln.isdigit():
        raise ValidationError("Enter a ULN of exactly 10 digits", code="uln_format")
    if uln != TEMPORARY_ULN and uln_check_digit(uln[:9]) != int(uln[9]):
        raise ValidationError(
            "This ULN's check digit is wrong: check it was copied correctly", code="uln_check"
        )


EARLIEST_EVENT = date(2000, 1, 1)


def validate_not_ancient(value) -> None:
    """An event the service recorded cannot predate the service (a typo such as year 0025)."""
    when = value.date() if hasattr(value, "date") and callable(value.date) else value
    if when < EARLIEST_EVENT:
        raise ValidationError(f"The date must be on or after {EARLIEST_EVENT:%-d %B %Y}", code="too_early")


def validate_not_future(value, today: date | None = None) -> None:
    today = today or timezone.localdate()
    when = value.date() if hasattr(value, "date") and callable(value.date) else value
    if when > today:
        raise ValidationError("The date must be today or in the past", code="future")


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def validate_date_of_birth(value: date, today: date | None = None) -> None:
    """``today``: the date to check against (a file checks every row against the day it began)."""
    today = today or timezone.localdate()
    validate_not_future(value, today)
    age = age_on(value, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValidationError(
            f"The young person must be aged between {MIN_AGE} and {MAX_AGE}: check the date of birth",
            code="age",
        )
