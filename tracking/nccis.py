"""The monthly NCCIS return: the in-scope cohort on a month end as XML, streamed so memory stays flat,
and validated first. The element names follow the DfE's management information requirement (MIR) as
far as it is public; they live only in ``ELEMENTS`` so the yearly specification changes one table.

Scope and statuses come from tracking.rules (cohort status P/G, and A/T/E/M/D for leavers in the month
they leave); currency comes from the activity's due-to-lapse date."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

# bandit B406 warns about parsing untrusted XML; this module only writes XML, never parses any.
from xml.sax.saxutils import escape, quoteattr  # nosec B406

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases import validators
from cases.models import Organisation, YoungPerson
from core.spreadsheets import write_csv
from tracking import facts, rules
from tracking.dashboards import previous_month_end
from tracking.models import Activity, IntendedDestination, Merge

# Our field -> the MIR element that carries it (one place, so the yearly specification changes here).
# Optional elements with no value are left out, not sent empty.
ELEMENTS = {
    "person": "YoungPerson",
    "id": "YPID",
    "previous_id": "PreviousYPID",
    "cohort_status": "CohortStatus",
    "given_name": "GivenName",
    "middle_name": "MiddleName",
    "family_name": "FamilyName",
    "address_line_1": "AddressLine1",
    "address_line_2": "AddressLine2",
    "town": "Town",
    "county": "County",
    "postcode": "Postcode",
    "gender": "Gender",
    "date_of_birth": "DOB",
    "ethnicity": "Ethnicity",
    "lead_la": "LeadLA",
    "educated_la": "EducatedLA",
    "uln": "ULN",
    "upn": "UPN",
    "la_at_year_11": "LAAtYear11",
    "transferred_to_la": "TransferredToLA",
    "level_of_need": "LevelOfNeed",
    "send": "SENDFlag",
    "sen_support": "SENSupportFlag",
    "intended_destination": "IntendedDestination",
    "activity": "Activity",
    "activity_code": "ActivityCode",
    "start_date": "StartDate",
    "date_ascertained": "DateAscertained",
    "date_verified": "DateVerified",
    "review_date": "ReviewDate",
    "predicted_end_date": "PredictedEndDate",
    "due_to_lapse": "DueToLapseDate",
    "currency_lapsed": "CurrencyLapsed",
    "neet_start_date": "NEETStartDate",
    "establishment_number": "EstablishmentNumber",
    "establishment_name": "EstablishmentName",
    "ukprn": "UKPRN",
    "characteristics": "Characteristics",
    "characteristic": "Characteristic",
    "characteristic_code": "CharacteristicCode",
    "characteristic_start": "StartDate",
    "characteristic_end": "EndDate",
    "guarantee": "SeptemberGuarantee",
    "guarantee_year": "GuaranteeYear",
    "guarantee_category": "Category",
}
# The header, on the root element.
SUPPLIER_NAME = "Youthservice"
SCHEMA_VERSION = "2025-26"  # the MIR year these element names and codes follow
# September Guarantee categories as the return codes them (unverified: the MIR's table; one place).
GUARANTEE_CODES = {
    rules.Guarantee.OFFER_MADE: "1",
    rules.Guarantee.NO_OFFER: "2",
    rules.Guarantee.NOT_APPROPRIATE: "3",
    rules.Guarantee.NOT_RECORDED: "4",
}


@dataclass
class Problem:
    young_person_id: int
    message: str


@dataclass
class ReturnRecord:
    young_person_id: int
    cohort_status: str
    fields: dict
    activity: dict | None = None
    characteristics: list[dict] = field(default_factory=list)
    guarantee: dict | None = None
    problems: list[str] = field(default_factory=list)


RETURN_FIELDS = (
    "legal_given_name",
    "middle_names",
    "legal_family_name",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "date_of_birth",
    "gender",
    "postcode",
    "ethnicity__code",
    "upn",
    "uln",
    "support_level",
    "school__la_code",
    "on_file_from",
    "cohort_exit__transferred_to__la_code",
    "intended",
    "previous_id",
)


def scope_bounds(month_end: date, previous: date) -> tuple[date, date, date]:
    """Dates of birth that could be in the return, so the rules run only for those: the cohort on the
    month end is academic age 15-17, 18 for a guarantee's G, or to 24 with an EHC plan, and a leaver
    was in it on the previous month end (so is 15-18 now: ages only grow). (latest date of birth,
    earliest, earliest with an EHC plan); the rules then decide."""
    start = rules.academic_year_start(month_end)
    return date(start - 15, 8, 31), date(start - 19, 9, 1), _not_yet_25_on(previous)


def _not_yet_25_on(day: date) -> date:
    """The earliest date of birth of someone not yet 25 on ``day`` (rules.age_on: a 29 February birthday
    comes on 1 March in other years)."""
    try:
        return date(day.year - 25, day.month, day.day) + timedelta(days=1)
    except ValueError:  # 29 February, in a year without one
        return date(day.year - 25, 3, 1)


def _possibly_in_scope(month_end: date, previous: date) -> Q:
    latest, earliest, earliest_with_ehc_plan = scope_bounds(month_end, previous)
    return Q(date_of_birth__lte=latest) & (
        Q(date_of_birth__gte=earliest)
        | Q(sen_status=YoungPerson.SenStatus.EHC_PLAN, date_of_birth__gte=earliest_with_ehc_plan)
    )


def _records(month_end: date) -> Iterator[ReturnRecord]:
    """The return's rows, person by person (in scope P and G, and leavers in their month): the rules'
    facts and the return's own fields read in the same query, a chunk at a time in id order."""
    previous = previous_month_end(month_end)
    latest_intention = (
        IntendedDestination.objects.filter(young_person=OuterRef("pk"), recorded_on__lte=month_end)
        .order_by("-recorded_on", "-pk")
        .values("code__code")
    )
    merged_in = (
        Merge.objects.filter(kept=OuterRef("pk"), undone_at__isnull=True, merged_at__date__lte=month_end)
        .order_by("-merged_at", "-pk")
        .values("merged_id")
    )
    people = (
        YoungPerson.objects.on_file_by(month_end)
        .filter(_possibly_in_scope(month_end, previous))
        .annotate(
            intended=Subquery(latest_intention[:1]),
            previous_id=Subquery(merged_in[:1]),
            on_file_from=TruncDate("created_at"),  # in the council's time zone, as on_file_by
        )
    )
    providers = {
        pk: values
        for pk, *values in Organisation.objects.filter(
            pk__in=Activity.objects.filter(provider__isnull=False).values("provider_id")
        ).values_list("pk", "establishment_number", "name", "ukprn")
    }
    ours = _Return(month_end, settings.COUNCIL_LA_CODE, providers)
    people_facts = facts.person_facts(
        people, attendance=False, activities_in_force_on=month_end, columns=RETURN_FIELDS
    )
    for person in people_facts:
        status = rules.dfe_cohort_status(person, month_end, previous_month_end=previous)
        if status:
            yield _record(person, dict(zip(RETURN_FIELDS, person.row, strict=True)), status, ours)


def _on_file_by_end_of_year_11(person: rules.PersonFacts, on_file_from: date) -> bool:
    """Whether the record was on file by the end of their Year 11 (academic age 15)."""
    born = person.date_of_birth
    return on_file_from <= date(born.year + 16 + (born.month >= 9), 8, 31)


@dataclass
class _Return:
    """What every record of one return shares."""

    month_end: date
    la_code: str
    providers: dict[int, list[str]]  # organisation id -> establishment number, name, UKPRN


def _record(person: rules.PersonFacts, row: dict, status: str, ours: _Return) -> ReturnRecord:
    month_end = ours.month_end
    record = ReturnRecord(
        person.id,
        status,
        {
            "previous_id": str(row["previous_id"] or ""),
            "given_name": row["legal_given_name"],
            "middle_name": row["middle_names"],
            "family_name": row["legal_family_name"],
            "address_line_1": row["address_line_1"],
            "address_line_2": row["address_line_2"],
            "town": row["town"],
            "county": row["county"],
            "postcode": row["postcode"],
            "gender": row["gender"],
            "date_of_birth": row["date_of_birth"].isoformat(),
            "ethnicity": row["ethnicity__code"] or "",
            "lead_la": ours.la_code,
            "educated_la": row["school__la_code"] or "",
            "uln": row["uln"],
            "upn": row["upn"],
            # this council's code if it held the record by then; otherwise not known here (left out)
            "la_at_year_11": ours.la_code if _on_file_by_end_of_year_11(person, row["on_file_from"]) else "",
            "transferred_to_la": row["cohort_exit__transferred_to__la_code"] or "" if status == "T" else "",
            "level_of_need": str(YoungPerson.level_of_need_for(row["support_level"])),
            "send": "Y" if person.sen_status == "E" else "N",
            "sen_support": "Y" if person.sen_status == "K" else "N",
            "intended_destination": row["intended"] or "",
        },
    )
    recorded = [
        c
        for c in person.characteristics
        if c.start_date <= month_end and (c.end_date is None or c.end_date >= month_end)
    ]
    record.characteristics = [
        {
            "characteristic_code": c.code,
            "characteristic_start": c.start_date.isoformat(),
            "characteristic_end": _iso(c.end_date),
        }
        for c in recorded
    ] + [  # looked after and care leaver are flags on the record too, with no dates
        {"characteristic_code": code}
        for code in sorted(rules.active_characteristics(person, month_end) - {c.code for c in recorded})
    ]
    if (year := rules.guarantee_year(person, month_end)) is not None:
        record.guarantee = {
            "guarantee_year": str(year),
            "guarantee_category": GUARANTEE_CODES[rules.guarantee_category(person, month_end)],
        }
    activity = rules.current_activity(person, month_end)
    if activity is not None:
        number, name, ukprn = ours.providers.get(activity.provider_id or 0, ("", "", ""))
        record.activity = {
            "activity_code": activity.code,
            "start_date": activity.start_date.isoformat(),
            "date_ascertained": activity.date_ascertained.isoformat(),
            "date_verified": _iso(activity.date_verified),
            "review_date": _iso(activity.review_date),
            "predicted_end_date": _iso(activity.predicted_end_date),
            "due_to_lapse": _iso(activity.due_to_lapse_date),
            "currency_lapsed": "Y" if rules.currency_lapsed(activity, month_end) else "N",
            "neet_start_date": _iso(activity.neet_start_date),
            "establishment_number": number,
            "establishment_name": name,
            "ukprn": ukprn,
        }
    record.problems = validate(record, person, month_end)
    return record


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def validate(record: ReturnRecord, person: rules.PersonFacts, month_end: date) -> list[str]:
    """The DfE's known rules (docs/domain.md) plus mandatory fields."""
    problems = []
    for name in ("given_name", "family_name"):
        if validators.NAME_FORBIDDEN.search(record.fields[name]):
            problems.append(f"The {name.replace('_', ' ')} contains a digit or a character the DfE refuses")
    if not record.fields["postcode"]:
        problems.append("The postcode is missing")
    if record.cohort_status in ("P", "G") and record.activity is None:
        problems.append("There is no current activity")
    if record.cohort_status == "T" and not record.fields["transferred_to_la"]:
        problems.append("A transfer needs the LA code of the council they moved to")
    academic_start = date(rules.academic_year_start(month_end), 9, 1).isoformat()
    compulsory = rules.academic_age(person.date_of_birth, month_end) <= 15
    if compulsory and record.activity:  # the DfE's error 909
        dates = (record.activity["start_date"], record.activity["date_verified"])
        if not any(academic_start <= day <= month_end.isoformat() for day in dates):
            problems.append(
                "A compulsory-age activity needs a start or verification date in this academic year"
            )
    return problems


@dataclass
class ReturnSummary:
    young_person_ids: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_return(month_end: date, out: IO[str]) -> ReturnSummary:
    """Write the month's return to ``out`` one person at a time (each person's elements joined as one
    string: the XML is only ever written here, never parsed); return who is in it and the
    validation problems."""
    summary = ReturnSummary()
    header = {
        "LA": settings.COUNCIL_LA_CODE,
        "MonthEnd": month_end.isoformat(),
        "DateOfSend": timezone.localdate().isoformat(),
        "SupplierName": SUPPLIER_NAME,
        "SchemaVersion": SCHEMA_VERSION,
    }
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in header.items())
    out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<NCCISReturn{attributes}>')
    for record in _records(month_end):
        summary.young_person_ids.append(record.young_person_id)
        summary.problems += [Problem(record.young_person_id, message) for message in record.problems]
        out.write(_person(record))
    out.write("</NCCISReturn>\n")
    return summary


def _person(record: ReturnRecord) -> str:
    parts = [_elements({"id": str(record.young_person_id), "cohort_status": record.cohort_status})]
    parts.append(_elements(record.fields))
    if record.activity:
        parts.append(_group("activity", _elements(record.activity)))
    if record.characteristics:
        inner = "".join(_group("characteristic", _elements(c)) for c in record.characteristics)
        parts.append(_group("characteristics", inner))
    if record.guarantee:
        parts.append(_group("guarantee", _elements(record.guarantee)))
    return _group("person", "".join(parts))


TAGS = {name: (f"<{element}>", f"</{element}>") for name, element in ELEMENTS.items()}


def _group(name: str, inner: str) -> str:
    start, end = TAGS[name]
    return start + inner + end


def _elements(values: dict[str, str]) -> str:
    """Each value as its element; an optional element with no value is left out."""
    return "".join(
        [f"<{ELEMENTS[name]}>{_text(value)}</{ELEMENTS[name]}>" for name, value in values.items() if value]
    )


def _text(value: str) -> str:
    """``value`` escaped for XML text (most values are codes and dates with nothing to escape)."""
    return escape(value) if "&" in value or "<" in value or ">" in value else value


SURVEY_HEADER = ["YPID", "UPN", "School", "SchoolURN", "ActivityCode", "Status", "CurrencyLapsed"]


def write_activity_survey(year: int, out: IO[str]) -> int:
    """The annual Activity Survey: the summer's Year 11 leavers and their situation on 1 November of
    ``year`` (reported at the end of January), once each: not those who had moved away, been merged
    into another record or died by then. Returns how many rows it wrote."""
    on = date(year, 11, 1)
    people = YoungPerson.objects.all()  # recorded by the time of reporting, whenever that was
    columns = ("upn", "school__name", "school__urn")

    def survey_rows() -> Iterator[list[object]]:
        for person in facts.person_facts(people, attendance=False, columns=columns):
            if rules.academic_age(person.date_of_birth, on) != 16 or rules.left(person, on):
                continue  # Year 11 in the year just ended, and still ours
            activity = rules.current_activity(person, on)
            upn, school, urn = person.row
            yield [
                person.id,
                upn,
                school or "",
                urn or "",
                activity.code if activity else "",
                rules.status(person, on),
                "Y" if activity and rules.currency_lapsed(activity, on) else "N",
            ]

    return write_csv(out, SURVEY_HEADER, survey_rows())
