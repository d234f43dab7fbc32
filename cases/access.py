"""The one access-control path. Every view, export, admin page and API viewset reaches young
people's data through these functions, and every URL declares its rule with a decorator here.

Reach comes from two places, decided explicitly (guardian's shortcuts widen by default):
- a model-level permission (``cases.view_youngperson`` for the DPO and service managers, or an
  active superuser) reaches every record;
- otherwise an object grant: to the user directly (lead adviser, or a co-worker until the grant's
  ``expires_at``) or to a group the user belongs to (the team's group, for its managers).

Records outside a user's reach answer 404, so ids leak nothing; a record within reach that the user
may not change answers 403 to a write.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Exists, F, Func, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django_otp import user_has_device
from knox.auth import TokenAuthentication
from rest_framework.permissions import BasePermission

from cases import services
from cases.models import (
    AccessEvent,
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonPermission,
    YoungPersonUserObjectPermission,
)
from core import access_rules
from core.types import Viewer

if TYPE_CHECKING:  # DRF imports this module from its settings: importing its views here would loop
    from rest_framework.request import Request
    from rest_framework.views import APIView

VIEW = YoungPersonPermission.VIEW
M = TypeVar("M", bound=Model)


def has_global(user: Viewer, perm: YoungPersonPermission) -> bool:
    """Whether a model-level permission gives this user ``perm`` over every young person."""
    return user.is_authenticated and user.is_active and user.has_perm(perm.qualified)


def scope(
    user: Viewer, queryset: QuerySet[M], *, perm: YoungPersonPermission = VIEW, through: str = "young_person"
) -> QuerySet[M]:
    """Narrow ``queryset`` to rows whose young person ``user`` may reach for ``perm``.

    ``through`` is the path from the queryset's model to YoungPerson ("" for YoungPerson itself).
    The test reads guardian's direct foreign-key tables by their indexes, so it scales with the
    caseload, not with the whole service.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if has_global(user, perm):
        return queryset
    user_grants, team_grants = _grants(user, perm)
    # One IN over the union of the user's own and their teams' grants: the database reads the grant
    # tables by their (user|group, permission, object) indexes and fetches only those people, where
    # EXISTS(...) OR EXISTS(...) made it test every person (measured: 276 ms -> 4 ms on 150,000).
    return queryset.filter(
        _InGrants(
            F(f"{through}_id" if through else "pk"),
            Subquery(user_grants.values("content_object_id").union(team_grants.values("content_object_id"))),
        )
    )


def _grants(user: Viewer, perm: YoungPersonPermission) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The user's own unexpired grants of ``perm`` and their teams' grants of it."""
    permission = Subquery(
        Permission.objects.filter(
            content_type__app_label="cases", content_type__model="youngperson", codename=perm.value
        ).values("pk")[:1]
    )
    user_grants = YoungPersonUserObjectPermission.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), user=user.pk, permission=permission
    )
    team_grants = YoungPersonGroupObjectPermission.objects.filter(group__user=user.pk, permission=permission)
    return user_grants, team_grants


def _one(
    user: Viewer, queryset: QuerySet[YoungPerson], pk: int, perm: YoungPersonPermission
) -> QuerySet[YoungPerson]:
    """``queryset`` narrowed to the young person ``pk`` if ``user`` reaches them for ``perm``: the grants
    of that one record, probed by its id (the whole reach's union is never built for one record: a team
    manager's is every grant in the team)."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    one = queryset.filter(pk=pk)
    if has_global(user, perm):
        return one
    user_grants, team_grants = _grants(user, perm)
    return one.filter(
        Exists(user_grants.filter(content_object_id=OuterRef("pk")))
        | Exists(team_grants.filter(content_object_id=OuterRef("pk")))
    )


class _InGrants(Func):
    """``column IN (grants)``; on PostgreSQL ``column = ANY(ARRAY(grants))``, which reads the grants
    first and then only those rows by their index. With table statistics the planner reckoned the
    grants' union too large for that and scanned every young person instead (117 ms against 2 ms for
    an adviser among 150,000)."""

    output_field = BooleanField()

    def as_sql(  # type: ignore[override]  # Func's signature names more options than this needs
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, template: str = "%s IN %s"
    ) -> tuple[str, tuple[Any, ...]]:
        column, grants = (compiler.compile(expression) for expression in self.source_expressions)
        return template % (column[0], grants[0]), (*column[1], *grants[1])

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")


def young_people_for(user: Viewer, perm: YoungPersonPermission = VIEW) -> QuerySet[YoungPerson]:
    """The young people ``user`` may reach for ``perm``."""
    return scope(user, YoungPerson.objects.all(), perm=perm, through="")


def perms_on(user: Viewer, young_person: YoungPerson) -> set[YoungPersonPermission]:
    """Everything ``user`` may do with this one record, in one query: model-level permissions for
    every record, then the record's own grants to the user (unexpired) and to their teams."""
    if not (user.is_authenticated and user.is_active):
        return set()
    granted = {perm for perm in YoungPersonPermission if has_global(user, perm)}
    if len(granted) == len(YoungPersonPermission):
        return granted
    own = YoungPersonUserObjectPermission.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        user=user.pk,
        content_object_id=young_person.pk,
    ).values_list("permission__codename", flat=True)
    teams = YoungPersonGroupObjectPermission.objects.filter(
        group__user=user.pk, content_object_id=young_person.pk
    ).values_list("permission__codename", flat=True)
    codenames = set(own.union(teams))
    return granted | {perm for perm in YoungPersonPermission if perm.value in codenames}


def can(user: Viewer, young_person: YoungPerson, perm: YoungPersonPermission) -> bool:
    return has_global(user, perm) or _one(user, YoungPerson.objects.all(), young_person.pk, perm).exists()


def young_person_or_404(
    user: Viewer,
    young_person_id: int,
    perm: YoungPersonPermission = VIEW,
    queryset: QuerySet[YoungPerson] | None = None,
) -> YoungPerson:
    """One young person within reach, or 404. A record within reach for viewing but not for
    ``perm`` answers 403 (the user knows it exists). ``queryset`` may add joins (a selector's)."""
    base = queryset if queryset is not None else YoungPerson.objects.all()
    young_person = _one(user, base, young_person_id, VIEW).first()
    if young_person is None:
        raise Http404("No such young person")
    if perm is not VIEW and not can(user, young_person, perm):
        raise PermissionDenied
    return young_person


# --- Declared access rules: every URL pattern's view carries one (tests/test_urls_declare_access) ---
# The rules that need no young person come from core (whose sign-in pages use them too); they are
# named here so that every view finds every rule in this one module.

public = access_rules.public
before_two_factor = access_rules.before_two_factor
signed_in = access_rules.signed_in
model_permission = access_rules.model_permission
any_model_permission = access_rules.any_model_permission


def young_person_view(
    perm: YoungPersonPermission = VIEW,
    *,
    capability: str | None = None,
    record: AccessEvent.What | None = None,
    selector: Callable[[], QuerySet[YoungPerson]] | None = None,
) -> access_rules.Decorator:
    """For views of one young person (URL kwarg ``young_person_id``): loads the record through
    ``young_person_or_404`` for ``perm``, requires the model-level ``capability`` (a qualified
    permission) if given (403), writes an AccessEvent when ``record`` is given, and calls
    ``view(request, young_person, ...)``.
    ``selector`` returns the base queryset, so a page can load its joins in the same query."""

    def decorator(view: access_rules.View) -> access_rules.View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, young_person_id: int, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            young_person = young_person_or_404(
                request.user, young_person_id, perm, queryset=selector() if selector else None
            )
            if capability is not None and not request.user.has_perm(capability):
                raise PermissionDenied
            if record is not None:
                if not isinstance(request.user, User):  # login_required lets only a signed-in user in
                    raise PermissionDenied
                services.access_event_record(user=request.user, young_person=young_person, what=record)
            return view(request, young_person, *args, **kwargs)

        return access_rules.declare(login_required(wrapped), f"young person, {perm.value}")

    return decorator


# --- The API's check (DRF imports it from settings, so this module must not import DRF's views) ---


class VerifiedUser(BasePermission):
    """An active account that passed two-factor authentication. Token authentication happens after
    the middleware that checks sessions, so the API checks here: a browser session must be verified;
    a token (minted only for an account with an authenticator app, see ``api_token_create``) is
    refused once the account's app is removed, as a session would be."""

    message = "Sign in with two-factor authentication to use the API"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return bool(user_has_device(user, confirmed=True))
        return bool(getattr(user, "is_verified", lambda: False)())  # set by django-otp's middleware
