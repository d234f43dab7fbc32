"""Extension points for the apps built on cases, so cases imports none of them:
- record notices, shown as a banner on every page about a young person;
- record panels, extra tabs on the record page.
docs/adr/0003-extension-points.md lists every provider registered here and every signal receiver;
tests/test_extension_points.py asserts that list."""

from collections.abc import Callable

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
