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
    rules = {rule.covers: rule for rule in RetentionRule.objects.all()}
    whole, esf = rules.get(RetentionRule.Covers.WHOLE_RECORD), rules.get(RetentionRule.Covers.ESF)
    if whole is None:
        return []
    people = people if people is not None else YoungPerson.objects.all()
    rows = list(people.values_list("pk", "date_of_birth", "team_id"))
    ids = [pk for pk, _, _ in rows]
    project_ends = defaultdict(list)
    for person_id, ends in EsfParticipation.objects.filter(young_person_id__in=ids).values_list(
        "young_person_id", "project_ends_on"
    ):
        project_ends[person_id].append(ends)
    held_people, held_teams = _holds(on or timezone.localdate())

    due = []
    for pk, born, team_id in rows:
        candidates = [(born + relativedelta(months=whole.period_months), whole)]
        if esf is not None:
            candidates += [(end + relativedelta(months=esf.period_months), esf) for end in project_ends[pk]]
        destroy_on, rule = max(candidates, key=lambda candidate: candidate[0])
        due.append(Due(pk, destroy_on, rule, pk in held_people or team_id in held_teams))
    return due


def _holds(on: date) -> tuple[set[int], set[int]]:
    active = LegalHold.objects.filter(
        Q(until__isnull=True) | Q(until__gte=on), placed_on__lte=on, lifted_on__isnull=True
    )
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
    """The record page's Retention tab: when the record will be destroyed, by which rule, and holds."""
    due = next(iter(destruction_dates(YoungPerson.objects.filter(pk=young_person.pk))), None)
    return {
        "id": "retention",
        "title": "Retention",
        "template": "retention/_panel.html",
        "context": {"due": due, "holds": list(young_person.legal_holds.filter(lifted_on__isnull=True))},
    }
