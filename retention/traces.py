"""Where a person being destroyed is named without a foreign key to them, and their removal from
there: text in rows that outlive them (a subject request, a disclosure), rows about them with no link
(an imported row waiting for review), and whole stored files (an unfinished import's file). Each
finds a batch of people at once; the purge calls ``remove`` inside its transaction."""

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

from django.db.models import Model, QuerySet

from cases import registry
from cases.models import YoungPerson
from core import bulk
from tracking.models import Merge

REMOVED = "[removed]"  # what stands where a destroyed person's details were


@dataclass(frozen=True)
class Subject:
    """What the purge needs to know of a person it destroys, read once with their row locked: what
    identifies them, and what an anonymised summary keeps. ``purge_identified_by`` lookups name these
    fields."""

    pk: int
    legal_given_name: str
    legal_family_name: str
    preferred_name: str
    date_of_birth: date
    upn: str
    uln: str
    email: str
    phone: str
    postcode: str
    gender: str
    sen_status: str
    ethnicity_code: str | None


def subjects(people: QuerySet[YoungPerson]) -> list[Subject]:
    names = [field.name for field in dataclasses.fields(Subject)]
    columns = [name.replace("ethnicity_code", "ethnicity__code") for name in names]
    return [Subject(*row) for row in people.values_list(*columns)]


TOKEN = re.compile(r"[a-z0-9]+")


def remove(people: Sequence[Subject]) -> Iterator[str]:
    """Remove every trace of these people found here; a label for each row changed or deleted."""
    yield from forget_merges([person.pk for person in people])
    yield from redact(people)
    for model, rows in identified(people).items():
        model._default_manager.filter(pk__in=rows).delete()  # with their links to candidates
        yield from [model._meta.label] * len(rows)
    yield from drop_files_naming(people)


def forget_merges(ids: Sequence[int]) -> Iterator[str]:
    """What merges left about these people on other records: history their own rows wrote while a
    merge had moved them to another record (a merge later undone), and the fields an undone merge
    filled on the other record from theirs, in that record's history between the merge and its undoing.
    A merge that stands joined two records of one person: the kept record is theirs and stays."""
    chosen = bulk.ids_in(ids)
    for link in registry.owned_models():
        model = link.model
        if link.person_field == "young_person" and hasattr(model, "history"):
            theirs = model._default_manager.filter(young_person_id__in=chosen).values("pk")
            away = model.history.filter(id__in=theirs).exclude(young_person_id__in=chosen)
            yield from [f"{model._meta.label} (history while merged away)"] * away.delete()[0]
    for merge in Merge.objects.filter(merged_id__in=chosen, undone_at__isnull=False).exclude(filled=[]):
        blanks = {name: None if name.endswith("_id") else "" for name in merge.filled}
        during = YoungPerson.history.filter(
            id=merge.kept_id, history_date__gte=merge.merged_at, history_date__lte=merge.undone_at
        )
        yield from ["cases.YoungPerson (history filled by an undone merge)"] * during.update(**blanks)


def identifying_values(person: Subject) -> list[str]:
    """What would identify the person in free text: their names, full name, UPN, ULN, email, phone."""
    names = (person.legal_given_name, person.legal_family_name, person.preferred_name)
    full = f"{person.legal_given_name} {person.legal_family_name}"
    values = {full, *names, person.upn, person.uln, person.email, person.phone}
    return sorted((v.strip() for v in values if v and len(v.strip()) > 1), key=len, reverse=True)


def _pattern(people: list[Subject]) -> re.Pattern[str]:
    values = sorted(set(chain.from_iterable(map(identifying_values, people))), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(value) for value in values) + r")\b", re.IGNORECASE)


def redact(people: Sequence[Subject]) -> Iterator[str]:
    """Remove the people's names and identifiers from the text of rows that outlive them
    (``registry.redactions``) and from those rows' history, without writing a new history row."""
    by_id = {person.pk: person for person in people}
    for model, path, fields in registry.redactions():
        about: defaultdict[int, list[Subject]] = defaultdict(list)
        linked = model._default_manager.filter(**{f"{path}__in": bulk.ids_in(by_id)}).values_list("pk", path)
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
                    yield label


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def identified(people: Sequence[Subject]) -> defaultdict[type[Model], defaultdict[int, list[int]]]:
    """Rows about these people that no foreign key links to them (``registry.identified_by``):
    model -> row id -> the people it is about. One query for each group of lookups, reading the rows
    that hold the group's first exact lookup (a review queue's waiting rows: resolved ones are
    cleared); the people's values are looked up in memory."""
    found: defaultdict[type[Model], defaultdict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for model, groups in registry.identified_by():
        for group in groups:
            key = next(field for field, lookup in group.items() if not lookup.endswith("__iexact"))
            wanted: defaultdict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
            for person in people:
                values = {field: _text(getattr(person, field)) for field in group}
                if all(values.values()):
                    wanted[values[key]].append((person.pk, values))
            if not wanted:
                continue
            paths = [lookup.removesuffix("__iexact") for lookup in group.values()]
            position = list(group).index(key)
            rows = model._default_manager.filter(**{f"{group[key]}__isnull": False}).values_list("pk", *paths)
            for pk, *found_values in rows.iterator():
                if _text(found_values[position]) not in wanted:
                    continue
                row = {field: _text(value) for field, value in zip(group, found_values, strict=True)}
                for person_id, values in wanted[row[key]]:
                    same = all(
                        values[field].casefold() == row[field].casefold()
                        if lookup.endswith("__iexact")
                        else values[field] == row[field]
                        for field, lookup in group.items()
                    )
                    if same and person_id not in found[model][pk]:
                        found[model][pk].append(person_id)
    return found


def _file_names(index: dict[str, set[int]], person: Subject) -> bool:
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


def drop_files_naming(people: Sequence[Subject]) -> Iterator[str]:
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
            if any(_file_names(index, person) for person in people):
                model._default_manager.filter(pk=pk).update(**{field: None, **dropped})
                yield f"{model._meta.label} (file removed)"
