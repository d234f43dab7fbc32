"""Lists show exactly the young people within reach, with a query count that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContactFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def caseload_ids(client, **params):
    response = client.get(reverse("cases:caseload"), params)
    assert response.status_code == 200
    return {person.pk for person in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("adviser", {"case"}),
        ("colleague", {"colleague_case"}),
        ("other_adviser", {"other_case"}),
        ("co_worker", {"other_case"}),
        ("team_manager", {"case", "colleague_case"}),
        ("service_manager", {"case", "colleague_case", "other_case"}),
        ("dpo", {"case", "colleague_case", "other_case"}),
        ("sysadmin", set()),
        ("nobody", set()),
    ],
)
def test_the_caseload_holds_exactly_the_young_people_in_reach(world, client_for, persona, expected):
    assert caseload_ids(client_for(getattr(world, persona))) == {getattr(world, name).pk for name in expected}


def test_filters_narrow_the_caseload(world, client_for):
    client = client_for(world.team_manager)
    assert caseload_ids(client, adviser=world.colleague.pk) == {world.colleague_case.pk}
    assert caseload_ids(client, mine="on") == set()
    assert caseload_ids(client_for(world.adviser), mine="on") == {world.case.pk}


def test_a_filter_outside_the_choices_is_ignored_not_an_error(world, client_for):
    client = client_for(world.adviser)
    assert caseload_ids(client, team=world.other_team.pk) == {world.case.pk}


def test_the_caseload_paginates(world, client_for):
    for _ in range(30):
        YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
    client = client_for(world.adviser)
    page_two = client.get(reverse("cases:caseload"), {"page": 2})
    assert page_two.context["page"].number == 2
    assert len(page_two.context["page"].object_list) == 6
    assert 'rel="prev"' in page_two.content.decode()


def count_queries(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(queries)


def test_the_caseload_query_count_does_not_grow_with_the_caseload(world, client_for):
    client = client_for(world.adviser)
    url = reverse("cases:caseload")
    small = count_queries(client, url)
    for _ in range(20):
        person = YoungPersonFactory(team=world.team, lead_adviser=world.adviser)
        ContactFactory.create_batch(3, young_person=person, staff_member=world.adviser)
    assert count_queries(client, url) == small


def search_ids(client, query):
    response = client.post(reverse("cases:search"), {"query": query})
    assert response.status_code == 200
    return {person.pk for person in response.context["results"] or []}


def test_search_finds_by_name_date_of_birth_identifiers_and_postcode(world, client_for):
    client = client_for(world.team_manager)
    case = world.case
    assert search_ids(client, f"{case.legal_given_name} {case.legal_family_name}") >= {case.pk}
    assert case.pk in search_ids(client, case.date_of_birth.strftime("%d/%m/%Y"))
    assert search_ids(client, case.upn.lower()) == {case.pk}
    assert search_ids(client, case.uln) == {case.pk}
    assert case.pk in search_ids(client, case.postcode.replace(" ", "").lower())


def test_search_never_finds_anyone_outside_reach(world, client_for):
    other = world.other_case
    client = client_for(world.adviser)
    assert search_ids(client, other.upn) == set()
    assert search_ids(client, other.legal_family_name) <= {world.case.pk}


def test_search_is_a_post_so_names_stay_out_of_urls(world, client_for):
    client = client_for(world.adviser)
    response = client.get(reverse("cases:search"), {"query": world.case.legal_family_name})
    assert response.context["results"] is None


def test_an_empty_search_asks_for_a_query(world, client_for):
    response = client_for(world.adviser).post(reverse("cases:search"), {"query": ""})
    assert response.context["form"].errors["query"] == ["Enter a name, date of birth, UPN, ULN or postcode"]
    assert "There is a problem" in response.content.decode()
