"""Every write in tracking: plain functions, one transaction each, the acting user named."""

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from itertools import islice
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import registry
from cases import services as case_services
from cases.models import CodeTable, Team, Tombstone, YoungPerson
from cases.services import restriction_guard, tracked_save
from core import bulk
from core.types import Actor
from tracking import dashboards, facts, rules
from tracking.models import (
    Activity,
    Characteristic,
    CohortExit,
    Currency,
    CurrentStatus,
    IntendedDestination,
    Merge,
    MonthEndStatus,
    MonthlySnapshot,
    NeedWeight,
    Offer,
)


def _valid_on(code: CodeTable, day: date, field: str) -> None:
    if not code.is_valid_on(day):
        raise ValidationError({field: f"{code.label} ({code.code}) was not a valid code on {day:%-d %B %Y}"})


def due_to_lapse(activity: Activity) -> date | None:
    """When an activity stops being current, by its code's row of the currency table: its predicted
    end for EET with one; else, for education and training, the end of the academic year in which it
    was last confirmed (verified, or ascertained); else that many months after it was confirmed."""
    code = activity.code
    if code.status == rules.Status.EET and activity.predicted_end_date:
        return activity.predicted_end_date
    confirmed = activity.date_verified or activity.date_ascertained
    if code.currency == Currency.ACADEMIC_YEAR:
        return date(rules.academic_year_start(confirmed) + 1, 8, 31)
    if code.currency == Currency.MONTHS and code.currency_months is not None:
        lapses: date = confirmed + relativedelta(months=code.currency_months)
        return lapses
    return None


@transaction.atomic
def activity_record(
    *, young_person: YoungPerson, actor: Actor | None, reason: str = "Activity recorded", **fields: Any
) -> Activity:
    activity = Activity(young_person=young_person, **fields)
    if activity.start_date > timezone.localdate():
        raise ValidationError(
            {"start_date": "The start date must be today or in the past: record a future start as an offer"}
        )
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
def intended_destination_record(
    *, young_person: YoungPerson, actor: Actor, **fields: Any
) -> IntendedDestination:
    destination = IntendedDestination(young_person=young_person, **fields)
    _valid_on(destination.code, destination.recorded_on, "code")
    return tracked_save(destination, actor=actor, reason="Intended destination recorded")


@transaction.atomic
def offer_record(*, young_person: YoungPerson, actor: Actor, **fields: Any) -> Offer:
    restriction_guard(young_person, actor)  # before the cohort check, which would say more than "restricted"
    offer = Offer(young_person=young_person, **fields)
    _valid_on(offer.offer_type, offer.offered_on, "offer_type")
    person = rules.PersonFacts(id=young_person.pk, date_of_birth=young_person.date_of_birth)
    if not rules.guarantee_offer_eligible(person, offer.offered_on, offer.guarantee_year):
        year = rules.guarantee_year(person, offer.offered_on)
        actual = f"in the Year {year} cohort" if year else "in neither September Guarantee cohort"
        raise ValidationError({"guarantee_year": f"On that date the young person was {actual}"})
    return tracked_save(offer, actor=actor, reason="September Guarantee offer recorded")


@transaction.atomic
def characteristic_record(*, young_person: YoungPerson, actor: Actor, **fields: Any) -> Characteristic:
    characteristic = Characteristic(young_person=young_person, **fields)
    _valid_on(characteristic.code, characteristic.start_date, "code")
    return tracked_save(characteristic, actor=actor, reason="Characteristic recorded")


def status_refresh(*, young_person_ids: Iterable[int] | None = None, on: date | None = None) -> int:
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


def _status_row(person: rules.PersonFacts, on: date, tables: dict[str, Any]) -> CurrentStatus:
    if person.team_id is None:
        raise ValueError(f"Young person {person.id} has no team")  # the database requires one
    evaluation = rules.evaluate(person, on, **tables)
    values = asdict(evaluation)
    roni = values.pop("roni")
    in_force = [
        activity.review_date
        for activity in person.activities
        if activity.review_date and activity.start_date <= on and (activity.end_date or on) >= on
    ]
    return CurrentStatus(
        young_person_id=person.id,
        evaluated_on=on,
        review_on=min(in_force, default=None),
        roni_score=roni["score"] if roni else None,
        roni_band=roni["band"] if roni else "",
        team_id=person.team_id,
        district=dashboards.postcode_district(person.postcode),
        sen_status=person.sen_status,
        gender=person.gender,
        ethnicity=person.ethnicity,
        looked_after=person.looked_after,
        care_leaver=person.care_leaver,
        **values,
    )


_UPDATE_FIELDS = [f.name for f in CurrentStatus._meta.concrete_fields if f.name != "young_person"]


def _upsert(rows: list[CurrentStatus]) -> int:
    """Store these statuses, and move their people between the work lists that read them."""
    if rows:
        CurrentStatus.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["young_person"], update_fields=_UPDATE_FIELDS
        )
        case_services.work_lists_refresh(row.young_person_id for row in rows)
    return len(rows)


def month_end_statuses_store(*, month_end: date) -> int:
    """Evaluate the rules on ``month_end`` for everyone on file by then and store each answer
    (MonthEndStatus), replacing that month's; months over a year older are let go. Idempotent."""
    previous = dashboards.previous_month_end(month_end)
    tables = {**facts.rule_tables(), "weights": None}  # a month end stores no RONI
    people = facts.person_facts(YoungPerson.objects.on_file_by(month_end), attendance=False)
    rows = (dashboards.month_end_values(person, month_end, previous, tables) for person in people)
    count = 0
    with transaction.atomic():
        MonthEndStatus.objects.filter(
            Q(month_end=month_end) | Q(month_end__lt=month_end - relativedelta(years=1))
        ).delete()
        while batch := list(islice(rows, facts.CHUNK)):
            bulk.insert_values(MonthEndStatus, batch)
            count += len(batch)
    return count


def snapshot_take(*, month_end: date) -> int:
    """Store the month's aggregate counts per team and breakdown, from the rules evaluated on
    ``month_end`` for the people on file by then (as the month's return counts them): the month-end
    statuses stored afresh, then counted. Replaces that month's rows: idempotent, and any past month
    can be taken again."""
    month_end_statuses_store(month_end=month_end)
    return snapshot_count(month_end=month_end)


def snapshot_count(*, month_end: date) -> int:
    """The month's snapshot rows from its stored month-end statuses: GROUP BYs, replacing that month's."""
    stored = MonthEndStatus.objects.filter(month_end=month_end)
    rows = [
        MonthlySnapshot(month_end=month_end, team_id=team_id, dimension=dimension, value=value, **counts)
        for team_id, dimension, value, counts in dashboards.month_end_breakdowns(stored)
    ]
    with transaction.atomic():
        MonthlySnapshot.objects.filter(month_end=month_end).delete()
        MonthlySnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def allocate(*, young_person: YoungPerson, adviser: Actor, actor: Actor) -> YoungPerson:
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


def _movable_models() -> list[type[Any]]:
    """Every tracked model whose rows belong to one young person (from the registry, so a model added
    later moves too); the rest stay, for the reason ``merge_stays`` gives."""
    return [link.model for link in registry.personal_models() if not link.merge_stays]


def _blank(value: object) -> bool:
    return value in ("", None)


def _merge_tombstone(event: str, merged: YoungPerson, kept: YoungPerson) -> None:
    """Tell the changes feed: the merged record, reached as it was, and the record it joined."""
    tombstone = case_services.tombstone(event, YoungPerson, merged.pk, merged, merged_into=kept.pk)
    case_services.tombstones_write([tombstone])


@transaction.atomic
def records_merge(*, kept: YoungPerson, merged: YoungPerson, actor: Actor, reason: str) -> Merge:
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
        cleared: dict[str, Any] = dict.fromkeys(identifiers, "")
        case_services.young_person_update(young_person=merged, actor=actor, reason=note, **cleared)
    case_services.young_person_update(young_person=kept, actor=actor, reason=note, **filled)
    moved: dict[str, list[int]] = {}
    for model in _movable_models():
        for row in model._default_manager.filter(young_person=merged):
            row.young_person = kept
            tracked_save(row, actor=actor, reason=note)
            moved.setdefault(model._meta.label, []).append(row.pk)
    case_services.caseload_facts_refresh([kept.pk, merged.pk])  # the merged record's contacts left it
    tracked_save(
        CohortExit(young_person=merged, reason=CohortExit.Reason.MERGED, left_on=timezone.localdate()),
        actor=actor,
        reason=note,
    )
    merge.moved, merge.filled = moved, sorted(filled)
    merge.save(update_fields=["moved", "filled"])
    _merge_tombstone(Tombstone.Event.MERGED, merged, kept)
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, actor: Actor) -> Merge:
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
    case_services.caseload_facts_refresh([kept.pk, merged.pk])
    identifiers = {name: getattr(kept, name) for name in merge.filled if name in ("upn", "uln")}
    blanks: dict[str, Any] = {name: None if name.endswith("_id") else "" for name in merge.filled}
    case_services.young_person_update(young_person=kept, actor=actor, reason=note, **blanks)
    exit_row = CohortExit.objects.get(young_person=merged, reason=CohortExit.Reason.MERGED)
    case_services.tracked_delete(exit_row, actor=actor, reason=note)
    case_services.young_person_update(young_person=merged, actor=actor, reason=note, **identifiers)
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge.save(update_fields=["undone_at", "undone_by"])
    _merge_tombstone(Tombstone.Event.MERGE_UNDONE, merged, kept)
    return merge


# --- Verifying what others told us ------------------------------------------------------------------


@transaction.atomic
def activity_verify(*, activity: Activity, actor: Actor) -> Activity:
    """An adviser confirms an activity the young person (or another source) told us about."""
    if activity.date_verified is not None:
        raise ValidationError("This activity is already verified")
    activity.date_verified = timezone.localdate()
    activity.due_to_lapse_date = due_to_lapse(activity)
    return tracked_save(activity, actor=actor, reason="Activity verified")
