"""A messy school roll against a synthetic council, every row labelled with what it really is, to
measure the import's matching (``make bench``'s matching row and tests/exchange/test_matching_sample.py).

The council and the roll are made of nobody (Faker names with a fixed seed, invented postcodes and
identifiers). The categories are what councils see in real rolls: most rows are pupils already on file
(exactly, or with a typo, a nickname, swapped or hyphenated names, a date of birth with day and month
swapped or a few days out, a new address, or two of these at once), some are newcomers, and a few are
the hard cases where matching goes wrong: twins with similar names, siblings, common names born on the
same day, the same name a year apart, the ESFA's temporary ULN, and a UPN keyed against the wrong pupil.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from cases.validators import TEMPORARY_ULN
from exchange.matching import Index, Outcome, Person
from exchange.nicknames import NICKNAMES

DISTRICTS = (
    [f"SS{n}" for n in range(0, 18)] + [f"CM{n}" for n in range(1, 12)] + [f"ME{n}" for n in range(1, 20)]
)
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
SCHOOLS = [str(n) for n in range(1, 41)]
COMMON = [
    ("Mohammed", "Khan", "M"),
    ("Muhammad", "Ali", "M"),
    ("Olivia", "Smith", "F"),
    ("Oliver", "Smith", "M"),
    ("Amelia", "Jones", "F"),
    ("Jack", "Williams", "M"),
    ("Isla", "Brown", "F"),
    ("Noah", "Taylor", "M"),
]
TWINS = [
    ("Oliver", "M", "Olivia", "F"),
    ("Daniel", "M", "Danielle", "F"),
    ("Henry", "M", "Harry", "M"),
    ("Louis", "M", "Louise", "F"),
    ("Jake", "M", "Jack", "M"),
    ("Ella", "F", "Ellie", "F"),
    ("Isaac", "M", "Isabel", "F"),
    ("Charlotte", "F", "Charlie", "M"),
    ("Joseph", "M", "Josephine", "F"),
]
SHORT_FORMS = {full: short for short, fulls in NICKNAMES.items() for full in fulls}

# (category, the row is a pupil on file?, share of the roll)
CATEGORIES = [
    ("exact", True, 0.58),
    ("new postcode", True, 0.12),
    ("typo", True, 0.03),
    ("nickname", True, 0.02),
    ("swapped names", True, 0.01),
    ("hyphenation", True, 0.01),
    ("day/month swap", True, 0.01),
    ("date a few days out", True, 0.01),
    ("nickname + new postcode", True, 0.01),
    ("typo + new postcode", True, 0.01),
    ("date out + new postcode", True, 0.01),
    ("swapped + typo", True, 0.01),
    ("newcomer", False, 0.08),
    ("twin, similar name", False, 0.01),
    ("sibling", False, 0.01),
    ("common name, same birthday", False, 0.01),
    ("same name a year apart", False, 0.01),
    ("temporary ULN", False, 0.01),
    ("UPN keyed against another pupil", False, 0.01),
]
HARD_NEGATIVES = [name for name, on_file, _ in CATEGORIES if not on_file and name != "newcomer"]
WITH_IDENTIFIER, WITHOUT_IDENTIFIER = "pupils with an identifier on file", "pupils without one"


@dataclass(frozen=True)
class Row:
    category: str
    person: Person  # as the file carries it
    true_id: int | None  # the record it is, or None for someone new
    identifier_on_file: bool  # the record on file holds the row's UPN or ULN


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311 - reproducible test data, not secrets
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.next_id = 1
        self.upns = 0

    def _upn(self) -> str:
        self.upns += 1
        return f"X{self.upns:012d}"

    def _postcode(self, district: str | None = None) -> str:
        district = district or self.rng.choice(DISTRICTS)
        return f"{district} {self.rng.randint(1, 9)}{self.rng.choice(INWARD)}{self.rng.choice(INWARD)}"

    def _born(self) -> date:
        return date(2007, 9, 1) + timedelta(days=self.rng.randrange(6 * 365))

    def _name(self) -> tuple[str, str, str]:
        if self.rng.random() < 0.03:
            return self.rng.choice(COMMON)
        gender = self.rng.choice("MF")
        given = self.fake.first_name_male() if gender == "M" else self.fake.first_name_female()
        return given, self.fake.last_name(), gender

    def person(self, *, on_file: bool = True, **fields: object) -> Person:
        given, family, gender = self._name()
        values: dict[str, object] = {
            "given": given,
            "family": family,
            "gender": gender,
            "date_of_birth": self._born(),
            "postcode": self._postcode(),
            "school": self.rng.choice(SCHOOLS),
            "upn": self._upn() if (not on_file or self.rng.random() < 0.85) else "",
            "uln": TEMPORARY_ULN if on_file and self.rng.random() < 0.01 else "",
        } | fields
        if on_file:
            values["id"] = self.next_id
            self.next_id += 1
        return Person(**values)  # type: ignore[arg-type]

    def council(self, size: int) -> list[Person]:
        return [self.person() for _ in range(size)]

    # --- Variations of a pupil on file ---

    def _typo(self, name: str) -> str:
        if len(name) < 4:
            return name + name[-1]
        i = self.rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]

    def vary(self, category: str, p: Person) -> Person:
        parts = set(category.split(" + "))
        row = p._replace(id=None, upn=p.upn or self._upn())
        if "typo" in parts or category == "swapped + typo":
            row = (
                row._replace(family=self._typo(row.family))
                if self.rng.random() < 0.5
                else row._replace(given=self._typo(row.given))
            )
        if "nickname" in parts:
            row = row._replace(given=SHORT_FORMS.get(row.given.lower(), row.given[:-1]).title())
        if category in ("swapped names", "swapped + typo"):
            row = row._replace(given=row.family, family=row.given)
        if category == "hyphenation":
            row = row._replace(family=f"{row.family}-{self.fake.last_name()}")
        if category == "day/month swap":
            born = row.date_of_birth
            row = row._replace(date_of_birth=date(born.year, born.day, born.month))
        if "date a few days out" in parts or "date out" in parts:
            row = row._replace(
                date_of_birth=row.date_of_birth + timedelta(days=self.rng.choice([-3, -1, 1, 2, 5]))
            )
        if "new postcode" in parts:
            row = row._replace(postcode=self._postcode())
        if self.rng.random() < 0.05:  # a pupil who moved school
            row = row._replace(school=self.rng.choice(SCHOOLS))
        return row._replace(uln="")

    def pick(self, council: list[Person], category: str) -> Person:
        """A pupil the variation applies to (a name with a short form for nicknames, a day that is a
        month for day/month swaps)."""
        while True:
            p = self.rng.choice(council)
            if "nickname" in category and p.given.lower() not in SHORT_FORMS:
                continue
            if category == "day/month swap" and not (
                p.date_of_birth.day <= 12 and p.date_of_birth.day != p.date_of_birth.month
            ):
                continue
            return p

    # --- Newcomers, easy and hard ---

    def newcomer(
        self, category: str, council: list[Person], by_name: dict[tuple[str, str], list[Person]]
    ) -> Person:
        fresh = self.person(on_file=False)
        if category == "newcomer":
            return fresh
        if category == "twin, similar name":
            twins = {a: (b, gender) for pair in TWINS for a, _, b, gender in (pair, (*pair[2:], *pair[:2]))}
            p = self.rng.choice([q for q in council if q.given in twins])
            given, gender = twins[p.given]
            return fresh._replace(
                given=given,
                gender=gender,
                family=p.family,
                date_of_birth=p.date_of_birth,
                postcode=p.postcode,
                school=p.school,
            )
        p = self.rng.choice(council)
        if category == "sibling":
            born = p.date_of_birth + timedelta(days=self.rng.choice([-1, 1]) * self.rng.randint(400, 1500))
            return fresh._replace(family=p.family, postcode=p.postcode, school=p.school, date_of_birth=born)
        if category == "common name, same birthday":
            given, family, gender = self.rng.choice(COMMON)
            twin = self.rng.choice(by_name.get((given, family)) or council)
            return fresh._replace(
                given=twin.given,
                family=twin.family,
                gender=twin.gender,
                date_of_birth=twin.date_of_birth,
            )
        if category == "same name a year apart":
            return fresh._replace(
                given=p.given,
                family=p.family,
                gender=p.gender,
                date_of_birth=p.date_of_birth + timedelta(days=365 * self.rng.choice([-1, 1])),
            )
        if category == "temporary ULN":
            return fresh._replace(uln=TEMPORARY_ULN, upn="")
        if category == "UPN keyed against another pupil":
            holder = self.rng.choice([q for q in council[:200] if q.upn])
            return fresh._replace(upn=holder.upn)
        raise ValueError(category)

    def roll(self, council: list[Person], rows: int, minimum: int) -> list[Row]:
        by_name: dict[tuple[str, str], list[Person]] = {}
        for p in council:
            by_name.setdefault((p.given, p.family), []).append(p)
        out = []
        for category, on_file, share in CATEGORIES:
            for _ in range(max(minimum, round(rows * share))):
                if on_file:
                    p = self.pick(council, category)
                    out.append(Row(category, self.vary(category, p), p.id, bool(p.upn)))
                else:
                    out.append(Row(category, self.newcomer(category, council, by_name), None, False))
        return out


@dataclass
class Tally:
    correct: int = 0
    wrong: int = 0
    review: int = 0
    new: int = 0

    @property
    def rows(self) -> int:
        return self.correct + self.wrong + self.review + self.new


def measure(
    seed: int, council_size: int = 20_000, rows: int = 10_000, minimum: int = 100
) -> dict[str, Tally]:
    """Match every row of a seeded messy roll through the import's own index and decision, and count
    per category: correct (the right record, or new for a newcomer), wrong person, review, new; and,
    over the pupils on file, the same with and without an identifier on their record."""
    generator = Generator(seed)
    council = generator.council(council_size)
    roll = generator.roll(council, rows, minimum)
    index = Index(council, denied={TEMPORARY_ULN})
    tallies: dict[str, Tally] = {}
    for row in roll:
        decision = index.decide(row.person)
        groups = [row.category]
        if row.true_id is not None:
            groups.append(WITH_IDENTIFIER if row.identifier_on_file else WITHOUT_IDENTIFIER)
        for group in groups:
            tally = tallies.setdefault(group, Tally())
            if decision.kind == Outcome.REVIEW:
                tally.review += 1
            elif decision.kind == Outcome.NEW:
                tally.correct += row.true_id is None
                tally.new += row.true_id is not None
            elif decision.candidate_id == row.true_id:
                tally.correct += 1
            else:
                tally.wrong += 1
    return tallies


def summary(tallies: dict[str, Tally]) -> dict[str, float]:
    categories = [name for name, _, _ in CATEGORIES]
    positives = [name for name, on_file, _ in CATEGORIES if on_file]
    matched = sum(tallies[n].correct + tallies[n].wrong for n in positives) + sum(
        tallies[n].wrong for n in categories if n not in positives
    )
    correct = sum(tallies[n].correct for n in positives)
    total = sum(tallies[n].rows for n in categories)
    return {
        "precision": correct / matched if matched else 1.0,
        "recall": correct / sum(tallies[n].rows for n in positives),
        "recall with an identifier on file": _share(tallies[WITH_IDENTIFIER]),
        "recall without": _share(tallies[WITHOUT_IDENTIFIER]),
        "review share": sum(tallies[n].review for n in categories) / total,
        "wrong person in hard negatives": sum(tallies[n].wrong for n in HARD_NEGATIVES),
        "rows": total,
    }


def _share(tally: Tally) -> float:
    return tally.correct / tally.rows if tally.rows else 1.0
