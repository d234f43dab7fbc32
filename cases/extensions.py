"""Extension points for the apps built on cases, so cases imports none of them:
- record notices, shown as a banner on every page about a young person;
- record panels, extra tabs on the record page;
- key facts and flags, at the top of the record page;
- columns of the people tables (the caseload's status column).
docs/adr/0003-extension-points.md lists every provider registered here and every signal receiver;
tests/test_extension_points.py asserts that list."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

_notice_providers: list[Callable] = []


def register_notices(provider: Callable) -> None:
    """``provider(young_person)`` returns a list of short texts to show on the record's pages."""
    if provider not in _notice_providers:
        _notice_providers.append(provider)


def notices_for(young_person) -> list[str]:
    return [notice for provider in _notice_providers for notice in provider(young_person)]


_panel_providers: list[Callable] = []


def register_panel(provider: Callable) -> None:
    """``provider(young_person, user)`` returns a panel for the record page: a dict with ``id``,
    ``title``, ``template`` and ``context``, or None. One query per panel at most."""
    if provider not in _panel_providers:
        _panel_providers.append(provider)


def panels_for(young_person, user) -> list[dict]:
    return [panel for provider in _panel_providers if (panel := provider(young_person, user))]


@dataclass(frozen=True)
class Fact:
    """One line of the record page's key facts: ``tag`` (a GOV.UK tag in ``colour``) before ``text``."""

    label: str
    text: str
    tag: str = ""
    colour: str = "grey"


@dataclass(frozen=True)
class Flag:
    """A tag among the record's flags (restricted, looked after, EHC plan, risk of NEET)."""

    text: str
    colour: str = "grey"


_fact_providers: list[Callable] = []


def register_facts(provider: Callable) -> None:
    """``provider(young_person, today)`` returns the Facts and Flags it knows, shown first on the
    record page, before cases' own. A few queries at most, whatever the record's size."""
    if provider not in _fact_providers:
        _fact_providers.append(provider)


def facts_for(young_person, today: date) -> list[Fact | Flag]:
    return [item for provider in _fact_providers for item in provider(young_person, today)]


@dataclass(frozen=True)
class Column:
    """A column of the people tables (caseload, task list, drill-downs), which can be sorted on:
    ``expression`` (over YoungPerson) annotates each person as ``key``; ``cell(value)`` is the Fact
    shown for it."""

    key: str
    label: str
    expression: Any
    cell: Callable[[Any], Fact]


_columns: dict[str, Column] = {}


def register_column(column: Column) -> None:
    _columns[column.key] = column


def columns() -> list[Column]:
    return list(_columns.values())
