"""The REST API through its public surface: who sees what, how writes are checked and recorded,
token and two-factor rules, pagination, filtering and throttling."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from cases.models import AccessEvent, Contact, YoungPerson
from sharing import services as sharing_services
from sharing.models import SubjectRequest
from tests.factories import ContactFactory, OrganisationFactory, YoungPersonFactory
from tracking.models import Characteristic, CharacteristicCode

pytestmark = pytest.mark.django_db
PEOPLE = "/api/v1/young-people/"
CONTACTS = "/api/v1/contacts/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def contact_body(person, **overrides):
    return {
        "young_person": person.pk,
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "method": "face_to_face",
        "purpose": "guidance",
        "notes": "Talked through college options",
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "reach"),
    [
        ("adviser", {"case"}),
        ("colleague", {"colleague_case"}),
        ("team_manager", {"case", "colleague_case"}),
        ("other_adviser", {"other_case"}),
        ("co_worker", {"other_case"}),
        ("service_manager", {"case", "colleague_case", "other_case"}),
        ("dpo", {"case", "colleague_case", "other_case"}),
        ("sysadmin", set()),
        ("nobody", set()),
    ],
)
def test_each_role_lists_exactly_the_young_people_in_its_reach(world, api_for, persona, reach):
    response = api_for(getattr(world, persona)).get(PEOPLE)
    assert ids(response) == {getattr(world, name).pk for name in reach}


def test_a_record_out_of_reach_is_404_and_one_in_reach_is_an_access_event(world, api_for):
    api = api_for(world.adviser)
    assert api.get(f"{PEOPLE}{world.other_case.pk}/").status_code == 404
    assert api.get(f"{PEOPLE}987654/").status_code == 404
    response = api.get(f"{PEOPLE}{world.case.pk}/")
    assert response.json()["legal_family_name"] == world.case.legal_family_name
    event = AccessEvent.objects.get(young_person=world.case, user=world.adviser)
    assert event.what == AccessEvent.What.RECORD


def test_anonymous_requests_are_refused(world):
    assert APIClient().get(PEOPLE).status_code == 401


def test_a_session_that_skipped_two_factor_is_refused(world):
    api = APIClient()
    api.force_login(world.adviser)  # password only
    response = api.get(PEOPLE)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_token_reads_the_same_scope_and_its_writes_name_its_owner(world, token_for):
    api = APIClient(headers={"Authorization": f"Token {token_for(world.adviser)}"})
    assert ids(api.get(PEOPLE)) == {world.case.pk}
    response = api.post(CONTACTS, contact_body(world.case), format="json")
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.staff_member == world.adviser
    [history] = contact.history.all()
    assert (history.history_user, history.history_change_reason) == (world.adviser, "Contact logged")


def test_a_token_stops_working_when_its_owner_loses_their_authenticator_or_account(world, token_for):
    api = APIClient(headers={"Authorization": f"Token {token_for(world.adviser)}"})
    TOTPDevice.objects.filter(user=world.adviser).delete()
    assert api.get(PEOPLE).status_code == 403
    TOTPDevice.objects.create(user=world.adviser, name="New phone", confirmed=True)
    assert api.get(PEOPLE).status_code == 200
    world.adviser.is_active = False
    world.adviser.save()
    assert api.get(PEOPLE).status_code == 401


def test_tokens_are_only_minted_for_accounts_with_two_factor(world):
    with pytest.raises(CommandError, match="authenticator app first"):
        call_command("api_token_create", "adviser")
    with pytest.raises(CommandError, match="No active account"):
        call_command("api_token_create", "no-such-user")


def test_writes_check_reach_then_change_permission(world, api_for):
    other = api_for(world.adviser).post(CONTACTS, contact_body(world.other_case), format="json")
    assert other.status_code == 400  # an id out of reach "does not exist"
    assert "does not exist" in str(other.json()["young_person"])
    read_only = api_for(world.service_manager).post(CONTACTS, contact_body(world.case), format="json")
    assert read_only.status_code == 403
    assert not Contact.objects.exists()


def test_bad_input_gets_field_messages_and_saves_nothing(world, api_for):
    api = api_for(world.adviser)
    future = api.post(
        CONTACTS,
        contact_body(world.case, occurred_at=(timezone.now() + timedelta(days=2)).isoformat()),
        format="json",
    )
    assert future.status_code == 400
    assert future.json()["occurred_at"] == ["The date must be today or in the past"]
    code = CharacteristicCode.objects.filter(valid_to__isnull=True).first()
    backwards = api.post(
        "/api/v1/characteristics/",
        {
            "young_person": world.case.pk,
            "code": code.code,
            "start_date": str(timezone.localdate()),
            "end_date": str(timezone.localdate() - timedelta(days=3)),
        },
        format="json",
    )
    assert backwards.json() == {"end_date": ["The end date must be on or after the start date"]}
    assert not Characteristic.objects.exists()
    assert not Contact.objects.exists()


def test_an_activity_posted_ends_the_open_one_with_history(world, api_for):
    api = api_for(world.adviser)
    for code, days_ago in (("310", 40), ("540", 2)):
        body = {
            "young_person": world.case.pk,
            "code": code,  # the DfE's code, never the table's row id
            "start_date": str(timezone.localdate() - timedelta(days=days_ago)),
            "date_ascertained": str(timezone.localdate()),
        }
        assert api.post("/api/v1/activities/", body, format="json").status_code == 201
    rows = api.get("/api/v1/activities/", {"young_person": world.case.pk}).json()["results"]
    assert [row["end_date"] is None for row in rows] == [True, False]  # newest first


def test_updating_a_record_needs_a_reason_in_its_history_and_cannot_move_it(world, api_for):
    api = api_for(world.adviser)
    etag = api.get(f"{PEOPLE}{world.case.pk}/")["ETag"]
    moved = api.patch(
        f"{PEOPLE}{world.case.pk}/",
        {"town": "Southend-on-Sea", "team": world.other_team.pk, "reason": "Moved house"},
        format="json",
        headers={"If-Match": etag},
    )
    assert moved.status_code == 400
    assert "transfer" in moved.json()["team"][0]
    response = api.patch(
        f"{PEOPLE}{world.case.pk}/",
        {"town": "Southend-on-Sea", "reason": "Moved house"},
        format="json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.content
    world.case.refresh_from_db()
    assert (world.case.town, world.case.team) == ("Southend-on-Sea", world.team)
    assert world.case.history.first().history_change_reason == "Moved house"
    assert (
        api_for(world.dpo).patch(f"{PEOPLE}{world.case.pk}/", {"town": "X"}, format="json").status_code == 403
    )


def new_record(world, **fields) -> dict:
    return {
        "legal_given_name": "Quillon",
        "legal_family_name": "Ashbury-Venn",
        "date_of_birth": str(timezone.localdate().replace(year=timezone.localdate().year - 16)),
        "team": world.team.pk,
        "lead_adviser": world.adviser.pk,
    } | fields


def test_creating_a_record_needs_the_role_and_one_of_your_teams(world, api_for):
    body = new_record(world)
    created = api_for(world.adviser).post(PEOPLE, body, format="json")
    assert created.status_code == 201, created.content
    assert api_for(world.adviser).get(f"{PEOPLE}{created.json()['id']}/").status_code == 200
    elsewhere = api_for(world.adviser).post(PEOPLE, {**body, "team": world.other_team.pk}, format="json")
    assert elsewhere.json()["team"] == ["Choose one of your own teams"]
    no_team = {key: value for key, value in body.items() if key != "team"}
    assert api_for(world.adviser).post(PEOPLE, no_team, format="json").json()["team"] == [
        "This field is required."
    ]
    assert api_for(world.dpo).post(PEOPLE, body, format="json").status_code == 403


def test_a_new_record_without_a_lead_adviser_waits_unassigned(world, api_for):
    body = {key: value for key, value in new_record(world).items() if key != "lead_adviser"}
    created = api_for(world.adviser).post(PEOPLE, body, format="json")
    assert created.status_code == 201, created.content  # was a server error
    assert created.json()["lead_adviser"] is None


def test_actions_are_completed_through_the_api(world, api_for):
    api = api_for(world.adviser)
    due = str(timezone.localdate() + timedelta(days=7))
    body = {
        "young_person": world.case.pk,
        "description": "Visit the college open day",
        "owner": "young_person",
    }
    action = api.post("/api/v1/actions/", {**body, "due_on": due}, format="json").json()
    url = f"/api/v1/actions/{action['id']}/"
    done = api.post(f"{url}complete/", headers={"If-Match": api.get(url)["ETag"]})
    assert done.json()["completed_on"] == str(timezone.localdate())
    assert api.post(f"{url}complete/", headers={"If-Match": done["ETag"]}).json() == {
        "non_field_errors": ["This action is already complete"]
    }


def test_cursor_pagination_walks_every_row_once(world, api_for):
    ContactFactory.create_batch(5, young_person=world.case, staff_member=world.adviser)
    api = api_for(world.adviser)
    seen, url = [], f"{CONTACTS}?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen, reverse=True) == seen
    assert len(set(seen)) == 5


def test_list_queries_do_not_grow_with_the_rows(world, api_for):
    api = api_for(world.dpo)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(PEOPLE).status_code == 200
        return len(captured)

    queries()  # the account's first request reads its permissions; later ones find them kept
    few = queries()
    YoungPersonFactory.create_batch(10, team=world.team)
    assert queries() == few


def test_filters_narrow_within_reach(world, api_for):
    ContactFactory(young_person=world.case, staff_member=world.adviser)
    ContactFactory(young_person=world.other_case, staff_member=world.other_adviser)
    assert len(ids(api_for(world.dpo).get(CONTACTS, {"young_person": world.case.pk}))) == 1
    assert ids(api_for(world.adviser).get(CONTACTS, {"young_person": world.other_case.pk})) == set()
    assert ids(api_for(world.dpo).get(PEOPLE, {"team": world.other_team.pk})) == {world.other_case.pk}
    YoungPerson.objects.filter(pk=world.case.pk).update(updated_at=timezone.now() - timedelta(days=10))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert world.case.pk not in ids(api_for(world.dpo).get(PEOPLE, {"updated_since": since}))
    assert world.other_case.pk in ids(api_for(world.dpo).get(PEOPLE, {"updated_since": since}))


def test_updated_since_takes_any_offset_python_accepts(world, api_for):
    """An offset beyond PostgreSQL's range (schemathesis sent +17:32) is compared in UTC, not a 500."""
    far_east = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(17 * 60 + 32))
    response = api_for(world.dpo).get(PEOPLE, {"updated_since": far_east.isoformat()})
    assert response.status_code == 200
    assert world.case.pk in ids(response)
    assert api_for(world.dpo).get(PEOPLE, {"updated_since": "0008-05-12T17:09:15.9+17:32"}).status_code == 200


def test_subject_requests_are_the_dpos(world, api_for):
    body = {
        "young_person": world.case.pk,
        "kind": "access",
        "requester_name": "Requester",
        "relationship": "self",
        "received_on": str(timezone.localdate()),
    }
    created = api_for(world.dpo).post("/api/v1/subject-requests/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["due_on"]
    assert SubjectRequest.objects.get().history.first().history_user == world.dpo
    for persona in ("adviser", "service_manager", "team_manager", "nobody"):
        api = api_for(getattr(world, persona))
        assert api.get("/api/v1/subject-requests/").status_code == 403
        assert api.post("/api/v1/subject-requests/", body, format="json").status_code == 403


def test_disclosures_list_only_people_in_reach(world, api_for):
    college = OrganisationFactory(name="Riverside College", kind="college")
    sharing_services.share(
        actor=world.dpo,
        young_people=[world.case, world.other_case],
        categories=["identity"],
        purpose="Enrolment",
        recipient=college,
        override=sharing_services.Override("legal_duty", "sch1-para6", "Court order reference 123"),
    )
    rows = api_for(world.adviser).get("/api/v1/disclosures/").json()["results"]
    assert [(row["young_person"], row["recipient"]["id"]) for row in rows] == [(world.case.pk, college.pk)]


def test_requests_beyond_the_rate_are_throttled(world, api_for, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/minute")
    api = api_for(world.adviser)
    answers = [api.get(PEOPLE) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer["X-RateLimit-Limit"] for answer in answers} == {"3"}
    assert all(0 < int(answer["X-RateLimit-Reset"]) <= 60 for answer in answers)
    assert 0 < int(answers[-1]["Retry-After"]) <= 60


def test_the_schema_and_docs_need_a_verified_user(world, api_for):
    refused = APIClient().get("/api/schema/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/json"  # as every endpoint answers an error
    assert refused.json()["detail"]
    schema = api_for(world.adviser).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/young-people/" in schema.json()["paths"]
    assert api_for(world.adviser).get("/api/docs/").status_code == 200


def test_numbers_beyond_the_database_are_refused_cleanly(world, api_for):
    """Found by schemathesis: such ids crashed the database driver (500)."""
    api = api_for(world.adviser)
    assert api.get(f"{PEOPLE}{2**70}/").status_code == 404
    assert api.get(CONTACTS, {"young_person": 2**70}).status_code == 400
    too_big = api.post(CONTACTS, contact_body(world.case, young_person=2**70), format="json")
    assert too_big.status_code == 400


def test_a_contact_cannot_predate_the_service(world, api_for):
    """Found by schemathesis: a contact in the year 3 was accepted."""
    response = api_for(world.adviser).post(
        CONTACTS, contact_body(world.case, occurred_at="0003-01-08T00:03:00Z"), format="json"
    )
    assert response.json() == {"occurred_at": ["The date must be on or after 1 January 2000"]}
