"""Scoped reads for tracking. Every one starts from cases/access.py."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import access
from cases.extensions import Column, Fact, Flag
from cases.models import Source, Team, YoungPerson, YoungPersonPermission
from core.roles import Role
from core.types import Viewer
from tracking import facts, rules
from tracking.models import (
    Activity,
    ActivityCode,
    Characteristic,
    CurrentStatus,
    IntendedDestination,
    Merge,
    NeedWeight,
    Offer,
    Status,
    TrackingPermission,
)

User = get_user_model()


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str
    what: str
    detail: str


def destinations_page(young_person: YoungPerson, on: date | None = None) -> dict[str, Any]:
    """The Destinations tab: a timeline of activities, offers and intended destinations, the
    characteristics, and today's evaluation by the rules (with the RONI factors behind the score)."""
    on = on or timezone.localdate()
    activities = list(Activity.objects.filter(young_person=young_person).select_related("code", "provider"))
    offers = list(Offer.objects.filter(young_person=young_person).select_related("offer_type", "provider"))
    intended = list(
        IntendedDestination.objects.filter(young_person=young_person).select_related("code", "provider")
    )
    timeline = (
        [
            TimelineEntry(
                a.start_date,
                "Activity",
                f"{a.code.code} {a.code.label}",
                _join(a.provider, a.end_date and f"until {a.end_date:%-d %b %Y}"),
            )
            for a in activities
        ]
        + [
            TimelineEntry(
                o.offered_on,
                f"Year {o.guarantee_year} offer",
                o.offer_type.label,
                _join(o.provider, o.get_state_display()),
            )
            for o in offers
        ]
        + [
            TimelineEntry(
                d.recorded_on, "Intended destination", f"{d.code.code} {d.code.label}", _join(d.provider)
            )
            for d in intended
        ]
    )
    person = next(facts.person_facts(YoungPerson.objects.filter(pk=young_person.pk)))
    evaluation = rules.evaluate(person, on, **facts.rule_tables())
    return {
        "timeline": sorted(timeline, key=lambda entry: entry.on, reverse=True),
        "activities": activities,
        "to_verify": [a for a in activities if a.source == Source.YOUNG_PERSON and a.date_verified is None],
        "characteristics": list(
            Characteristic.objects.filter(young_person=young_person).select_related("code")
        ),
        "evaluation": evaluation,
        "activity_label": ActivityCode.objects.filter(code=evaluation.activity_code)
        .values_list("label", flat=True)
        .first(),
        "nc_year": rules.nc_year(young_person.date_of_birth, on),
        "neet_since": rules.neet_since(person, on),
        "guarantee_label": rules.Guarantee.LABELS.get(evaluation.guarantee, ""),
        "roni_band_label": rules.RONI_BAND_LABELS.get(evaluation.roni.band, "") if evaluation.roni else "",
        "on": on,
    }


def _join(*parts: object) -> str:
    return ", ".join(str(part) for part in parts if part)


# --- Key facts on the record page ------------------------------------------------------------------

STATUS_TAGS = {
    Status.EET: ("EET", "green"),
    Status.NEET: ("NEET", "red"),
    Status.NOT_KNOWN: ("Not known", "yellow"),
    Status.EXCLUDED: ("Custody", "grey"),
}
NOT_WORKED_OUT = ("Not worked out", "grey")
RONI_FLAG_COLOURS = {"substantial": "red", "additional": "orange"}


def status_cell(status: str | None) -> Fact:
    """The people tables' Status column: the stored evaluation's tag."""
    tag, colour = STATUS_TAGS.get(Status(status), NOT_WORKED_OUT) if status else NOT_WORKED_OUT
    return Fact("Status", "", tag, colour)


STATUS_COLUMN = Column("status", "Status", F("current_status__status"), status_cell)


def key_facts(young_person: YoungPerson, today: date) -> list[Fact | Flag]:
    """Age and school year, today's status as the dashboards count it (the stored evaluation, with
    what they are doing, since when if NEET, and when the information lapses), and a risk-of-NEET
    flag. Two queries; a NEET spell's start reads the person's activities too."""
    dob = young_person.date_of_birth
    age = f"{rules.age_on(dob, today)}"
    if 1 <= (year := rules.nc_year(dob, today)) <= 14:
        age += f" (school year {year})"
    items: list[Fact | Flag] = [Fact("Age", age)]
    current = (
        CurrentStatus.objects.filter(young_person=young_person)
        .annotate(
            activity_label=Subquery(
                ActivityCode.objects.filter(code=OuterRef("activity_code")).values("label")[:1]
            )
        )
        .first()
    )
    if current is None:
        return [Fact("Status", "Not worked out yet: it will be tonight"), *items]
    tag, colour = STATUS_TAGS[Status(current.status)]
    detail = [current.activity_label or ""]
    if current.status == Status.NEET:
        person = next(facts.person_facts(YoungPerson.objects.filter(pk=young_person.pk), attendance=False))
        if since := rules.neet_since(person, today):
            detail.append(f"since {since:%-d %b %Y}")
    if current.currency_lapses_on:
        detail.append(f"information lapses on {current.currency_lapses_on:%-d %b %Y}")
    items.insert(0, Fact("Status", _join(*detail), tag, colour))
    if colour := RONI_FLAG_COLOURS.get(current.roni_band, ""):
        items.append(Flag(f"Risk of NEET: {rules.RONI_BAND_LABELS[current.roni_band].lower()}", colour))
    return items


# --- Caseload weighting ------------------------------------------------------------------------------

DEFAULT_CAPS = (80, 100)  # soft, hard, in weighted points, for advisers without their own


def managed_teams(user: Viewer) -> QuerySet[Team]:
    """The teams whose caseloads a user manages: all of them with service-wide reach, else their own."""
    if access.has_global(user, YoungPersonPermission.VIEW):
        return Team.objects.all()
    if not isinstance(user, User):
        return Team.objects.none()
    return Team.objects.filter(group__user=user)


def adviser_loads(teams: QuerySet[Team]) -> list[dict[str, Any]]:
    """Each adviser in these teams: caseload size, weight (points by level of support) and caps. One query."""
    points = dict(NeedWeight.objects.values_list("support_level", "points"))
    weight = Sum(
        Case(
            *(When(caseload__support_level=level, then=Value(p)) for level, p in points.items()),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    advisers = (
        User.objects.filter(
            pk__in=Team.members.through.objects.filter(team__in=teams).values("user_id"),
            is_active=True,
            groups__name=Role.PERSONAL_ADVISER,
        )
        .annotate(
            size=Count("caseload", distinct=True),
            weight=Coalesce(weight, 0),
            soft_cap=Coalesce("capacity__soft_cap", Value(DEFAULT_CAPS[0])),
            hard_cap=Coalesce("capacity__hard_cap", Value(DEFAULT_CAPS[1])),
        )
        .order_by("first_name", "last_name")
    )
    return [
        {
            "adviser": a,
            "size": a.size,
            "weight": a.weight,
            "soft_cap": a.soft_cap,
            "hard_cap": a.hard_cap,
            "state": "over_hard" if a.weight > a.hard_cap else "over_soft" if a.weight > a.soft_cap else "ok",
        }
        for a in advisers
    ]


def advisers_by_team(teams: QuerySet[Team]) -> dict[int, list[Any]]:
    """Active advisers of each team, for allocation menus (one query)."""
    memberships = (
        Team.members.through.objects.filter(
            team__in=teams, user__is_active=True, user__groups__name=Role.PERSONAL_ADVISER
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    grouped: dict[int, list[Any]] = {}
    for membership in memberships:
        grouped.setdefault(membership.team_id, []).append(membership.user)
    return grouped


def unassigned(user: Viewer, teams: QuerySet[Team]) -> QuerySet[YoungPerson]:
    return (
        access.young_people_for(user, YoungPersonPermission.CHANGE)
        .filter(team__in=teams, lead_adviser__isnull=True)
        .select_related("team")
        .order_by("legal_family_name", "legal_given_name", "pk")
    )


# --- Merges on the record page -------------------------------------------------------------------------


def merges_panel(young_person: YoungPerson, user: Viewer) -> dict[str, Any] | None:
    """The record page's Merges tab: merges this record took part in, with undo, and the way to merge
    a duplicate in (for users who may merge). One query."""
    merges = list(
        Merge.objects.filter(Q(kept=young_person) | Q(merged=young_person)).select_related("merged_by")
    )
    may_merge = user.has_perm(TrackingPermission.MERGE_RECORDS)
    if not merges and not may_merge:
        return None
    return {
        "id": "merges",
        "title": f"Merges ({len(merges)})",
        "template": "tracking/_merges_panel.html",
        "context": {"merges": merges, "may_merge": may_merge},
    }


def merge_notices(young_person: YoungPerson) -> list[str]:
    merge = Merge.objects.filter(merged=young_person, undone_at__isnull=True).first()
    if merge is None:
        return []
    return [
        f"This record was merged into record {merge.kept_id} on {merge.merged_at:%-d %B %Y}: use that record."
    ]
