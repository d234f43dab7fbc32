"""Every scoped read in cases. Each selector starts from cases/access.py and builds its joins in one
place, so the pages' query counts stay constant however large the caseload or the record."""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.utils import timezone

from cases import access, extensions, namesearch, registry, restrictions, services, validators, worklists
from cases.changes import KIND, Change, changes_for, display, related_names
from cases.extensions import Fact, Flag
from cases.models import (
    AccessEvent,
    Action,
    CasesPermission,
    Contact,
    ContactInterval,
    IdentifierClash,
    Restriction,
    SensitiveNote,
    Team,
    Tombstone,
    WorkListDay,
    WorkListEntry,
    YoungPerson,
    YoungPersonPermission,
    YoungPersonUserObjectPermission,
)
from core.types import Viewer

User = get_user_model()
SEARCH_LIMIT = 50


# --- Lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadFilters:
    team: int | None = None
    adviser: int | None = None
    support_level: str = ""
    sen_status: str = ""
    mine: bool = False
    work_list: str = ""
    sort: str = ""


def co_worker_candidates() -> QuerySet[Any]:
    """Who may be given co-worker access to a record: active advisers and team managers."""
    return (
        User.objects.filter(is_active=True, groups__name__in=services.CO_WORKER_ROLES)
        .distinct()
        .order_by("first_name", "last_name")
    )


def teams_for_new_records(user: Viewer) -> QuerySet[Team]:
    """The teams a user may put a new record in: every team with service-wide reach, else their own."""
    if not user.is_authenticated:
        return Team.objects.none()  # the API schema is drawn for an anonymous user
    return Team.objects.all() if access.has_global(user, access.VIEW) else user.teams.all()


# The people tables' sort keys and the columns each orders by (then by id); a registered column
# (extensions.register_column) sorts by its own annotation.
SORTS = {
    "name": ("legal_family_name", "legal_given_name"),
    "next_action": ("next_action_due",),
    "last_contact": ("last_contact_at",),
    "support": ("support_level",),
    "adviser": ("lead_adviser__first_name", "lead_adviser__last_name"),
    "team": ("team__name",),
}


def sort_keys() -> set[str]:
    return set(SORTS) | {column.key for column in extensions.columns()}


def _ordering(sort: str) -> list[Any]:
    """``sort`` is a key of ``sort_keys()``, "-" first for descending; empty people last either way."""
    key = sort.removeprefix("-")
    if key not in sort_keys():
        key, sort = "name", "name"
    direction = "desc" if sort.startswith("-") else "asc"
    columns = [getattr(F(field), direction)(nulls_last=True) for field in SORTS.get(key, (key,))]
    return [*columns, "-pk" if direction == "desc" else "pk"]


def caseload(user: Viewer, filters: CaseloadFilters = CaseloadFilters()) -> QuerySet[YoungPerson]:
    """Everyone within the user's reach with the people table's columns, filtered as asked (including
    a registered work list) and sorted by ``filters.sort``."""
    people = with_table_columns(_filtered(user, filters).select_related("team", "lead_adviser"))
    return people.order_by(*_ordering(filters.sort))


def _filtered(user: Viewer, filters: CaseloadFilters) -> QuerySet[YoungPerson]:
    people = access.young_people_for(user).filter(**_chosen(user, filters))
    if (work_list := worklists.get(filters.work_list)) is not None:
        people = people.filter(work_list.condition(timezone.localdate()))
    return people


def _chosen(user: Viewer, filters: CaseloadFilters) -> dict[str, Any]:
    """The filters' conditions on the record's own columns."""
    conditions = {
        "team_id": filters.team,
        "lead_adviser_id": user.pk if filters.mine else filters.adviser,
        "support_level": filters.support_level,
        "sen_status": filters.sen_status,
    }
    return {field: value for field, value in conditions.items() if value}


# --- The task list -------------------------------------------------------------------------------

TASK_ROWS = 50  # each section shows its first rows; its count says how many there are in all
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class TaskSection:
    key: str
    title: str
    count: int
    rows: list[Any]  # actions (``actions`` sections) or people
    actions: bool = False


def task_list(user: Viewer) -> list[TaskSection]:
    """An adviser's diary over everyone in reach: open actions overdue and due within
    ``DUE_SOON_DAYS`` (earliest first), then each work list marked as a task (people not contacted
    within their interval, reviews due). Two queries for the actions, two per list."""
    today = timezone.localdate()
    open_actions = (
        Action.objects.filter(
            young_person__in=access.young_people_for(user).values("pk"),
            completed_on__isnull=True,
            due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("young_person")
        .order_by("due_on", "pk")
    )
    late, soon = Q(due_on__lt=today), Q(due_on__gte=today)
    counts = open_actions.aggregate(late=Count("pk", filter=late), soon=Count("pk", filter=soon))
    sections = [
        TaskSection(
            "overdue", "Overdue actions", counts["late"], list(open_actions.filter(late)[:TASK_ROWS]), True
        ),
        TaskSection(
            "due-soon",
            f"Actions due in the next {DUE_SOON_DAYS} days",
            counts["soon"],
            list(open_actions.filter(soon)[:TASK_ROWS]),
            True,
        ),
    ]
    for work_list in worklists.all_work_lists():
        if work_list.task:
            people = caseload(user, CaseloadFilters(work_list=work_list.key))
            sections.append(
                TaskSection(
                    work_list.key.replace("_", "-"), work_list.label, people.count(), list(people[:TASK_ROWS])
                )
            )
    return sections


def contact_intervals() -> dict[str, int]:
    """Days between contacts by level of support."""
    return dict(ContactInterval.objects.values_list("support_level", "days"))


def with_table_columns(people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Annotate what the people tables show: each person's latest contact and next open action's due
    date (CaseloadFacts), what that action is (a correlated subquery, for a page's rows) and the
    registered columns."""
    next_action = Action.objects.filter(young_person=OuterRef("pk"), completed_on__isnull=True).order_by(
        "due_on", "pk"
    )
    return people.annotate(
        last_contact_at=F("caseload_facts__last_contact_at"),
        next_action_due=F("caseload_facts__next_action_due"),
        next_action=Subquery(next_action.values("description")[:1]),
        **{column.key: column.expression for column in extensions.columns()},
    )


def work_list_counts(
    user: Viewer, filters: CaseloadFilters
) -> tuple[list[tuple[worklists.WorkList, int]], int]:
    """How many of the filtered caseload are on each work list, and how many the page lists (everyone
    filtered, or the chosen work list's). The lists' counts come from today's work-list entries, an
    index range per team or adviser in reach (the entries carry a copy of both; a filter on the
    record's other columns joins each entry to its record); before the night's rebuild, from one
    pass over the people in reach."""
    today = timezone.localdate()
    lists = worklists.all_work_lists()
    if not work_lists_are_for(today):
        people = _filtered(user, replace(filters, work_list=""))
        counts = people.order_by().aggregate(
            everyone=Count("pk"), **{w.key: Count("pk", filter=w.condition(today)) for w in lists}
        )
    else:
        chosen = _chosen(user, filters)
        everyone = access.counts_in_reach(user, YoungPerson.objects.filter(**chosen))[None]
        if chosen.keys() <= {"team_id", "lead_adviser_id"}:  # the entries' own copies: index ranges
            on_lists = access.counts_in_reach(
                user, WorkListEntry.objects.filter(**chosen), by="key", person="young_person_id"
            )
        else:  # the records filtered and in reach, by their own indexes, and their entries
            entries = WorkListEntry.objects.filter(**{f"young_person__{f}": v for f, v in chosen.items()})
            on_lists = access.counts_in_reach(user, entries, by="key", through="young_person")
        counts = {"everyone": everyone, **{w.key: on_lists[w.key] for w in lists}}
    listed = counts[filters.work_list] if filters.work_list in counts else counts["everyone"]
    return [(w, counts[w.key]) for w in lists], listed


def work_lists_are_for(day: date) -> bool:
    """Whether the work-list entries answer for ``day`` (the night's rebuild has run, and the contact
    intervals have not changed since)."""
    return WorkListDay.objects.filter(day=day).exists()


CASELOAD_CSV_HEADER = [
    "Record id",
    "Given name",
    "Family name",
    "Date of birth",
    "Postcode",
    "Phone",
    "Team",
    "Lead adviser",
    "Level of support",
    "Last contact",
]


def _last_contact_day(person: YoungPerson) -> str:
    """The ``last_contact_at`` the caseload query annotates, as a date."""
    last: datetime | None = getattr(person, "last_contact_at", None)
    return timezone.localtime(last).date().isoformat() if last else ""


def caseload_csv_row(person: YoungPerson) -> list[object]:
    adviser = person.lead_adviser
    return [
        person.pk,
        person.legal_given_name,
        person.legal_family_name,
        person.date_of_birth.isoformat(),
        person.postcode,
        person.phone,
        person.team.name,
        adviser.get_full_name() if adviser else "",
        person.get_support_level_display(),
        _last_contact_day(person),
    ]


def caseload_filter_choices(user: Viewer) -> dict[str, Any]:
    """Teams and advisers that appear in the user's reach, for the filter menus: each team and each
    staff account probed for one person in each part of the reach (``access.reach_parts``: an index
    probe each), so the cost grows with the staff, not with the people. A DISTINCT over the reach read
    every person in it; one probe over the whole reach read every person of each team probed."""
    parts = access.reach_parts(user)

    def in_reach(**outer: Any) -> Q:
        people = YoungPerson.objects.order_by()
        if parts is None:
            return Q(Exists(people.filter(**outer)))
        return reduce(or_, (Q(Exists(people.filter(part, **outer))) for part in parts), Q(pk__in=[]))

    return {
        "teams": Team.objects.filter(in_reach(team=OuterRef("pk"))).order_by("name"),
        "advisers": User.objects.filter(in_reach(lead_adviser=OuterRef("pk"))).order_by(
            "first_name", "last_name"
        ),
    }


_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_ULN = re.compile(r"^\d{10}$")


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %m %Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


def search(user: Viewer, query: str, limit: int = SEARCH_LIMIT) -> list[YoungPerson]:
    """Up to ``limit`` young people within reach matching a UPN, ULN, date of birth or postcode
    exactly, or else names (despite typos and spellings: cases/namesearch.py), best first. Dates
    among the words narrow the names to that date of birth. Each comes with the people table's
    columns (status, next action, last contact)."""
    terms = query.strip()
    people = with_table_columns(access.young_people_for(user).select_related("team", "lead_adviser"))
    if not terms:
        return []
    compact = terms.replace(" ", "").upper()
    exact = None
    if _UPN.match(compact):
        exact = people.filter(upn=compact)
    elif _ULN.match(compact):
        exact = people.filter(uln=compact)
    elif (day := _parse_date(terms)) is not None:
        exact = people.filter(date_of_birth=day)
    elif validators.is_postcode(terms):
        exact = people.filter(postcode=validators.normalise_postcode(terms))
    if exact is not None:
        return list(exact.order_by(*namesearch.ORDER)[:limit])
    words = []
    for word in terms.split():
        if (day := _parse_date(word)) is not None:
            people = people.filter(date_of_birth=day)
        else:
            words.append(word)
    if not words:
        return list(people.order_by(*namesearch.ORDER)[:limit])
    return namesearch.by_names(people, words, limit)


def likely_duplicates(
    *,
    legal_given_name: str,
    legal_family_name: str,
    date_of_birth: date,
    upn: str = "",
    uln: str = "",
    postcode: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[YoungPerson]:
    """Existing records (across the whole service) that may be the same person. The caller shows
    only those within the user's reach and a count of the rest."""
    same_identifier = Q(upn=upn.upper()) if upn else Q()
    if uln and uln != validators.TEMPORARY_ULN:
        same_identifier |= Q(uln=uln)
    same_person = Q(date_of_birth=date_of_birth) & (
        Q(family_upper=legal_family_name.upper())
        | Q(given_upper=legal_given_name.upper())
        | (Q(postcode=validators.normalise_postcode(postcode)) if postcode else Q(pk__in=[]))
    )
    condition = same_person | same_identifier if same_identifier else same_person
    people = YoungPerson.objects.annotate(
        family_upper=Upper("legal_family_name"), given_upper=Upper("legal_given_name")
    ).filter(condition)
    return people.exclude(pk=exclude_pk) if exclude_pk is not None else people


def duplicates_seen_by(user: Viewer, **details: Any) -> tuple[list[YoungPerson], int]:
    """The ``likely_duplicates`` of ``details`` in ``user``'s reach, and how many others match by
    names, date of birth or postcode. Those matching only by UPN or ULN are not counted: a count of
    one would confirm that a child out of reach is known to the service by that identifier."""
    seen = list(access.scope(user, likely_duplicates(**details), through=""))
    others = likely_duplicates(**{**details, "upn": "", "uln": ""}).exclude(pk__in=[p.pk for p in seen])
    return seen, others.count()


# --- One record ----------------------------------------------------------------------------------


def young_person_detail_queryset() -> QuerySet[YoungPerson]:
    """The record with what its page reads about it; restrictions once, for the facts and the banner."""
    return YoungPerson.objects.select_related("team", "lead_adviser", "school", "ethnicity").prefetch_related(
        "restrictions"
    )


def young_person_page(user: Viewer, young_person: YoungPerson) -> dict[str, Any]:
    """Everything on the record page, one query per section."""
    perms = access.perms_on(user, young_person)
    may_see_sensitive = YoungPersonPermission.VIEW_SENSITIVE in perms
    contacts = list(young_person.contacts.select_related("staff_member"))
    actions = list(young_person.actions.select_related("completed_by"))
    facts = key_facts(young_person, contacts, actions)
    return {
        "key_facts": [item for item in facts if isinstance(item, Fact)],
        "flags": [item for item in facts if isinstance(item, Flag)],
        "parents": list(young_person.parents.all()),
        "qualifications": list(young_person.qualifications.all()),
        "attendance": list(young_person.attendance.select_related("school")),
        "contacts": contacts,
        "actions": actions,
        "sensitive_notes": list(young_person.sensitive_notes.select_related("recorded_by"))
        if may_see_sensitive
        else None,
        "co_workers": co_workers(young_person),
        "held_identifiers": list(
            young_person.identifier_clashes.filter(outcome=IdentifierClash.Outcome.OPEN)
        ),
        "may_change": YoungPersonPermission.CHANGE in perms,
        "may_share": YoungPersonPermission.SHARE in perms,
        "may_assign": user.has_perm(YoungPersonPermission.ASSIGN.qualified),
        "may_audit": user.has_perm(CasesPermission.VIEW_ACCESS_EVENTS),
        "panels": extensions.panels_for(young_person, user),
    }


def key_facts(young_person: YoungPerson, contacts: list[Contact], actions: list[Action]) -> list[Fact | Flag]:
    """What an adviser needs first: what the apps above know (status, age), then the last contact
    (``contacts`` newest first), the next open action, the level of support and the record's flags."""
    today = timezone.localdate()
    items = extensions.facts_for(young_person, today)
    if contacts:
        last = contacts[0]
        days = (today - timezone.localdate(last.occurred_at)).days
        ago = {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
        items.append(
            Fact("Last contact", f"{ago} ({last.occurred_at:%-d %b %Y}), {last.get_method_display().lower()}")
        )
    else:
        items.append(Fact("Last contact", "None logged yet"))
    open_actions = [action for action in actions if action.completed_on is None]
    if upcoming := min(open_actions, key=lambda action: (action.due_on, action.pk), default=None):
        overdue = upcoming.due_on < today
        items.append(
            Fact(
                "Next action",
                f"{upcoming.description}, due {upcoming.due_on:%-d %b %Y}",
                "Overdue" if overdue else "",
                "red" if overdue else "grey",
            )
        )
    else:
        items.append(Fact("Next action", "None open"))
    items.append(Fact("Level of support", young_person.get_support_level_display()))
    kinds = {restriction.kind for restriction in restrictions.active_restrictions(young_person, today)}
    if kinds - {Restriction.Kind.S507B}:
        items.append(Flag("Processing restricted", "red"))
    if Restriction.Kind.S507B in kinds:
        items.append(Flag("Section 507B restriction", "orange"))
    for flagged, text in (
        (young_person.looked_after, "Looked after"),
        (young_person.care_leaver, "Care leaver"),
        (young_person.sen_status == YoungPerson.SenStatus.EHC_PLAN, "EHC plan"),
        (young_person.has_disability, "Disability"),
    ):
        if flagged:
            items.append(Flag(text, "purple"))
    return items


def co_workers(young_person: YoungPerson) -> list[dict[str, Any]]:
    """People with an unexpired co-worker grant, one row per person."""
    rows = (
        YoungPersonUserObjectPermission.objects.filter(content_object=young_person, expires_at__isnull=False)
        .filter(expires_at__gt=timezone.now())
        .values("user_id", "user__first_name", "user__last_name", "expires_at", "reason")
        .order_by("user_id")
        .distinct()
    )
    return [dict(row) for row in {row["user_id"]: row for row in rows}.values()]


# --- History and provenance -----------------------------------------------------------------------


def young_person_history(user: Viewer, young_person: YoungPerson) -> list[Change]:
    """Every change to the record and to each record that belongs to it, newest first, as far as the
    viewer may see those records where they are shown: sensitive notes' history only to those who may
    see sensitive notes, and a model declaring ``history_permission`` (a subject request, the DPO's)
    only to holders of that permission. One query per history table."""
    may_see_sensitive = access.can(user, young_person, YoungPersonPermission.VIEW_SENSITIVE)
    sources = [(YoungPerson.history.model, Q(id=young_person.pk), "Young person")]
    for link in registry.personal_models():
        model = link.model
        if link.many or not hasattr(model, "history"):
            continue
        if model is SensitiveNote and not may_see_sensitive:
            continue
        if (permission := getattr(model, "history_permission", "")) and not user.has_perm(permission):
            continue
        sources.append(
            (model.history.model, Q(**{link.person_column: young_person.pk}), link.name().capitalize())
        )
    tables = [
        (
            history_model,
            list(
                history_model.objects.filter(condition)
                .select_related("history_user")
                .order_by("id", "history_date")
            ),
            label,
        )
        for history_model, condition, label in sources
    ]
    names = related_names((history_model, rows) for history_model, rows, _ in tables)
    changes = [change for model, rows, label in tables for change in changes_for(model, rows, label, names)]
    return sorted(changes, key=lambda change: change.when, reverse=True)


def provenance(young_person: YoungPerson) -> list[dict[str, Any]]:
    """For each field of the record: its current value and the source, date and person of the
    change that last set it."""
    rows = young_person.history.select_related("history_user").order_by("history_date", "history_id")
    fields = [
        field
        for field in YoungPerson._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at", "source", "source_date")
    ]
    rows = list(rows)
    names = related_names([(YoungPerson.history.model, rows)])
    last_set: dict[str, Any] = {}
    previous = None
    for row in rows:
        for field in fields:
            if previous is None or getattr(previous, field.attname) != getattr(row, field.attname):
                last_set[field.name] = row
        previous = row
    return [
        {
            "field": str(field.verbose_name).capitalize(),
            "value": display(field, getattr(previous, field.attname), names) if previous else "",
            "source": last_set[field.name].get_source_display(),
            "source_date": last_set[field.name].source_date,
            "by": last_set[field.name].history_user,
        }
        for field in fields
        if field.name in last_set
    ]


def access_log(young_person: YoungPerson) -> list[dict[str, Any]]:
    """Everyone who viewed or changed the record: access events and history rows, newest first."""
    events = AccessEvent.objects.filter(young_person=young_person).select_related("user")
    viewed = [
        {"when": e.occurred_at, "who": e.user, "role": e.role, "what": e.get_what_display()} for e in events
    ]
    changed = (
        YoungPerson.history.filter(id=young_person.pk, history_user__isnull=False)
        .select_related("history_user")
        .annotate(when=F("history_date"))
    )
    roles: dict[int, str] = {}
    edits = [
        {
            "when": row.when,
            "who": row.history_user,
            "role": roles.setdefault(row.history_user_id, services.role_label(row.history_user)),
            "what": f"{KIND[row.history_type]} the record",
        }
        for row in changed
    ]
    return sorted(viewed + edits, key=lambda item: item["when"], reverse=True)


def teams_with_members() -> QuerySet[Team]:
    """Every team with its active members (``active_members``), by name: two queries."""
    members = User.objects.filter(is_active=True).order_by("first_name", "last_name")
    return Team.objects.order_by("name").prefetch_related(
        Prefetch("members", members, to_attr="active_members")
    )


def staff_for_assignment() -> QuerySet[Any]:
    """Active staff who can hold a caseload (advisers and managers), for transfer and grant menus."""
    return (
        User.objects.filter(is_active=True, teams__isnull=False)
        .distinct()
        .order_by("first_name", "last_name")
    )


# --- The changes feed -------------------------------------------------------------------------------

FEED_START = (-1, 0)  # a position before every tombstone: (transaction, id)


def tombstones_after(
    user: Viewer, position: tuple[int, int], *, resources: frozenset[str], limit: int
) -> list[Tombstone]:
    """Up to ``limit`` tombstones of ``resources`` after ``position`` that ``user`` reaches by the
    record's team and adviser before the event (or a co-worker's grant on the record), in the order
    their transactions may be read: on PostgreSQL only those of transactions older than every one still
    running (and the reader's own), so one committing later never lands behind a cursor."""
    xact, pk = position
    rows = Tombstone.objects.filter(Q(xact__gt=xact) | Q(xact=xact, pk__gt=pk), resource__in=resources)
    if connection.vendor == "postgresql":
        finished = RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
        own = RawSQL("pg_current_xact_id_if_assigned()::text::bigint", [])
        rows = rows.filter(Q(xact__lt=finished) | Q(xact=own))
    rows = access.scope(user, rows, through="", person="young_person_id")
    return list(rows.order_by("xact", "pk")[:limit])
