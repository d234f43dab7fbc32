"""The access rules a view declares that need no young person: public pages, the two-factor pages,
any signed-in user, and service-wide capabilities. ``cases.access`` names them beside the rule for one
young person's pages, so views read every rule from there; the URL walker test checks that every
view carries one (``access_rule``)."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied


def public(view):
    """Reachable without signing in (the sign-in page, health check). Shows no personal data."""
    view.access_rule = "public"
    return view


def before_two_factor(view):
    """Signed in with a password, before (or without) the two-factor check: the code pages only.
    Every other page needs a verified session (core.middleware)."""
    wrapped = login_required(view)
    wrapped.access_rule = "signed in, two-factor pages"
    wrapped.before_two_factor = True
    return wrapped


def signed_in(view):
    """Any signed-in user; the view lists only what ``scope``/``young_people_for`` return."""
    wrapped = login_required(view)
    wrapped.access_rule = "signed in, lists scoped by access.scope"
    return wrapped


def model_permission(perm: str):
    """A service-wide capability given by a role (e.g. ``cases.view_accessevent`` for the DPO)."""

    def decorator(view):
        wrapped = login_required(permission_required(perm, raise_exception=True)(view))
        wrapped.access_rule = f"model permission {perm}"
        return wrapped

    return decorator


def any_model_permission(*perms: str):
    """Any one of several service-wide capabilities (e.g. a team or a service dashboard)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = f"any model permission of {', '.join(perms)}"
        return wrapped

    return decorator
