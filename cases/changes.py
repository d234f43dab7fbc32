"""What changed in a tracked record between history rows, as people read it: who, when, why, and
each field's value before and after (the record's History tab, and a refused stale edit)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Field


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


def display(field: "Field[Any, Any]", value: object) -> str:
    if value in (None, ""):
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


def changes_for(history_model: Any, rows: Iterable[Any], label: str) -> list[Change]:
    """Changes from one history table's rows (ordered by object then date), diffed in memory."""
    model = history_model.instance_type
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at", "young_person", "content_object")
    ]
    changes: list[Change] = []
    previous: dict[int, Any] = {}
    for row in rows:
        before = previous.get(row.id)
        changed = [
            (
                str(field.verbose_name).capitalize(),
                "" if before is None else display(field, getattr(before, field.attname)),
                display(field, getattr(row, field.attname)),
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
