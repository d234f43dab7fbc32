"""Record matching on a hidden-variation sample: precision and recall are measured and reported."""

import random
from datetime import date, timedelta

from faker import Faker

from exchange.matching import Index, Outcome, Person, decide, edit_distance, name_similarity


def test_edit_distance_counts_a_transposition_as_one():
    assert edit_distance("jones", "jnoes") == 1
    assert edit_distance("smith", "smyth") == 1
    assert edit_distance("", "abc") == 3


def test_nicknames_and_hyphenated_surnames_are_close():
    assert name_similarity("Alex", "Alexander") == 0.9
    assert name_similarity("Smith-Jones", "Jones") == 0.85
    assert name_similarity("Sam", "Priya") < 0.5


def test_identifiers_decide_first():
    existing = [Person("Sam", "Jones", date(2009, 1, 2), upn="A123", id=1)]
    assert (
        decide(Person("Totally", "Different", date(2001, 5, 5), upn="A123"), existing).kind == Outcome.MATCH
    )


def _vary(person: Person, rng: random.Random) -> Person:
    """One hidden variation of the kinds real data carries."""
    kind = rng.choice(["swap", "typo", "nickname", "hyphen", "postcode", "dob", "dob_swap"])
    given, family, born, postcode = person.given, person.family, person.date_of_birth, person.postcode
    if kind == "swap":
        given, family = family, given
    elif kind == "typo" and len(family) > 3:
        i = rng.randrange(len(family) - 1)
        family = family[:i] + family[i + 1] + family[i] + family[i + 2 :]
    elif kind == "nickname":
        given = {"Alexander": "Alex", "Samuel": "Sam", "Thomas": "Tom"}.get(
            given, given[:-1] if len(given) > 4 else given
        )
    elif kind == "hyphen":
        family = f"{family}-Walker"
    elif kind == "postcode":
        postcode = "ME4 9ZZ"
    elif kind == "dob":
        born = born + timedelta(days=rng.choice([-3, -1, 2, 5]))
    elif kind == "dob_swap" and born.day <= 12:
        born = date(born.year, born.day, born.month)
    return Person(given, family, born, postcode)


def test_precision_and_recall_on_a_hidden_variation_sample(capsys):
    fake = Faker("en_GB")
    fake.seed_instance(99)
    rng = random.Random(99)
    existing = [
        Person(
            fake.first_name(),
            fake.last_name(),
            date(2008, 9, 1) + timedelta(days=rng.randrange(730)),
            fake.postcode(),
            id=n,
        )
        for n in range(600)
    ]
    varied = [(_vary(person, rng), person.id) for person in rng.sample(existing, 150)]
    newcomers = [
        (
            Person(
                fake.first_name(),
                fake.last_name(),
                date(2008, 9, 1) + timedelta(days=rng.randrange(730)),
                fake.postcode(),
            ),
            None,
        )
        for _ in range(150)
    ]
    index = Index(existing)
    outcomes = {"true_match": 0, "wrong_match": 0, "review": 0, "true_new": 0, "false_new": 0}
    for row, truth in varied + newcomers:
        decision = index.decide(row)  # the imports' blocking: date-of-birth window, a shared initial
        if decision.kind == Outcome.MATCH:
            outcomes["true_match" if decision.candidate_id == truth else "wrong_match"] += 1
        elif decision.kind == Outcome.REVIEW:
            outcomes["review"] += 1
        elif decision.kind == Outcome.NEW:
            outcomes["true_new" if truth is None else "false_new"] += 1
    precision = outcomes["true_match"] / max(1, outcomes["true_match"] + outcomes["wrong_match"])
    recall = outcomes["true_match"] / len(varied)
    with capsys.disabled():
        print(f"\nmatching: precision {precision:.3f}, recall {recall:.3f}, outcomes {outcomes}")  # noqa: T201
    assert precision >= 0.99  # a wrong automatic match merges two people's records: almost never
    assert recall >= 0.75  # most variations match automatically; the rest go to review, not to new
    assert outcomes["false_new"] <= 3  # existing people are rarely taken for new ones
    assert outcomes["true_new"] >= 140  # and newcomers are recognised as new
