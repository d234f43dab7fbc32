"""How two values of one field compare, for matching: names (exact, nickname, part of a double name,
a typo, sounding alike), dates of birth (exact, day and month swapped, a few days out), postcodes
(exact, same district), and how common a name is among the people on file. String distances are
rapidfuzz's (optimal string alignment, Jaro-Winkler); phonetic codes jellyfish's (metaphone)."""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler

from exchange.nicknames import NICKNAMES

DATE_WINDOW_DAYS = 7  # a date of birth this far out is a slip; further is another person
REFERENCE_PEOPLE = 10_000  # name frequencies are shares of at least this many people


class Level(StrEnum):
    """How one field compares."""

    EXACT = "exact"
    NICKNAME = "nickname"
    PART = "part"  # one part of a hyphenated or double name
    TYPO = "typo"  # a letter or two, or transposed
    SOUNDS_ALIKE = "sounds_alike"
    SWAPPED = "swapped"  # day and month
    CLOSE = "close"  # a date a few days out, or the same postcode district
    DIFFERENT = "different"
    ABSENT = "absent"  # missing on one side: says nothing


LEVEL_WORDS = {
    Level.EXACT: "the same",
    Level.NICKNAME: "a nickname",
    Level.PART: "one part of a double name",
    Level.TYPO: "a letter or two apart",
    Level.SOUNDS_ALIKE: "sounds alike",
    Level.SWAPPED: "day and month swapped",
    Level.CLOSE: "close (a few days, or the same district)",
    Level.DIFFERENT: "different",
    Level.ABSENT: "missing on one side",
}
AGREEING_NAME = {Level.EXACT, Level.NICKNAME, Level.PART, Level.TYPO, Level.SOUNDS_ALIKE}
AGREEING_DATE = {Level.EXACT, Level.SWAPPED, Level.CLOSE}


@lru_cache(maxsize=100_000)  # names repeat
def clean(name: str) -> str:
    return " ".join(
        "".join(ch for ch in name.lower() if ch.isalpha() or ch in " -").replace("-", " ").split()
    )


def typo(a: str, b: str) -> bool:
    """Two cleaned names a letter apart (three letters or more), or two apart (six or more, and close
    by Jaro-Winkler)."""
    distance = int(OSA.distance(a, b, score_cutoff=2))
    shorter = min(len(a), len(b))
    return (distance == 1 and shorter >= 3) or (
        distance == 2 and shorter >= 6 and JaroWinkler.similarity(a, b) >= 0.88
    )


@lru_cache(maxsize=200_000)  # names repeat: an import compares the same pairs many times
def name_level(a: str, b: str) -> Level:
    a, b = clean(a), clean(b)
    if not a or not b:
        return Level.ABSENT
    if a == b:
        return Level.EXACT
    if b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ()):
        return Level.NICKNAME
    if set(a.split()) & set(b.split()):
        return Level.PART
    if typo(a, b):
        return Level.TYPO
    if _sound(a) == _sound(b):
        return Level.SOUNDS_ALIKE
    return Level.DIFFERENT


def _sound(cleaned: str) -> str:
    """How a cleaned name sounds: its first letter and its metaphone."""
    return f"{cleaned[0]}{jellyfish.metaphone(cleaned)}"


_SHORT_FORMS = {  # each full name and the short forms that stand for it
    full: frozenset(short for short, fulls in NICKNAMES.items() if full in fulls)
    for full in frozenset().union(*NICKNAMES.values())
}


@lru_cache(maxsize=100_000)
def name_keys(name: str) -> frozenset[str]:
    """Keys that two names agreeing exactly, by a nickname, by one part or by sound share: each word
    of the name, its short or long forms, and its sound (first letter and metaphone)."""
    cleaned = clean(name)
    if not cleaned:
        return frozenset()
    return frozenset(
        {*cleaned.split(), f"~{_sound(cleaned)}"}
        | NICKNAMES.get(cleaned, frozenset())
        | _SHORT_FORMS.get(cleaned, frozenset())
    )


def date_level(a: date, b: date) -> Level:
    if a == b:
        return Level.EXACT
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return Level.SWAPPED
    return Level.CLOSE if abs((a - b).days) <= DATE_WINDOW_DAYS else Level.DIFFERENT


@lru_cache(maxsize=100_000)
def _postcode(value: str) -> str:
    return value.replace(" ", "").upper()


def postcode_level(a: str, b: str) -> Level:
    a, b = _postcode(a), _postcode(b)
    if not a or not b:
        return Level.ABSENT
    if a == b:
        return Level.EXACT
    return Level.CLOSE if a[:-3] == b[:-3] else Level.DIFFERENT


@dataclass
class Frequencies:
    """How common each given and family name is among the people on file (term frequency)."""

    given: Counter[str] = field(default_factory=Counter)
    family: Counter[str] = field(default_factory=Counter)
    full: Counter[tuple[str, str]] = field(default_factory=Counter)
    people: int = 0

    def add(self, given: str, family: str, people: int = 1) -> None:
        given, family = clean(given), clean(family)
        self.given[given] += people
        self.family[family] += people
        self.full[(given, family)] += people
        self.people += people

    def _weight(self, count: int) -> float:
        """log2(m/u): m, that a person's name agrees with itself (0.95); u, that two different people
        share it, which is its share of everyone on file, counted as if the council held at least
        ``REFERENCE_PEOPLE`` (so that in a small or new council every name does not look common)."""
        return math.log2(0.95 / (max(count, 1) / max(self.people, REFERENCE_PEOPLE)))

    def exact_weight(self, which: str, name: str) -> float:
        return self._weight((self.given if which == "given" else self.family)[clean(name)])

    def full_name_weight(self, given: str, family: str) -> float:
        """Both names exact: the pair's own frequency, since names go together (a Mohammed is far likelier
        a Khan than the two names' shares multiplied would say)."""
        return self._weight(self.full[(clean(given), clean(family))])
