"""The formats of files from schools, colleges and other councils, and what a checked row stores.

Each format declares its columns in one place (``FORMATS``): the field each column fills, the header
spellings accepted, how a cell is parsed, whether it is required, and whether it may be stored for a
row whose young person has a section 507B restriction. ``exchange.reading.check`` reads a whole file
against them.

Writing the rows is ``exchange.services.import_run``; matching is ``exchange.matching``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import validators
from cases.models import Ethnicity, Organisation, Source, YoungPerson
from core.spreadsheets import FORMULA_STARTS
from exchange.models import IgnoredIdentifier, ImportBatch
from tracking.models import ActivityCode

MAX_BYTES = 20 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
DEFAULT_ENROLMENT_CODE = "230"  # full-time further education


@dataclass
class Lookups:
    """Code tables a row is checked against, read once per batch."""

    ethnicities: dict[str, int]
    activity_codes: dict[str, ActivityCode]
    today: date
    ignored_identifiers: frozenset[str] = frozenset()  # UPNs and ULNs that identify nobody

    @classmethod
    def load(cls) -> "Lookups":
        today = timezone.localdate()
        return cls(
            ethnicities=dict(Ethnicity.objects.values_list("code", "pk")),
            activity_codes={c.code: c for c in ActivityCode.objects.all() if c.is_valid_on(today)},
            today=today,
            ignored_identifiers=frozenset(IgnoredIdentifier.objects.values_list("value", flat=True)),
        )


Parse = Callable[[str, Lookups], object]


def _text(max_length: int) -> Parse:
    def parse(value, lookups):
        if len(value) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        if value.startswith(FORMULA_STARTS):
            raise ValueError("starts with = + - or @ (a spreadsheet would run it)")
        return value

    return parse


def _name(value, lookups):
    if validators.NAME_FORBIDDEN.search(value) or value.startswith("-"):
        raise ValueError("has a digit or a character names cannot have")
    return _text(100)(value, lookups)


def _validated(check, *, normalise=str.upper) -> Parse:
    def parse(value, lookups):
        value = normalise(value)
        try:
            check(value)
        except ValidationError as error:
            raise ValueError(error.messages[0][0].lower() + error.messages[0][1:]) from None
        return value

    return parse


def _date(value, lookups) -> date:
    if len(value) == 10 and value[4] == value[7] == "-" and value.replace("-", "").isdigit():
        try:
            return date.fromisoformat(value)  # the usual form, read fast
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError("not a date written as YYYY-MM-DD or DD/MM/YYYY")


def _date_of_birth(value: str, lookups: Lookups) -> date:
    born = _date(value, lookups)
    try:
        validators.validate_date_of_birth(born, lookups.today)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    return born


def _choice(mapping: dict[str, Any], what: str) -> Parse:
    def parse(value, lookups):
        key = value.strip().lower()
        if key not in mapping:
            raise ValueError(f"not {what}")
        return mapping[key]

    return parse


_gender = _choice(
    {"m": "M", "male": "M", "f": "F", "female": "F", "x": "X", "other": "X", "u": "U", "not known": "U"},
    "a gender code (M, F, X or U)",
)
_yes_no = _choice(
    {"y": True, "yes": True, "true": True, "1": True, "n": False, "no": False, "false": False, "0": False},
    "Y or N",
)
_sen = _choice(  # the code, or its label (as another council's transfer package carries it)
    {key.lower(): code for code, label in YoungPerson.SenStatus.choices for key in (code, label)},
    "a SEN provision code (N, K or E)",
)


def _ethnicity(value, lookups):
    if value.upper() not in lookups.ethnicities:
        raise ValueError("not a DfE ethnicity code")
    return lookups.ethnicities[value.upper()]


def _activity_code(value, lookups):
    if value not in lookups.activity_codes:
        raise ValueError("not a current NCCIS activity code")
    return value


def _count(value, lookups) -> int:
    if not value.isdigit():
        raise ValueError("not a whole number")
    return int(value)


def _digits(length: int, what: str) -> Parse:
    def parse(value, lookups):
        if not (value.isdigit() and len(value) == length):
            raise ValueError(f"not {what} of {length} digits")
        return value

    return parse


@dataclass(frozen=True)
class Column:
    name: str
    headers: tuple[str, ...]
    parse: Parse
    required: bool = False
    s507b: bool = False  # may be stored while a section 507B restriction is set


@dataclass(frozen=True)
class Format:
    key: str
    source: str
    columns: tuple[Column, ...]
    row_checks: tuple[Callable[[dict], str | None], ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_IDENTITY = (
    Column("given_name", ("given name", "forename", "first name", "legal forename"), _name, True, True),
    Column("family_name", ("family name", "surname", "last name", "legal surname"), _name, True, True),
    Column("date_of_birth", ("date of birth", "dob"), _date_of_birth, True, True),
)
_ADDRESS = (
    Column("address_line_1", ("address line 1", "address 1", "street"), _text(100), s507b=True),
    Column("address_line_2", ("address line 2", "address 2", "locality"), _text(100), s507b=True),
    Column("town", ("town", "city"), _text(60), s507b=True),
    Column("postcode", ("postcode", "post code"), _validated(validators.validate_postcode), s507b=True),
)
_UPN = Column("upn", ("UPN", "unique pupil number"), _validated(validators.validate_upn))
_ULN = Column("uln", ("ULN", "unique learner number"), _validated(validators.validate_uln))
_GENDER = Column("gender", ("gender", "sex"), _gender)
_SEN = Column("sen_status", ("SEN status", "sen provision", "sen"), _sen)
_S507B = Column("s507b", ("s507B", "s507b restriction", "restrict to name and address"), _yes_no, s507b=True)


def _attendance_complete(row: dict) -> str | None:
    given = [name for name in ("academic_year", "sessions_possible", "sessions_attended") if name in row]
    if given and len(given) < 3:
        return "attendance needs the academic year, sessions possible and sessions attended together"
    if given and row["sessions_attended"] > row["sessions_possible"]:
        return "sessions attended is more than sessions possible"
    return None


def _end_after_start(row: dict) -> str | None:
    end = row.get("expected_end_date")
    return "the expected end date is before the start date" if end and end < row["start_date"] else None


def _activity_dated(row: dict) -> str | None:
    if ("activity_code" in row) != ("activity_start_date" in row):
        return "an activity needs both its code and its start date"
    return None


FORMATS: dict[str, Format] = {
    ImportBatch.Format.SCHOOL_ROLL: Format(
        ImportBatch.Format.SCHOOL_ROLL,
        Source.SCHOOL,
        (
            replace(_UPN, required=True),
            *_IDENTITY,
            _GENDER,
            *_ADDRESS,
            Column("school", ("school urn", "urn", "establishment number", "school"), _text(7)),
            Column("ethnicity", ("ethnicity", "ethnicity code"), _ethnicity),
            Column("first_language", ("first language", "language"), _text(60)),
            Column("fsm", ("FSM", "free school meals", "fsm eligible"), _yes_no),
            _SEN,
            Column("intended_destination", ("intended destination", "intended activity"), _activity_code),
            Column("academic_year", ("academic year",), _count),
            Column("sessions_possible", ("sessions possible",), _count),
            Column("sessions_attended", ("sessions attended",), _count),
            Column("suspensions", ("suspensions", "fixed term exclusions"), _count),
            Column("permanently_excluded", ("permanently excluded", "permanent exclusion"), _yes_no),
            _S507B,
        ),
        (_attendance_complete,),
    ),
    ImportBatch.Format.ENROLMENTS: Format(
        ImportBatch.Format.ENROLMENTS,
        Source.COLLEGE,
        (
            _ULN,
            *_IDENTITY,
            _ADDRESS[-1],
            Column("ukprn", ("UKPRN", "provider ukprn"), _digits(8, "a UKPRN"), True),
            Column("course", ("course", "course title", "learning aim"), _text(200), True),
            Column("start_date", ("start date", "course start date"), _date, True),
            Column("expected_end_date", ("expected end date", "planned end date"), _date),
            Column("activity_code", ("activity code", "nccis code"), _activity_code),
            _S507B,
        ),
        (_end_after_start,),
    ),
    ImportBatch.Format.COUNCIL_LEAVERS: Format(
        ImportBatch.Format.COUNCIL_LEAVERS,
        Source.OTHER_COUNCIL,
        (
            _UPN,
            _ULN,
            *_IDENTITY,
            _GENDER,
            *_ADDRESS,
            Column("previous_la", ("previous LA", "la code", "from la"), _digits(3, "an LA code"), True),
            _SEN,
            Column("activity_code", ("activity code", "current activity"), _activity_code),
            Column("activity_start_date", ("activity start date",), _date),
            _S507B,
        ),
        (_activity_dated,),
    ),
}


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


# --- What a row stores ----------------------------------------------------------------------------

ROW_TO_PERSON_FIELD = {
    "upn": "upn",
    "uln": "uln",
    "given_name": "legal_given_name",
    "family_name": "legal_family_name",
    "date_of_birth": "date_of_birth",
    "gender": "gender",
    "address_line_1": "address_line_1",
    "address_line_2": "address_line_2",
    "town": "town",
    "postcode": "postcode",
    "ethnicity": "ethnicity_id",
    "first_language": "first_language",
    "fsm": "fsm_eligible",
    "sen_status": "sen_status",
}


def storable(row: dict, file_format: Format, restricted: bool) -> dict:
    """The row as it may be stored: under a section 507B restriction (set on the row or already on
    the record) only names, address and date of birth."""
    if not (restricted or row.get("s507b")):
        return row
    kept = {c.name for c in file_format.columns if c.s507b}
    return {name: value for name, value in row.items() if name in kept or name == "line"}


def person_fields(row: dict) -> dict:
    return {ROW_TO_PERSON_FIELD[name]: value for name, value in row.items() if name in ROW_TO_PERSON_FIELD}


def provider_lookup() -> dict[str, int]:
    """Organisations by URN, establishment number and UKPRN, for rows that name a school or provider."""
    found: dict[str, int] = {}
    for pk, urn, establishment, ukprn in Organisation.objects.values_list(
        "pk", "urn", "establishment_number", "ukprn"
    ):
        for number in (urn, establishment, ukprn):
            if number:
                found[number] = pk
    return found
