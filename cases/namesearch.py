"""Finding people by name despite typos and spellings: "Elis" finds Ellis, "Sean" finds Shaun.

A name word matches a family, given or preferred name that starts with it, is like it by trigrams
(pg_trgm's similarity of at least ``THRESHOLD``), or sounds like it (Soundex); a middle name matches by
its start only. Matches are ranked: the sum over the words of the best similarity, with a bonus for a
name that starts with the word and a smaller one for a name that sounds the same.

On PostgreSQL the matching and ranking run in the database, on trigram (GIN) and Soundex indexes
(pg_trgm and fuzzystrmatch, cases/migrations/0010); elsewhere (SQLite, the embedded default) the
candidates are those with a name starting with each word's first letter, ranked here by the same
measures computed in Python (``trigram_similarity`` and ``soundex`` mirror the extensions)."""

import itertools
import re
import string
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.db.models.lookups import Exact

FUZZY_FIELDS = ("legal_family_name", "legal_given_name", "preferred_name")
PREFIX_ONLY_FIELDS = ("middle_names",)
THRESHOLD = 0.3  # pg_trgm's default similarity_threshold, which its % operator uses
STARTS_BONUS = 0.5
SOUNDS_BONUS = 0.2
ORDER = ("legal_family_name", "legal_given_name", "pk")  # among equal ranks


# --- The measures, as pg_trgm and fuzzystrmatch compute them ----------------------------------------


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each alphanumeric word, lower-cased, padded with two spaces before and one
    after."""
    found: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def trigram_similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    union = first | second
    return len(first & second) / len(union) if union else 0.0


_SOUNDEX_CODES = dict(zip(string.ascii_uppercase, "01230120022455012623010202", strict=True))


def _code(char: str) -> str:
    return _SOUNDEX_CODES.get(char.upper(), char)


def _is_letter(char: str) -> bool:
    return char.upper() in _SOUNDEX_CODES


def soundex(text: str) -> str:
    """fuzzystrmatch's soundex(), step for step: from the first ASCII letter, that letter, then the
    code of each letter whose code differs from the character before it, leaving out 0 (vowels, H,
    W, Y), to four characters padded with 0; '' when there is no letter."""
    start = next((i for i, char in enumerate(text) if _is_letter(char)), None)
    if start is None:
        return ""
    kept = text[start].upper()
    for before, char in itertools.pairwise(text[start:]):
        if len(kept) == 4:
            break
        if _is_letter(char) and _code(char) != _code(before) and _code(char) != "0":
            kept += _code(char)
    return kept.ljust(4, "0")


# --- Matching and ranking ---------------------------------------------------------------------------


class Soundex(Func):
    """fuzzystrmatch's soundex() (PostgreSQL only)."""

    function = "soundex"
    output_field = CharField()


def _any(field_names: tuple[str, ...], lookup: str, value: Any) -> Q:
    """``field__lookup=value`` for any of the fields."""
    return Q(*(Q(**{f"{field}__{lookup}": value}) for field in field_names), _connector=Q.OR)


def by_names(people: QuerySet, words: list[str], limit: int) -> list:
    """The first ``limit`` of ``people`` whose names match every word, best first (words without a
    letter are no name and are left out)."""
    words = [word for word in words if soundex(word)]
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _in_postgresql(people, words, limit)
    return _in_python(people, words, limit)


def _in_postgresql(people: QuerySet, words: list[str], limit: int) -> list:
    rank: Any = Value(0.0)
    for word in words:
        starts = _any(FUZZY_FIELDS + PREFIX_ONLY_FIELDS, "istartswith", word)
        similar = _any(FUZZY_FIELDS, "trigram_similar", word)
        sounds = Q(*(Exact(Soundex(field), Soundex(Value(word))) for field in FUZZY_FIELDS), _connector=Q.OR)
        people = people.filter(starts | similar | sounds)
        rank += Greatest(*(TrigramSimilarity(field, word) for field in FUZZY_FIELDS))
        rank += Case(When(starts, then=Value(STARTS_BONUS)), default=Value(0.0))
        rank += Case(When(sounds, then=Value(SOUNDS_BONUS)), default=Value(0.0))
    ranked = people.annotate(rank=rank).order_by(F("rank").desc(), *ORDER)
    return list(ranked[:limit])


def _score(person, word: str) -> float | None:
    """The rank one word adds for ``person``, or None when it matches none of their names."""
    names = [getattr(person, field) for field in FUZZY_FIELDS]
    every_name = names + [getattr(person, field) for field in PREFIX_ONLY_FIELDS]
    starts = any(name.lower().startswith(word.lower()) for name in every_name if name)
    sounds = any(soundex(name) == soundex(word) for name in names if name)
    best = max(trigram_similarity(name, word) for name in names)
    if not (starts or sounds or best >= THRESHOLD):
        return None
    return best + STARTS_BONUS * starts + SOUNDS_BONUS * sounds


def _in_python(people: QuerySet, words: list[str], limit: int) -> list:
    for word in words:
        people = people.filter(_any(FUZZY_FIELDS + PREFIX_ONLY_FIELDS, "istartswith", word[0]))
    ranked = []
    for person in people.order_by(*ORDER):
        scores = [_score(person, word) for word in words]
        if None not in scores:
            ranked.append((sum(score for score in scores if score is not None), person))
    ranked.sort(key=lambda pair: -pair[0])  # stable: equal ranks keep the name order
    return [person for _, person in ranked[:limit]]
