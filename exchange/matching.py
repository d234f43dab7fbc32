"""Matching an imported row to an existing young person (used by the imports).

UPN or ULN equal: the same person. Otherwise a similarity score from names, date of birth and postcode
that tolerates what real school and college data does: transposed letters, nicknames, hyphenated or
changed surnames, given and family names swapped, a new address, a date of birth a few days out or with
day and month swapped. Confident matches update, confident non-matches create, the rest go to review.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache


class Outcome(StrEnum):
    MATCH = "match"  # the row is this record: update it
    NEW = "new"  # nobody on file: create a record
    REVIEW = "review"  # a person decides


class Basis(StrEnum):
    """Why: what the import acts on (``reasons`` are the words a person reads)."""

    IDENTIFIER = "identifier"  # the same UPN or ULN
    SHARED_IDENTIFIER = "shared_identifier"  # several records hold it
    CONFLICTING_IDENTIFIER = "conflicting_identifier"  # a close match holds another one
    SCORE = "score"  # names, date of birth and postcode
    SEVERAL_LIKELY = "several_likely"
    POSSIBLE = "possible"
    NO_LIKELY_MATCH = "no_likely_match"


CONFIDENT_MATCH, SECOND_BEST_MARGIN, CONFIDENT_NEW = 0.85, 0.1, 0.55
NAME_FLOOR = 0.4
NICKNAMES = {
    "alex": {"alexander", "alexandra", "alexis"},
    "sam": {"samuel", "samantha"},
    "dan": {"daniel", "danielle"},
    "danny": {"daniel"},
    "tom": {"thomas"},
    "tommy": {"thomas"},
    "jo": {"joanne", "joanna", "josephine"},
    "joe": {"joseph"},
    "kate": {"katherine", "catherine", "kathryn"},
    "katie": {"katherine", "catherine"},
    "liz": {"elizabeth"},
    "beth": {"elizabeth", "bethany"},
    "ellie": {"eleanor", "elizabeth", "ellen"},
    "mike": {"michael"},
    "chris": {"christopher", "christine", "christina"},
    "matt": {"matthew"},
    "jim": {"james"},
    "jamie": {"james"},
    "nick": {"nicholas"},
    "ben": {"benjamin"},
    "josh": {"joshua"},
    "jack": {"john", "jackson"},
    "harry": {"henry", "harold"},
    "will": {"william"},
    "bill": {"william"},
    "charlie": {"charles", "charlotte"},
    "lottie": {"charlotte"},
    "abi": {"abigail"},
    "becky": {"rebecca"},
    "jess": {"jessica"},
    "vicky": {"victoria"},
    "tony": {"anthony"},
    "rob": {"robert"},
    "bob": {"robert"},
    "freddie": {"frederick"},
    "alfie": {"alfred"},
    "izzy": {"isabel", "isabella", "isobel"},
    "maddie": {"madison", "madeleine"},
    "olly": {"oliver"},
    "ollie": {"oliver"},
    "zach": {"zachary"},
}


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    date_of_birth: date
    postcode: str = ""
    upn: str = ""
    uln: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Decision:
    kind: Outcome
    candidate_id: int | None
    score: float
    basis: Basis
    reasons: tuple[str, ...] = ()


def _clean(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalpha() or ch in " -").strip()


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=500_000)  # names repeat: an import compares the same pairs thousands of times
def name_similarity(a: str, b: str) -> float:
    a, b = _clean(a), _clean(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if b in NICKNAMES.get(a, set()) or a in NICKNAMES.get(b, set()):
        return 0.9
    parts_a, parts_b = set(a.replace("-", " ").split()), set(b.replace("-", " ").split())
    if parts_a & parts_b:  # hyphenated or double-barrelled against one part
        return 0.85
    return max(0.0, 1 - edit_distance(a, b) / max(len(a), len(b)) * 1.6)


def date_similarity(a: date, b: date) -> float:
    if a == b:
        return 1.0
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return 0.8  # day and month swapped
    return 0.7 if abs((a - b).days) <= 7 else 0.0


def postcode_similarity(a: str, b: str) -> float:
    a, b = a.replace(" ", "").upper(), b.replace(" ", "").upper()
    if not a or not b:
        return 0.5
    if a == b:
        return 1.0
    return 0.6 if a[:-3] == b[:-3] else 0.3  # same district, or moved


def _both_names(given: float, family: float) -> float:
    """Names agree only if both do: one name alike and the other unrelated (the same first name and
    birthday, say) counts for little."""
    return (given + family) / 2 * (0.5 if min(given, family) < NAME_FLOOR else 1)


def score(row: Person, candidate: Person) -> float:
    straight = _both_names(
        name_similarity(row.given, candidate.given), name_similarity(row.family, candidate.family)
    )
    swapped = _both_names(
        name_similarity(row.given, candidate.family), name_similarity(row.family, candidate.given)
    )
    names = max(straight, swapped * 0.95)
    return round(
        0.55 * names
        + 0.3 * date_similarity(row.date_of_birth, candidate.date_of_birth)
        + 0.15 * postcode_similarity(row.postcode, candidate.postcode),
        3,
    )


def decide(row: Person, candidates: list[Person]) -> Decision:
    """Match on identifiers first; otherwise by score, sending close calls to review."""
    for key in ("upn", "uln"):
        value = getattr(row, key)
        same = [c for c in candidates if value and getattr(c, key) == value]
        if len(same) == 1:
            return Decision(Outcome.MATCH, same[0].id, 1.0, Basis.IDENTIFIER, (f"same {key.upper()}",))
        if len(same) > 1:
            return Decision(
                Outcome.REVIEW,
                None,
                1.0,
                Basis.SHARED_IDENTIFIER,
                (f"several records share this {key.upper()}",),
            )
    ranked = sorted(((score(row, c), c) for c in candidates), key=lambda pair: pair[0], reverse=True)
    if not ranked or ranked[0][0] < CONFIDENT_NEW:
        return Decision(
            Outcome.NEW, None, ranked[0][0] if ranked else 0.0, Basis.NO_LIKELY_MATCH, ("no likely match",)
        )
    best_score, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if best_score >= CONFIDENT_MATCH and best_score - runner_up >= SECOND_BEST_MARGIN:
        for key in ("upn", "uln"):
            if getattr(row, key) and getattr(best, key) and getattr(row, key) != getattr(best, key):
                reason = f"a close match holds a different {key.upper()}"
                return Decision(Outcome.REVIEW, best.id, best_score, Basis.CONFLICTING_IDENTIFIER, (reason,))
        return Decision(
            Outcome.MATCH, best.id, best_score, Basis.SCORE, ("names, date of birth and postcode agree",)
        )
    if best_score - runner_up < SECOND_BEST_MARGIN:
        return Decision(
            Outcome.REVIEW, best.id, best_score, Basis.SEVERAL_LIKELY, ("several likely matches",)
        )
    return Decision(Outcome.REVIEW, best.id, best_score, Basis.POSSIBLE, ("a possible match",))


DATE_WINDOW_DAYS = 7


def _initials(person: Person) -> frozenset[str]:
    return frozenset((_clean(person.given)[:1], _clean(person.family)[:1]))


class Index:
    """Existing people by UPN, ULN and date of birth, so each imported row is scored only against
    the people it could be: the same identifier, or a date of birth within a week or with day and
    month swapped (the only date differences ``date_similarity`` forgives) and a name, either way
    round, with the same initial (one kind of variation at a time keeps an initial: a typo in the
    first letter of one name leaves the other, as does a nickname)."""

    def __init__(self, people: Iterable[Person] = ()):
        self._by_key: dict[tuple[str, str], list[Person]] = defaultdict(list)
        self._by_birth: dict[date, list[tuple[Person, frozenset[str]]]] = defaultdict(list)
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        for key in ("upn", "uln"):
            if getattr(person, key):
                self._by_key[(key, getattr(person, key))].append(person)
        self._by_birth[person.date_of_birth].append((person, _initials(person)))

    def candidates(self, row: Person) -> list[Person]:
        found = {id(p): p for key in ("upn", "uln") for p in self._by_key.get((key, getattr(row, key)), ())}
        born, initials = row.date_of_birth, _initials(row)
        days = [born + timedelta(days=d) for d in range(-DATE_WINDOW_DAYS, DATE_WINDOW_DAYS + 1)]
        if born.day <= 12:
            days.append(date(born.year, born.day, born.month))
        for day in days:
            found.update((id(p), p) for p, theirs in self._by_birth.get(day, ()) if theirs & initials)
        return list(found.values())

    def decide(self, row: Person) -> Decision:
        for key in ("upn", "uln"):  # the common case, without scoring anyone
            same = self._by_key.get((key, getattr(row, key)), ()) if getattr(row, key) else ()
            if len(same) == 1:
                return Decision(Outcome.MATCH, same[0].id, 1.0, Basis.IDENTIFIER, (f"same {key.upper()}",))
        return decide(row, self.candidates(row))
