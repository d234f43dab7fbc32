"""Reads for retention: each person's destruction date (the latest any rule gives) and whether a
legal hold applies, who is due, and the record page's Retention tab."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import YoungPerson
from core.types import Viewer
from retention.models import EsfParticipation, LegalHold, RetentionRule


@dataclass(frozen=True)
class Due:
    young_person_id: int
    destroy_on: date
    rule: RetentionRule
    held: bool


def destruction_dates(people: QuerySet[YoungPerson] | None = None, on: date | None = None) -> list[Due]:
    """Each person's destruction date: the latest any applicable rule gives (the 25th birthday for
    the whole record; ten years after an ESF project ends), and whether a legal hold applies."""
    rules = _rules()
    if rules is None:
        return []
    people = people if people is not None else YoungPerson.objects.all()
    rows = list(people.values_list("pk", "date_of_birth", "team_id"))
    project_ends = defaultdict(list)
    for person_id, ends in EsfParticipation.objects.filter(
        young_person_id__in=[pk for pk, _, _ in rows]
    ).values_list("young_person_id", "project_ends_on"):
        project_ends[person_id].append(ends)
    held_people, held_teams = _holds(on or timezone.localdate())
    return [
        _due(pk, born, project_ends[pk], rules, held=pk in held_people or team_id in held_teams)
        for pk, born, team_id in rows
    ]


def _rules() -> tuple[RetentionRule, RetentionRule | None] | None:
    """The whole-record rule and the ESF rule (None where the council has none)."""
    rules = {rule.covers: rule for rule in RetentionRule.objects.all()}
    whole = rules.get(RetentionRule.Covers.WHOLE_RECORD)
    return None if whole is None else (whole, rules.get(RetentionRule.Covers.ESF))


def _due(
    pk: int,
    born: date,
    project_ends: list[date],
    rules: tuple[RetentionRule, RetentionRule | None],
    *,
    held: bool,
) -> Due:
    whole, esf = rules
    candidates = [(born + relativedelta(months=whole.period_months), whole)]
    if esf is not None:
        candidates += [(end + relativedelta(months=esf.period_months), esf) for end in project_ends]
    destroy_on, rule = max(candidates, key=lambda candidate: candidate[0])
    return Due(pk, destroy_on, rule, held)


def _in_force(on: date) -> Q:
    return Q(Q(until__isnull=True) | Q(until__gte=on), placed_on__lte=on, lifted_on__isnull=True)


def _holds(on: date) -> tuple[set[int], set[int]]:
    active = LegalHold.objects.filter(_in_force(on))
    return (
        set(active.exclude(young_person=None).values_list("young_person_id", flat=True)),
        set(active.exclude(team=None).values_list("team_id", flat=True)),
    )


def due_for_destruction(on: date, within_days: int = 0) -> list[Due]:
    """People whose date has come (by ``on`` + ``within_days``), held or not."""
    whole = RetentionRule.objects.filter(covers=RetentionRule.Covers.WHOLE_RECORD).first()
    if whole is None:
        return []
    horizon = on + timedelta(days=within_days)
    candidates = YoungPerson.objects.filter(
        date_of_birth__lte=horizon - relativedelta(months=whole.period_months)
    )
    return [d for d in destruction_dates(candidates, on) if d.destroy_on < horizon]


def retention_panel(young_person: YoungPerson, user: Viewer) -> dict[str, Any]:
    """The record page's Retention tab: the last day the record is kept, by which rule, and the holds
    in force on it or its whole team. Three queries: the rules, the person's ESF projects, the holds."""
    rules = _rules()
    holds = list(
        LegalHold.objects.filter(
            Q(young_person=young_person) | Q(team=young_person.team_id), _in_force(timezone.localdate())
        ).order_by("placed_on", "pk")
    )
    due = None
    if rules is not None:
        ends = list(young_person.esf_participations.values_list("project_ends_on", flat=True))
        due = _due(young_person.pk, young_person.date_of_birth, ends, rules, held=bool(holds))
    return {
        "id": "retention",
        "title": "Retention",
        "template": "retention/_panel.html",
        "context": {"due": due, "holds": holds},
    }
