"""Load the facts the rules need, in bulk: a fixed number of queries per chunk of people, however
many activities, characteristics or offers each has."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db.models import Q, QuerySet

from cases.models import Attendance, YoungPerson
from core import bulk
from tracking.models import Activity, Characteristic, CharacteristicCode, CohortExit, Offer, RoniFactor
from tracking.rules import ActivityFact, AttendanceFact, CharacteristicFact, OfferFact, PersonFacts

CHUNK = 2000
# The young person's columns the rules read (PersonFacts, in order). A change to any other field of the
# record (a phone number, a note) cannot change a status, so it refreshes nothing (tracking.signals).
RULE_INPUTS = (
    "date_of_birth",
    "sen_status",
    "has_disability",
    "looked_after",
    "care_leaver",
    "fsm_eligible",
    "first_language",
    "team_id",
    "gender",
    "postcode",
    "ethnicity_id",
)
FACT_COLUMNS = ("id", *RULE_INPUTS[:-1], "ethnicity__code")  # the rules read the code, not the id


def rule_tables() -> dict:
    """The council-editable tables the rules read: RONI weights and the vulnerable characteristic codes."""
    return {
        "weights": dict(RoniFactor.objects.values_list("key", "points")),
        "vulnerable_codes": set(
            CharacteristicCode.objects.filter(vulnerable=True).values_list("code", flat=True)
        ),
    }


def _grouped(rows, make) -> dict[int, list]:
    grouped = defaultdict(list)
    for person_id, *values in rows:
        grouped[person_id].append(make(*values))
    return grouped


def person_facts(
    people: QuerySet,  # of YoungPerson, perhaps annotated
    *,
    attendance: bool = True,
    activities_in_force_on: date | None = None,
    columns: tuple[str, ...] = (),
) -> Iterator[PersonFacts]:
    """Each person's facts in id order. ``attendance=False`` leaves out what only RONI reads;
    ``activities_in_force_on`` loads only the activities in force that day (all that
    rules.current_activity reads then); ``columns`` (fields or annotations of ``people``) are read in
    the same query as the facts and given as each person's ``row``, in their order."""
    activities = Activity.objects.all()
    if day := activities_in_force_on:
        activities = activities.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield from _chunk(people, activities, ids[start : start + CHUNK], attendance, columns)


def _chunk(
    people: QuerySet,  # of YoungPerson, perhaps annotated
    activities: QuerySet[Activity],
    ids: list[int],
    with_attendance: bool,
    columns: tuple[str, ...],
) -> Iterator[PersonFacts]:
    chunk = bulk.ids_in(ids)  # one array parameter on PostgreSQL, not 2,000 placeholders a query
    grouped_activities = _grouped(
        activities.filter(young_person_id__in=chunk).values_list(
            "young_person_id",
            "code__code",
            "code__status",
            "code__participating",
            "start_date",
            "end_date",
            "date_ascertained",
            "due_to_lapse_date",
            "id",
            "date_verified",
            "review_date",
            "predicted_end_date",
            "neet_start_date",
            "provider_id",
        ),
        ActivityFact,
    )
    characteristics = _grouped(
        Characteristic.objects.filter(young_person_id__in=chunk).values_list(
            "young_person_id", "code__code", "code__vulnerable", "start_date", "end_date"
        ),
        CharacteristicFact,
    )
    offers = _grouped(
        Offer.objects.filter(young_person_id__in=chunk).values_list(
            "young_person_id", "guarantee_year", "offer_type__suitable", "state", "offered_on"
        ),
        OfferFact,
    )
    attendance: dict[int, list] = defaultdict(list)
    if with_attendance:
        attendance = _grouped(
            Attendance.objects.filter(young_person_id__in=chunk).values_list(
                "young_person_id",
                "academic_year",
                "sessions_possible",
                "sessions_attended",
                "suspensions",
                "permanently_excluded",
            ),
            AttendanceFact,
        )
    exits = {
        row[0]: row[1:]
        for row in CohortExit.objects.filter(young_person_id__in=chunk).values_list(
            "young_person_id", "reason", "left_on"
        )
    }
    source = people if columns else YoungPerson.objects.all()  # filters are repeated only for columns
    rows = source.filter(pk__in=chunk).order_by("pk").values_list(*FACT_COLUMNS, *columns)
    for row in rows:
        person_id, born, sen, disability, looked_after, care_leaver, fsm, language, team_id = row[:9]
        gender, postcode, ethnicity = row[9:12]
        exit_reason, exit_on = exits.get(person_id, ("", None))
        yield PersonFacts(
            person_id,
            born,
            sen,
            disability,
            looked_after,
            care_leaver,
            fsm,
            language,
            team_id=team_id,
            gender=gender,
            postcode=postcode,
            ethnicity=ethnicity or "",
            activities=grouped_activities[person_id],
            characteristics=characteristics[person_id],
            offers=offers[person_id],
            attendance=attendance[person_id],
            exit_reason=exit_reason,
            exit_on=exit_on,
            row=row[12:],
        )
