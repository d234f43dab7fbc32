"""Reads for sharing: what a share would carry for each person (trimmed to restrictions and consent),
the agreement that covers it, the people a school's feedback is about, and the record's Disclosures
tab. ``sharing.services.share`` is the one exit that uses them."""

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.models import Organisation, Restriction, YoungPerson
from cases.restrictions import active_restrictions
from core.spreadsheets import write_dict_csv
from core.types import Viewer
from sharing.models import S507B_FIELDS, DataCategory, InformationSharingAgreement


def share_rows(
    people: Iterable[YoungPerson], categories: set[str], trimmed: list[str]
) -> list[dict[str, Any]]:
    """The package: for each person, the fields of the categories allowed, trimmed to their s507B
    restriction and consent."""
    rows = []
    on = timezone.localdate()
    for person in people:
        allowed = set(categories)
        restrictions = active_restrictions(person, on)
        withdrawn = {c.category for c in person.consents.all() if c.withdrawn_on and c.withdrawn_on <= on}
        if withdrawn & allowed:
            trimmed.append(
                f"Record {person.pk}: consent withdrawn for {', '.join(sorted(withdrawn & allowed))}"
            )
            allowed -= withdrawn
        row = person_fields(person, allowed)
        if any(r.kind == Restriction.Kind.S507B for r in restrictions):
            dropped = sorted(set(row) - S507B_FIELDS - {"record_id"})
            if dropped:
                trimmed.append(f"Record {person.pk}: s507B restriction removed {', '.join(dropped)}")
            row = {key: value for key, value in row.items() if key in S507B_FIELDS | {"record_id"}}
        rows.append(row)
    return rows


def person_fields(person: YoungPerson, categories: set[str]) -> dict[str, Any]:
    parent = next(iter(person.parents.all()), None)
    fields: dict[str, Any] = {"record_id": person.pk}
    if DataCategory.IDENTITY in categories:
        fields |= {
            "given_name": person.legal_given_name,
            "family_name": person.legal_family_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender,
            "upn": person.upn,
            "uln": person.uln,
        }
    if DataCategory.CONTACT in categories:
        fields |= {
            "address_line_1": person.address_line_1,
            "address_line_2": person.address_line_2,
            "town": person.town,
            "county": person.county,
            "postcode": person.postcode,
            "phone": person.phone,
            "email": person.email,
            "parent_name": parent.name if parent else "",
            "parent_address": parent.address if parent else "",
            "parent_postcode": parent.postcode if parent else "",
        }
    if DataCategory.EDUCATION in categories:
        fields |= {
            "school": person.school.name if person.school else "",
            "qualifications": "; ".join(
                f"{q.get_qualification_type_display()} {q.subject} {q.grade}"
                for q in person.qualifications.all()
            ),
        }
    if DataCategory.CHARACTERISTICS in categories:
        fields |= {
            "sen_status": person.get_sen_status_display(),
            "fsm_eligible": person.fsm_eligible,
            "ethnicity": person.ethnicity.code if person.ethnicity else "",
        }
    for category, note_kind in ((DataCategory.HEALTH, "health"), (DataCategory.OFFENCES, "criminal_offence")):
        if category in categories:
            fields[category.value] = "; ".join(
                n.note for n in person.sensitive_notes.all() if n.category == note_kind
            )
    if DataCategory.ACTIVITY in categories:
        current = next((a for a in person.activities.all() if a.end_date is None), None)
        fields |= {
            "activity_code": current.code.code if current else "",
            "activity": current.code.label if current else "",
            "activity_start_date": current.start_date.isoformat() if current else "",
            "activity_provider": current.provider.name if current and current.provider else "",
        }
    if DataCategory.NOTES in categories:
        fields["contacts"] = "; ".join(f"{c.occurred_at:%Y-%m-%d} {c.notes}" for c in person.contacts.all())
    return fields


def serialise(
    rows: list[dict[str, Any]],
    file_format: str,
    envelope: dict[str, Any] | None = None,
    *,
    columns: Iterable[str] = (),
) -> bytes:
    """The rows as JSON (inside ``envelope``, if any) or CSV (with ``columns`` as its header, or the
    rows' keys with the record id first)."""
    if file_format == "json":
        return json.dumps({**envelope, "people": rows} if envelope else rows, indent=2, default=str).encode()
    out = io.StringIO()
    header = list(columns) or sorted(
        {key for row in rows for key in row}, key=lambda k: (k != "record_id", k)
    )
    write_dict_csv(out, header, rows)
    return out.getvalue().encode()


def agreement_for(
    recipient: Organisation, categories: set[str], on: date
) -> tuple[InformationSharingAgreement | None, str]:
    """The active agreement with ``recipient`` covering every category, or None and why not."""
    return _covering(InformationSharingAgreement.objects.filter(parties=recipient), categories, on)


def _covering(
    agreements: Iterable[InformationSharingAgreement], categories: set[str], on: date
) -> tuple[InformationSharingAgreement | None, str]:
    agreements = [a for a in agreements if a.is_active_on(on)]
    if not agreements:
        return None, "There is no active information-sharing agreement with this organisation"
    covering = [a for a in agreements if categories <= set(a.categories)]
    if not covering:
        missing = sorted(categories - set().union(*(set(a.categories) for a in agreements)))
        labels = (
            ", ".join(DataCategory(c).label.split(" (")[0].lower() for c in missing)
            or "these categories together"
        )
        return None, f"The agreement does not cover {labels}"
    return covering[0], ""


def third_party_names(rows: list[dict[str, Any]]) -> set[str]:
    names = {row.get("name", "") for row in rows}  # parents and carers
    staff_ids = {row.get(key) for row in rows for key in ("staff_member_id", "recorded_by_id", "user_id")}
    for user in get_user_model().objects.filter(pk__in={i for i in staff_ids if i}):
        names.add(user.get_full_name() or user.username)
    return {name for name in names if name}


@dataclass(frozen=True)
class FeedbackSchool:
    school: Organisation
    former_pupils: int
    agreement: InformationSharingAgreement | None
    why_not: str  # when there is no agreement covering the categories


def feedback_schools(categories: set[str], on: date) -> list[FeedbackSchool]:
    """Schools with former pupils, each with the active agreement that lets it have their
    destinations (or why none does): those that may have a file first, then by name. Two queries."""
    schools = (
        Organisation.objects.filter(kind=Organisation.Kind.SCHOOL)
        .annotate(former_pupils=Count("pupils", filter=Q(pupils__current_status__academic_age__gte=16)))
        .filter(former_pupils__gt=0)
        .prefetch_related("sharing_agreements")
    )
    rows = [
        FeedbackSchool(
            school, school.former_pupils, *_covering(school.sharing_agreements.all(), categories, on)
        )
        for school in schools
    ]
    return sorted(rows, key=lambda row: (row.agreement is None, row.school.name))


def former_pupils(school: Organisation) -> QuerySet[YoungPerson]:
    """A school's former pupils: young people it last reported, now past Year 11 (academic age 16+)."""
    return YoungPerson.objects.filter(school=school, current_status__academic_age__gte=16).order_by("pk")


PANEL_DISCLOSURES = 20


def disclosures_panel(young_person: YoungPerson, user: Viewer) -> dict[str, Any]:
    """The record page's Disclosures tab: the newest ``PANEL_DISCLOSURES``, and a link to every one
    when there are more (one query)."""
    disclosures = list(
        young_person.disclosures.select_related("recipient", "made_by", "agreement").order_by("-made_at")[
            : PANEL_DISCLOSURES + 1
        ]
    )
    more = len(disclosures) > PANEL_DISCLOSURES
    return {
        "id": "disclosures",
        "title": f"Disclosures ({PANEL_DISCLOSURES}+)" if more else f"Disclosures ({len(disclosures)})",
        "template": "sharing/_disclosures_table.html",
        "context": {"disclosures": disclosures[:PANEL_DISCLOSURES], "more": more, "shown": PANEL_DISCLOSURES},
    }
