"""The matching rules on their own: identifiers only with agreeing names, twins never merged, common
names weighed as common, names and birthday never enough alone; and the labelled messy-roll sample
(demo.matching_sample, also `make bench`'s matching row) meeting its targets on three seeds."""

from datetime import date

import pytest

from cases.validators import TEMPORARY_ULN
from demo.matching_sample import CATEGORIES, HARD_NEGATIVES, measure, summary
from exchange.comparing import Frequencies, Level, date_level, name_level
from exchange.matching import Basis, Index, Outcome, Person, decide

BORN = date(2009, 3, 14)
AMIRA = Person("Amira", "Okafor", BORN, "SS1 2AB", upn="A100000000001", id=1, gender="F", school="7")


def test_name_levels():
    assert name_level("Amira", "amira") == Level.EXACT
    assert name_level("Alex", "Alexander") == Level.NICKNAME
    assert name_level("Smith-Jones", "Jones") == Level.PART
    assert name_level("Jones", "Jnoes") == Level.TYPO
    assert name_level("Amy", "Ami") == Level.TYPO
    assert name_level("Sam", "Priya") == Level.DIFFERENT


def test_date_levels_on_their_boundaries():
    assert date_level(BORN, BORN) == Level.EXACT
    assert date_level(date(2009, 3, 4), date(2009, 4, 3)) == Level.SWAPPED
    assert date_level(BORN, date(2009, 3, 21)) == Level.CLOSE  # 7 days: a slip
    assert date_level(BORN, date(2009, 3, 22)) == Level.DIFFERENT  # 8 days: someone else


def test_an_identifier_matches_only_when_names_and_birthday_agree():
    same_child = Person("Amira", "Okafor", BORN, "ME4 4TB", upn=AMIRA.upn, gender="F")
    assert decide(same_child, [AMIRA]).kind == Outcome.MATCH
    keyed_wrongly = Person("Totally", "Different", date(2001, 5, 5), "CM1 1AA", upn=AMIRA.upn)
    decision = decide(keyed_wrongly, [AMIRA])
    assert (decision.kind, decision.basis) == (Outcome.REVIEW, Basis.IDENTIFIER_CONFLICT)
    assert "on record 1" in decision.reasons[0]


def test_the_temporary_uln_identifies_nobody():
    holder = Person("Jack", "Reid", BORN, "SS1 2AB", uln=TEMPORARY_ULN, id=1)
    newcomer = Person("Leah", "Ward", date(2008, 7, 1), "ME4 4TB", uln=TEMPORARY_ULN)
    index = Index([holder], denied={TEMPORARY_ULN})
    assert index.decide(newcomer).kind == Outcome.NEW


def test_names_and_birthday_alone_never_match():
    moved_school_and_house = Person("Amira", "Okafor", BORN, "CM9 9ZZ", gender="F", school="8")
    decision = decide(moved_school_and_house, [AMIRA])
    assert decision.kind == Outcome.REVIEW
    assert decision.basis == Basis.POSSIBLE
    with_postcode = Person("Amira", "Okafor", BORN, "SS1 2AB", gender="F")
    assert decide(with_postcode, [AMIRA]).kind == Outcome.MATCH


def test_a_twin_is_never_the_same_person():
    oliver = Person("Oliver", "Hart", BORN, "SS1 2AB", id=1, gender="M", school="7")
    olivia = Person("Olivia", "Hart", BORN, "SS1 2AB", gender="F", school="7")
    assert decide(olivia, [oliver]).kind == Outcome.NEW
    harry = Person("Harry", "Hart", BORN, "SS1 2AB", gender="M", school="7")
    henry = Person("Henry", "Hart", BORN, "SS1 2AB", id=1, gender="M", school="7")
    decision = decide(harry, [henry])  # Harry is also Henry's short form: a person decides
    assert (decision.kind, decision.basis) == (Outcome.REVIEW, Basis.TWIN)
    with_own_upn = Person("Harry", "Hart", BORN, "SS1 2AB", upn="B1", gender="M", school="7")
    assert (
        decide(with_own_upn, [Person("Henry", "Hart", BORN, "SS1 2AB", upn="B2", id=1)]).kind == Outcome.NEW
    )


def test_a_common_name_weighs_less_than_a_rare_one():
    frequencies = Frequencies()
    for _ in range(40):
        frequencies.add("Mohammed", "Khan")
    for n in range(10_000):
        letters = "".join(chr(97 + (n // 26**k) % 26) for k in range(3))
        frequencies.add(f"Given{letters}", f"Family{letters}")
    common = frequencies.full_name_weight("Mohammed", "Khan")
    assert common < frequencies.full_name_weight("Zebedee", "Ashworth") - 5
    on_file = Person("Mohammed", "Khan", BORN, "SS1 2AB", id=1, gender="M", school="7")
    same_school_other_house = Person("Mohammed", "Khan", BORN, "CM1 1AA", gender="M", school="7")
    assert decide(same_school_other_house, [on_file], frequencies).kind == Outcome.REVIEW
    rare = Person("Zebedee", "Ashworth", BORN, "SS1 2AB", id=2, gender="M", school="7")
    moved_house = Person("Zebedee", "Ashworth", BORN, "CM1 1AA", gender="M", school="7")
    assert decide(moved_house, [rare], frequencies).kind == Outcome.MATCH


def test_each_decision_keeps_its_weight_and_evidence_as_data():
    decision = decide(Person("Amira", "Okafor", BORN, "SS1 2AB", gender="F"), [AMIRA])
    fields = {item["field"]: item for item in decision.evidence_data()}
    assert set(fields) == {
        "given name",
        "family name",
        "date of birth",
        "postcode",
        "gender",
        "school",
        "UPN",
        "ULN",
    }
    assert fields["postcode"]["level"] == "exact"
    assert decision.weight == pytest.approx(sum(item["weight"] for item in fields.values()), abs=0.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_messy_roll_sample_meets_its_targets(seed):
    """A smaller council than `make bench` uses (5,000 people, 2,000 rows, at least 40 a category)."""
    tallies = measure(seed, council_size=5_000, rows=2_000, minimum=40)
    figures = summary(tallies)
    assert figures["wrong person in hard negatives"] == 0
    assert all(tallies[name].wrong == 0 for name in HARD_NEGATIVES)
    assert figures["precision"] == 1.0
    assert figures["recall with an identifier on file"] >= 0.99
    assert figures["recall without"] >= 0.90
    assert figures["review share"] < 0.10
    assert {name for name, _, _ in CATEGORIES} <= set(tallies)


def test_the_index_looks_a_few_days_out_for_agreeing_names_and_on_the_day_for_a_shared_initial():
    from datetime import timedelta

    days = timedelta(days=5)
    index = Index(
        [
            Person("William", "Hart", BORN + days, id=1),  # a nickname's full form, family name exact
            Person("Zara", "Quill", BORN + days, id=2),  # nothing agrees
            Person("Harriet", "Zorn", BORN, id=3),  # the same day, a name with the row's initial H
            Person("Zara", "Quill", BORN, id=4),  # the same day, no initial in common
            Person("Jon", "Pyke", BORN - days, id=5),  # sounds like John Pike
            Person("Bill", "Hart", BORN + timedelta(days=8), id=6),  # outside the week
        ]
    )
    assert {p.id for p in index.candidates(Person("Bill", "Hart", BORN))} == {1, 3}
    assert {p.id for p in index.candidates(Person("John", "Pike", BORN))} == {5}
