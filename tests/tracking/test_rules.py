"""The tracking rules on their boundary dates (docs/domain.md is the spec)."""

from datetime import date, timedelta

import pytest

from tracking import rules
from tracking.models import Status
from tracking.rules import ActivityFact, AttendanceFact, CharacteristicFact, OfferFact, PersonFacts

WEIGHTS = {
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


def activity(code, status, start, *, end=None, lapse=None, participating=False, ascertained=None, id=0):
    return ActivityFact(code, status, participating, start, end, ascertained or start, lapse, id)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 8, 31), date(2024, 9, 1), 16),
        (date(2008, 9, 1), date(2024, 9, 1), 15),
        (date(2008, 8, 31), date(2025, 8, 31), 16),  # the last day of the academic year
        (date(2008, 8, 31), date(2025, 9, 1), 17),  # the first day of the next
        (date(2008, 9, 1), date(2025, 8, 31), 15),
        (date(2008, 2, 29), date(2024, 12, 31), 16),
    ],
)
def test_academic_age_is_the_age_on_31_august_at_the_start_of_the_year(born, on, age):
    assert rules.academic_age(born, on) == age
    assert rules.nc_year(born, on) == age - 4


@pytest.mark.parametrize(
    ("born", "sen", "disability", "on", "expected"),
    [
        (date(2011, 8, 31), "N", False, date(2024, 9, 1), True),  # academic age 13
        (date(2011, 9, 1), "N", False, date(2024, 9, 1), False),  # 12
        (date(2004, 9, 1), "N", False, date(2024, 9, 1), True),  # 19
        (date(2004, 8, 31), "N", False, date(2024, 9, 1), False),  # 20
        (date(2000, 1, 15), "E", False, date(2024, 9, 1), True),  # 24 with an EHC plan
        (date(2000, 1, 15), "N", True, date(2024, 9, 1), True),  # 24 with a disability
        (date(2000, 1, 15), "E", False, date(2025, 1, 15), False),  # 25th birthday
    ],
)
def test_the_service_cohort_is_13_to_19_and_25_with_send(born, sen, disability, on, expected):
    person = PersonFacts(id=1, date_of_birth=born, sen_status=sen, has_disability=disability)
    assert rules.in_service_cohort(person, on) is expected


@pytest.mark.parametrize(
    ("born", "sen", "on", "letter"),
    [
        (date(2009, 5, 1), "N", date(2024, 10, 31), "P"),  # Year 11, academic age 15
        (date(2007, 5, 1), "N", date(2024, 10, 31), "P"),  # academic age 17
        (date(2006, 5, 1), "N", date(2024, 10, 31), ""),  # 18 without an EHC plan
        (date(2006, 5, 1), "E", date(2024, 10, 31), "P"),  # 18 with an EHC plan
        (date(2010, 5, 1), "N", date(2024, 10, 31), ""),  # Year 10
    ],
)
def test_the_dfe_cohort_is_year_11_ages_16_17_and_18_24_with_an_ehc_plan(born, sen, on, letter):
    assert rules.dfe_cohort_status(PersonFacts(id=1, date_of_birth=born, sen_status=sen), on) == letter


def test_a_leaver_appears_once_in_the_month_they_leave():
    person = PersonFacts(id=1, date_of_birth=date(2006, 5, 1))  # academic age 17 in 2023/24, 18 from Sep 2024
    assert rules.dfe_cohort_status(person, date(2024, 8, 31), previous_month_end=date(2024, 7, 31)) == "P"
    assert rules.dfe_cohort_status(person, date(2024, 9, 30), previous_month_end=date(2024, 8, 31)) == "A"
    assert rules.dfe_cohort_status(person, date(2024, 10, 31), previous_month_end=date(2024, 9, 30)) == ""
    moved = PersonFacts(id=2, date_of_birth=date(2008, 5, 1), exit_reason="T", exit_on=date(2024, 10, 3))
    assert rules.dfe_cohort_status(moved, date(2024, 10, 31), previous_month_end=date(2024, 9, 30)) == "T"
    assert rules.dfe_cohort_status(moved, date(2024, 11, 30), previous_month_end=date(2024, 10, 31)) == ""


def test_the_current_activity_is_the_latest_started_and_not_ended():
    college = activity("230", Status.EET, date(2024, 9, 2), end=date(2024, 12, 20), id=1)
    seeking = activity("619", Status.NEET, date(2024, 12, 21), id=2)
    person = PersonFacts(id=1, date_of_birth=date(2008, 1, 1), activities=[seeking, college])
    assert rules.current_activity(person, date(2024, 9, 1)) is None
    assert rules.current_activity(person, date(2024, 12, 20)) == college
    assert rules.current_activity(person, date(2024, 12, 21)) == seeking
    assert rules.status(person, date(2024, 9, 1)) == Status.NOT_KNOWN


def test_currency_lapses_the_day_after_the_due_date():
    person = PersonFacts(
        id=1,
        date_of_birth=date(2008, 1, 1),
        activities=[activity("619", Status.NEET, date(2024, 9, 2), lapse=date(2024, 11, 30))],
    )
    assert rules.status(person, date(2024, 11, 30)) == Status.NEET  # month end: still current
    assert rules.status(person, date(2024, 12, 1)) == Status.NOT_KNOWN
    assert rules.status(person, date(2024, 12, 31)) == Status.NOT_KNOWN


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 6, 1), Status.EXCLUDED),  # the due-to-lapse date itself: still current
        (date(2024, 6, 2), Status.NOT_KNOWN),  # a lapsed record is not known, whatever its code
    ],
)
def test_custody_is_excluded_until_its_currency_lapses(on, expected):
    person = PersonFacts(
        id=1,
        date_of_birth=date(2007, 1, 1),
        activities=[activity("710", Status.EXCLUDED, date(2024, 1, 1), lapse=date(2024, 6, 1))],
    )
    assert rules.status(person, on) == expected


def test_participation_needs_a_participating_code_that_is_current():
    college = activity("230", Status.EET, date(2024, 9, 2), lapse=date(2025, 7, 31), participating=True)
    gap_year = activity("260", Status.EET, date(2024, 9, 2))
    assert rules.participating(
        PersonFacts(id=1, date_of_birth=date(2008, 1, 1), activities=[college]), date(2025, 3, 31)
    )
    assert not rules.participating(
        PersonFacts(id=1, date_of_birth=date(2008, 1, 1), activities=[college]), date(2025, 8, 1)
    )
    assert not rules.participating(
        PersonFacts(id=1, date_of_birth=date(2008, 1, 1), activities=[gap_year]), date(2025, 3, 31)
    )


def test_a_neet_spell_runs_across_consecutive_neet_activities():
    person = PersonFacts(
        id=1,
        date_of_birth=date(2008, 1, 1),
        activities=[
            activity("230", Status.EET, date(2024, 9, 2), end=date(2024, 10, 31)),
            activity("619", Status.NEET, date(2024, 11, 1), end=date(2024, 12, 31)),
            activity("610", Status.NEET, date(2025, 1, 1)),
        ],
    )
    assert rules.neet_since(person, date(2025, 2, 1)) == date(2024, 11, 1)


def test_vulnerable_group_counts_dated_characteristics_and_care_flags():
    vulnerable_codes = {"110", "130", "140", "160", "170", "200"}
    carer = CharacteristicFact("140", True, date(2024, 1, 1), date(2024, 6, 30))
    person = PersonFacts(id=1, date_of_birth=date(2008, 1, 1), characteristics=[carer])
    assert rules.vulnerable(person, date(2024, 6, 30), vulnerable_codes)
    assert not rules.vulnerable(person, date(2024, 7, 1), vulnerable_codes)
    assert rules.vulnerable(
        PersonFacts(id=2, date_of_birth=date(2008, 1, 1), care_leaver=True),
        date(2024, 7, 1),
        vulnerable_codes,
    )


@pytest.mark.parametrize(
    ("on", "year"),
    [(date(2025, 5, 31), 11), (date(2025, 9, 30), 11), (date(2025, 11, 1), 12), (date(2026, 10, 31), 12)],
)
def test_the_guarantee_cohort_is_fixed_in_may_and_reported_to_october(on, year):
    person = PersonFacts(id=1, date_of_birth=date(2008, 12, 1))  # Year 11 in 2024/25
    assert rules.guarantee_year(person, on) == year


def test_guarantee_categories():
    born = date(2008, 12, 1)  # Year 11 in 2024/25
    on = date(2025, 9, 30)
    made = OfferFact(11, True, "offered", date(2025, 6, 1))
    unsuitable = OfferFact(11, False, "offered", date(2025, 6, 1))
    not_appropriate = OfferFact(11, True, "not_appropriate", date(2025, 6, 1))
    assert rules.guarantee_category(PersonFacts(id=1, date_of_birth=born, offers=[made]), on) == "offer_made"
    assert (
        rules.guarantee_category(PersonFacts(id=1, date_of_birth=born, offers=[unsuitable]), on) == "no_offer"
    )
    assert rules.guarantee_category(PersonFacts(id=1, date_of_birth=born, offers=[not_appropriate]), on) == (
        "not_appropriate"
    )
    assert rules.guarantee_category(PersonFacts(id=1, date_of_birth=born), on) == "not_recorded"
    assert rules.guarantee_category(PersonFacts(id=1, date_of_birth=date(2006, 1, 1)), on) == ""


def test_roni_scores_its_factors_into_a_band_and_says_why():
    person = PersonFacts(
        id=1,
        date_of_birth=date(2010, 1, 1),
        sen_status="K",
        fsm_eligible=True,
        first_language="Polish",
        attendance=[AttendanceFact(2024, 300, 255, 1, False)],  # 85%: below 90 but not below 85
    )
    result = rules.roni(person, date(2025, 3, 1), WEIGHTS)  # Year 10
    assert result.score == 1 + 1 + 1 + 2 + 1  # attendance, EAL, SEN support, FSM, suspension
    assert result.band == "substantial"
    assert ("Free school meals", 2) in result.factors
    assert (
        rules.roni(
            person,
            date(2025, 3, 1),
            {**WEIGHTS, "fsm": 0, "eal": 0, "exclusions": 0, "attendance_below_90": 0},
        ).band
        == "offered"
    )
    assert rules.roni(PersonFacts(id=2, date_of_birth=date(2007, 1, 1)), date(2025, 3, 1), WEIGHTS) is None


def test_offers_made_before_may_count_for_that_summers_leavers():
    person = PersonFacts(
        id=1, date_of_birth=date(2008, 12, 1), offers=[OfferFact(11, True, "offered", date(2025, 1, 20))]
    )
    assert rules.guarantee_category(person, date(2025, 2, 28)) == "offer_made"
    assert rules.guarantee_category(person, date(2025, 10, 31)) == "offer_made"
    last_year = PersonFacts(
        id=2, date_of_birth=date(2008, 12, 1), offers=[OfferFact(11, True, "offered", date(2024, 6, 1))]
    )
    assert rules.guarantee_category(last_year, date(2025, 6, 30)) == "not_recorded"


@pytest.mark.parametrize(
    ("born", "sen", "letter"),
    [
        (date(2009, 5, 1), "N", "T"),  # Year 11 on 30 September 2024: in the cohort, so a leaver
        (date(2010, 9, 1), "N", ""),  # Year 9: never in the cohort, so not a leaver either
        (date(2000, 5, 1), "N", ""),  # academic age 24: out of the cohort without an EHC plan
        (date(2000, 5, 1), "E", "T"),  # the same age with an EHC plan: in it
    ],
)
def test_only_someone_leaving_the_reported_cohort_is_a_leaver(born, sen, letter):
    person = PersonFacts(id=1, date_of_birth=born, sen_status=sen, exit_reason="T", exit_on=date(2024, 10, 3))
    assert rules.dfe_cohort_status(person, date(2024, 10, 31), previous_month_end=date(2024, 9, 30)) == letter


@pytest.mark.parametrize(
    ("left_on", "year"),
    [
        (date(2025, 6, 30), None),  # moved away on the reporting day: out of the guarantee cohort
        (date(2025, 7, 1), 11),  # leaves the day after: still in it that day
    ],
)
def test_someone_who_has_left_is_in_no_guarantee_cohort(left_on, year):
    person = PersonFacts(id=1, date_of_birth=date(2009, 5, 1), exit_reason="M", exit_on=left_on)
    assert rules.guarantee_year(person, date(2025, 6, 30)) == year
    assert bool(rules.guarantee_category(person, date(2025, 6, 30))) == (year is not None)


@pytest.mark.parametrize(
    ("language", "eal"),
    [
        ("English", False),
        ("ENG", False),
        ("ENB", False),
        ("eng", False),
        ("POL", True),
        ("Polish", True),
        ("", False),
    ],
)
def test_english_as_an_additional_language_knows_the_census_codes_for_english(language, eal):
    person = PersonFacts(id=1, date_of_birth=date(2010, 1, 1), first_language=language)
    result = rules.roni(person, date(2025, 3, 1), WEIGHTS)
    assert (("English as an additional language", 1) in result.factors) == eal


def test_the_return_s_date_of_birth_bound_holds_everyone_the_rules_could_put_in_it():
    """Every day of birth over sixteen years, each month end of 2024 and 2025 (a 29 February among
    them), with and without an EHC plan, leaving or kept in by a guarantee offer: whoever the rules
    put in a month's return lies within nccis.scope_bounds, and each bound is reached (a bound a day
    tighter would lose someone)."""
    from tracking import dashboards, nccis

    reached = set()
    for month_end in dashboards.month_ends_before(date(2026, 1, 1), 24):  # 2024 has a 29 February
        previous = dashboards.previous_month_end(month_end)
        latest, earliest, earliest_with_plan = nccis.scope_bounds(month_end, previous)
        born = date(month_end.year - 28, 1, 1)
        while born <= date(month_end.year - 13, 12, 31):
            for sen in ("N", "E"):
                offer = OfferFact(12, True, "offered", date(month_end.year, 9, 1))
                for person in (
                    PersonFacts(id=1, date_of_birth=born, sen_status=sen, offers=[offer]),
                    PersonFacts(id=2, date_of_birth=born, sen_status=sen, exit_reason="T", exit_on=month_end),
                ):
                    if rules.dfe_cohort_status(person, month_end, previous_month_end=previous):
                        assert born <= latest, (month_end, born)
                        assert born >= (earliest_with_plan if sen == "E" else earliest), (
                            month_end,
                            born,
                            sen,
                        )
                        reached |= {"latest"} if born == latest else set()
                        reached |= {"earliest"} if born == earliest and sen == "N" else set()
                        reached |= {"ehc"} if born == earliest_with_plan and sen == "E" else set()
            born += timedelta(days=1)
    assert reached == {"latest", "earliest", "ehc"}
