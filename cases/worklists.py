"""Work lists on "My caseload": named filters that other apps contribute (tracking adds NEET, not
known, lapsing currency, no guarantee offer, high RONI). cases owns the page and the access path;
the apps that know the rules register the conditions, so dependencies still point one way."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q


@dataclass(frozen=True)
class WorkList:
    key: str
    label: str
    condition: Callable[[date], Q]  # over YoungPerson, for a reference date


_registry: dict[str, WorkList] = {}


def register(*work_lists: WorkList) -> None:
    for work_list in work_lists:
        _registry[work_list.key] = work_list


def all_work_lists() -> list[WorkList]:
    return list(_registry.values())


def get(key: str) -> WorkList | None:
    return _registry.get(key)
