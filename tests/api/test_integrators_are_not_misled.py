"""What would send an integration's data to the wrong child, refused plainly: a query parameter the
endpoint does not know is a 400 naming it (ignored, ``?uln=`` listed everyone in reach and a client
taking the first row wrote to someone else), and a write to a path without its trailing slash is
served, never redirected (a client follows a 301 with a GET: the POST would silently list instead)."""

import pytest
from django.utils import timezone

from cases.models import Contact

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/young-people/?uln=1041812328",
        "/api/v1/contacts/?young_person=1&upn=A123",
        "/api/v1/activities/?page=2",
        "/api/v1/subject-requests/?status=open",
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(world, api_for, url):
    response = api_for(world.dpo if "subject" in url else world.adviser).get(url)
    assert response.status_code == 400
    unknown = response.json()["unknown_parameters"]
    assert unknown == [name for name in ("uln", "upn", "page", "status") if f"{name}=" in url]


def test_the_parameters_an_endpoint_documents_still_work(world, api_for):
    api = api_for(world.adviser)
    listed = api.get("/api/v1/contacts/", {"young_person": world.case.pk, "page_size": 5})
    assert listed.status_code == 200
    one = api.get(f"/api/v1/young-people/{world.case.pk}/")
    assert one.status_code == 200
    assert "no-store" in one["Cache-Control"]


def test_a_write_without_the_trailing_slash_is_served_not_redirected(world, api_for):
    api = api_for(world.adviser)
    created = api.post(
        "/api/v1/contacts",
        {
            "young_person": world.case.pk,
            "occurred_at": timezone.now().isoformat(),
            "method": "phone",
            "purpose": "guidance",
            "notes": "Talked about the college open day",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert Contact.objects.filter(pk=created.json()["id"], young_person=world.case).exists()
    assert api.get("/api/v1/contacts").status_code == 200
    assert api.get(f"/api/v1/young-people/{world.case.pk}").json()["id"] == world.case.pk


def test_a_field_the_client_may_not_write_is_refused_by_name(world, api_for):
    api = api_for(world.adviser)
    body = {
        "young_person": world.case.pk,
        "occurred_at": timezone.now().isoformat(),
        "method": "phone",
        "purpose": "guidance",
        "notes": "Talked about the college open day",
    }
    for field, value in (("staff_member", world.colleague.pk), ("notez", "misspelt"), ("id", 1)):
        refused = api.post("/api/v1/contacts/", {**body, field: value}, format="json")
        assert refused.status_code == 400
        assert list(refused.json()) == [field]
    assert not Contact.objects.exists()


def test_a_co_worker_cannot_make_themselves_the_lead_adviser_through_the_api(world, api_for):
    """A co-worker may change the record until their grant ends; making themselves its lead adviser
    would keep their reach for good. The field is refused, and the record keeps its adviser."""
    api = api_for(world.co_worker)
    url = f"/api/v1/young-people/{world.other_case.pk}/"
    refused = api.patch(
        url,
        {"lead_adviser": world.co_worker.pk, "reason": "Taking over"},
        format="json",
        headers={"If-Match": api.get(url)["ETag"]},
    )
    assert refused.status_code == 400
    assert "transfer" in refused.json()["lead_adviser"][0]
    world.other_case.refresh_from_db()
    assert world.other_case.lead_adviser == world.other_adviser


def test_the_schema_names_the_token_scheme_as_clients_must_send_it(world, api_for):
    """Generated clients default to ``Bearer``, which the API refuses: the scheme says Token."""
    schema = api_for(world.adviser).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = schema["components"]["securitySchemes"]["Token"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token <token>" in scheme["description"]
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert all({"Token": []} in op["security"] for op in operations)
    assert "knoxApiToken" not in schema["components"]["securitySchemes"]


SEARCH = "/api/v1/young-people/search/"


def test_a_young_person_is_found_by_upn_or_uln_in_the_body_within_reach_only(world, api_for):
    from cases import services
    from cases.models import AccessEvent
    from tests.factories import valid_uln, valid_upn

    upn, uln = valid_upn(), valid_uln()
    services.young_person_update(
        young_person=world.case, actor=world.adviser, reason="From the school roll", upn=upn, uln=uln
    )
    api = api_for(world.adviser)
    for body in ({"upn": upn.lower()}, {"uln": uln}):
        found = api.post(SEARCH, body, format="json")
        assert found.status_code == 200, found.content
        assert [person["id"] for person in found.json()["results"]] == [world.case.pk]
    assert AccessEvent.objects.filter(young_person=world.case, user=world.adviser).count() == 2
    for user in (world.other_adviser, world.co_worker, world.nobody):  # out of reach: as if unknown
        response = api_for(user).post(SEARCH, {"uln": uln}, format="json")
        assert (response.status_code, response.json()) == (200, {"results": []}), user
    assert api.get(SEARCH).status_code == 405  # never in a URL


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"upn": "valid", "uln": "valid"}, "non_field_errors"),
        ({"uln": "12345"}, "uln"),
        ({"uln": "9999999999"}, "uln"),  # the temporary ULN names no one
        ({"upn": "not a upn"}, "upn"),
        ({"name": "Quillon"}, "name"),
    ],
)
def test_a_search_without_exactly_one_good_identifier_is_refused(world, api_for, body, field):
    from tests.factories import valid_uln, valid_upn

    body = {
        name: {"upn": valid_upn, "uln": valid_uln}[name]() if v == "valid" else v for name, v in body.items()
    }
    response = api_for(world.adviser).post(SEARCH, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_likely_duplicate_is_refused_with_409_until_the_client_says_it_is_someone_else(world, api_for):
    from tests.api.test_api import PEOPLE, new_record

    person = world.case
    body = new_record(
        world,
        legal_given_name=person.legal_given_name,
        legal_family_name=person.legal_family_name,
        date_of_birth=person.date_of_birth.isoformat(),
        postcode=person.postcode,
    )
    api = api_for(world.adviser)
    refused = api.post(PEOPLE, body, format="json")
    assert refused.status_code == 409
    assert refused.json()["possible_duplicates"] == [person.pk]
    assert refused.json()["others_out_of_reach"] == 0
    created = api.post(PEOPLE, {**body, "not_a_duplicate": True}, format="json")
    assert created.status_code == 201, created.content
    assert "not_a_duplicate" not in created.json()

    elsewhere = world.other_case  # another team's: counted, never named
    twin = new_record(
        world,
        legal_given_name=elsewhere.legal_given_name,
        legal_family_name=elsewhere.legal_family_name,
        date_of_birth=elsewhere.date_of_birth.isoformat(),
    )
    hidden = api_for(world.colleague).post(PEOPLE, twin, format="json")
    assert hidden.status_code == 409
    assert (hidden.json()["possible_duplicates"], hidden.json()["others_out_of_reach"]) == ([], 1)
    change = api.patch(
        f"{PEOPLE}{person.pk}/", {"not_a_duplicate": True, "reason": "x"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert change.status_code == 400
    assert "not_a_duplicate" in change.json()


def live_schema(world, api_for) -> dict:
    return api_for(world.adviser).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_schema_types_what_clients_generate_from(world, api_for):
    from urllib.parse import urlsplit

    schema = live_schema(world, api_for)
    components = schema["components"]["schemas"]
    models = {
        name: body.get("description", "")
        for name, body in components.items()
        if not name.endswith(("Request", "Enum")) and not name.startswith("Paginated")
    }
    assert len(set(models.values())) == len(models), models  # each model described as itself
    disclosure = components["Disclosure"]["properties"]
    assert disclosure["recipient"]["nullable"]
    assert disclosure["agreement"]["nullable"]
    assert disclosure["categories"]["items"] == {"$ref": "#/components/schemas/CategoriesEnum"}
    assert "anyOf" in components["YoungPerson"]["properties"]["email"]  # "" matched both sides of a oneOf
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in ("id", "young_person", "team", "lead_adviser"):
                    assert parameter["schema"]["type"] == "integer", (path, parameter)
            for code in ("400", "401", "403", "404", "429"):
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method, code)
    link = components["PaginatedContactList"]["properties"]["next"]["example"]
    assert urlsplit(link).scheme == "https"
    assert '"' not in link
    created = schema["paths"]["/api/v1/young-people/"]["post"]["responses"]
    assert created["409"]["content"]["application/json"]["schema"]["$ref"].endswith("PossibleDuplicates")


def test_a_disclosure_to_a_person_without_an_agreement_reads_as_its_schema_says(world, api_for):
    from sharing import services as sharing_services

    sharing_services.share(
        actor=world.adviser,
        young_people=[world.case],
        categories=["identity"],
        purpose="Safeguarding referral",
        recipient_name="A named social worker",
        override=sharing_services.Override("safeguarding", "sch1-para18", "Immediate risk reported"),
    )
    row = api_for(world.adviser).get("/api/v1/disclosures/").json()["results"][0]
    assert (row["recipient"], row["agreement"], row["override"]) == (None, None, "safeguarding")


def test_a_path_no_endpoint_serves_answers_in_json_and_the_site_keeps_its_page(world, api_for, client_for):
    """Found by schemathesis once errors were documented: an id longer than the URL takes was the
    site's HTML page."""
    api = api_for(world.adviser)
    for path in ("/api/v1/contacts/1000000000000000000/", "/api/v1/no-such-resource/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    page = client_for(world.adviser).get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_codes_are_the_dfes_own_in_and_out_and_the_tables_are_listed(world, api_for):
    """An activity's code was the code table's row id: DfE 540 was refused as "Invalid pk" while
    15 meant 310. Codes go in and come out as the DfE writes them; the tables are read-only lists."""
    from tracking.models import ActivityCode

    api = api_for(world.adviser)
    body = {
        "young_person": world.case.pk,
        "code": "540",
        "start_date": timezone.localdate().isoformat(),
        "date_ascertained": timezone.localdate().isoformat(),
    }
    made = api.post("/api/v1/activities/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["code"] == "540"
    row_id = str(ActivityCode.objects.get(code="310").pk)
    refused = api.post("/api/v1/activities/", {**body, "code": row_id}, format="json")
    assert refused.status_code == 400
    assert "code" in refused.json()
    listed = api.get("/api/v1/codes/activities/").json()
    assert {"code": "540", "status": "neet"}.items() <= next(c for c in listed if c["code"] == "540").items()
    assert api.get("/api/v1/codes/activities/540/").json()["label"]
    assert api.get("/api/v1/codes/ethnicities/").status_code == 200
    assert api.get("/api/v1/codes/activities/999/").status_code == 404
    person = api.get(f"/api/v1/young-people/{world.case.pk}/").json()
    assert person["ethnicity"] is None or not str(person["ethnicity"]).isdigit()


def test_organisations_are_found_by_urn_or_ukprn(world, api_for):
    from tests.factories import OrganisationFactory

    college = OrganisationFactory(name="Riverside College", kind="college", ukprn="10001234")
    api = api_for(world.nobody)  # no personal data: any verified account
    found = api.get("/api/v1/organisations/", {"ukprn": "10001234"}).json()["results"]
    assert [(o["id"], o["name"]) for o in found] == [(college.pk, "Riverside College")]
    assert api.get("/api/v1/organisations/", {"urn": "999999"}).json()["results"] == []


def test_a_change_without_a_reason_is_refused_and_saves_nothing(world, api_for):
    """The record's history says why each change was made: no default stands in for the reason.
    Reach, permission and version are answered first."""
    api = api_for(world.adviser)
    url = f"/api/v1/young-people/{world.case.pk}/"
    etag = api.get(url)["ETag"]
    for body in ({"town": "Leigh"}, {"town": "Leigh", "reason": "   "}):
        refused = api.patch(url, body, format="json", headers={"If-Match": etag})
        assert refused.status_code == 400
        assert list(refused.json()) == ["reason"]
    world.case.refresh_from_db()
    assert world.case.town != "Leigh"
    assert api.patch(url, {"town": "Leigh"}, format="json").status_code == 428
    assert api_for(world.dpo).patch(url, {"town": "Leigh"}, format="json").status_code == 403
    assert api_for(world.other_adviser).patch(url, {"town": "Leigh"}, format="json").status_code == 404
    made = api.patch(
        url, {"town": "Leigh", "reason": "Moved house"}, format="json", headers={"If-Match": etag}
    )
    assert made.status_code == 200
    assert world.case.history.first().history_change_reason == "Moved house"
