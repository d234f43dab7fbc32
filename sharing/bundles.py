"""The access bundle as its requester reads it: plain labels and values, grouped by topic with a
contents list, third parties' names marked for the DPO's review or withheld on release. Built from
the bundle's stored content, so the review page, the PDF and the JSON all show the same things.
Reads only (one query for each linked record a value names)."""

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape

from cases import registry
from cases.models import YoungPerson

WITHHELD = "[withheld: another person's name]"
# Section titles, and the bundle's keys (the registry's names) each gathers; the rest go under OTHER.
TOPICS: list[tuple[str, tuple[str, ...]]] = [
    ("Your record", ("record",)),
    ("Your family", ("parents and carers",)),
    (
        "School, learning and work",
        (
            "qualifications",
            "attendance",
            "activities",
            "intended destinations",
            "offers",
            "current statuses",
            "month-end statuses",
            "cohort exits",
            "esf participations",
        ),
    ),
    (
        "Support from your advisers",
        (
            "contacts",
            "actions",
            "sensitive notes",
            "characteristics",
            "self-update links",
            "scanned documents",
        ),
    ),
    ("Your choices and requests", ("consents", "restrictions", "subject requests", "legal holds")),
    (
        "Who has seen or been given your information",
        (
            "access events",
            "disclosed people",
            "disclosures (young people)",
            "access grants to users",
            "access grants to teams",
            "breaches (young people)",
        ),
    ),
]
OTHER = "Other records about you"
HISTORY = "Changes to your records"
HIDDEN = {"id", "young_person_id", "content_object_id", "history_id", "history_relation_id", "token_sha256"}
HISTORY_LABELS = {
    "history_date": "When",
    "history_type": "What happened",
    "history_user_id": "Who",
    "history_change_reason": "Why",
}
HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Entry:
    heading: str
    items: list[tuple[str, str, bool]]  # label, value, whether the value names a third party


@dataclass
class Section:
    title: str
    anchor: str
    entries: list[Entry] = field(default_factory=list)


def _models_by_key() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {"record": YoungPerson}
    for link in registry.personal_models():
        found[link.name(plural=True).lower()] = link.model
    return found


def document(content: dict[str, Any], third_parties: Iterable[str], withheld: Iterable[str]) -> list[Section]:
    """The bundle's sections in reading order: the topics, other records, then every change."""
    models_by_key = _models_by_key()
    names = _Names(third_parties, withheld)
    titles = [title for title, _ in TOPICS] + [OTHER, HISTORY]
    sections = {title: Section(title, f"section-{n}") for n, title in enumerate(titles, start=1)}
    topic_of = {key: title for title, keys in TOPICS for key in keys}
    for key, rows in content.items():
        if not isinstance(rows, list) or not rows:
            continue
        base = key.removeprefix("history of ")
        model = models_by_key.get(base)
        if model is None:
            continue
        title, noun = topic_of.get(key, OTHER), str(model._meta.verbose_name)
        if key != base:  # its history: the history model's fields, under the changes
            title, noun = HISTORY, f"change to {'your record' if base == 'record' else noun}"
            model = model.history.model  # type: ignore[attr-defined]
        noun = noun[:1].upper() + noun[1:]
        for number, row in enumerate(rows, start=1):
            heading = f"{noun} {number}" if len(rows) > 1 else noun
            sections[title].entries.append(Entry(heading, _items(model, row, names)))
    return [section for section in sections.values() if section.entries]


def withhold(content: dict[str, Any], withheld: Iterable[str]) -> dict[str, Any]:
    """The bundle's content with every withheld name replaced, for the machine-readable copy."""
    names = _Names((), withheld)
    return json.loads(
        json.dumps(content), object_hook=lambda row: {k: names.withhold(v) for k, v in row.items()}
    )


class _Names:
    def __init__(self, third_parties: Iterable[str], withheld: Iterable[str]):
        self.third_parties = {name for name in third_parties if name}
        withheld = sorted({name for name in withheld if name}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(name) for name in withheld)) if withheld else None

    def withhold(self, value: Any) -> Any:
        return self.pattern.sub(WITHHELD, value) if self.pattern and isinstance(value, str) else value

    def names_a_third_party(self, value: str) -> bool:
        return any(name in value for name in self.third_parties)


def _items(model: type[models.Model], row: dict[str, Any], names: _Names) -> list[tuple[str, str, bool]]:
    items = []
    for key, raw in row.items():
        if key in HIDDEN or raw in (None, "", [], {}):
            continue
        label, value = _label(model, key), _value(model, key, raw)
        value = names.withhold(value)
        items.append((label, value, names.names_a_third_party(value)))
    return items


def _field(model: type[models.Model], key: str) -> Any:
    try:
        return model._meta.get_field(key)  # a name, or a foreign key's attname
    except FieldDoesNotExist:  # a key the model no longer has: shown under its own name
        return None


def _label(model: type[models.Model], key: str) -> str:
    if key in HISTORY_LABELS:
        return HISTORY_LABELS[key]
    found = _field(model, key)
    label = str(found.verbose_name) if found is not None else key.replace("_", " ")
    return label[:1].upper() + label[1:]


def _value(model: type[models.Model], key: str, raw: Any) -> str:
    if key == "history_type":
        return HISTORY_TYPES.get(raw, str(raw))
    if key == "history_user_id":
        return _related(get_user_model(), raw)
    if key == "history_date":
        return _when(raw)
    found = _field(model, key)
    return str(raw) if found is None else _field_value(found, raw)


def _field_value(found: Any, raw: Any) -> str:
    if found.is_relation and found.related_model is not None:
        return _related(found.related_model, raw)
    if found.choices:
        return str(dict(found.flatchoices).get(raw, raw))
    if isinstance(found, models.BooleanField):
        return "Yes" if raw else "No"
    if isinstance(found, models.DateTimeField):
        return _when(raw)
    if isinstance(found, models.DateField):
        return format_date(date.fromisoformat(str(raw)), "j F Y")
    if isinstance(found, models.JSONField):
        return json.dumps(raw, ensure_ascii=False)
    return str(raw)


def _when(raw: Any) -> str:
    moment = datetime.fromisoformat(str(raw))
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return format_date(moment, "j F Y, H:i")


def _related(model: type[models.Model], pk: Any) -> str:
    """How a linked record is named: another young person only by record number (never their name),
    staff by name, anything else as it names itself."""
    if model is YoungPerson:
        return f"Record {pk}"
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        return f"{model._meta.verbose_name} {pk} (no longer held)"
    if model is get_user_model():
        return found.get_full_name() or found.get_username()  # type: ignore[attr-defined]
    return str(found)


def pdf(sections: list[Section], *, title: str, introduction: list[str]) -> bytes:
    """The document as a plain PDF (untagged: open-source reportlab makes no PDF/UA): a title, an
    introduction, the contents, then each section's entries as two-column tables (label, value)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    page = SimpleDocTemplate(  # uncompressed: one person's bundle is small, and what it says can be checked
        out, pagesize=A4, title=title, author="Youthservice", lang="en-GB", pageCompression=0
    )
    story: list[Any] = [Paragraph(escape(title), styles["Title"])]
    story += [Paragraph(escape(line), styles["BodyText"]) for line in introduction]
    story += [Spacer(1, 4 * mm), Paragraph("Contents", styles["Heading2"])]
    story += [Paragraph(escape(f"{s.title} ({len(s.entries)})"), styles["BodyText"]) for s in sections]
    for section in sections:
        story += [Spacer(1, 6 * mm), Paragraph(escape(section.title), styles["Heading1"])]
        for entry in section.entries:
            story.append(Paragraph(escape(entry.heading), styles["Heading3"]))
            cells = [
                [Paragraph(escape(label), styles["BodyText"]), Paragraph(escape(value), styles["BodyText"])]
                for label, value, _ in entry.items
            ]
            table = Table(cells or [["", "Nothing recorded"]], colWidths=[55 * mm, 115 * mm])
            table.setStyle(
                TableStyle(
                    [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
                )
            )
            story.append(table)
    page.build(story)
    return out.getvalue()
