"""Applying a checked import: each row matched against the records on file, then saved (changed
records and new ones in bulk, each with its history row), or queued for a person to decide."""

from collections import Counter, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from cases import services as case_services
from cases import validators
from cases.models import Attendance, YoungPerson
from cases.restrictions import kinds_in_force, s507b_controlled_by_young_person
from cases.services import tracked_save
from core import bulk
from exchange import formats, matching, selectors
from exchange.models import IgnoredIdentifier, ImportBatch, ReviewItem
from tracking import signals
from tracking.facts import RULE_INPUTS
from tracking.models import Activity, ActivityCode
from tracking.rules import academic_age
from tracking.services import activity_record, due_to_lapse, intended_destination_record


@dataclass
class ImportRun:
    batch: ImportBatch
    file_format: formats.Format
    index: matching.Index
    providers: dict[str, int]
    in_force: dict[int, set[str]] = field(default_factory=dict)  # restrictions, by record
    counts: Counter = field(default_factory=Counter)
    outcomes: list[list[Any]] = field(default_factory=list)  # API batches: [line, outcome, record id]

    @property
    def provenance(self) -> dict:
        source = formats.FORMATS[self.batch.file_format].source
        return {"source": source, "source_date": self.batch.uploaded_at.date()}

    @classmethod
    def start(cls, batch: ImportBatch, file_format: formats.Format, rows: list[dict]) -> "ImportRun":
        """Ready to apply ``rows``: the records they could be loaded (exchange.selectors.match_index),
        and the restrictions in force (few: read whole)."""
        run = cls(batch, file_format, matching.Index(), formats.provider_lookup(), kinds_in_force())
        denied = frozenset(IgnoredIdentifier.objects.values_list("value", flat=True))
        people = [run._match_person(row, provider_for(batch, row, run.providers)[0]) for row in rows]
        run.index = selectors.match_index(people, denied)
        return run

    def apply(self, rows: list[dict]) -> None:
        """Save a chunk of checked rows, or queue them for review, counting the outcomes. The records
        the chunk matched are read together, changed records are saved together and new ones created
        together, each with its history row; a row's extra records (intended destination,
        attendance, activity) go through the ordinary services."""
        existing, new = self._plan(rows)
        changed = {e.pk: e.person for e in existing if e.fields and e.person is not None}
        if changed:
            case_services.young_people_update_bulk(
                people=list(changed.values()),
                fields=set().union(*(e.fields for e in existing)),
                actor=self.batch.uploaded_by,
                reason=f"Import {self.batch.pk}",
            )
            signals.changed(e.pk for e in existing if e.fields.keys() & RULE_FIELDS)
        created = case_services.young_people_create_bulk(
            people=[n.person for n in new if n.person is not None],
            team=self.batch.team,
            actor=self.batch.uploaded_by,
            reason=f"Import {self.batch.pk}",
        )
        signals.changed(person.pk for person in created)
        self.counts["created"] += len(created)
        self._note(("created", n.stored["line"], n.pk) for n in new)
        on_roll = self._on_roll([(p.pk, p.born, p.school) for p in [*new, *existing]])
        for n in new:
            self.index.add(self._match_person(n.stored, n.provider, n.pk))
        for p in [*new, *existing]:
            added = p.person is not None and _import_row_extras(
                self.batch, p.stored, p.person, p.provider, self.provenance, p.kinds
            )
            if p.record is not None:
                updated = added or p.pk in changed or p.pk in on_roll
                self.counts["updated" if updated else "unchanged"] += 1
                self._note([("updated" if updated else "unchanged", p.stored["line"], p.pk)])

    def _note(self, outcomes: Iterable[tuple[str, int, int | None]]) -> None:
        """Each row's outcome and record, kept for a batch of the API's (a file's may be a million)."""
        if self.batch.via_api:
            self.outcomes.extend([line, outcome, pk] for outcome, line, pk in outcomes)

    def _on_roll(self, pupils: list[tuple[int, date, int | None]]) -> set[int]:
        """A pupil on a school's roll is at that school on the file's date (110 to Year 11, 210 in a
        sixth form): recorded, verified that day with the school as the source, for each pupil with no
        current activity (a new record has none). Written in bulk with history; returns whose.
        ``pupils``: each record's id, date of birth and school (None: none to record)."""
        if self.batch.file_format != ImportBatch.Format.SCHOOL_ROLL or not pupils:
            return set()
        on = self.batch.uploaded_at.date()
        busy = set(
            Activity.objects.filter(
                young_person_id__in=[pk for pk, _, _ in pupils], end_date__isnull=True
            ).values_list("young_person_id", flat=True)
        )
        codes = {c.code: c for c in ActivityCode.objects.filter(code__in=ON_ROLL_CODES) if c.is_valid_on(on)}
        activities = []
        for pk, born, school_id in pupils:
            code = codes.get(ON_ROLL_CODES[0] if academic_age(born, on) <= 15 else ON_ROLL_CODES[1])
            if pk in busy or not school_id or code is None:
                continue
            activity = Activity(
                young_person_id=pk,
                code=code,
                start_date=on,
                date_ascertained=on,
                date_verified=on,
                provider_id=school_id,
                **self.provenance,
            )
            activity.due_to_lapse_date = due_to_lapse(activity)
            activities.append(activity)
        case_services.history_copy(
            Activity,
            bulk.insert(Activity, activities),
            history_type="+",
            actor=self.batch.uploaded_by,
            reason=f"Import {self.batch.pk}: on the school's roll",
        )
        signals.changed(activity.young_person_id for activity in activities)
        return {activity.young_person_id for activity in activities}

    def _plan(self, rows: list[dict]) -> tuple[list["_Planned"], list["_Planned"]]:
        """Match each row: the review queue takes the close calls; matched records get the row's
        changes set on them (not yet saved); new records are built (not yet saved)."""
        providers = [(row, *provider_for(self.batch, row, self.providers)) for row in rows]
        decided = [
            (row, provider, missing, self.index.decide(self._match_person(row, provider)))
            for row, provider, missing in providers
        ]
        ids = [d.candidate_id for *_, d in decided if d.kind == matching.Outcome.MATCH and d.candidate_id]
        matched: dict[int | None, Any] = {
            values[0]: _OnFile._make(values)
            for values in YoungPerson.objects.filter(pk__in=ids).values_list(*_OnFile._fields)
        }
        existing: list[_Planned] = []
        new: list[_Planned] = []
        for row, provider, missing, decision in decided:
            record = matched.get(decision.candidate_id) if decision.kind == matching.Outcome.MATCH else None
            kinds = self.in_force.get(record.pk, set()) if record is not None else set()
            if kinds - {"s507b"}:
                missing = "Processing of this record is restricted: the data protection officer decides"
            if decision.kind == matching.Outcome.REVIEW or missing:
                self._review(row, decision, missing)
                self.counts["to_review"] += 1
                self._note([("review", row["line"], None)])
                continue
            stored, fields = _person_changes(
                self.batch, row, record, provider, self.index.denied, "s507b" in kinds
            )
            if record is None:
                young_person = YoungPerson(**fields, **self.provenance)
                case_services.audit(young_person, self.batch.uploaded_by, _row_reason(self.batch, row))
                new.append(_Planned(stored, provider, young_person, fields, kinds))
                continue
            person = None  # a model instance only where something is saved
            if fields or _adds_records(stored):
                person = YoungPerson.from_db(YoungPerson.objects.db, ["id", *_OnFile._fields[1:]], record)
                if fields:
                    fields |= self.provenance
                    case_services.audit(person, self.batch.uploaded_by, _row_reason(self.batch, row))
                    for name, value in fields.items():
                        setattr(person, name, value)
            existing.append(_Planned(stored, provider, person, fields, kinds, record))
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
RULE_FIELDS = set(RULE_INPUTS)  # a change to one of these changes the person's status
# A matched record as an import reads it: what it compares or sets (a model instance is made from it
# where something is saved; other fields load only if a service asks).
_OnFile = namedtuple(  # type: ignore[misc]  # its fields are the import's
    "_OnFile", ("pk", *formats.ROW_TO_PERSON_FIELD.values(), "school_id", "source", "source_date", "team_id")
)


class _Planned(NamedTuple):
    """A row to save: a new record, or a matched one (``record``) it may change or add to."""

    stored: dict  # the row as it may be stored
    provider: int | None
    person: YoungPerson | None  # the instance to save: a new one, or a matched one the row changes or adds to
    fields: dict
    kinds: set[str]  # restrictions in force
    record: Any = None  # a matched record as read (_OnFile)

    @property
    def pk(self) -> int:
        return self._saved.pk

    @property
    def born(self) -> date:
        return self._saved.date_of_birth

    @property
    def _saved(self) -> Any:
        return self.record if self.record is not None else self.person

    @property
    def school(self) -> int | None:
        """The school to record a pupil at: none under a section 507B restriction."""
        return None if self.stored.get("s507b") or "s507b" in self.kinds else self.provider


def _row_reason(batch: ImportBatch, row: dict) -> str:
    """The history's reason for a row's change: the import, and for a leaver the council they left."""
    return f"Import {batch.pk}" + (f" (leaver from LA {row['previous_la']})" if "previous_la" in row else "")


def _person_changes(
    batch: ImportBatch,
    row: dict,
    on_file: Any,
    provider_id: int | None,
    ignored: frozenset[str],
    restricted: bool,
) -> tuple[dict, dict]:
    """The row as it may be stored (trimmed under s507B), and the person's fields to set: every field
    the row gives for a new record; for an existing one only what differs, never replacing an
    identifier and never a name or the date of birth (a person decides those, on the record). An
    ignored identifier (the temporary ULN) is stored nowhere. ``on_file``: the record (an instance,
    or its fields as read for matching), None for a new one; ``restricted``: an s507B restriction is
    in force on it."""
    file_format = formats.FORMATS[batch.file_format]
    row = formats.storable(row, file_format, restricted)
    fields = {
        k: v for k, v in formats.person_fields(row).items() if not (k in ("upn", "uln") and v in ignored)
    }
    if batch.file_format == ImportBatch.Format.SCHOOL_ROLL and not restricted and not row.get("s507b"):
        fields["school_id"] = provider_id
    if on_file is None:
        fields["postcode"] = validators.normalise_postcode(fields.get("postcode", ""))
        return row, fields
    keep = set(IDENTITY_FIELDS) | {name for name in ("upn", "uln") if getattr(on_file, name)}
    return row, {k: v for k, v in fields.items() if k not in keep and getattr(on_file, k) != v}


def import_row_save(
    batch: ImportBatch, row: dict, young_person: YoungPerson | None, provider_id: int | None
) -> YoungPerson:
    """One row, as a manager resolved it from the review queue: create or update the record through
    the ordinary services, then what the row adds."""
    ignored = frozenset(IgnoredIdentifier.objects.values_list("value", flat=True))
    kinds = kinds_in_force([young_person.pk]).get(young_person.pk, set()) if young_person else set()
    stored, fields = _person_changes(batch, row, young_person, provider_id, ignored, "s507b" in kinds)
    provenance: dict[str, Any] = {
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
    _import_row_extras(batch, stored, young_person, provider_id, provenance, kinds)
    return young_person


def _adds_records(row: dict) -> bool:
    """Whether ``_import_row_extras`` could add anything for the row."""
    return bool(
        row.get("s507b")
        or row.get("intended_destination")
        or "academic_year" in row
        or row.get("start_date")
        or row.get("activity_start_date")
    )


def _import_row_extras(batch, row, young_person, provider_id, provenance, kinds: set[str]) -> bool:
    """What the row adds beside the person's fields; ``kinds``: the restrictions in force on them."""
    actor, on = batch.uploaded_by, batch.uploaded_at.date()
    added = False
    if row.get("s507b") and "s507b" not in kinds:
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
