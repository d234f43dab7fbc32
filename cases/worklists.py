"""Work lists on "My caseload": named filters. cases has its own (overdue actions, not contacted
within the level of support's interval); other apps contribute theirs (tracking adds NEET, not known,
lapsing currency, no guarantee offer, high RONI, reviews due). cases owns the page and the access
path; the apps that know the rules register the conditions, so dependencies still point one way.
A work list marked ``task`` is also a section of the task list."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from cases.models import ContactInterval


@dataclass(frozen=True)
class WorkList:
    key: str
    label: str
    condition: Callable[[date], Q]  # over YoungPerson, for a reference date
    task: bool = False  # also a section of the task list (cases:todo)


_registry: dict[str, WorkList] = {}


def register(*work_lists: WorkList) -> None:
    for work_list in work_lists:
        _registry[work_list.key] = work_list


def all_work_lists() -> list[WorkList]:
    return list(_registry.values())


def get(key: str) -> WorkList | None:
    return _registry.get(key)


# --- cases' own: what the task list holds about people ---------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_actions(today: date) -> Q:
    """Someone with an open action due before today (their earliest, from CaseloadFacts)."""
    return Q(caseload_facts__next_action_due__lt=today)


def not_contacted(today: date) -> Q:
    """Someone on file for longer than their level of support's interval with no contact in it: a
    contact on the interval's first day counts. Reads the intervals (one small query) and each
    person's latest contact from CaseloadFacts."""
    condition = Q(pk__in=[])
    for level, days in ContactInterval.objects.values_list("support_level", "days"):
        since = _day_start(today - timedelta(days=days))
        last = "caseload_facts__last_contact_at"
        silent = Q(**{f"{last}__isnull": True}) | Q(**{f"{last}__lt": since})
        condition |= Q(support_level=level, created_at__lt=since) & silent
    return condition


BUILT_IN = (
    WorkList("overdue_actions", "Overdue actions", overdue_actions),
    WorkList("not_contacted", "Not contacted within their interval", not_contacted, task=True),
)


def register_built_in() -> None:
    register(*BUILT_IN)
