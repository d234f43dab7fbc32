"""The DfE tracking rules as code (docs/domain.md is the spec). Pure functions over plain data and a
reference date, so any past month can be recomputed; tracking.facts loads the data in bulk.

What the sources leave open (docs/domain.md: currency periods, offer types, RONI weights) is data
(code tables), not constants here.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from cases.validators import age_on
from tracking.models import RoniFactor, Status

K = RoniFactor.Key
SERVICE_MIN_AGE, SERVICE_MAX_AGE, SEND_MAX_AGE = 13, 19, 24
VULNERABLE_FLAGS = {"looked_after": "110", "care_leaver": "160"}  # person flags that are characteristics
PREGNANT_OR_PARENT = {"120", "180", "190"}
CUSTODY_CODES = {"130", "710"}
GUARANTEE_WINDOW_MONTHS = (5, 6, 7, 8, 9, 10)  # offers are reported May to October
# A first language recorded as English: the word, or the school census codes ENG (English) and ENB
# (believed to be English). Anything else recorded counts as English as an additional language.
ENGLISH = {"english", "eng", "enb"}


@dataclass(frozen=True)
class ActivityFact:
    code: str
    status: str
    participating: bool
    start_date: date
    end_date: date | None
    date_ascertained: date
    due_to_lapse_date: date | None
    id: int = 0
    date_verified: date | None = None
    # What the return reports of it (the rules read none of these).
    review_date: date | None = None
    predicted_end_date: date | None = None
    neet_start_date: date | None = None
    provider_id: int | None = None


@dataclass(frozen=True)
class CharacteristicFact:
    code: str
    vulnerable: bool
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class OfferFact:
    guarantee_year: int
    suitable: bool
    state: str
    offered_on: date


@dataclass(frozen=True)
class AttendanceFact:
    academic_year: int
    sessions_possible: int
    sessions_attended: int
    suspensions: int
    permanently_excluded: bool


@dataclass
class PersonFacts:
    id: int
    date_of_birth: date
    sen_status: str = "N"
    has_disability: bool = False
    looked_after: bool = False
    care_leaver: bool = False
    fsm_eligible: bool = False
    first_language: str = ""
    activities: list[ActivityFact] = field(default_factory=list)
    characteristics: list[CharacteristicFact] = field(default_factory=list)
    offers: list[OfferFact] = field(default_factory=list)
    attendance: list[AttendanceFact] = field(default_factory=list)
    exit_reason: str = ""
    exit_on: date | None = None
    # Breakdown attributes (the rules ignore them; snapshots group by them).
    team_id: int | None = None
    gender: str = ""
    postcode: str = ""
    ethnicity: str = ""
    # The caller's own columns, read with the facts (facts.person_facts(columns=...)); the rules ignore them.
    row: tuple = ()


# --- Age and cohort --------------------------------------------------------------------------------


def academic_year_start(on: date) -> int:
    return on.year if on.month >= 9 else on.year - 1


@lru_cache(maxsize=1 << 16)  # called several times a person a run, for a few thousand birthdays
def academic_age(date_of_birth: date, on: date) -> int:
    """Age on 31 August at the start of the academic year that contains ``on``."""
    return age_on(date_of_birth, date(academic_year_start(on), 8, 31))


def nc_year(date_of_birth: date, on: date) -> int:
    """National Curriculum year: academic age - 4 (Year 11 = academic age 15)."""
    return academic_age(date_of_birth, on) - 4


def has_ehc_plan(person: PersonFacts) -> bool:
    return person.sen_status == "E"


def in_service_cohort(person: PersonFacts, on: date) -> bool:
    """13-19, and up to the 25th birthday with SEND (an EHC plan or a disability)."""
    if left(person, on):
        return False
    age = academic_age(person.date_of_birth, on)
    if SERVICE_MIN_AGE <= age <= SERVICE_MAX_AGE:
        return True
    send = has_ehc_plan(person) or person.has_disability
    return send and age > SERVICE_MAX_AGE and age_on(person.date_of_birth, on) <= SEND_MAX_AGE


def _dfe_age_in_scope(person: PersonFacts, on: date) -> bool:
    age = academic_age(person.date_of_birth, on)
    if age in (15, 16, 17):
        return True
    return has_ehc_plan(person) and age >= 18 and age_on(person.date_of_birth, on) <= SEND_MAX_AGE


def left(person: PersonFacts, on: date) -> bool:
    """Moved away, merged into another record, or died on or before ``on``."""
    return bool(person.exit_reason and person.exit_on and person.exit_on <= on)


def guarantee_year(person: PersonFacts, on: date) -> int | None:
    """Which September Guarantee cohort the person is in on ``on``: 11 or 12, or None. The cohort is
    fixed at the end of May and reported to October, when they are already a year older; someone
    who has left (moved away, merged, died) is in neither."""
    if left(person, on):
        return None
    year = nc_year(person.date_of_birth, on) - (1 if on.month in (9, 10) else 0)
    return year if year in (11, 12) else None


def _guarantee_offer_active(person: PersonFacts, on: date) -> bool:
    """Kept in the cohort (status G) by a Year 12 guarantee offer made in this reporting window."""
    return any(
        offer.guarantee_year == 12
        and offer.suitable
        and offer.state in ("offered", "accepted")
        and offer.offered_on.year == on.year
        and offer.offered_on <= on
        for offer in person.offers
    )


def dfe_cohort_status(person: PersonFacts, on: date, *, previous_month_end: date | None = None) -> str:
    """The DfE return's cohort status letter on ``on``: P in cohort, G kept in by a guarantee offer,
    A aged out, T/E/M/D left; "" when not in scope at all. A leaver appears once, in the month they
    leave, and only if they were in the cohort on the previous month end, so A and the exit letters
    need it."""
    if left(person, on):
        if previous_month_end is None or left(person, previous_month_end):
            return ""
        return person.exit_reason if _cohort_letter(person, previous_month_end) else ""
    if letter := _cohort_letter(person, on):
        return letter
    if previous_month_end is not None and _dfe_age_in_scope(person, previous_month_end):
        return "A"
    return ""


def _cohort_letter(person: PersonFacts, on: date) -> str:
    """P or G by age and offers alone (whether they have left is the caller's question)."""
    if _dfe_age_in_scope(person, on):
        return "P"
    if (
        academic_age(person.date_of_birth, on) == 18
        and on.month in GUARANTEE_WINDOW_MONTHS[4:]
        and (_guarantee_offer_active(person, on))
    ):
        return "G"
    return ""


def in_dfe_cohort(person: PersonFacts, on: date) -> bool:
    return dfe_cohort_status(person, on) in ("P", "G")


# --- Activity and status ---------------------------------------------------------------------------


def current_activity(person: PersonFacts, on: date) -> ActivityFact | None:
    """The activity in force on ``on``: started by then and not ended before it; the latest start
    (then the latest ascertained, then the latest recorded) wins."""
    candidates = [
        activity
        for activity in person.activities
        if activity.start_date <= on and (activity.end_date is None or activity.end_date >= on)
    ]
    return max(candidates, key=lambda a: (a.start_date, a.date_ascertained, a.id), default=None)


def currency_lapsed(activity: ActivityFact, on: date) -> bool:
    return activity.due_to_lapse_date is not None and activity.due_to_lapse_date < on


def status(person: PersonFacts, on: date) -> str:
    """EET, NEET, not known or excluded (custody) on ``on``. No activity, or a lapsed one (custody
    included), is not known."""
    return _status_of(current_activity(person, on), on)


def _status_of(activity: ActivityFact | None, on: date) -> str:
    if activity is None or currency_lapsed(activity, on):
        return Status.NOT_KNOWN
    return activity.status


def participating(person: PersonFacts, on: date) -> bool:
    return _participating_in(current_activity(person, on), on)


def _participating_in(activity: ActivityFact | None, on: date) -> bool:
    return bool(activity and activity.participating and not currency_lapsed(activity, on))


def neet_since(person: PersonFacts, on: date) -> date | None:
    """When the current NEET spell began: the start of the earliest NEET activity in an unbroken run."""
    if status(person, on) != Status.NEET:
        return None
    spell_start = (current_activity(person, on) or _NO_ACTIVITY).start_date
    for activity in sorted(person.activities, key=lambda a: a.start_date, reverse=True):
        if (
            activity.start_date < spell_start
            and activity.status == Status.NEET
            and (activity.end_date is None or activity.end_date >= spell_start - timedelta(days=1))
        ):
            spell_start = activity.start_date
    return spell_start


# --- Characteristics -------------------------------------------------------------------------------


def recorded_characteristics(person: PersonFacts, on: date) -> set[str]:
    return {
        c.code
        for c in person.characteristics
        if c.start_date <= on and (c.end_date is None or c.end_date >= on)
    }


def active_characteristics(person: PersonFacts, on: date) -> set[str]:
    """Recorded characteristics plus the care flags on the person that are characteristics too."""
    flags = {code for flag, code in VULNERABLE_FLAGS.items() if getattr(person, flag)}
    return recorded_characteristics(person, on) | flags


def vulnerable(person: PersonFacts, on: date, vulnerable_codes: set[str]) -> bool:
    return bool(active_characteristics(person, on) & vulnerable_codes)


# --- September Guarantee ---------------------------------------------------------------------------


class Guarantee:
    OFFER_MADE = "offer_made"
    NO_OFFER = "no_offer"
    NOT_APPROPRIATE = "not_appropriate"
    NOT_RECORDED = "not_recorded"
    LABELS = {
        OFFER_MADE: "Offer made",
        NO_OFFER: "No offer",
        NOT_APPROPRIATE: "Offer not appropriate",
        NOT_RECORDED: "Not recorded",
    }


def guarantee_category(person: PersonFacts, on: date) -> str:
    """The person's September Guarantee category for their cohort year ("" if in neither cohort)."""
    year = guarantee_year(person, on)
    if year is None:
        return ""
    # They leave Year 11/12 in the summer of leave_year; offers count from the September before.
    leave_year = on.year if on.month in (9, 10) else academic_year_start(on) + 1
    opens = date(leave_year - 1, 9, 1)
    offers = [o for o in person.offers if o.guarantee_year == year and opens <= o.offered_on <= on]
    if any(o.suitable and o.state in ("offered", "accepted") for o in offers):
        return Guarantee.OFFER_MADE
    if any(o.state == "not_appropriate" for o in offers):
        return Guarantee.NOT_APPROPRIATE
    return Guarantee.NO_OFFER if offers else Guarantee.NOT_RECORDED


def guarantee_offer_eligible(person: PersonFacts, offered_on: date, year: int) -> bool:
    """A guarantee offer may be recorded only for someone in that year's cohort on the offer date."""
    return guarantee_year(person, offered_on) == year


# --- Risk of NEET ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roni:
    score: int
    band: str
    factors: list[tuple[str, int]]  # (label, points) - shown so an adviser sees why (UK GDPR Art 22)


RONI_BANDS = ((4, "substantial"), (2, "additional"), (1, "offered"))
RONI_LABELS = dict(RoniFactor.Key.choices)
RONI_BAND_LABELS = {
    "substantial": "Substantial support needed",
    "additional": "Additional support",
    "offered": "Support should be offered",
    "": "No indicators",
}


def _roni_keys(person: PersonFacts, on: date) -> list[RoniFactor.Key]:
    keys = []
    latest = max(person.attendance, key=lambda a: a.academic_year, default=None)
    if latest and latest.sessions_possible:
        rate = latest.sessions_attended / latest.sessions_possible
        keys += [K.ATTENDANCE_BELOW_90] if rate < 0.90 else []
        keys += [K.ATTENDANCE_BELOW_85] if rate < 0.85 else []
    if latest and (latest.suspensions or latest.permanently_excluded):
        keys.append(K.EXCLUSIONS)
        if latest.suspensions >= 3 or latest.permanently_excluded:
            keys.append(K.EXCLUSIONS_HEAVY)
    if person.first_language and person.first_language.strip().lower() not in ENGLISH:
        keys.append(K.EAL)
    keys += [K.EHC_PLAN] if person.sen_status == "E" else [K.SEN_SUPPORT] if person.sen_status == "K" else []
    characteristics = active_characteristics(person, on)
    flags = [
        (K.ALTERNATIVE_PROVISION, "200" in characteristics),
        (K.LOOKED_AFTER, "110" in characteristics),
        (K.PREGNANT_OR_PARENT, bool(characteristics & PREGNANT_OR_PARENT)),
        (K.FSM, person.fsm_eligible),
        (K.YOUNG_CARER, "140" in characteristics),
        (K.CUSTODY, (current_activity(person, on) or _NO_ACTIVITY).code in CUSTODY_CODES),
        (K.YOUTH_JUSTICE, "170" in characteristics),
    ]
    return keys + [key for key, present in flags if present]


_NO_ACTIVITY = ActivityFact("", "", False, date.min, None, date.min, None)


def roni(person: PersonFacts, on: date, weights: dict[str, int]) -> Roni | None:
    """Risk of NEET for Years 9-11 (None outside them), from the council's weights table."""
    if not 9 <= nc_year(person.date_of_birth, on) <= 11:
        return None
    factors = [
        (RONI_LABELS[key], weights.get(key, 0)) for key in _roni_keys(person, on) if weights.get(key, 0)
    ]
    score = sum(points for _, points in factors)
    band = next((name for threshold, name in RONI_BANDS if score >= threshold), "")
    return Roni(score=score, band=band, factors=factors)


# --- Everything at once ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    academic_age: int
    in_service_cohort: bool
    in_dfe_cohort: bool
    status: str
    activity_code: str
    participating: bool
    currency_lapses_on: date | None
    vulnerable: bool
    guarantee_year: int | None
    guarantee: str
    roni: Roni | None


def evaluate(
    person: PersonFacts, on: date, *, weights: dict[str, int] | None, vulnerable_codes: set[str]
) -> Evaluation:
    """Every rule's answer for ``person`` on ``on``; RONI is left out (None) without ``weights``."""
    activity = current_activity(person, on)
    return Evaluation(
        academic_age=academic_age(person.date_of_birth, on),
        in_service_cohort=in_service_cohort(person, on),
        in_dfe_cohort=in_dfe_cohort(person, on),
        status=_status_of(activity, on),
        activity_code=activity.code if activity else "",
        participating=_participating_in(activity, on),
        currency_lapses_on=activity.due_to_lapse_date if activity else None,
        vulnerable=vulnerable(person, on, vulnerable_codes),
        guarantee_year=guarantee_year(person, on),
        guarantee=guarantee_category(person, on),
        roni=None if weights is None else roni(person, on, weights),
    )
