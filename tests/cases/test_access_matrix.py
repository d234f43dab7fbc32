"""Every record page for every persona: inside reach, outside reach, read-only, anonymous."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_VIEWS = ["cases:young-person-detail", "cases:young-person-history", "tracking:destinations"]
WRITE_VIEWS = [
    "cases:young-person-edit",
    "cases:contact-create",
    "cases:action-create",
    "cases:sensitive-note-create",
    "tracking:activity-create",
    "tracking:intended-destination-create",
    "tracking:offer-create",
    "tracking:characteristic-create",
]
MANAGER_VIEWS = ["cases:young-person-transfer", "cases:co-worker-grant"]
AUDIT = "cases:young-person-audit"
RECORD_VIEWS = [*READ_VIEWS, *WRITE_VIEWS, *MANAGER_VIEWS, AUDIT]
ALL_404 = dict.fromkeys(RECORD_VIEWS, 404)

# Expected GET status on the adviser's own case, per persona (data, not code: Data Hub style).
ON_CASE = {
    "adviser": {**dict.fromkeys(RECORD_VIEWS, 200), **dict.fromkeys([*MANAGER_VIEWS, AUDIT], 403)},
    "team_manager": {**dict.fromkeys(RECORD_VIEWS, 200), AUDIT: 403},
    "service_manager": {**dict.fromkeys(RECORD_VIEWS, 403), **dict.fromkeys(READ_VIEWS, 200)},
    "dpo": {**dict.fromkeys(RECORD_VIEWS, 403), **dict.fromkeys([*READ_VIEWS, AUDIT], 200)},
    "colleague": ALL_404,
    "other_adviser": ALL_404,
    "co_worker": ALL_404,
    "sysadmin": ALL_404,
    "nobody": ALL_404,
}
# The co-worker's grant (view and change, not sensitive) is on the other team's case.
CO_WORKER_ON_OTHER_CASE = {
    **dict.fromkeys(RECORD_VIEWS, 200),
    **dict.fromkeys([*MANAGER_VIEWS, AUDIT, "cases:sensitive-note-create"], 403),
}


@pytest.mark.parametrize("persona", sorted(ON_CASE))
@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_each_persona_gets_what_the_matrix_says_on_the_advisers_case(world, client_for, persona, view):
    response = client_for(getattr(world, persona)).get(reverse(view, args=[world.case.pk]))
    assert response.status_code == ON_CASE[persona][view]


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_a_co_worker_reaches_only_the_case_they_were_granted(world, client_for, view):
    response = client_for(world.co_worker).get(reverse(view, args=[world.other_case.pk]))
    assert response.status_code == CO_WORKER_ON_OTHER_CASE[view]


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_anonymous_users_are_sent_to_sign_in(world, client, view):
    url = reverse(view, args=[world.case.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_an_unknown_id_is_404_even_for_the_dpo(world, client_for, view):
    assert client_for(world.dpo).get(reverse(view, args=[987654])).status_code == 404


def test_the_wrong_method_is_405(world, client_for):
    client = client_for(world.adviser)
    assert client.put(reverse("cases:young-person-detail", args=[world.case.pk])).status_code == 405
    action_url = reverse("cases:action-complete", args=[world.case.pk, 1])  # POST only
    assert client.get(action_url).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("adviser", 200),
        ("team_manager", 200),
        ("service_manager", 200),
        ("dpo", 403),
        ("sysadmin", 403),
        ("nobody", 403),
    ],
)
def test_only_roles_that_hold_caseloads_may_add_young_people(world, client_for, persona, status):
    assert client_for(getattr(world, persona)).get(reverse("cases:young-person-create")).status_code == status


@pytest.mark.parametrize("name", ["cases:caseload", "cases:search", "cases:young-person-create"])
def test_list_pages_need_sign_in(db, client, name):
    assert client.get(reverse(name)).status_code == 302


def test_an_id_beyond_the_database_range_is_404_not_an_error(world, client_for):
    response = client_for(world.dpo).get(f"/young-people/{10**18 - 1}/")
    assert response.status_code == 404
    assert client_for(world.dpo).get(f"/young-people/{2**70}/").status_code == 404
