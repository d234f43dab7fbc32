"""The monthly NCCIS return: the in-scope cohort on a month end as XML, streamed so memory stays flat,
and validated first. The element names follow the DfE's management information requirement (MIR) as
far as it is public; they live only in ``ELEMENTS`` so the yearly specification changes one table.

Scope and statuses come from tracking.rules (cohort status P/G, and A/T/E/M/D for leavers in the month
they leave); currency comes from the activity's due-to-lapse date."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from io import TextIOBase
from typing import IO, cast

# bandit B406 warns about parsing untrusted XML; this module only writes XML, never parses any.
from xml.sax.saxutils import XMLGenerator  # nosec B406
from xml.sax.xmlreader import AttributesImpl  # nosec B406

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from cases import validators
from cases.models import YoungPerson
from core.spreadsheets import write_csv
from tracking import facts, rules
from tracking.dashboards import previous_month_end
from tracking.models import IntendedDestination

# Our field -> the MIR element that carries it (one place, so the yearly specification changes here).
ELEMENTS = {
    "person": "YoungPerson",
    "id": "YPID",
    "cohort_status": "CohortStatus",
    "given_name": "GivenName",
    "family_name": "FamilyName",
    "date_of_birth": "DOB",
    "gender": "Gender",
    "postcode": "Postcode",
    "ethnicity": "Ethnicity",
    "upn": "UPN",
    "uln": "ULN",
    "lead_la": "LeadLA",
    "send": "SENDFlag",
    "sen_support": "SENSupportFlag",
    "level_of_need": "LevelOfNeed",
    "activity": "Activity",
    "activity_code": "ActivityCode",
    "start_date": "StartDate",
    "due_to_lapse": "DueToLapseDate",
    "currency_lapsed": "CurrencyLapsed",
    "characteristics": "Characteristics",
    "characteristic": "Characteristic",
    "characteristic_code": "CharacteristicCode",
    "characteristic_start": "StartDate",
    "characteristic_end": "EndDate",
    "intended_destination": "IntendedDestination",
    "guarantee": "SeptemberGuarantee",
    "guarantee_year": "GuaranteeYear",
    "guarantee_category": "Category",
}

NO_ATTRIBUTES: "AttributesImpl[str]" = AttributesImpl({})


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
    "pk",
    "legal_given_name",
    "legal_family_name",
    "date_of_birth",
    "gender",
    "postcode",
    "ethnicity__code",
    "upn",
    "uln",
    "support_level",
    "intended",
)


def _possibly_in_scope(previous: date) -> Q:
    """A date-of-birth bound, so the rules run only for people who could be in the return: the cohort
    is academic age 15-17 (to 24 with an EHC plan) and leavers in their month, who were in it on the
    previous month end; academic age moves on 1 September only. A year's margin each side: academic
    ages 13-18, or to 25 with an EHC plan, on the previous month end. The rules then decide."""
    start = rules.academic_year_start(previous)
    return Q(date_of_birth__lte=date(start - 13, 8, 31)) & (
        Q(date_of_birth__gt=date(start - 19, 8, 31))
        | Q(sen_status=YoungPerson.SenStatus.EHC_PLAN, date_of_birth__gt=date(start - 26, 8, 31))
    )


def _records(month_end: date) -> Iterator[ReturnRecord]:
    """The return's rows, person by person (in scope P and G, and leavers in their month): the rules'
    facts and the return's own fields read side by side in id order, a chunk at a time."""
    previous = previous_month_end(month_end)
    people = YoungPerson.objects.on_file_by(month_end).filter(_possibly_in_scope(previous))
    latest_intention = (
        IntendedDestination.objects.filter(young_person=OuterRef("pk"), recorded_on__lte=month_end)
        .order_by("-recorded_on", "-pk")
        .values("code__code")
    )
    rows = (
        people.order_by("pk")
        .annotate(intended=Subquery(latest_intention[:1]))
        .values_list(*RETURN_FIELDS)
        .iterator(chunk_size=facts.CHUNK)
    )
    for person, row in zip(facts.person_facts(people), rows, strict=True):
        status = rules.dfe_cohort_status(person, month_end, previous_month_end=previous)
        if status:
            yield _record(person, dict(zip(RETURN_FIELDS, row, strict=True)), status, month_end)


def _record(person: rules.PersonFacts, row: dict, status: str, month_end: date) -> ReturnRecord:
    level_of_need = str(YoungPerson.level_of_need_for(row["support_level"]))

    record = ReturnRecord(
        person.id,
        status,
        {
            "given_name": row["legal_given_name"],
            "family_name": row["legal_family_name"],
            "date_of_birth": row["date_of_birth"].isoformat(),
            "gender": row["gender"],
            "postcode": row["postcode"],
            "ethnicity": row["ethnicity__code"] or "",
            "upn": row["upn"],
            "uln": row["uln"],
            "lead_la": settings.COUNCIL_LA_CODE,
            "send": "Y" if person.sen_status == "E" else "N",
            "sen_support": "Y" if person.sen_status == "K" else "N",
            "level_of_need": level_of_need,
            "intended_destination": row["intended"] or "",
        },
    )
    record.characteristics = [
        {
            "characteristic_code": c.code,
            "characteristic_start": c.start_date.isoformat(),
            "characteristic_end": c.end_date.isoformat() if c.end_date else "",
        }
        for c in person.characteristics
        if c.start_date <= month_end and (c.end_date is None or c.end_date >= month_end)
    ]
    if (year := rules.guarantee_year(person, month_end)) is not None:
        record.guarantee = {
            "guarantee_year": str(year),
            "guarantee_category": rules.guarantee_category(person, month_end),
        }
    activity = rules.current_activity(person, month_end)
    if activity is not None:
        record.activity = {
            "activity_code": activity.code,
            "start_date": activity.start_date.isoformat(),
            "due_to_lapse": activity.due_to_lapse_date.isoformat() if activity.due_to_lapse_date else "",
            "currency_lapsed": "Y" if rules.currency_lapsed(activity, month_end) else "N",
        }
    record.problems = validate(record, person, month_end)
    return record


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
    academic_start = date(rules.academic_year_start(month_end), 9, 1)
    compulsory = rules.academic_age(person.date_of_birth, month_end) <= 15
    if compulsory and record.activity and record.activity["start_date"] < academic_start.isoformat():
        verified = [a for a in person.activities if a.code == record.activity["activity_code"]]
        if not any(a.date_ascertained >= academic_start for a in verified):
            problems.append(
                "A compulsory-age activity needs a start or verification date in this academic year"
            )
    return problems


@dataclass
class ReturnSummary:
    young_person_ids: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_return(month_end: date, out: IO[str]) -> ReturnSummary:
    """Write the month's return to ``out`` one person at a time; return who is in it and the
    validation problems."""
    summary = ReturnSummary()
    xml = XMLGenerator(cast("TextIOBase", out), encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement(
        "NCCISReturn", AttributesImpl({"LA": settings.COUNCIL_LA_CODE, "MonthEnd": month_end.isoformat()})
    )
    for record in _records(month_end):
        summary.young_person_ids.append(record.young_person_id)
        summary.problems += [Problem(record.young_person_id, message) for message in record.problems]
        xml.startElement(ELEMENTS["person"], NO_ATTRIBUTES)
        _element(xml, "id", str(record.young_person_id))
        _element(xml, "cohort_status", record.cohort_status)
        for name, value in record.fields.items():
            _element(xml, name, value)
        if record.activity:
            _group(xml, "activity", record.activity)
        if record.characteristics:
            xml.startElement(ELEMENTS["characteristics"], NO_ATTRIBUTES)
            for characteristic in record.characteristics:
                _group(xml, "characteristic", characteristic)
            xml.endElement(ELEMENTS["characteristics"])
        if record.guarantee:
            _group(xml, "guarantee", record.guarantee)
        xml.endElement(ELEMENTS["person"])
    xml.endElement("NCCISReturn")
    xml.endDocument()
    return summary


def _group(xml: XMLGenerator, name: str, values: dict) -> None:
    xml.startElement(ELEMENTS[name], NO_ATTRIBUTES)
    for key, value in values.items():
        _element(xml, key, value)
    xml.endElement(ELEMENTS[name])


def _element(xml: XMLGenerator, name: str, value: str) -> None:
    xml.startElement(ELEMENTS[name], NO_ATTRIBUTES)
    xml.characters(value)
    xml.endElement(ELEMENTS[name])


SURVEY_HEADER = ["YPID", "UPN", "School", "SchoolURN", "ActivityCode", "Status", "CurrencyLapsed"]


def write_activity_survey(year: int, out: IO[str]) -> int:
    """The annual Activity Survey: the summer's Year 11 leavers and their situation on 1 November of
    ``year`` (reported at the end of January). Returns how many rows it wrote."""
    on = date(year, 11, 1)
    people = YoungPerson.objects.all()
    rows = (
        people.order_by("pk")
        .values_list("pk", "upn", "school__name", "school__urn")
        .iterator(chunk_size=facts.CHUNK)
    )

    def survey_rows() -> Iterator[list[object]]:
        for person, (pk, upn, school, urn) in zip(facts.person_facts(people), rows, strict=True):
            if rules.academic_age(person.date_of_birth, on) != 16:  # Year 11 in the year just ended
                continue
            activity = rules.current_activity(person, on)
            yield [
                pk,
                upn,
                school or "",
                urn or "",
                activity.code if activity else "",
                rules.status(person, on),
                "Y" if activity and rules.currency_lapsed(activity, on) else "N",
            ]

    return write_csv(out, SURVEY_HEADER, survey_rows())
