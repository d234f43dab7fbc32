"""Where a person being destroyed is named without a foreign key to them, and their removal from
there: text in rows that outlive them (a subject request, a disclosure), rows about them with no link
(an imported row waiting for review), and whole stored files (an unfinished import's file). Each
finds a batch of people at once; the purge calls ``remove`` inside its transaction."""

import functools
import operator
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import chain

from django.db.models import Model, Q

from cases import registry
from cases.models import YoungPerson

REMOVED = "[removed]"  # what stands where a destroyed person's details were
CHUNK = 100  # people whose conditions are asked at once (SQLite nests each OR one level deeper)
TOKEN = re.compile(r"[a-z0-9]+")


def remove(people: Sequence[YoungPerson]) -> Iterator[tuple[int, str]]:
    """Remove every trace of these people found here; (person id, label) for each row changed."""
    yield from redact(people)
    for model, rows in identified(people).items():
        model._default_manager.filter(pk__in=rows).delete()  # with their links to candidates
        yield from ((person_id, model._meta.label) for about in rows.values() for person_id in about)
    yield from drop_files_naming(people)


def identifying_values(person: YoungPerson) -> list[str]:
    """What would identify the person in free text: their names, full name, UPN, ULN, email, phone."""
    names = (person.legal_given_name, person.legal_family_name, person.preferred_name)
    full = f"{person.legal_given_name} {person.legal_family_name}"
    values = {full, *names, person.upn, person.uln, person.email, person.phone}
    return sorted((v.strip() for v in values if v and len(v.strip()) > 1), key=len, reverse=True)


def _pattern(people: list[YoungPerson]) -> re.Pattern[str]:
    values = sorted(set(chain.from_iterable(map(identifying_values, people))), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(value) for value in values) + r")\b", re.IGNORECASE)


def redact(people: Sequence[YoungPerson]) -> Iterator[tuple[int, str]]:
    """Remove the people's names and identifiers from the text of rows that outlive them
    (``registry.redactions``) and from those rows' history, without writing a new history row."""
    by_id = {person.pk: person for person in people}
    for model, path, fields in registry.redactions():
        about: defaultdict[int, list[YoungPerson]] = defaultdict(list)
        linked = model._default_manager.filter(**{f"{path}__in": list(by_id)}).values_list("pk", path)
        for pk, person_id in linked:
            about[pk].append(by_id[person_id])
        tables = [model._default_manager.filter(pk__in=about)]
        if hasattr(model, "history"):
            tables.append(model.history.filter(id__in=about))
        label = f"{model._meta.label} (details removed)"
        for rows in tables:
            for pk, row_id, *texts in rows.values_list("pk", "id", *fields):
                pattern = _pattern(about[row_id])
                cleaned = [pattern.sub(REMOVED, text or "") for text in texts]
                if cleaned != [text or "" for text in texts]:
                    # an update, not a save: a new history row would keep what is being removed
                    rows.filter(pk=pk).update(**dict(zip(fields, cleaned, strict=True)))
                    yield from ((person.pk, label) for person in about[row_id])


def identified(people: Sequence[YoungPerson]) -> defaultdict[type[Model], defaultdict[int, list[int]]]:
    """Rows about these people that no foreign key links to them (``registry.identifying_conditions``):
    model -> row id -> the people it is about. One query a model for each chunk of people, and one a
    person only where the chunk found rows."""
    found: defaultdict[type[Model], defaultdict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(people), CHUNK):
        conditions: defaultdict[type[Model], list[tuple[int, Q]]] = defaultdict(list)
        for person in people[start : start + CHUNK]:
            for model, condition in registry.identifying_conditions(person):
                conditions[model].append((person.pk, condition))
        for model, pairs in conditions.items():
            rows = model._default_manager.filter(functools.reduce(operator.or_, (q for _, q in pairs)))
            hits = list(rows.values_list("pk", flat=True))
            for person_id, condition in pairs if hits else ():
                for pk in model._default_manager.filter(condition, pk__in=hits).values_list("pk", flat=True):
                    found[model][pk].append(person_id)
    return found


def _file_names(index: dict[str, set[int]], person: YoungPerson) -> bool:
    """Whether a file (word -> the lines it is on, lower case) names the person: their UPN or ULN
    anywhere, or their given name, family name and date of birth (year, month and day in any order:
    ISO or dd/mm/yyyy) on one line."""
    if any(value.lower() in index for value in (person.upn, person.uln) if value):
        return True
    together = {
        *TOKEN.findall(f"{person.legal_given_name} {person.legal_family_name}".lower()),
        *person.date_of_birth.strftime("%Y %m %d").split(),
    }
    return bool(set.intersection(*(index.get(word, set()) for word in together)))


def drop_files_naming(people: Sequence[YoungPerson]) -> Iterator[tuple[int, str]]:
    """Drop each stored file (``registry.stored_files``) that names one of these people, one file in
    memory at a time, marking its row as its model declares."""
    for model, field, dropped in registry.stored_files():
        files = model._default_manager.filter(**{f"{field}__isnull": False}).values_list("pk", field)
        for pk, content in files.iterator(chunk_size=1):
            index: defaultdict[str, set[int]] = defaultdict(set)
            for number, line in enumerate(
                bytes(content).decode("utf-8", errors="ignore").lower().splitlines()
            ):
                for word in TOKEN.findall(line):
                    index[word].add(number)
            named = [person.pk for person in people if _file_names(index, person)]
            if named:
                model._default_manager.filter(pk=pk).update(**{field: None, **dropped})
                yield from ((person_id, f"{model._meta.label} (file removed)") for person_id in named)
