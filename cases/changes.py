"""What changed in a tracked record between history rows, as people read it: who, when, why, and
each field's value before and after (the record's History tab, and a refused stale edit)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Field
from django.utils import timezone


@dataclass
class Change:
    when: datetime
    who: str
    what: str  # the record's kind, e.g. "Contact"
    kind: str  # Created / Changed / Deleted
    reason: str
    source: str
    fields: list[tuple[str, str, str]]  # (field label, old, new)

    @property
    def summary(self) -> str:
        """One line: when, who, why, and each field from its old value to its new one."""
        fields = "; ".join(f"{label}: {old or '(blank)'} to {new}" for label, old, new in self.fields)
        reason = f" ({self.reason})" if self.reason else ""
        return f"{self.when:%d %b %Y %H:%M}, {self.who}{reason}: {fields or self.kind.lower()}"


def display(field: "Field[Any, Any]", value: object, names: dict[tuple[Any, Any], str] | None = None) -> str:
    """A stored value as people read it: a choice's label, Yes or No, a date in words, and a linked
    record's name (from ``names``, made by ``related_names``) rather than its id."""
    if value in (None, ""):
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.is_relation and field.related_model is not None:
        key = (field.related_model, value)
        fallback = f"{field.related_model._meta.verbose_name} {value}".capitalize()
        return (names or {}).get(key, fallback)
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %b %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    return str(value)


def related_names(tables: Iterable[tuple[Any, list[Any]]]) -> dict[tuple[Any, Any], str]:
    """The names of the records that history rows link to, one query per kind of linked record:
    ``tables`` holds (history model, its rows). A person's full name, else the record's own name."""
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for history_model, rows in tables:
        for field in _fields(history_model.instance_type):
            if field.is_relation and field.related_model is not None:
                wanted[field.related_model].update(
                    value for row in rows if (value := getattr(row, field.attname)) is not None
                )
    names = {}
    for model, ids in wanted.items():
        if ids:
            for pk, record in model._default_manager.in_bulk(list(ids)).items():
                full_name = record.get_full_name() if hasattr(record, "get_full_name") else ""
                names[(model, pk)] = full_name or str(record)
    return names


def _fields(model: Any) -> list[Any]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at", "young_person", "content_object")
    ]


KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


def changes_for(
    history_model: Any, rows: list[Any], label: str, names: dict[tuple[Any, Any], str] | None = None
) -> list[Change]:
    """Changes from one history table's rows (ordered by object then date), diffed in memory; linked
    records named from ``names`` (read here when not given)."""
    fields = _fields(history_model.instance_type)
    if names is None:
        names = related_names([(history_model, rows)])
    changes: list[Change] = []
    previous: dict[int, Any] = {}
    for row in rows:
        before = previous.get(row.id)
        changed = [
            (
                str(field.verbose_name).capitalize(),
                "" if before is None else display(field, getattr(before, field.attname), names),
                display(field, getattr(row, field.attname), names),
            )
            for field in fields
            if (
                getattr(row, field.attname) not in (None, "")
                if before is None
                else getattr(before, field.attname) != getattr(row, field.attname)
            )
        ]
        previous[row.id] = row
        user = row.history_user
        changes.append(
            Change(
                when=row.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                what=label,
                kind=KIND[row.history_type],
                reason=row.history_change_reason or "",
                source=row.get_source_display() if hasattr(row, "get_source_display") else "",
                fields=changed,
            )
        )
    return changes
