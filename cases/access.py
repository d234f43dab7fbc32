"""The one access-control path. Every view, export, admin page and API viewset reaches young
people's data through these functions, and every URL declares its rule with a decorator here.

Reach comes from three places, decided explicitly (guardian's shortcuts widen by default):
- a model-level permission (``cases.view_youngperson`` for the DPO and service managers, or an
  active superuser) reaches every record;
- the record itself: its lead adviser, and the managers of its team (the team's group), may do what
  ``LEAD_ADVISER_PERMISSIONS`` and ``TEAM_PERMISSIONS`` say; these are the record's own columns, so a
  list is an indexed join the planner can combine with the list's ordering (ADR 0011);
- a co-worker's object grant (guardian's direct foreign key), until its ``expires_at``.

Records outside a user's reach answer 404, so ids leak nothing; a record within reach that the user
may not change answers 403 to a write.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce, wraps
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Q, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django_otp import user_has_device
from knox.auth import TokenAuthentication
from rest_framework.permissions import BasePermission

from cases import services
from cases.models import (
    AccessEvent,
    Team,
    YoungPerson,
    YoungPersonPermission,
    YoungPersonUserObjectPermission,
)
from core import access_rules
from core.types import Viewer

if TYPE_CHECKING:  # DRF imports this module from its settings: importing its views here would loop
    from rest_framework.request import Request
    from rest_framework.views import APIView

P = YoungPersonPermission
VIEW = P.VIEW
LEAD_ADVISER_PERMISSIONS = frozenset({P.VIEW, P.CHANGE, P.VIEW_SENSITIVE, P.SHARE})
TEAM_PERMISSIONS = frozenset({P.VIEW, P.CHANGE, P.VIEW_SENSITIVE, P.SHARE})  # the team's managers
M = TypeVar("M", bound=Model)


def has_global(user: Viewer, perm: YoungPersonPermission) -> bool:
    """Whether a model-level permission gives this user ``perm`` over every young person."""
    return user.is_authenticated and user.is_active and user.has_perm(perm.qualified)


def scope(
    user: Viewer,
    queryset: QuerySet[M],
    *,
    perm: YoungPersonPermission = VIEW,
    through: str = "young_person",
    person: str = "pk",
) -> QuerySet[M]:
    """Narrow ``queryset`` to rows whose young person ``user`` may reach for ``perm``.

    ``through`` is the path from the queryset's model to YoungPerson ("" for YoungPerson itself, or
    for rows carrying copies of the record's team and adviser, whose ``person`` names its id).
    The teams the user manages and the records they co-work are read first (one small query) and
    written into the filter as literals: ``lead_adviser_id = me OR team_id IN (...) OR id IN (...)``,
    which PostgreSQL answers from the (lead adviser, name) and (team, name) indexes, in the list's
    order, however many people the teams hold. A subquery there would hide from the planner how few
    teams there are; the union of grants it replaced read every grant in a team before the first row.
    """
    parts = reach_parts(user, perm, through=through, person=person)
    return queryset if parts is None else queryset.filter(reduce(or_, parts, Q(pk__in=[])))


def reach_parts(
    user: Viewer, perm: YoungPersonPermission = VIEW, *, through: str = "", person: str = "pk"
) -> list[Q] | None:
    """The user's reach as separate conditions whose union is the reach (the lead adviser's, the
    team managers', the co-worker's), each answerable by one index; None for service-wide reach. A
    query probing reach per team or per adviser (the caseload's filter menus) asks each part on its
    own: inside one OR the database read every person of each team it probed. ``person`` names the
    young person's id where the rows are not young people (``counts_in_reach``)."""
    if not (user.is_authenticated and user.is_active):
        return []
    if has_global(user, perm):
        return None
    teams, co_worked, led_elsewhere = _teams_and_grants(user, perm)
    prefix = f"{through}__" if through else ""
    if person == "pk" and teams:  # rows of the records as they are now (not copies made before)
        return _reach(user, perm, prefix, teams=teams, co_worked=[*co_worked, *led_elsewhere], led=False)
    return _reach(user, perm, prefix, teams=teams, co_worked=co_worked, person=person)


_read_once: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("reach_read_once", default=None)


@contextmanager
def reach_read_once() -> Iterator[None]:
    """Within the block (a request: cases.middleware.ReachOncePerRequest), a user's managed teams
    and co-worker grants are read once per permission (the caseload page read them five times), and
    what they may do with a record once (``perms_on``). A grant or a team's managers changed inside
    the block forget what was read (cases.signals)."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def reach_forget() -> None:
    if (read := _read_once.get()) is not None:
        read.clear()


def _teams_and_grants(user: Viewer, perm: YoungPersonPermission) -> tuple[list[int], list[int], list[int]]:
    """The teams the user manages and the young people they co-work, for ``perm`` (one query); and,
    if they manage a team, the records they lead outside the teams they manage (a second, by the
    lead adviser's index). A manager's own records are nearly always in their teams, so their reach
    is then the teams' and a few ids: the list walks the team's index alone, where ``team OR lead
    adviser`` walked the name index filtering (a second statement costs less than that did)."""
    read = _read_once.get()
    if read is not None and (user.pk, perm) in read:
        found: tuple[list[int], list[int], list[int]] = read[(user.pk, perm)]
        return found
    teams: list[int] = []
    co_worked: list[int] = []
    for kind, pk in _team_ids(user, perm).union(
        _co_worker_grants(user, perm).values_list(Value("g"), "content_object_id"), all=True
    ):
        (teams if kind == "t" else co_worked).append(pk)
    led_elsewhere = []
    if teams and perm in LEAD_ADVISER_PERMISSIONS:
        led = YoungPerson.objects.filter(lead_adviser_id=user.pk).exclude(team_id__in=teams)
        led_elsewhere = list(led.values_list("pk", flat=True))
    if read is not None:
        read[(user.pk, perm)] = (teams, co_worked, led_elsewhere)
    return teams, co_worked, led_elsewhere


def _reach(
    user: Viewer,
    perm: YoungPersonPermission,
    prefix: str,
    *,
    teams: list[int],
    co_worked: list[int],
    person: str = "pk",
    led: bool = True,
) -> list[Q]:
    """Its team's managers (``teams``), the record's lead adviser (unless ``led`` is False: the
    records the user leads outside their teams are among ``co_worked`` by id), its co-workers
    (``co_worked``: young people's ids): the widest part first."""
    parts = []
    if perm in TEAM_PERMISSIONS:
        parts.append(Q(**{f"{prefix}team_id__in": teams}))
    if perm in LEAD_ADVISER_PERMISSIONS and led:
        parts.append(Q(**{f"{prefix}lead_adviser_id": user.pk}))
    return [*parts, Q(**{f"{prefix}{person}__in": co_worked})]


def counts_in_reach(
    user: Viewer, queryset: QuerySet[Any], *, by: str | None = None, person: str = "pk", through: str = ""
) -> Counter[Any]:
    """How many rows of ``queryset`` (young people, or rows carrying a copy of the record's team and
    adviser: ``person`` as in ``reach_parts``; or rows reaching their record ``through`` a relation)
    lie in the user's reach, per value of ``by`` (or under None). Counted a part of the reach at a
    time, widest first, each without the rows of the parts before it: each count is one index range,
    read from the index alone where it covers the count, where a count over the reach's OR visited
    every row's page (0.2 s for a team of 33,333)."""
    parts = reach_parts(user, through=through, person=person)
    counts: Counter[Any] = Counter()
    counted = Q(pk__in=[])
    for part in [Q()] if parts is None else parts:
        rows = queryset.filter(part).exclude(counted).order_by()
        if by is None:
            counts[None] += rows.count()
        else:
            counts.update(dict(rows.values_list(by).annotate(count=Count("*")).values_list(by, "count")))
        counted |= part
    return counts


def reaches_whole(user: Viewer, teams: QuerySet[Team]) -> bool:
    """Whether ``user`` reaches every young person in ``teams`` for viewing: service-wide reach, or a
    manager of each team. Then a table that carries the record's own team (tracking's CurrentStatus)
    needs no per-row scope for those teams."""
    if not (user.is_authenticated and user.is_active):
        return False
    return has_global(user, VIEW) or not teams.exclude(group__user=user.pk).exists()


def _team_ids(user: Viewer, perm: YoungPersonPermission) -> QuerySet[Any]:
    """("t", id) for each team whose records the user manages for ``perm`` (a member of its group)."""
    teams = _managed(user) if perm in TEAM_PERMISSIONS else Team.objects.none()
    return teams.order_by().values_list(Value("t"), "pk")


def _managed(user: Viewer) -> QuerySet[Team]:
    """The teams whose records the user manages (a member of the team's group)."""
    memberships = User.groups.through.objects.filter(user=user.pk).values("group_id")
    return Team.objects.filter(group_id__in=memberships)


def _co_worker_grants(user: Viewer, perm: YoungPersonPermission) -> QuerySet[YoungPersonUserObjectPermission]:
    """The user's unexpired co-worker grants of ``perm``."""
    return YoungPersonUserObjectPermission.objects.filter(
        user=user.pk,
        expires_at__gt=timezone.now(),
        permission__codename=perm.value,
        permission__content_type_id=ContentType.objects.get_for_model(YoungPerson).pk,
    )


def young_people_for(user: Viewer, perm: YoungPersonPermission = VIEW) -> QuerySet[YoungPerson]:
    """The young people ``user`` may reach for ``perm``."""
    return scope(user, YoungPerson.objects.all(), perm=perm, through="")


def perms_on(user: Viewer, young_person: YoungPerson) -> set[YoungPersonPermission]:
    """Everything ``user`` may do with this one record: model-level permissions for every record, the
    lead adviser's and the team managers' by the record's columns, and the user's unexpired co-worker
    grants on it (one query for the team and the grants together). Within a request it is worked out
    once for the record as loaded (its team and lead adviser are part of what is remembered)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    read = _read_once.get()
    remembered = ("perms", user.pk, young_person.pk, young_person.team_id, young_person.lead_adviser_id)
    if read is not None and remembered in read:
        return set(read[remembered])
    granted = {perm for perm in YoungPersonPermission if has_global(user, perm)}
    if len(granted) < len(YoungPersonPermission):
        granted |= _record_perms(user, young_person)
    if read is not None:
        read[remembered] = frozenset(granted)
    return granted


def _record_perms(user: Viewer, young_person: YoungPerson) -> set[YoungPersonPermission]:
    granted: set[YoungPersonPermission] = set()
    if young_person.lead_adviser_id == user.pk:
        granted |= LEAD_ADVISER_PERMISSIONS
    grants = YoungPersonUserObjectPermission.objects.filter(
        user=user.pk, expires_at__gt=timezone.now(), content_object_id=young_person.pk
    ).values_list("permission__codename", flat=True)
    manages = (
        Team.objects.filter(pk=young_person.team_id, group__user=user.pk)
        .order_by()
        .values_list(Value("team"))
    )
    codenames = set(grants.union(manages, all=True))
    if "team" in codenames:
        granted |= TEAM_PERMISSIONS
    return granted | {perm for perm in YoungPersonPermission if perm.value in codenames}


def can(user: Viewer, young_person: YoungPerson, perm: YoungPersonPermission) -> bool:
    return perm in perms_on(user, young_person)


def young_person_or_404(
    user: Viewer,
    young_person_id: int,
    perm: YoungPersonPermission = VIEW,
    queryset: QuerySet[YoungPerson] | None = None,
) -> YoungPerson:
    """One young person within reach, or 404. A record within reach for viewing but not for
    ``perm`` answers 403 (the user knows it exists). ``queryset`` may add joins (a selector's). The
    record is read by its primary key and its reach decided by ``perms_on``, which the page then
    finds already worked out."""
    base = queryset if queryset is not None else YoungPerson.objects.all()
    young_person = base.filter(pk=young_person_id).first()
    if young_person is None or VIEW not in (perms := perms_on(user, young_person)):
        raise Http404("No such young person")
    if perm not in perms:
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
