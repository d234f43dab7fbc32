"""Every write in tracking: plain functions, one transaction each, the acting user named."""

import hashlib
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases import validators
from cases.models import Attendance, Source, Team, YoungPerson
from cases.restrictions import active_restrictions, s507b_controlled_by_young_person
from cases.services import tracked_save
from tracking import dashboards, facts, imports, matching, rules, signals, tasks
from tracking.models import (
    Activity,
    ActivityCode,
    Characteristic,
    CohortExit,
    CurrentStatus,
    ImportBatch,
    IntendedDestination,
    Merge,
    MonthlySnapshot,
    NeedWeight,
    Offer,
    ReviewItem,
    SelfUpdateLink,
)


def _valid_on(code, day: date, field: str) -> None:
    if not code.is_valid_on(day):
        raise ValidationError({field: f"{code.label} ({code.code}) was not a valid code on {day:%-d %B %Y}"})


def due_to_lapse(activity: Activity) -> date | None:
    """When an activity stops being current: its predicted end for EET with one, else the code's
    currency period after it was last verified (or ascertained)."""
    if activity.code.status == rules.Status.EET and activity.predicted_end_date:
        return activity.predicted_end_date
    if activity.code.currency_months is None:
        return None
    confirmed = activity.date_verified or activity.date_ascertained
    return confirmed + relativedelta(months=activity.code.currency_months)


@transaction.atomic
def activity_record(
    *, young_person: YoungPerson, actor, reason: str = "Activity recorded", **fields
) -> Activity:
    activity = Activity(young_person=young_person, **fields)
    _valid_on(activity.code, activity.start_date, "code")
    if activity.code.status == rules.Status.NEET and activity.neet_start_date is None:
        activity.neet_start_date = activity.start_date
    if activity.due_to_lapse_date is None:
        activity.due_to_lapse_date = due_to_lapse(activity)
    # The previous open activity ends the day before this one starts.
    previous = (
        Activity.objects.filter(
            young_person=young_person, end_date__isnull=True, start_date__lt=activity.start_date
        )
        .order_by("-start_date")
        .first()
    )
    tracked_save(activity, actor=actor, reason=reason)
    if previous is not None:
        previous.end_date = activity.start_date - relativedelta(days=1)
        tracked_save(previous, actor=actor, reason="Ended by a newer activity")
    return activity


@transaction.atomic
def intended_destination_record(*, young_person: YoungPerson, actor, **fields) -> IntendedDestination:
    destination = IntendedDestination(young_person=young_person, **fields)
    _valid_on(destination.code, destination.recorded_on, "code")
    return tracked_save(destination, actor=actor, reason="Intended destination recorded")


@transaction.atomic
def offer_record(*, young_person: YoungPerson, actor, **fields) -> Offer:
    offer = Offer(young_person=young_person, **fields)
    _valid_on(offer.offer_type, offer.offered_on, "offer_type")
    person = rules.PersonFacts(id=young_person.pk, date_of_birth=young_person.date_of_birth)
    if not rules.guarantee_offer_eligible(person, offer.offered_on, offer.guarantee_year):
        year = rules.guarantee_year(person, offer.offered_on)
        actual = f"in the Year {year} cohort" if year else "in neither September Guarantee cohort"
        raise ValidationError({"guarantee_year": f"On that date the young person was {actual}"})
    return tracked_save(offer, actor=actor, reason="September Guarantee offer recorded")


@transaction.atomic
def characteristic_record(*, young_person: YoungPerson, actor, **fields) -> Characteristic:
    characteristic = Characteristic(young_person=young_person, **fields)
    _valid_on(characteristic.code, characteristic.start_date, "code")
    return tracked_save(characteristic, actor=actor, reason="Characteristic recorded")


def status_refresh(*, young_person_ids=None, on: date | None = None) -> int:
    """Re-evaluate the rules for these people (everyone if None) and store the result. Idempotent."""
    on = on or timezone.localdate()
    people = (
        YoungPerson.objects.all()
        if young_person_ids is None
        else YoungPerson.objects.filter(pk__in=young_person_ids)
    )
    tables = facts.rule_tables()
    batch, count = [], 0
    for person in facts.person_facts(people):
        batch.append(_status_row(person, on, tables))
        if len(batch) >= facts.CHUNK:
            count += _upsert(batch)
            batch = []
    return count + _upsert(batch)


def _status_row(person: rules.PersonFacts, on: date, tables: dict) -> CurrentStatus:
    evaluation = rules.evaluate(person, on, **tables)
    values = asdict(evaluation)
    roni = values.pop("roni")
    return CurrentStatus(
        young_person_id=person.id,
        evaluated_on=on,
        roni_score=roni["score"] if roni else None,
        roni_band=roni["band"] if roni else "",
        team_id=person.team_id,
        district=dashboards.postcode_district(person.postcode),
        sen_status=person.sen_status,
        gender=person.gender,
        ethnicity=person.ethnicity,
        **values,
    )


_UPDATE_FIELDS = [f.name for f in CurrentStatus._meta.concrete_fields if f.name != "young_person"]


def _upsert(rows: list[CurrentStatus]) -> int:
    if rows:
        CurrentStatus.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["young_person"], update_fields=_UPDATE_FIELDS
        )
    return len(rows)


def snapshot_take(*, month_end: date) -> int:
    """Store the month's aggregate counts per team and breakdown, from the rules evaluated on
    ``month_end`` (any past month can be taken again). Replaces that month's rows: idempotent."""
    previous = dashboards.previous_month_end(month_end)
    tables = facts.rule_tables()
    totals: dict[tuple, Counter] = defaultdict(Counter)
    for person in facts.person_facts(YoungPerson.objects.all()):
        for dimension, value, measures in dashboards.contributions(person, month_end, previous, tables):
            totals[(person.team_id, dimension, value)].update(measures)
    rows = [
        MonthlySnapshot(
            month_end=month_end,
            team_id=team_id,
            dimension=dimension,
            value=value,
            **{name: counts[name] for name in SNAPSHOT_COUNTS},
        )
        for (team_id, dimension, value), counts in totals.items()
    ]
    with transaction.atomic():
        MonthlySnapshot.objects.filter(month_end=month_end).delete()
        MonthlySnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


SNAPSHOT_COUNTS = (*dashboards.MEASURES, "neet_joiners", "neet_leavers")


@transaction.atomic
def allocate(*, young_person: YoungPerson, adviser, actor) -> YoungPerson:
    """Make ``adviser`` the lead for an unassigned young person of their team, unless it would take
    the adviser's weighted caseload past their hard cap."""
    from tracking import selectors

    if not adviser.teams.filter(pk=young_person.team_id).exists():
        raise ValidationError({"adviser": "Choose an adviser in the young person's team"})
    load = next(
        (
            row
            for row in selectors.adviser_loads(Team.objects.filter(pk=young_person.team_id))
            if row["adviser"].pk == adviser.pk
        ),
        None,
    )
    if load is None:
        raise ValidationError({"adviser": "Choose a personal adviser"})
    points = NeedWeight.objects.filter(support_level=young_person.support_level).values_list(
        "points", flat=True
    )
    added = points.first() or 0
    if load["weight"] + added > load["hard_cap"]:
        raise ValidationError(
            {
                "adviser": f"This would take the adviser to {load['weight'] + added} points, "
                f"over their hard cap of {load['hard_cap']}"
            }
        )
    return case_services.assign(young_person=young_person, adviser=adviser, actor=actor, reason="Allocated")


# --- Imports ---------------------------------------------------------------------------------------


class AlreadyImported(Exception):  # noqa: N818 - an outcome, not a fault
    def __init__(self, batch: ImportBatch):
        super().__init__(f"Import {batch.pk} already holds this file")
        self.batch = batch


logger = logging.getLogger(__name__)
IMPORT_CHUNK = 500  # rows matched and loaded together, and how often progress is reported


def _progress_key(batch_id: int) -> str:
    return f"import-progress-{batch_id}"


def import_progress(batch: ImportBatch) -> dict:
    """What the progress bar shows: the task's latest report (kept in the cache while it saves rows
    in one transaction), else the batch as stored."""
    reported = None if batch.finished else cache.get(_progress_key(batch.pk))
    return reported or {"state": batch.state, "label": batch.get_state_display(), "progress": batch.progress}


def _report(batch: ImportBatch, state: str, progress: int, *, store: bool) -> None:
    label = ImportBatch.State(state).label
    cache.set(_progress_key(batch.pk), {"state": state, "label": label, "progress": progress}, 3600)
    if store:  # outside the saving transaction: visible to the progress page at once
        ImportBatch.objects.filter(pk=batch.pk).update(state=state, progress=progress)


@transaction.atomic
def import_upload(
    *, actor, file_format: str, source_organisation, team, file_name: str, content: bytes
) -> ImportBatch:
    """Record an uploaded file and queue it. The same file again raises AlreadyImported: nothing changes."""
    if len(content) > imports.MAX_BYTES:
        raise ValidationError({"file": "The file must be smaller than 20 MB"})
    try:
        imports.sniff(content, file_name)
    except ValueError as error:
        raise ValidationError({"file": str(error)}) from None
    digest = hashlib.sha256(content).hexdigest()
    earlier = (
        ImportBatch.objects.filter(file_format=file_format, file_sha256=digest)
        .exclude(state=ImportBatch.State.REJECTED)
        .first()
    )
    if earlier is not None:
        raise AlreadyImported(earlier)
    batch = ImportBatch.objects.create(
        file_format=file_format,
        source_organisation=source_organisation,
        team=team,
        file_name=file_name[-200:],
        file_sha256=digest,
        content=content,
        uploaded_by=actor,
    )
    tasks.run_import.delay_on_commit(batch.pk)
    return batch


def import_run(*, batch_id: int) -> ImportBatch:
    """Check every row; if any is bad, reject the batch (nothing saved, each bad line listed). Else
    match and save every row in one transaction. Safe to run again: a finished batch is left alone,
    and an interrupted one starts over (its transaction rolled back)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.finished:
        return batch
    file_format = imports.FORMATS[batch.file_format]
    content = bytes(batch.content)
    kind = imports.sniff(content, batch.file_name)
    total = max(1, imports.count_rows(content, kind))

    def checked_line(line: int) -> None:
        if line % 1000 == 0:
            _report(batch, ImportBatch.State.CHECKING, min(49, 50 * line // total), store=True)

    _report(batch, ImportBatch.State.CHECKING, 0, store=True)
    checked = imports.check(content, kind, file_format, on_row=checked_line)
    if checked.errors:
        return _import_finish(batch, ImportBatch.State.REJECTED, rows=total - 1, errors=checked.errors)
    _report(batch, ImportBatch.State.APPLYING, 50, store=True)
    try:
        return _import_save(batch_id, file_format, checked.rows)
    except (DatabaseError, ValidationError) as error:
        # The database's message can quote a value (a UPN in a unique-key clash): log the kind only.
        logger.warning("Import %s could not be saved (%s): rolled back", batch_id, type(error).__name__)
        reason = "the file could not be saved beside the records on file (a clash the checks did not catch)"
        return _import_finish(batch, ImportBatch.State.REJECTED, rows=len(checked.rows), errors=[[0, reason]])


def _import_save(batch_id: int, file_format: imports.Format, rows: list[dict]) -> ImportBatch:
    """Match and save every checked row in one transaction holding the batch row."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)  # one run saves a batch
        if batch.finished:
            return batch
        run = _ImportRun.start(batch, file_format)
        with signals.refresh_at_end():
            for start in range(0, len(rows), IMPORT_CHUNK):
                run.apply(rows[start : start + IMPORT_CHUNK])
                done = min(start + IMPORT_CHUNK, len(rows))
                _report(batch, ImportBatch.State.APPLYING, 50 + 49 * done // len(rows), store=False)
        return _import_finish(batch, ImportBatch.State.APPLIED, rows=len(rows), **run.counts)


def _import_finish(batch: ImportBatch, state: str, **values) -> ImportBatch:
    for name, value in values.items():
        setattr(batch, name, value)
    batch.state, batch.progress, batch.content, batch.finished_at = state, 100, None, timezone.now()
    batch.save()
    cache.delete(_progress_key(batch.pk))
    return batch


@dataclass
class _ImportRun:
    batch: ImportBatch
    file_format: imports.Format
    index: matching.Index
    providers: dict[str, int]
    counts: Counter = field(default_factory=Counter)

    @property
    def provenance(self) -> dict:
        source = imports.FORMATS[self.batch.file_format].source
        return {"source": source, "source_date": self.batch.uploaded_at.date()}

    @classmethod
    def start(cls, batch: ImportBatch, file_format: imports.Format) -> "_ImportRun":
        people = YoungPerson.objects.values_list(
            "pk", "legal_given_name", "legal_family_name", "date_of_birth", "postcode", "upn", "uln"
        )
        index = matching.Index(
            matching.Person(given, family, born, postcode, upn, uln, pk)
            for pk, given, family, born, postcode, upn, uln in people.iterator(chunk_size=5000)
        )
        return cls(batch, file_format, index, imports.provider_lookup())

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
        for stored, provider, person in new:
            self.index.add(_match_person(stored, person.pk))
            _import_row_extras(self.batch, stored, person, provider, self.provenance)
        for stored, provider, person, _ in existing:
            added = _import_row_extras(self.batch, stored, person, provider, self.provenance)
            self.counts["updated" if added or person.pk in changed else "unchanged"] += 1

    def _plan(self, rows: list[dict]) -> tuple[list[tuple], list[tuple]]:
        """Match each row: the review queue takes the close calls; matched records get the row's
        changes set on them (not yet saved); new records are built (not yet saved)."""
        decided = [(row, _match_person(row)) for row in rows]
        decided = [(row, person, self.index.decide(person)) for row, person in decided]
        matched = YoungPerson.objects.prefetch_related("restrictions").in_bulk(
            [d.candidate_id for _, _, d in decided if d.kind == matching.MATCH]
        )
        existing, new = [], []
        for row, person, decision in decided:
            provider, missing = _provider_for(self.batch, row, self.providers)
            young_person = matched.get(decision.candidate_id) if decision.kind == matching.MATCH else None
            if young_person is not None and _restriction_kinds(young_person) - {"s507b"}:
                missing = "Processing of this record is restricted: the data protection officer decides"
            if decision.kind == matching.REVIEW or missing:
                self._review(row, person, decision, missing)
                self.counts["to_review"] += 1
                continue
            identified = decision.kind == matching.MATCH and decision.reasons[0].startswith("same ")
            stored, fields = _person_changes(self.batch, row, young_person, provider, identified=identified)
            if young_person is None:
                young_person = YoungPerson(**fields, **self.provenance)
                young_person._change_reason = _row_reason(self.batch, row)  # read by the bulk history
                new.append((stored, provider, young_person))
                continue
            if fields:
                fields |= self.provenance
                young_person._change_reason = _row_reason(self.batch, row)
            for name, value in fields.items():
                setattr(young_person, name, value)
            existing.append((stored, provider, young_person, fields))
        return existing, new

    def _review(self, row: dict, person: matching.Person, decision: matching.Decision, missing: str) -> None:
        kind = (
            ReviewItem.Kind.PROVIDER_NOT_FOUND
            if missing
            else ReviewItem.Kind.SEVERAL_MATCHES
            if "several" in decision.reasons[0]
            else ReviewItem.Kind.POSSIBLE_MATCH
        )
        item = ReviewItem.objects.create(
            batch=self.batch,
            line=row["line"],
            kind=kind,
            reason=missing or decision.reasons[0],
            row=row,
            score=decision.score,
        )
        candidate_ids = [decision.candidate_id] if decision.candidate_id else []
        if kind == ReviewItem.Kind.SEVERAL_MATCHES:
            ranked = sorted(self.index.candidates(person), key=lambda c: -matching.score(person, c))
            candidate_ids = [c.id for c in ranked[:5]]
        item.candidates.set(candidate_ids)


def _match_person(row: dict, pk: int | None = None) -> matching.Person:
    return matching.Person(
        row["given_name"],
        row["family_name"],
        row["date_of_birth"],
        row.get("postcode", ""),
        row.get("upn", ""),
        row.get("uln", ""),
        pk,
    )


def _provider_for(batch: ImportBatch, row: dict, providers: dict[str, int]) -> tuple[int | None, str]:
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
    batch: ImportBatch, row: dict, young_person: YoungPerson | None, provider_id, *, identified: bool
) -> tuple[dict, dict]:
    """The row as it may be stored (trimmed under s507B), and the person's fields to set: every field
    the row gives for a new record; for an existing one only what differs, never replacing an
    identifier, and names and date of birth only on an identifier match."""
    file_format = imports.FORMATS[batch.file_format]
    restricted = young_person is not None and "s507b" in _restriction_kinds(young_person)
    row = imports.storable(row, file_format, restricted)
    fields = imports.person_fields(row)
    if batch.file_format == ImportBatch.Format.SCHOOL_ROLL and not restricted and not row.get("s507b"):
        fields["school_id"] = provider_id
    if young_person is None:
        fields["postcode"] = validators.normalise_postcode(fields.get("postcode", ""))
        return row, fields
    keep = set(IDENTITY_FIELDS if not identified else ()) | {
        name for name in ("upn", "uln") if getattr(young_person, name)
    }
    return row, {k: v for k, v in fields.items() if k not in keep and getattr(young_person, k) != v}


def _import_row_save(
    batch: ImportBatch, row: dict, young_person: YoungPerson | None, provider_id, *, identified: bool
) -> YoungPerson:
    """One row, as a manager resolved it from the review queue: create or update the record through
    the ordinary services, then what the row adds."""
    stored, fields = _person_changes(batch, row, young_person, provider_id, identified=identified)
    provenance = {
        "source": imports.FORMATS[batch.file_format].source,
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
    code = row.get("activity_code") or (imports.DEFAULT_ENROLMENT_CODE if "ukprn" in row else None)
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


# --- The review queue --------------------------------------------------------------------------------

_DATE_COLUMNS = ("date_of_birth", "start_date", "expected_end_date", "activity_start_date")


def review_row(item: ReviewItem) -> dict:
    """The row as checked (dates back from JSON)."""
    return {k: date.fromisoformat(v) if k in _DATE_COLUMNS and v else v for k, v in item.row.items()}


@transaction.atomic
def review_resolve(
    *, item: ReviewItem, actor, young_person: YoungPerson | None, provider_id: int | None = None
) -> ReviewItem:
    """Link the row to ``young_person`` (or create a record when None) and save it as the import
    would have; the row's values are then cleared from the queue."""
    item = ReviewItem.objects.select_for_update().select_related("batch").get(pk=item.pk)
    if item.outcome != ReviewItem.Outcome.OPEN:
        raise ValidationError("This row has already been resolved")
    row = review_row(item)
    if item.kind == ReviewItem.Kind.PROVIDER_NOT_FOUND and provider_id is None:
        raise ValidationError({"provider": "Choose the school or provider this row names"})
    provider_id = provider_id or _provider_for(item.batch, row, imports.provider_lookup())[0]
    outcome = ReviewItem.Outcome.CREATED if young_person is None else ReviewItem.Outcome.LINKED
    young_person = _import_row_save(item.batch, row, young_person, provider_id, identified=False)
    return _review_close(item, actor, outcome, young_person)


@transaction.atomic
def review_dismiss(*, item: ReviewItem, actor) -> ReviewItem:
    if item.outcome != ReviewItem.Outcome.OPEN:
        raise ValidationError("This row has already been resolved")
    return _review_close(item, actor, ReviewItem.Outcome.DISMISSED, None)


def _review_close(item: ReviewItem, actor, outcome: str, young_person) -> ReviewItem:
    item.outcome, item.young_person, item.resolved_by, item.resolved_at = (
        outcome,
        young_person,
        actor,
        timezone.now(),
    )
    item.row = {}  # the queue keeps no copy of personal data once the row is dealt with
    item.save()
    item.candidates.clear()
    return item


# --- Merging two records of one person -----------------------------------------------------------

MERGE_FILLABLE = (
    "middle_names",
    "preferred_name",
    "ethnicity_id",
    "first_language",
    "nationality",
    "country_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "phone",
    "email",
    "upn",
    "uln",
    "school_id",
)


def _movable_models():
    """Every tracked model whose rows belong to one young person (found by introspection, so a model
    added later moves too). Access events, grants and disclosures stay: they record what happened
    to each record as it was."""
    from cases.models import Tracked
    from cases.selectors import personal_record_models

    return [m for m in personal_record_models() if issubclass(m, Tracked) and hasattr(m, "young_person")]


def _blank(value) -> bool:
    return value in ("", None)


@transaction.atomic
def records_merge(*, kept: YoungPerson, merged: YoungPerson, actor, reason: str) -> Merge:
    """Join two records of one person: ``merged``'s records move to ``kept`` (each move a history row
    on the moved record), ``kept``'s blank fields are filled from ``merged``, and ``merged`` stays with
    cohort status M. Both records get a history entry naming the merge; ``merge_undo`` reverses it."""
    if kept.pk == merged.pk:
        raise ValidationError("Choose two different records")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why these are the same person"})
    for person, which in ((kept, "record to keep"), (merged, "record to merge")):
        if CohortExit.objects.filter(young_person=person).exists():
            raise ValidationError(f"The {which} has already left the cohort: it cannot take part in a merge")
    merge = Merge.objects.create(kept=kept, merged=merged, reason=reason, merged_by=actor)
    note = f"Merge {merge.pk}: record {merged.pk} merged into record {kept.pk}"
    filled = {
        name: getattr(merged, name)
        for name in MERGE_FILLABLE
        if _blank(getattr(kept, name)) and not _blank(getattr(merged, name))
    }
    identifiers = {name: filled[name] for name in ("upn", "uln") if name in filled}
    if identifiers:  # unique: taken off the merged record first
        case_services.young_person_update(
            young_person=merged, actor=actor, reason=note, **dict.fromkeys(identifiers, "")
        )
    case_services.young_person_update(young_person=kept, actor=actor, reason=note, **filled)
    moved: dict[str, list[int]] = {}
    for model in _movable_models():
        for row in model.objects.filter(young_person=merged):
            row.young_person = kept
            tracked_save(row, actor=actor, reason=note)
            moved.setdefault(model._meta.label, []).append(row.pk)
    tracked_save(
        CohortExit(young_person=merged, reason=CohortExit.Reason.MERGED, left_on=timezone.localdate()),
        actor=actor,
        reason=note,
    )
    merge.moved, merge.filled = moved, sorted(filled)
    merge.save(update_fields=["moved", "filled"])
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, actor) -> Merge:
    """Put everything back: moved records return, filled fields are blanked again (identifiers back
    on the merged record), and the merged record rejoins the cohort. Both get a history entry."""
    from django.apps import apps

    merge = Merge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError("This merge has already been undone")
    kept, merged = merge.kept, merge.merged
    note = f"Merge {merge.pk} undone"
    for label, ids in merge.moved.items():
        for row in apps.get_model(label).objects.filter(pk__in=ids, young_person=kept):
            row.young_person = merged
            tracked_save(row, actor=actor, reason=note)
    identifiers = {name: getattr(kept, name) for name in merge.filled if name in ("upn", "uln")}
    blanks = {name: None if name.endswith("_id") else "" for name in merge.filled}
    case_services.young_person_update(young_person=kept, actor=actor, reason=note, **blanks)
    exit_row = CohortExit.objects.get(young_person=merged, reason=CohortExit.Reason.MERGED)
    case_services.tracked_delete(exit_row, actor=actor, reason=note)
    case_services.young_person_update(young_person=merged, actor=actor, reason=note, **identifiers)
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


# --- Self-update links -------------------------------------------------------------------------------

SELF_UPDATE_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def self_update_send(*, young_person: YoungPerson, actor) -> tuple[SelfUpdateLink, str]:
    """A new single-use link (earlier unused ones stop working), emailed when there is an address.
    Returns the link and its token: the token is shown once and stored only as a hash."""
    now = timezone.now()
    SelfUpdateLink.objects.filter(young_person=young_person, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    link = SelfUpdateLink.objects.create(
        young_person=young_person,
        token_sha256=_token_hash(token),
        sent_by=actor,
        expires_at=now + timedelta(days=SELF_UPDATE_DAYS),
    )
    if young_person.email:
        url = settings.SITE_URL.rstrip("/") + reverse("tracking:self-update", args=[token])
        send_mail(
            subject="Tell us what you are doing now",
            message=f"Hello {young_person.known_as},\n\nYour personal adviser would like to know what you "
            f"are doing now. It takes a minute: {url}\n\nThe link works once and stops working on "
            f"{link.expires_at:%-d %B %Y}.\n",
            from_email=None,
            recipient_list=[young_person.email],
        )
    return link, token


def self_update_link(token: str) -> SelfUpdateLink | None:
    """The link for a token if it is unused and unexpired."""
    return (
        SelfUpdateLink.objects.select_related("young_person")
        .filter(token_sha256=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def self_update_submit(*, link: SelfUpdateLink, code: ActivityCode, start_date: date, where: str) -> Activity:
    """Record what the young person told us, unverified, for their adviser to check. Uses the link."""
    link = SelfUpdateLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None or link.expires_at <= timezone.now():
        raise ValidationError("This link has already been used or has expired")
    activity = activity_record(
        young_person=link.young_person,
        actor=None,
        reason="Told us through a self-update link",
        code=code,
        start_date=start_date,
        date_ascertained=timezone.localdate(),
        notes=f"Where: {where}" if where else "",
        source=Source.YOUNG_PERSON,
    )
    link.used_at, link.activity = timezone.now(), activity
    link.save(update_fields=["used_at", "activity"])
    return activity


@transaction.atomic
def activity_verify(*, activity: Activity, actor) -> Activity:
    """An adviser confirms an activity the young person (or another source) told us about."""
    if activity.date_verified is not None:
        raise ValidationError("This activity is already verified")
    activity.date_verified = timezone.localdate()
    activity.due_to_lapse_date = due_to_lapse(activity)
    return tracked_save(activity, actor=actor, reason="Activity verified")
