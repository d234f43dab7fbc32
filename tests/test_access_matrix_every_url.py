"""The access matrix over every URL the project serves: each page and API route (found by walking the
URL configuration, so a new one is included without editing this file) and each admin page, for every
role plus an anonymous visitor and another team's adviser, aimed at a record inside and a record
outside their reach.

The rules checked for every request:
- nothing answers with a server error;
- anonymous visitors reach only the public pages (the rest send them to sign in, or 401 on the API);
- a URL about one young person's record (a page, an API row, an admin object) answers 404 to anyone
  whose reach does not include that young person (admin: never 200), for GET and POST alike;
- no successful response, of any URL, contains the name of a young person outside the user's reach.
The number of URL x role x record cases run is printed at the end of the test session."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import services as case_services
from cases.api import ScopedViewSet
from sharing import services as sharing_services
from sharing.models import AccessBundle, Consent, DisclosedPerson, SubjectRequest
from tests.factories import ContactFactory, OrganisationFactory, sign_in_verified
from tracking import services as tracking_services
from tracking.models import ActivityCode, CharacteristicCode

pytestmark = pytest.mark.django_db

CASES = ("case", "colleague_case", "other_case")
MARKERS = {"case": "Quorvantis", "colleague_case": "Bellwetherby", "other_case": "Xylandrova"}
REACH = {
    "anonymous": set(),
    "adviser": {"case"},
    "colleague": {"colleague_case"},
    "team_manager": {"case", "colleague_case"},
    "other_adviser": {"other_case"},  # another team's adviser
    "co_worker": {"other_case"},  # a time-limited grant on the other team's case
    "service_manager": set(CASES),
    "dpo": set(CASES),
    "sysadmin": set(),
    "nobody": set(),
}
TARGETS = ("case", "other_case")  # inside the adviser's reach, and outside it
MISSING = 987654  # for ids of things no record owns (import batches, merges): everyone gets 404 or 403
PUBLIC = {"login", "logout", "healthz", "exchange:self-update", "set-password", "password-set"}


@dataclass
class Route:
    name: str
    kwargs: tuple[str, ...]
    view: object


def _keys(pattern) -> tuple[str, ...]:
    return tuple(getattr(pattern, "converters", {}) or pattern.regex.groupindex)


def routes(patterns=None, namespace="", keys=()):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin is walked through its registry below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner, keys + _keys(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Route(f"{namespace}{pattern.name}", keys + _keys(pattern.pattern), pattern.callback)


@pytest.fixture
def records(world):
    """Each target case with a row of every kind the URLs take an id of, and its marker name."""
    world.co_worker_of = {"case": world.colleague, "other_case": world.co_worker}
    college = OrganisationFactory(name="Riverside College", kind="college")
    rows = {}
    for name in CASES:
        person = getattr(world, name)
        type(person).objects.filter(pk=person.pk).update(legal_family_name=MARKERS[name])
    for name in TARGETS:
        person, adviser = getattr(world, name), getattr(world, name).lead_adviser
        today = timezone.localdate()
        request = sharing_services.subject_request_save(
            request=SubjectRequest(
                young_person=person,
                kind="access",
                requester_name="Requester",
                relationship="self",
                received_on=today,
            ),
            actor=world.dpo,
        )
        disclosure, _ = sharing_services.share(
            actor=world.dpo,
            young_people=[person],
            categories=["identity"],
            purpose="Enrolment",
            recipient=college,
            override=sharing_services.Override("legal_duty", "sch1-para6", "Court order reference 123"),
        )
        rows[name] = {
            "contact": ContactFactory(young_person=person, staff_member=adviser),
            "action": case_services.action_add(
                young_person=person, actor=adviser, description="Open day", owner="young_person", due_on=today
            ),
            "activity": tracking_services.activity_record(
                young_person=person,
                actor=adviser,
                code=ActivityCode.objects.get(code="310"),
                start_date=today - timedelta(days=20),
                date_ascertained=today,
            ),
            "intended-destination": tracking_services.intended_destination_record(
                young_person=person,
                actor=adviser,
                code=ActivityCode.objects.get(code="230"),
                recorded_on=today,
            ),
            "characteristic": tracking_services.characteristic_record(
                young_person=person,
                actor=adviser,
                code=CharacteristicCode.objects.filter(valid_to__isnull=True).first(),
                start_date=today,
            ),
            "consent": Consent.objects.create(
                young_person=person,
                category="contact",
                purpose="Texts",
                given_by="young_person",
                given_on=today,
            ),
            "subject-request": request,
            "bundle": AccessBundle.objects.create(request=request),
            "disclosure": DisclosedPerson.objects.get(disclosure=disclosure, young_person=person),
        }
    return rows


def url_for(route: Route, world, rows: dict, target: str) -> tuple[str, bool]:
    """The route's URL aimed at ``target``'s records, and whether it is about that one record."""
    person, own = getattr(world, target), rows[target]
    values = {
        "young_person_id": person.pk,
        "action_id": own["action"].pk,
        "activity_id": own["activity"].pk,
        "consent_id": own["consent"].pk,
        "bundle_id": own["bundle"].pk,
        "user_id": world.co_worker_of[target].pk,
        "token": "not-a-real-token",
    }
    view_class = getattr(route.view, "cls", None)
    scoped_api_row = (
        "pk" in route.kwargs and isinstance(view_class, type) and issubclass(view_class, ScopedViewSet)
    )
    if "pk" in route.kwargs:
        basename = route.name.split(":")[-1].rsplit("-", 1)[0]
        values["pk"] = person.pk if basename == "young-person" else getattr(own.get(basename), "pk", MISSING)
    kwargs = {key: values.get(key, MISSING) for key in route.kwargs}
    return reverse(route.name, kwargs=kwargs), "young_person_id" in kwargs or scoped_api_row


def admin_urls(world, target: str):
    """Each registered admin's list, and its change and history pages for ``target``'s row."""
    person = getattr(world, target)
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{prefix}_changelist"), False
        path = getattr(model_admin, "young_person_path", None)
        if path is None:
            continue
        row: Model | None = person if path == "" else model.objects.filter(**{path: person}).first()
        if row is not None:
            yield reverse(f"{prefix}_change", args=[row.pk]), True
            yield reverse(f"{prefix}_history", args=[row.pk]), True


def check(
    response, *, persona: str, about_target: bool, reaches_target: bool, public: bool, admin_page: bool
):
    status = response.status_code
    assert status < 500
    if persona == "anonymous" and not public:
        assert status in (302, 401, 403, 405)
    elif about_target and not reaches_target:
        assert status != 200 if admin_page else status in (404, 405)
    if status == 200:
        body = response.content.decode(errors="replace")
        leaked = [name for name in CASES if name not in REACH[persona] and MARKERS[name] in body]
        assert leaked == []


def requests_for(world, records, target: str, reaches: bool):
    """(method, url, about the target record, public, admin page) for every URL aimed at ``target``."""
    for route in routes():
        if route.name == "logout":
            continue  # it would end the session the rest of the walk uses
        url, about_target = url_for(route, world, records, target)
        for method in ("get", "post") if about_target and not reaches else ("get",):
            yield method, url, about_target, route.name in PUBLIC, False
    for url, about_target in admin_urls(world, target):
        yield "get", url, about_target, False, True


@pytest.mark.parametrize("persona", sorted(REACH))
def test_no_url_leaks_a_record_outside_the_users_reach(world, records, client, persona, record_property):
    if persona != "anonymous":
        sign_in_verified(client, getattr(world, persona))
    runs = 0
    for target in TARGETS:
        reaches = target in REACH[persona]
        for method, url, about_target, public, admin_page in requests_for(world, records, target, reaches):
            response = getattr(client, method)(url)
            try:
                check(
                    response,
                    persona=persona,
                    about_target=about_target,
                    reaches_target=reaches,
                    public=public,
                    admin_page=admin_page,
                )
            except AssertionError as failure:
                context = f"{persona} {method.upper()} {url} ({target}): {response.status_code}"
                raise AssertionError(context) from failure
            runs += 1
    record_property("access_matrix_cases", runs)
    assert runs > 200
