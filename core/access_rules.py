"""The access rules a view declares that need no young person: public pages, the two-factor pages,
any signed-in user, and service-wide capabilities. ``cases.access`` names them beside the rule for one
young person's pages, so views read every rule from there; the URL walker test checks that every
view carries one (``access_rule``)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

View = Callable[..., HttpResponseBase]
Decorator = Callable[[View], View]


def declare(view: View, rule: str, **marks: bool) -> View:
    """Mark a view with its rule, for the tests that walk every URL (and any extra marks)."""
    for name, value in {"access_rule": rule, **marks}.items():
        setattr(view, name, value)
    return view


def public(view: View) -> View:
    """Reachable without signing in (the sign-in page, health check). Shows no personal data."""
    return declare(view, "public")


def before_two_factor(view: View) -> View:
    """Signed in with a password, before (or without) the two-factor check: the code pages only.
    Every other page needs a verified session (core.middleware)."""
    return declare(login_required(view), "signed in, two-factor pages", before_two_factor=True)


def signed_in(view: View) -> View:
    """Any signed-in user; the view lists only what ``scope``/``young_people_for`` return."""
    return declare(login_required(view), "signed in, lists scoped by access.scope")


def model_permission(perm: str) -> Decorator:
    """A service-wide capability given by a role (e.g. ``cases.view_accessevent`` for the DPO)."""

    def decorator(view: View) -> View:
        wrapped = login_required(permission_required(perm, raise_exception=True)(view))
        return declare(wrapped, f"model permission {perm}")

    return decorator


def any_model_permission(*perms: str) -> Decorator:
    """Any one of several service-wide capabilities (e.g. a team or a service dashboard)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return declare(login_required(wrapped), f"any model permission of {', '.join(perms)}")

    return decorator
