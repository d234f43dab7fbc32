"""Applying a checked import: each row matched against the records on file, then saved (changed
records and new ones in bulk, each with its history row), or queued for a person to decide."""

from collections import Counter
from dataclasses import dataclass, field

from simple_history.utils import bulk_create_with_history

from cases import services as case_services
from cases import validators
from cases.models import Attendance, YoungPerson
from cases.restrictions import active_restrictions, s507b_controlled_by_young_person
from cases.services import tracked_save
from exchange import formats, matching
from exchange.models import IgnoredIdentifier, ImportBatch, ReviewItem
from tracking import signals
from tracking.models import Activity, ActivityCode
from tracking.rules import academic_age
from tracking.services import activity_record, due_to_lapse, intended_destination_record


@dataclass
class ImportRun:
    batch: ImportBatch
    file_format: formats.Format
    index: matching.Index
    providers: dict[str, int]
    counts: Counter = field(default_factory=Counter)

    @property
    def provenance(self) -> dict:
        source = formats.FORMATS[self.batch.file_format].source
        return {"source": source, "source_date": self.batch.uploaded_at.date()}

    @classmethod
    def start(cls, batch: ImportBatch, file_format: formats.Format) -> "ImportRun":
        people = YoungPerson.objects.values_list(
            "pk",
            "legal_given_name",
            "legal_family_name",
            "date_of_birth",
            "postcode",
            "upn",
            "uln",
            "gender",
            "school_id",
        )
        index = matching.Index(
            (
                matching.Person(given, family, born, postcode, upn, uln, pk, gender, str(school or ""))
                for pk, given, family, born, postcode, upn, uln, gender, school in people.iterator(
                    chunk_size=5000
                )
            ),
            denied=IgnoredIdentifier.objects.values_list("value", flat=True),
        )
        return cls(batch, file_format, index, formats.provider_lookup())

    def apply(self, rows: list[dict]) -> None:
        """Save a chunk of checked rows, or queue them for review, counting the outcomes. The records
        the chunk matched are loaded together (with their restrictions), changed records are saved
        together and new ones created together, each with its history row; a row's extra records
        (intended destination, attendance, activity) go through the ordinary services."""
        existing, new = self._plan(rows)
        changed = {person.pk: person for _, _, person, fields in existing if fields}
        if changed:
            case_services.young_people_update_bulk(
                people=list(changed.values()),
                fields=set().union(*(fields for *_, fields in existing)),
                actor=self.batch.uploaded_by,
                reason=f"Import {self.batch.pk}",
            )
            signals.changed(changed)
        created = case_services.young_people_create_bulk(
            people=[person for *_, person in new],
            team=self.batch.team,
            actor=self.batch.uploaded_by,
            reason=f"Import {self.batch.pk}",
        )
        signals.changed(person.pk for person in created)
        self.counts["created"] += len(created)
        on_roll = self._on_roll(
            {
                person: None if stored.get("s507b") or "s507b" in _restriction_kinds(person) else provider
                for stored, provider, person, *_ in [*new, *existing]
            }
        )
        for stored, provider, person in new:
            self.index.add(self._match_person(stored, provider, person.pk))
            _import_row_extras(self.batch, stored, person, provider, self.provenance)
        for stored, provider, person, _ in existing:
            added = _import_row_extras(self.batch, stored, person, provider, self.provenance)
            updated = added or person.pk in changed or person.pk in on_roll
            self.counts["updated" if updated else "unchanged"] += 1

    def _on_roll(self, schools: dict[YoungPerson, int | None]) -> set[int]:
        """A pupil on a school's roll is at that school on the file's date (110 to Year 11, 210 in a
        sixth form): recorded, verified that day with the school as the source, for each pupil with no
        current activity (a new record has none). Written in bulk with history; returns whose."""
        if self.batch.file_format != ImportBatch.Format.SCHOOL_ROLL or not schools:
            return set()
        on = self.batch.uploaded_at.date()
        busy = set(
            Activity.objects.filter(young_person__in=list(schools), end_date__isnull=True).values_list(
                "young_person_id", flat=True
            )
        )
        codes = {c.code: c for c in ActivityCode.objects.filter(code__in=ON_ROLL_CODES) if c.is_valid_on(on)}
        activities = []
        for person, school_id in schools.items():
            code = codes.get(
                ON_ROLL_CODES[0] if academic_age(person.date_of_birth, on) <= 15 else ON_ROLL_CODES[1]
            )
            if person.pk in busy or not school_id or code is None:
                continue
            activity = Activity(
                young_person=person,
                code=code,
                start_date=on,
                date_ascertained=on,
                date_verified=on,
                provider_id=school_id,
                **self.provenance,
            )
            activity.due_to_lapse_date = due_to_lapse(activity)
            activities.append(activity)
        bulk_create_with_history(
            activities,
            Activity,
            batch_size=500,
            default_user=self.batch.uploaded_by,
            default_change_reason=f"Import {self.batch.pk}: on the school's roll",
        )
        signals.changed(activity.young_person_id for activity in activities)
        return {activity.young_person_id for activity in activities}

    def _plan(self, rows: list[dict]) -> tuple[list[tuple], list[tuple]]:
        """Match each row: the review queue takes the close calls; matched records get the row's
        changes set on them (not yet saved); new records are built (not yet saved)."""
        providers = [(row, *provider_for(self.batch, row, self.providers)) for row in rows]
        decided = [
            (row, provider, missing, self.index.decide(self._match_person(row, provider)))
            for row, provider, missing in providers
        ]
        matched = YoungPerson.objects.prefetch_related("restrictions").in_bulk(
            [d.candidate_id for *_, d in decided if d.kind == matching.Outcome.MATCH]
        )
        existing, new = [], []
        for row, provider, missing, decision in decided:
            young_person = (
                matched.get(decision.candidate_id) if decision.kind == matching.Outcome.MATCH else None
            )
            if young_person is not None and _restriction_kinds(young_person) - {"s507b"}:
                missing = "Processing of this record is restricted: the data protection officer decides"
            if decision.kind == matching.Outcome.REVIEW or missing:
                self._review(row, decision, missing)
                self.counts["to_review"] += 1
                continue
            stored, fields = _person_changes(self.batch, row, young_person, provider, self.index.denied)
            if young_person is None:
                young_person = YoungPerson(**fields, **self.provenance)
                case_services.audit(young_person, self.batch.uploaded_by, _row_reason(self.batch, row))
                new.append((stored, provider, young_person))
                continue
            if fields:
                fields |= self.provenance
                case_services.audit(young_person, self.batch.uploaded_by, _row_reason(self.batch, row))
            for name, value in fields.items():
                setattr(young_person, name, value)
            existing.append((stored, provider, young_person, fields))
        return existing, new

    def _match_person(self, row: dict, provider_id: int | None, pk: int | None = None) -> matching.Person:
        """The row as matching sees it; a school roll's school is the pupil's school on file."""
        on_roll = self.batch.file_format == ImportBatch.Format.SCHOOL_ROLL and provider_id
        return matching.Person(
            row["given_name"],
            row["family_name"],
            row["date_of_birth"],
            row.get("postcode", ""),
            row.get("upn", ""),
            row.get("uln", ""),
            pk,
            row.get("gender", ""),
            str(provider_id) if on_roll else "",
        )

    def _review(self, row: dict, decision: matching.Decision, missing: str) -> None:
        item = ReviewItem.objects.create(
            batch=self.batch,
            line=row["line"],
            kind=ReviewItem.Kind.PROVIDER_NOT_FOUND if missing else REVIEW_KINDS[decision.basis],
            reason=missing or decision.reasons[0],
            row=row,
            weight=decision.weight,
            evidence=decision.evidence_data(),
        )
        item.candidates.set(
            decision.candidate_ids or ([decision.candidate_id] if decision.candidate_id else [])
        )


ON_ROLL_CODES = ("110", "210")  # at school to Year 11; in a school sixth form
REVIEW_KINDS = {
    matching.Basis.SHARED_IDENTIFIER: ReviewItem.Kind.SEVERAL_MATCHES,
    matching.Basis.SEVERAL_LIKELY: ReviewItem.Kind.SEVERAL_MATCHES,
    matching.Basis.IDENTIFIER_CONFLICT: ReviewItem.Kind.IDENTIFIER_CONFLICT,
    matching.Basis.CONFLICTING_IDENTIFIER: ReviewItem.Kind.IDENTIFIER_CONFLICT,
    matching.Basis.TWIN: ReviewItem.Kind.TWIN,
    matching.Basis.POSSIBLE: ReviewItem.Kind.POSSIBLE_MATCH,
}


def provider_for(batch: ImportBatch, row: dict, providers: dict[str, int]) -> tuple[int | None, str]:
    """The school or provider a row names, found by URN, establishment number or UKPRN."""
    number = row.get("ukprn") or row.get("school")
    if not number:
        return batch.source_organisation_id, ""
    if number in providers:
        return providers[number], ""
    what = "UKPRN" if "ukprn" in row else "URN or establishment number"
    return None, f"No organisation on file has this {what}"


IDENTITY_FIELDS = ("legal_given_name", "legal_family_name", "date_of_birth")


def _row_reason(batch: ImportBatch, row: dict) -> str:
    """The history's reason for a row's change: the import, and for a leaver the council they left."""
    return f"Import {batch.pk}" + (f" (leaver from LA {row['previous_la']})" if "previous_la" in row else "")


def _restriction_kinds(young_person: YoungPerson) -> set[str]:
    """The kinds of restriction in force on the record (s507B, Article 18, Article 21), as sharing reads
    them (from prefetched restrictions when the import loaded them)."""
    return {restriction.kind for restriction in active_restrictions(young_person)}


def _person_changes(
    batch: ImportBatch,
    row: dict,
    young_person: YoungPerson | None,
    provider_id: int | None,
    ignored: frozenset[str],
) -> tuple[dict, dict]:
    """The row as it may be stored (trimmed under s507B), and the person's fields to set: every field
    the row gives for a new record; for an existing one only what differs, never replacing an
    identifier and never a name or the date of birth (a person decides those, on the record). An
    ignored identifier (the temporary ULN) is stored nowhere."""
    file_format = formats.FORMATS[batch.file_format]
    restricted = young_person is not None and "s507b" in _restriction_kinds(young_person)
    row = formats.storable(row, file_format, restricted)
    fields = {
        k: v for k, v in formats.person_fields(row).items() if not (k in ("upn", "uln") and v in ignored)
    }
    if batch.file_format == ImportBatch.Format.SCHOOL_ROLL and not restricted and not row.get("s507b"):
        fields["school_id"] = provider_id
    if young_person is None:
        fields["postcode"] = validators.normalise_postcode(fields.get("postcode", ""))
        return row, fields
    keep = set(IDENTITY_FIELDS) | {name for name in ("upn", "uln") if getattr(young_person, name)}
    return row, {k: v for k, v in fields.items() if k not in keep and getattr(young_person, k) != v}


def import_row_save(
    batch: ImportBatch, row: dict, young_person: YoungPerson | None, provider_id: int | None
) -> YoungPerson:
    """One row, as a manager resolved it from the review queue: create or update the record through
    the ordinary services, then what the row adds."""
    ignored = frozenset(IgnoredIdentifier.objects.values_list("value", flat=True))
    stored, fields = _person_changes(batch, row, young_person, provider_id, ignored)
    provenance = {
        "source": formats.FORMATS[batch.file_format].source,
        "source_date": batch.uploaded_at.date(),
    }
    reason = f"Import {batch.pk}"
    if young_person is None:
        young_person = case_services.young_person_create(
            actor=batch.uploaded_by, team=batch.team, lead_adviser=None, reason=reason, **provenance, **fields
        )
    elif fields:
        case_services.young_person_update(
            young_person=young_person, actor=batch.uploaded_by, reason=reason, **fields, **provenance
        )
    _import_row_extras(batch, stored, young_person, provider_id, provenance)
    return young_person


def _import_row_extras(batch, row, young_person, provider_id, provenance) -> bool:
    actor, on = batch.uploaded_by, batch.uploaded_at.date()
    added = False
    if row.get("s507b") and "s507b" not in _restriction_kinds(young_person):
        case_services.restriction_set(
            young_person=young_person,
            actor=actor,
            kind="s507b",
            set_by="young_person"
            if s507b_controlled_by_young_person(young_person.date_of_birth, on)
            else "parent_carer",
            set_on=on,
            reason=f"Passed on by the school with import {batch.pk}",
        )
        added = True
    code = row.get("intended_destination")
    if code and not young_person.intended_destinations.filter(code__code=code).exists():
        intended_destination_record(
            young_person=young_person,
            actor=actor,
            code=ActivityCode.objects.get(code=code),
            provider_id=None,
            recorded_on=on,
            **provenance,
        )
        added = True
    if "academic_year" in row:
        added |= _attendance_save(batch, row, young_person, provider_id, provenance)
    start = row.get("start_date") or row.get("activity_start_date")
    code = row.get("activity_code") or (formats.DEFAULT_ENROLMENT_CODE if "ukprn" in row else None)
    if code and start and not young_person.activities.filter(code__code=code, start_date=start).exists():
        activity_record(
            young_person=young_person,
            actor=actor,
            reason=f"Import {batch.pk}",
            code=ActivityCode.objects.get(code=code),
            start_date=start,
            date_ascertained=on,
            date_verified=on if "ukprn" in row else None,
            predicted_end_date=row.get("expected_end_date"),
            provider_id=provider_id if "ukprn" in row else None,
            notes=row.get("course", ""),
            **provenance,
        )
        added = True
    return added


def _attendance_save(batch, row, young_person, school_id, provenance) -> bool:
    values = {
        "sessions_possible": row["sessions_possible"],
        "sessions_attended": row["sessions_attended"],
        "suspensions": row.get("suspensions", 0),
        "permanently_excluded": row.get("permanently_excluded", False),
    }
    attendance = Attendance.objects.filter(
        young_person=young_person, academic_year=row["academic_year"], school_id=school_id
    ).first() or Attendance(
        young_person=young_person, academic_year=row["academic_year"], school_id=school_id
    )
    if attendance.pk and all(getattr(attendance, k) == v for k, v in values.items()):
        return False
    for name, value in {**values, **provenance}.items():
        setattr(attendance, name, value)
    tracked_save(attendance, actor=batch.uploaded_by, reason=f"Import {batch.pk}")
    return True
