"""Fail-closed routing: every URL pattern's view declares its access rule through cases/access.py,
and every admin page over young people's records is a ScopedAdmin. A new page cannot leak by
omission."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from cases.admin import ScopedAdmin
from cases.registry import owned_models


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # checked below: the admin scopes through ScopedAdmin
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def access_rule(view) -> str | None:
    """A function view's rule, or an API view class's (DRF's as_view() keeps the class as .cls)."""
    return getattr(view, "access_rule", None) or getattr(getattr(view, "cls", None), "access_rule", None)


def test_every_url_pattern_declares_an_access_rule():
    undeclared = [route for route, view in walk(get_resolver().url_patterns) if not access_rule(view)]
    assert undeclared == []


def test_the_walk_sees_every_page():
    routes = {route for route, _ in walk(get_resolver().url_patterns)}
    assert {"caseload/", "young-people/<id:young_person_id>/", "sign-in/", "api/v1/^contacts/$"} <= routes


def test_every_admin_over_personal_records_is_scoped():
    personal = {
        *(owned.model for owned in owned_models()),
        *[m for m in admin.site._registry if m.__name__ == "YoungPerson"],
    }
    unscoped = [
        model.__name__
        for model in personal
        if model in admin.site._registry and not isinstance(admin.site._registry[model], ScopedAdmin)
    ]
    unregistered = [model.__name__ for model in personal if model not in admin.site._registry]
    assert (unscoped, unregistered) == ([], [])
