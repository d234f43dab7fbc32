"""Every write to cases: plain functions with keyword arguments, one transaction each, naming the
acting user. History rows get the user and the reason here (not only from the request middleware),
so tasks, commands and imports are audited the same way as pages."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Model, OuterRef, Subquery, When
from django.utils import timezone
from django.utils.text import slugify

from cases import registry, restrictions, validators, versions, worklists
from cases.models import (
    AccessEvent,
    Action,
    CaseloadFacts,
    CasesPermission,
    Contact,
    ContactInterval,
    IdentifierClash,
    Restriction,
    SensitiveNote,
    Team,
    Tombstone,
    Tracked,
    WorkListDay,
    WorkListEntry,
    YoungPerson,
    YoungPersonPermission,
    YoungPersonUserObjectPermission,
)
from core import bulk
from core.roles import Role
from core.types import Actor

P = YoungPersonPermission
M = TypeVar("M", bound=Model)
CO_WORKER_PERMISSIONS = (P.VIEW, P.CHANGE)
CO_WORKER_ROLES = (Role.PERSONAL_ADVISER, Role.TEAM_MANAGER)  # case workers: never an administrator
RESTRICTED = "Processing of this record is restricted: only the data protection officer can change it"


def restriction_guard(instance: Model, actor: Actor | None) -> None:
    """Edits to a record under an Article 18 restriction or Article 21 objection are the DPO's alone:
    the record itself, and any row about it, whichever link names the person (``young_person``, a
    grant's ``content_object``)."""
    person = instance if isinstance(instance, YoungPerson) else _person_of(instance)
    if (
        person is not None
        and person.pk
        and restrictions.processing_restricted(person)
        and not (actor is not None and actor.has_perm(CasesPermission.CHANGE_RESTRICTED))
    ):
        raise ValidationError(RESTRICTED)


def _person_of(instance: Model) -> YoungPerson | None:
    for link in registry.OWNER_LINKS:
        person = getattr(instance, link, None)
        if isinstance(person, YoungPerson):
            return person
    return None


def audit(instance: Model, actor: Actor | None, reason: str) -> None:
    """What simple-history writes on the next history row: who (None: the young person themselves,
    through a self-update link) and why."""
    instance._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    instance._change_reason = reason  # type: ignore[attr-defined]


def tracked_save(instance: M, *, actor: Actor | None, reason: str = "", version: int | None = None) -> M:
    """Validate and save a tracked model, recording who did it and why in its history row. A record
    under restriction refuses everyone but the DPO. With ``version`` (an edit made from that version
    of the record) a record changed since is refused: ``core.stale.StaleEditError``, nothing saved."""
    if version is not None and instance.pk:
        with transaction.atomic():  # the record's row stays locked from the check to the save
            versions.check(instance, version)
            return _save(instance, actor, reason)
    return _save(instance, actor, reason)


def _save(instance: M, actor: Actor | None, reason: str) -> M:
    restriction_guard(instance, actor)
    instance.full_clean()
    audit(instance, actor, reason)
    instance.save()
    return instance


def tracked_delete(instance: Model, *, actor: Actor, reason: str) -> None:
    """Delete a row with its history (who and why); a row of a young person leaves a tombstone."""
    restriction_guard(instance, actor)
    audit(instance, actor, reason)
    person, record_id = _person_of(instance), instance.pk
    instance.delete()
    if person is not None and isinstance(instance, Tracked):
        tombstones_write([tombstone(Tombstone.Event.DELETED, type(instance), record_id, person)])


def _permissions(perms: Iterable[YoungPersonPermission]) -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="cases",
            content_type__model="youngperson",
            codename__in=[p.value for p in perms],
        )
    )


def role_label(user: Actor) -> str:
    """The staff roles a user holds, as recorded against each access event."""
    names = sorted(name for name in user.groups.values_list("name", flat=True) if name in set(Role))
    if user.is_superuser:
        names.insert(0, "Superuser")
    return ", ".join(names) or "No role"


def access_event_record(*, user: Actor, young_person: YoungPerson, what: AccessEvent.What) -> AccessEvent:
    return AccessEvent.objects.create(user=user, young_person=young_person, what=what, role=role_label(user))


def access_events_record(*, user: Actor, young_people: Iterable[YoungPerson], what: AccessEvent.What) -> None:
    """One access event per person in a list read (an export), written in batches."""
    role = role_label(user)
    AccessEvent.objects.bulk_create(
        (AccessEvent(user=user, young_person=person, what=what, role=role) for person in young_people),
        batch_size=1000,
    )


# --- Teams -----------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, name: str, actor: Actor, area: str = "", team: Team | None = None) -> Team:
    """Create a team and its Django group; ``team`` is an unsaved instance to use (the admin's form's)."""
    team = team or Team()
    team.name, team.area = name, area
    team.group = Group.objects.create(name=f"Team: {name}")
    return tracked_save(team, actor=actor, reason="Team created")


@transaction.atomic
def team_member_add(*, team: Team, user: Actor, actor: Actor) -> None:
    """Add a member; a team manager also joins the team's group and so reaches the team's cases."""
    team.members.add(user)
    if user.groups.filter(name=Role.TEAM_MANAGER).exists():
        user.groups.add(team.group)


# --- Caseload facts: a cache of each person's latest contact and next open action ---------------


def caseload_facts_refresh(young_person_ids: Iterable[int]) -> None:
    """Work out again the latest contact and the earliest open action's due date of these people
    (``cases.signals`` calls it on every contact and action saved or deleted; bulk writers call it
    themselves), and their work lists."""
    ids = list(young_person_ids)
    latest = (
        Contact.objects.filter(young_person=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")
    )
    due = Action.objects.filter(young_person=OuterRef("pk"), completed_on__isnull=True).order_by("due_on")
    people = (
        YoungPerson.objects.filter(pk__in=ids)
        .order_by()
        .annotate(last=Subquery(latest[:1]), due=Subquery(due.values("due_on")[:1]))
    )
    rows = [
        CaseloadFacts(young_person_id=pk, last_contact_at=last, next_action_due=due)
        for pk, last, due in people.values_list("pk", "last", "due")
    ]
    CaseloadFacts.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["young_person"],
        update_fields=["last_contact_at", "next_action_due"],
        batch_size=1000,
    )
    work_lists_refresh(ids)


# --- Work-list entries: a cache of who is on each work list today --------------------------------

WORK_LIST_BATCH = 5000


def work_lists_refresh(young_person_ids: Iterable[int]) -> None:
    """Put these people on the registered work lists they are on today and take them off the rest,
    with the record's team and adviser as they stand (``WorkListEntry``). Called by every writer of
    what a list reads: the caseload facts above, tracking's statuses, the record's team, adviser and
    level of support (``cases.signals``). A person whose entries already agree costs one read."""
    ids = list(young_person_ids)
    lists = worklists.all_work_lists()
    today = timezone.localdate()
    on_list = {
        f"on_{w.key}": Case(When(w.condition(today), then=True), default=False, output_field=BooleanField())
        for w in lists
    }
    for start in range(0, len(ids), WORK_LIST_BATCH):
        batch = ids[start : start + WORK_LIST_BATCH]
        people = (
            YoungPerson.objects.filter(pk__in=batch)
            .order_by()
            .annotate(**on_list)
            .values_list("pk", "team_id", "lead_adviser_id", *on_list)
        )
        wanted = {
            (pk, w.key, team, adviser)
            for pk, team, adviser, *on in people
            for w, yes in zip(lists, on, strict=True)
            if yes
        }
        entries = WorkListEntry.objects.filter(young_person_id__in=batch)
        held = set(entries.values_list("young_person_id", "key", "team_id", "lead_adviser_id"))
        moved = {row[0] for row in held ^ wanted}
        if moved:
            entries.filter(young_person_id__in=moved).delete()
            bulk.insert_values(
                WorkListEntry,
                [
                    {"young_person_id": pk, "key": key, "team_id": team, "lead_adviser_id": adviser}
                    for pk, key, team, adviser in wanted
                    if pk in moved
                ],
            )


def work_lists_rebuild() -> int:
    """Everyone's work-list entries for today, a batch at a time, each batch its own transaction (the
    nightly job, and after the contact intervals change); then the entries are marked as today's,
    unless the intervals changed again meanwhile (that change queued another rebuild). Idempotent and
    resumable: a batch already right is only read. Returns how many people it went through."""
    today = timezone.localdate()
    day, _ = WorkListDay.objects.get_or_create(pk=1)
    after, count = 0, 0
    while batch := list(
        YoungPerson.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:WORK_LIST_BATCH]
    ):
        with transaction.atomic():
            work_lists_refresh(batch)
        after, count = batch[-1], count + len(batch)
    WorkListDay.objects.filter(pk=1, generation=day.generation).update(day=today)
    return count


def work_lists_outdate() -> None:
    """The entries no longer answer for today (the contact intervals changed): the caseload counts
    the records themselves until the rebuild this queues has run."""
    from cases.tasks import work_lists_rebuild as rebuild

    WorkListDay.objects.get_or_create(pk=1)
    WorkListDay.objects.filter(pk=1).update(day=None, generation=F("generation") + 1)
    rebuild.delay_on_commit()


# --- Assignment and grants ---------------------------------------------------------------------


@transaction.atomic
def assign(
    *,
    young_person: YoungPerson,
    adviser: Actor | None,
    actor: Actor,
    team: Team | None = None,
    reason: str = "",
) -> YoungPerson:
    """Assign (or transfer) a young person to a team and lead adviser. Their access follows the
    record's columns (cases/access.py): the old adviser and the old team's managers lose it, the new
    ones gain it. Co-worker grants stay."""
    if adviser is not None and not adviser.is_active:
        raise ValidationError({"adviser": "This adviser's account is not active"})
    before = tombstone(Tombstone.Event.TRANSFERRED, YoungPerson, young_person.pk, young_person)
    young_person.team = team or young_person.team
    young_person.lead_adviser = adviser
    tracked_save(young_person, actor=actor, reason=reason or "Assigned")
    moved = (before.team_id, before.lead_adviser_id) != (young_person.team_id, young_person.lead_adviser_id)
    if before.record_id is not None and moved:  # not a new record's first assignment
        tombstones_write([before])
    return young_person


@transaction.atomic
def co_worker_grant(
    *,
    young_person: YoungPerson,
    user: Actor,
    actor: Actor,
    until: date,
    reason: str,
    include_sensitive: bool = False,
) -> None:
    """Give a co-worker (a second adviser, a youth justice worker) access until the end of ``until``."""
    restriction_guard(young_person, actor)  # before the checks below, which would say more than "restricted"
    if not reason:
        raise ValidationError({"reason": "Enter why this person needs access"})
    if not user.is_active:
        raise ValidationError({"user": "This person's account is not active"})
    if not user.groups.filter(name__in=CO_WORKER_ROLES).exists():
        raise ValidationError({"user": "Choose a personal adviser or team manager"})
    if user.pk == young_person.lead_adviser_id:
        raise ValidationError({"user": "They are the lead adviser: they have access already"})
    expires_at = timezone.make_aware(datetime.combine(until, time.max))
    if expires_at <= timezone.now():
        raise ValidationError({"until": "The end date must be in the future"})
    perms = (*CO_WORKER_PERMISSIONS, P.VIEW_SENSITIVE) if include_sensitive else CO_WORKER_PERMISSIONS
    for permission in _permissions(perms):
        grant = YoungPersonUserObjectPermission.objects.filter(
            content_object=young_person, user=user, permission=permission
        ).first() or YoungPersonUserObjectPermission(
            content_object=young_person, user=user, permission=permission
        )
        grant.expires_at, grant.reason = expires_at, reason
        tracked_save(grant, actor=actor, reason=reason)


@transaction.atomic
def co_worker_revoke(*, young_person: YoungPerson, user: Actor, actor: Actor, reason: str) -> None:
    for grant in YoungPersonUserObjectPermission.objects.filter(content_object=young_person, user=user):
        tracked_delete(grant, actor=actor, reason=reason)


# --- The record --------------------------------------------------------------------------------


@transaction.atomic
def young_person_create(
    *, actor: Actor, team: Team, lead_adviser: Actor | None, reason: str = "Record created", **fields: Any
) -> YoungPerson:
    """Create a record; assign() saves it and grants the team and lead adviser their access. A UPN or
    ULN that a record out of the actor's reach holds is left off and raised as a clash."""
    young_person = YoungPerson(**fields)
    held = _hold_identifiers(young_person, actor, previous={})
    assign(young_person=young_person, adviser=lead_adviser, actor=actor, team=team, reason=reason)
    _raise_clashes(young_person, held, actor)
    return young_person


def _hold_identifiers(
    young_person: YoungPerson, actor: Actor | None, previous: Mapping[str, str]
) -> dict[str, YoungPerson]:
    """Take off ``young_person`` each new UPN or ULN that another record out of ``actor``'s reach
    holds, putting back what it had (``previous``), and return those holders by field. A holder in
    reach is refused by name: the actor can see it anyway. The service itself (no actor: a transfer
    in, the demo) sees every record, and the uniqueness check names the clash."""
    from cases import access  # access imports this module for its access events

    held: dict[str, YoungPerson] = {}
    if actor is None:
        return held
    for field, label in IdentifierClash.Field.choices:
        value = getattr(young_person, field).strip().upper()
        if not value or value == validators.TEMPORARY_ULN or value == previous.get(field):
            continue
        holders = YoungPerson.objects.filter(**{field: value}).exclude(pk=young_person.pk)
        if holders.filter(pk__in=access.young_people_for(actor).values("pk")).exists():
            message = f"A young person with this {label} already exists: find them before adding a new record"
            raise ValidationError({field: message})
        if (holder := holders.first()) is not None:
            held[field] = holder
            setattr(young_person, field, previous.get(field, ""))
    return held


def identifier_clash_decide(
    *, clash: IdentifierClash, actor: Actor, outcome: str, note: str
) -> IdentifierClash:
    """Record a service manager's decision on a clash (the records themselves change through their
    own pages: a merge, an edit)."""
    clash.outcome, clash.note = outcome, note
    return tracked_save(clash, actor=actor, reason="Decided by a service manager")


def _raise_clashes(young_person: YoungPerson, held: Mapping[str, YoungPerson], actor: Actor | None) -> None:
    for field, holder in held.items():  # at most two: a UPN and a ULN
        clash = IdentifierClash(young_person=young_person, holder=holder, field=field, raised_by=actor)
        tracked_save(clash, actor=actor, reason="Raised when the record was saved")


@transaction.atomic
def young_people_create_bulk(
    *, people: list[YoungPerson], team: Team, actor: Actor, reason: str
) -> list[YoungPerson]:
    """Create many unassigned records at once (a bulk import) in ``team``, with their history rows
    (user and reason; a record's own reason from ``audit`` first), as ``young_person_create`` gives
    one. Their values must already be checked (the import checks each
    against the same validators); the database enforces the rest."""
    for person in people:
        person.team = team
        person.clean()
    created = bulk.insert(YoungPerson, people)
    history_copy(YoungPerson, created, history_type="+", actor=actor, reason=reason)
    return created


@transaction.atomic
def young_people_update_bulk(
    *, people: list[YoungPerson], fields: set[str], actor: Actor, reason: str
) -> None:
    """Save ``fields`` of many records at once (a bulk import), one statement run for them all, with a
    history row each naming the user and the reason (a record's own from ``audit`` first). A record
    under an Article 18 or 21 restriction refuses everyone but the DPO, as ``tracked_save`` does; the
    values must already be checked."""
    if not actor.has_perm(CasesPermission.CHANGE_RESTRICTED):
        in_force = restrictions.kinds_in_force(person.pk for person in people)
        if any(kinds - {Restriction.Kind.S507B} for kinds in in_force.values()):
            raise ValidationError(RESTRICTED)
    now = timezone.now()
    names = {*fields, "updated_at"}
    columns = [f for f in YoungPerson._meta.concrete_fields if f.name in names or f.attname in names]
    for person in people:
        person.updated_at = now
    rows = [
        [person.pk, *(f.get_db_prep_save(getattr(person, f.attname), connection) for f in columns)]
        for person in people
    ]
    _update_rows(YoungPerson, columns, rows)
    history_copy(YoungPerson, people, history_type="~", actor=actor, reason=reason)


def _update_rows(model: type[Model], columns: list[Any], rows: list[list[Any]]) -> None:
    """Set ``columns`` on many rows (each ``[pk, *values]``): on PostgreSQL one statement joining
    the values as arrays (unnest), elsewhere one statement run for each row."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), [quote(str(field.column)) for field in columns]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{name} = %s" for name in names)
            cursor.executemany(
                # names from the model, never input
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608  # nosec B608
                [[*values, pk] for pk, *values in rows],
            )
            return
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
        cursor.execute(  # names from the model, never input
            f"UPDATE {table} AS t SET {', '.join(f'{name} = v.{name}' for name in names)} "  # noqa: S608  # nosec B608
            f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {', '.join(names)}) WHERE t.id = v.id",
            [list(column) for column in zip(*rows, strict=True)],
        )


def history_copy(
    model: type[Model], objects: list[Any], *, history_type: str, actor: Actor, reason: str
) -> None:
    """The history rows simple-history would write for records just written in bulk ("+" created,
    "~" changed), copied from the rows as they now stand in the database (INSERT ... SELECT), with
    the time, the user and the reason: each record's own (from ``audit``) or ``reason``."""
    history = model.history.model  # type: ignore[attr-defined]
    own = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    stamp = {
        "history_date": connection.ops.adapt_datetimefield_value(timezone.now()),
        "history_type": history_type,
        "history_user_id": actor.pk if actor else None,
    }
    by_reason: dict[str, list[int]] = {}
    for obj in objects:
        by_reason.setdefault(getattr(obj, "_change_reason", None) or reason, []).append(obj.pk)
    quote = connection.ops.quote_name
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    insert = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
    )
    source, key = quote(model._meta.db_table), quote(own[model._meta.pk.attname])
    with connection.cursor() as cursor:
        for why, ids in by_reason.items():
            values = {**stamp, "history_change_reason": why}
            selected = [quote(own[f.attname]) if f.attname in own else "%s" for f in fields]
            params: list[Any] = [values[f.attname] for f in fields if f.attname not in own]
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(
                    # names from the model, never input
                    f"{insert} SELECT {', '.join(selected)} FROM {source} "  # noqa: S608  # nosec B608
                    f"WHERE {key} IN ({', '.join(['%s'] * len(chunk))})",
                    params + chunk,
                )


@transaction.atomic
def young_person_update(
    *, young_person: YoungPerson, actor: Actor, reason: str, version: int | None = None, **fields: Any
) -> YoungPerson:
    """Change the record's details. ``version``: the record's version the edit was made from."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the change"})
    previous = YoungPerson.objects.values(*IdentifierClash.Field.values).get(pk=young_person.pk)
    for name, value in fields.items():
        setattr(young_person, name, value)
    held = _hold_identifiers(young_person, actor, previous)
    tracked_save(young_person, actor=actor, reason=reason, version=version)
    _raise_clashes(young_person, held, actor)
    return young_person


@transaction.atomic
def contact_log(
    *, young_person: YoungPerson, actor: Actor, action: dict[str, Any] | None = None, **fields: Any
) -> Contact:
    """Log a contact, with an optional action agreed at it."""
    fields.setdefault("staff_member", actor)
    contact = tracked_save(Contact(young_person=young_person, **fields), actor=actor, reason="Contact logged")
    if action:
        try:
            action_add(young_person=young_person, actor=actor, contact=contact, **action)
        except ValidationError as error:  # said of the contact form's own action fields
            by_field = error.message_dict.items()
            raise ValidationError({f"action_{name}": messages for name, messages in by_field}) from error
    return contact


@transaction.atomic
def action_add(*, young_person: YoungPerson, actor: Actor, **fields: Any) -> Action:
    """Agree an action, due today or later (one already overdue is a mistyped date)."""
    if fields.get("due_on") and fields["due_on"] < timezone.localdate():
        raise ValidationError({"due_on": "The due date must be today or in the future"})
    return tracked_save(Action(young_person=young_person, **fields), actor=actor, reason="Action agreed")


@transaction.atomic
def action_complete(*, action: Action, actor: Actor, version: int | None = None) -> Action:
    if version is not None:
        versions.check(action, version)
    if action.completed_on is not None:
        raise ValidationError("This action is already complete")
    action.completed_on = timezone.localdate()
    action.completed_by = actor
    return tracked_save(action, actor=actor, reason="Action completed")


@transaction.atomic
def sensitive_note_add(*, young_person: YoungPerson, actor: Actor, **fields: Any) -> SensitiveNote:
    note = SensitiveNote(young_person=young_person, recorded_by=actor, **fields)
    return tracked_save(note, actor=actor, reason="Sensitive note recorded")


# --- Restrictions ------------------------------------------------------------------------------


@transaction.atomic
def restriction_set(
    *, young_person: YoungPerson, actor: Actor, kind: str, set_by: str, set_on: date, reason: str = ""
) -> Restriction:
    return tracked_save(
        Restriction(young_person=young_person, kind=kind, set_by=set_by, set_on=set_on, reason=reason),
        actor=actor,
        reason="Restriction set",
    )


def contact_intervals_set(*, actor: Actor, days: dict[str, int], reason: str) -> None:
    """Set the days between contacts for each level of support given; only changes are saved, each
    with its history row (who, why)."""
    changed = False
    with transaction.atomic():
        for level, wanted in days.items():
            interval = ContactInterval.objects.filter(support_level=level).first() or ContactInterval(
                support_level=level
            )
            if interval.days != wanted:
                interval.days = wanted
                tracked_save(interval, actor=actor, reason=reason)
                changed = True
        if changed:
            work_lists_outdate()


# --- The changes feed: what asking for rows changed since a time cannot show -------------------------


def resource_name(model: type[Model]) -> str:
    """The API's name for a model's rows, as its routes are named: "contacts", "young-people"."""
    return slugify(str(model._meta.verbose_name_plural))


def tombstone(
    event: str, model: type[Model], record_id: int, person: YoungPerson, *, merged_into: int | None = None
) -> Tombstone:
    """A tombstone for ``model``'s row ``record_id`` of ``person``, reached by the record's team and
    lead adviser as they are now (before the event changes them)."""
    return Tombstone(
        event=event,
        resource=resource_name(model),
        record_id=record_id,
        young_person_id=person.pk,
        merged_into_id=merged_into,
        team_id=person.team_id,
        lead_adviser_id=person.lead_adviser_id,
    )


def tombstones_write(tombstones: list[Tombstone]) -> None:
    """Write tombstones stamped with this transaction's id (the feed's order: ``Tombstone``)."""
    xact = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            xact = cursor.fetchone()[0]
    for row in tombstones:
        row.xact = xact
    Tombstone.objects.bulk_create(tombstones, batch_size=1000)


def changes_expire(*, now: datetime | None = None) -> int:
    """Let go of tombstones older than ``CHANGES_KEEP_DAYS``: a client whose cursor is older must
    sync again in full (the feed answers 410). Idempotent; the number let go."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHANGES_KEEP_DAYS)
    return Tombstone.objects.filter(at__lt=cutoff).delete()[0]
