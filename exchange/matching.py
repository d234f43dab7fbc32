"""Deciding whether an imported row is a young person already on file.

Safe first, then helpful. An automatic match needs independent agreement; anything that could be two
different children goes to a person (the review queue); and an import never changes a name or a date of
birth (``exchange.applying``). In particular:

- an identifier (UPN, ULN) matches only when names and date of birth agree with it, within typo
  tolerance; a deny-listed identifier (the ESFA's temporary ULN 9999999999, and any the council adds in
  the admin) is no identifier at all;
- without an identifier, the score is a Fellegi-Sunter match weight: for each field, log2 of how much
  likelier its agreement (or disagreement) is between two rows about one person than between two
  different people. How common a name is counts (term frequency): two Mohammed Khans born on one day are
  far likelier two children than two Zebedee Ashworths. Gender, school and postcode count both ways;
- names and date of birth alone never match: the postcode or the school must agree as well;
- the same family name, date of birth and address with a different given name is a twin or a sibling,
  never the same person; a name a twin could share (a nickname, a letter's difference) goes to review.

Every decision keeps its weight and its evidence, field by field, as data; the review queue shows them.
String similarity is rapidfuzz's (optimal string alignment, Jaro-Winkler), phonetics jellyfish's.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from exchange.comparing import (
    AGREEING_DATE,
    AGREEING_NAME,
    DATE_WINDOW_DAYS,
    LEVEL_WORDS,
    Frequencies,
    Level,
    clean,
    date_level,
    name_keys,
    name_level,
    postcode_level,
    typo,
)

MATCH_WEIGHT = 24.0  # an automatic match needs at least this, and independent agreement
REVIEW_WEIGHT = 15.0  # below this the row is someone new
RUNNER_UP_MARGIN = 8.0  # the best candidate must beat the next by this much to match


class Outcome(StrEnum):
    MATCH = "match"  # the row is this record: update it
    NEW = "new"  # nobody on file: create a record
    REVIEW = "review"  # a person decides


class Basis(StrEnum):
    """Why: what the import acts on (``reasons`` are the words a person reads)."""

    IDENTIFIER = "identifier"  # the same UPN or ULN, and names and date of birth agree
    IDENTIFIER_CONFLICT = "identifier_conflict"  # the same identifier, but names or date of birth differ
    SHARED_IDENTIFIER = "shared_identifier"  # several records hold it
    CONFLICTING_IDENTIFIER = "conflicting_identifier"  # a likely match holds another UPN or ULN
    SCORE = "score"  # the match weight, with independent agreement
    TWIN = "twin"  # same family, birthday and address, a given name a twin could have
    SEVERAL_LIKELY = "several_likely"
    POSSIBLE = "possible"  # names and date of birth agree, little else does
    NO_LIKELY_MATCH = "no_likely_match"


class Person(NamedTuple):  # a tuple: a file's rows and its candidates are many
    given: str
    family: str
    date_of_birth: date
    postcode: str = ""
    upn: str = ""
    uln: str = ""
    id: int | None = None
    gender: str = ""  # M, F, X; U or blank when not known
    school: str = ""  # the school's id on file, for school rolls


class Evidence(NamedTuple):
    field: str
    level: Level
    weight: float

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "level": self.level.value,
            "compared": LEVEL_WORDS[self.level],
            "weight": round(self.weight, 1),
        }


@dataclass(frozen=True)
class Decision:
    kind: Outcome
    candidate_id: int | None
    weight: float
    basis: Basis
    reasons: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    candidate_ids: tuple[int, ...] = ()  # for review: the likeliest records, best first

    def evidence_data(self) -> list[dict[str, object]]:
        return [item.as_dict() for item in self.evidence]


# Weights for everything but an exact name (log2 of m/u, rounded; see the module's docstring).
NAME_WEIGHTS = {
    Level.NICKNAME: 5.0,
    Level.PART: 5.0,
    Level.TYPO: 4.0,
    Level.SOUNDS_ALIKE: 3.0,
    Level.DIFFERENT: -7.0,
    Level.ABSENT: 0.0,
}
DATE_WEIGHTS = {Level.EXACT: 10.0, Level.SWAPPED: 5.0, Level.CLOSE: 3.0, Level.DIFFERENT: -12.0}
POSTCODE_WEIGHTS = {Level.EXACT: 8.0, Level.CLOSE: 1.0, Level.DIFFERENT: -2.0, Level.ABSENT: 0.0}
GENDER_WEIGHTS = {Level.EXACT: 1.0, Level.DIFFERENT: -5.0, Level.ABSENT: 0.0}
SCHOOL_WEIGHTS = {Level.EXACT: 5.0, Level.DIFFERENT: -3.0, Level.ABSENT: 0.0}
IDENTIFIER_WEIGHTS = {Level.EXACT: 16.0, Level.DIFFERENT: -8.0, Level.ABSENT: 0.0}


def _plain_level(a: str, b: str) -> Level:
    if not a or not b:
        return Level.ABSENT
    return Level.EXACT if a == b else Level.DIFFERENT


def _gender(value: str) -> str:
    return value if value in ("M", "F", "X") else ""


def _weigh(level: Level, role: str, name: str, frequencies: Frequencies) -> float:
    return frequencies.exact_weight(role, name) if level == Level.EXACT else NAME_WEIGHTS[level]


def _names(row: Person, candidate: Person, frequencies: Frequencies) -> list[Evidence]:
    """Given and family names, straight or swapped round (whichever agrees more, swapped at a cost).
    An exact name weighs by how common it is in the role it agrees in (a row's given name agreeing
    with a family name on file weighs as a family name)."""
    given, family = name_level(row.given, candidate.given), name_level(row.family, candidate.family)
    roles, penalty = ("given", "family"), 0.0
    agreeing = (given in AGREEING_NAME) + (family in AGREEING_NAME)
    if agreeing < 2:  # both agree straight: swapped round cannot agree more
        swapped = (name_level(row.given, candidate.family), name_level(row.family, candidate.given))
        if (swapped[0] in AGREEING_NAME) + (swapped[1] in AGREEING_NAME) > agreeing:
            (given, family), roles, penalty = swapped, ("family", "given"), 1.0
    if given == family == Level.EXACT:
        half = frequencies.full_name_weight(candidate.given, candidate.family) / 2
        return [Evidence("given name", given, half - penalty), Evidence("family name", family, half)]
    return [
        Evidence("given name", given, _weigh(given, roles[0], row.given, frequencies) - penalty),
        Evidence("family name", family, _weigh(family, roles[1], row.family, frequencies)),
    ]


def _identifier_level(ours: str, theirs: str, denied: frozenset[str]) -> Level:
    return _plain_level("" if ours in denied else ours, "" if theirs in denied else theirs)


def evidence(
    row: Person, candidate: Person, frequencies: Frequencies, denied: frozenset[str]
) -> list[Evidence]:
    """How each field compares, in the order of ``FIELDS``."""
    found = _names(row, candidate, frequencies)
    born = date_level(row.date_of_birth, candidate.date_of_birth)
    postcode = postcode_level(row.postcode, candidate.postcode)
    gender = _plain_level(_gender(row.gender), _gender(candidate.gender))
    school = _plain_level(row.school, candidate.school)
    upn = _identifier_level(row.upn, candidate.upn, denied)
    uln = _identifier_level(row.uln, candidate.uln, denied)
    found += (
        Evidence("date of birth", born, DATE_WEIGHTS[born]),
        Evidence("postcode", postcode, POSTCODE_WEIGHTS[postcode]),
        Evidence("gender", gender, GENDER_WEIGHTS[gender]),
        Evidence("school", school, SCHOOL_WEIGHTS[school]),
        Evidence("UPN", upn, IDENTIFIER_WEIGHTS[upn]),
        Evidence("ULN", uln, IDENTIFIER_WEIGHTS[uln]),
    )
    return found


FIELDS = ("given name", "family name", "date of birth", "postcode", "gender", "school", "UPN", "ULN")
_POSITION = {name: position for position, name in enumerate(FIELDS)}


def _level(found: list[Evidence], name: str) -> Level:
    return found[_POSITION[name]].level


def _names_and_birth_agree(found: list[Evidence]) -> bool:
    return (
        _level(found, "given name") in AGREEING_NAME
        and _level(found, "family name") in AGREEING_NAME
        and _level(found, "date of birth") in AGREEING_DATE
    )


def _twin(found: list[Evidence]) -> Outcome | None:
    """Same family name, date of birth and postcode but not the same given name: a twin (or a sibling
    entered on the same day), never matched. A given name that a twin could share with a typo or a
    nickname goes to review when the genders do not tell them apart."""
    if not (
        _level(found, "family name") == Level.EXACT
        and _level(found, "date of birth") == Level.EXACT
        and _level(found, "postcode") == Level.EXACT
        and _level(found, "given name") != Level.EXACT
    ):
        return None
    if (
        _level(found, "gender") == Level.DIFFERENT
        or _level(found, "given name") == Level.DIFFERENT
        or _identifiers_disagree(found)
    ):
        return Outcome.NEW
    return Outcome.REVIEW


def _identifiers_disagree(found: list[Evidence]) -> bool:
    return any(item.level == Level.DIFFERENT for item in found if item.field in ("UPN", "ULN"))


def _independent_agreement(found: list[Evidence]) -> bool:
    """Something beyond names and date of birth: the postcode or the school, or an identifier."""
    return any(_level(found, name) == Level.EXACT for name in ("postcode", "school", "UPN", "ULN"))


class _Scored(NamedTuple):
    candidate: Person
    found: list[Evidence]
    weight: float


def _scored(candidate: Person, found: list[Evidence]) -> _Scored:
    return _Scored(candidate, found, round(sum(item.weight for item in found), 1))


def _decision(kind: Outcome, best: _Scored, basis: Basis, reason: str) -> Decision:
    return Decision(kind, best.candidate.id, best.weight, basis, (reason,), tuple(best.found))


def _review(best: _Scored, basis: Basis, reason: str, others: Iterable[_Scored] = ()) -> Decision:
    ids = tuple(s.candidate.id for s in [best, *others] if s.candidate.id is not None)
    return Decision(
        Outcome.REVIEW, best.candidate.id, best.weight, basis, (reason,), tuple(best.found), ids[:5]
    )


def _by_identifier(
    row: Person, candidates: list[Person], frequencies: Frequencies, denied: frozenset[str]
) -> Decision | None:
    """A UPN or ULN on file decides only with names and date of birth agreeing with it."""
    for key in ("upn", "uln"):
        value = getattr(row, key)
        if not value or value in denied:
            continue
        holders = [
            _scored(c, evidence(row, c, frequencies, denied)) for c in candidates if getattr(c, key) == value
        ]
        if len(holders) > 1:
            return _review(
                holders[0], Basis.SHARED_IDENTIFIER, f"several records share this {key.upper()}", holders[1:]
            )
        if holders and _names_and_birth_agree(holders[0].found):
            reason = f"same {key.upper()}, and names and date of birth agree"
            return _decision(Outcome.MATCH, holders[0], Basis.IDENTIFIER, reason)
        if holders:
            reason = (
                f"the {key.upper()} is on record {holders[0].candidate.id}, but names or date of birth differ"
            )
            return _review(holders[0], Basis.IDENTIFIER_CONFLICT, reason)
    return None


def _by_weight(ranked: list[_Scored]) -> Decision:
    possible: list[_Scored] = []
    for scored in ranked:
        twin = _twin(scored.found)
        if twin == Outcome.NEW:
            continue  # a twin or sibling on file: not this row's record
        if twin == Outcome.REVIEW:
            return _review(
                scored, Basis.TWIN, "a twin or sibling shares the family name, birthday and address"
            )
        if scored.weight >= REVIEW_WEIGHT:
            possible.append(scored)
    if not possible:
        return Decision(
            Outcome.NEW,
            None,
            ranked[0].weight if ranked else 0.0,
            Basis.NO_LIKELY_MATCH,
            ("no likely match",),
            tuple(ranked[0].found) if ranked else (),
        )
    best, others = possible[0], possible[1:]
    if others and best.weight - others[0].weight < RUNNER_UP_MARGIN:
        return _review(best, Basis.SEVERAL_LIKELY, "several likely matches", others)
    if _identifiers_disagree(best.found):
        return _review(best, Basis.CONFLICTING_IDENTIFIER, "a likely match holds a different UPN or ULN")
    if (
        best.weight >= MATCH_WEIGHT
        and _names_and_birth_agree(best.found)
        and _independent_agreement(best.found)
    ):
        return _decision(
            Outcome.MATCH, best, Basis.SCORE, "names, date of birth and the postcode or school agree"
        )
    return _review(best, Basis.POSSIBLE, "a possible match: names and date of birth agree, little else does")


def _name_agreement(row: Person) -> Callable[[str], bool]:
    """Whether a name on file could agree with either of the row's names (or one is missing),
    remembered per name: candidates share names. A superset of ``name_level``'s agreement, cheaper to
    test: a key in common (the same word, a short or long form, the same sound), or a typo."""
    ours = [clean(row.given), clean(row.family)]
    keys = name_keys(row.given) | name_keys(row.family)
    seen: dict[str, bool] = {}

    def agrees(name: str) -> bool:
        if name not in seen:
            theirs = clean(name)
            seen[name] = (
                not theirs
                or not all(ours)
                or bool(name_keys(name) & keys)
                or any(typo(mine, theirs) for mine in ours)
            )
        return seen[name]

    return agrees


def _ranked(
    row: Person, candidates: Iterable[Person], frequencies: Frequencies, denied: frozenset[str]
) -> list[_Scored]:
    """The candidates by match weight, best first. One whose given and family names both disagree with
    both of the row's is not weighed: its weight is at most 10 (under the review weight) and it cannot
    be a twin, so it never changes a decision (``_name_agreement`` lets a few more through)."""
    agrees = _name_agreement(row)
    scored = (
        _scored(c, evidence(row, c, frequencies, denied))
        for c in candidates
        if agrees(c.given) or agrees(c.family)
    )
    return sorted(scored, key=lambda s: s.weight, reverse=True)


def decide(
    row: Person,
    candidates: Iterable[Person],
    frequencies: Frequencies | None = None,
    denied: frozenset[str] = frozenset(),
) -> Decision:
    """The identifiers first, then the match weight of every candidate (see the module's docstring)."""
    frequencies = frequencies or Frequencies()
    candidates = list(candidates)
    decided = _by_identifier(row, candidates, frequencies, denied)
    if decided is not None:
        return decided
    return _by_weight(_ranked(row, candidates, frequencies, denied))


def _initials(person: Person) -> frozenset[str]:
    return frozenset((clean(person.given)[:1], clean(person.family)[:1]))


def _keys(person: Person) -> frozenset[str]:
    return name_keys(person.given) | name_keys(person.family)


def birth_window(born: date) -> list[date]:
    """The dates of birth a record could have for a row born on ``born``: within a week, or with day
    and month swapped."""
    days = [born + timedelta(days=d) for d in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1)]
    if born.day <= 12 and born.day != born.month:
        days.append(date(born.year, born.day, born.month))
    return days


class Index:
    """The people a file's rows could be, by UPN, ULN and date of birth, so each row is weighed only
    against those it could be: the same identifier, or a date of birth within a week or with day and
    month swapped, and a name, either way round, with the same initial. Keeps the names' frequencies
    (given, plus those of the people added). An import includes the file's candidates, counted among
    everyone on file already, and adds each record it creates, so a later row can find it."""

    def __init__(
        self,
        people: Iterable[Person] = (),
        denied: Iterable[str] = (),
        frequencies: Frequencies | None = None,
    ):
        self.denied = frozenset(denied)
        self.frequencies = Frequencies() if frequencies is None else frequencies
        self._keyed: set[int] = set()  # the records on file held, found by identifier
        self._born: set[int] = set()  # those also found by date of birth and name
        self._by_key: dict[tuple[str, str], list[Person]] = defaultdict(list)
        self._by_birth: dict[date, list[tuple[Person, frozenset[str]]]] = defaultdict(list)
        self._by_name: dict[tuple[date, str], list[Person]] = defaultdict(list)
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        """Someone new on file: counted among the names, and a candidate from now on."""
        self.frequencies.add(person.given, person.family)
        self._place(person, by_birth=True)

    def include(self, people: Iterable[Person], *, by_birth: bool = True) -> None:
        """Records on file, already counted among the frequencies: found by their identifiers, and
        (``by_birth``) by date of birth and name as well."""
        for person in people:
            self._place(person, by_birth)

    def _place(self, person: Person, by_birth: bool) -> None:
        pk = person.id
        if pk is None or pk not in self._keyed:
            for key in ("upn", "uln"):
                value = getattr(person, key)
                if value and value not in self.denied:
                    self._by_key[(key, value)].append(person)
        if by_birth and (pk is None or pk not in self._born):
            self._by_birth[person.date_of_birth].append((person, _initials(person)))
            for key in _keys(person):
                self._by_name[(person.date_of_birth, key)].append(person)
            if pk is not None:
                self._born.add(pk)
        if pk is not None:
            self._keyed.add(pk)

    @property
    def ids(self) -> set[int]:
        """The records on file it holds."""
        return set(self._keyed)

    def holders(self, row: Person) -> list[Person]:
        """The records holding the row's UPN or ULN (a deny-listed value is no identifier)."""
        found = {
            id(p): p
            for key in ("upn", "uln")
            if getattr(row, key) not in self.denied
            for p in self._by_key.get((key, getattr(row, key)), ())
        }
        return list(found.values())

    def candidates(self, row: Person) -> list[Person]:
        """The identifier's holders; people born on the row's date of birth, or with day and month
        swapped, with a name, either way round, of the same initial; and people born within a week
        with a name agreeing with one of the row's exactly, by a nickname, by one part or by sound.
        (Born a few days out with both names only typos apart, the weight can still reach review,
        but a slip in the date and in both names is not looked for.)"""
        found = {id(p): p for p in self.holders(row)}
        born, initials, keys = row.date_of_birth, _initials(row), _keys(row)
        for day in birth_window(born):
            if day == born or (day.month, day.day) == (born.day, born.month):
                found.update((id(p), p) for p, theirs in self._by_birth.get(day, ()) if theirs & initials)
            else:
                for key in keys:
                    found.update((id(p), p) for p in self._by_name.get((day, key), ()))
        return list(found.values())

    def decide(self, row: Person) -> Decision:
        """As ``decide`` over ``candidates``: the identifier's holders alone settle most rows, so the
        date-of-birth window is searched only for the rest."""
        decided = _by_identifier(row, self.holders(row), self.frequencies, self.denied)
        if decided is not None:
            return decided
        return _by_weight(_ranked(row, self.candidates(row), self.frequencies, self.denied))
