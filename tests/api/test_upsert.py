"""The API's upsert: rows keyed on UPN or ULN, with the names and date of birth beside them, go through
the import's own checks, matching and review queue, so an integrator's row can never be attached to
another child's record by an identifier alone. Each row answers its outcome and record; a bad row
saves nothing; the same rows again answer what they made; only a role that may import may upsert."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Organisation, YoungPerson
from exchange.models import ImportBatch, ReviewItem
from tests.factories import OrganisationFactory, valid_uln, years_ago
from tracking.models import Activity

pytestmark = pytest.mark.django_db
UPSERT = "/api/v1/young-people/upsert/"


@pytest.fixture
def college(db):
    return OrganisationFactory(name="Bay College", kind=Organisation.Kind.COLLEGE, ukprn="10001234")


def enrolment(person=None, **values) -> dict[str, str]:
    row = {
        "uln": person.uln if person else valid_uln(),
        "given_name": person.legal_given_name if person else "Kit",
        "family_name": person.legal_family_name if person else "Lowleigh",
        "date_of_birth": str(person.date_of_birth if person else years_ago(17, 5)),
        "postcode": person.postcode if person else "ME4 4TB",
        "ukprn": "10001234",
        "course": "Plumbing L2",
        "start_date": str(timezone.localdate() - timedelta(days=20)),
    }
    return {**row, **values}


def upsert(api, world, rows, **headers):
    body = {"format": "enrolments", "sent_by": {"ukprn": "10001234"}, "team": world.team.pk, "rows": rows}
    return api.post(UPSERT, body, format="json", **headers)


def test_each_row_answers_whether_it_matched_made_or_waits_for_a_person(world, api_for, college):
    someone_else = enrolment(world.colleague_case, given_name="Zora", family_name="Quill")
    answer = upsert(api_for(world.service_manager), world, [enrolment(world.case), enrolment(), someone_else])
    assert answer.status_code == 201, answer.content
    made = YoungPerson.objects.get(legal_family_name="Lowleigh")
    body = answer.json()
    assert body["rows"] == [
        {"row": 0, "outcome": "updated", "young_person": world.case.pk},
        {"row": 1, "outcome": "created", "young_person": made.pk},
        {"row": 2, "outcome": "review", "young_person": None},
    ]
    assert (body["created"], body["updated"], body["unchanged"], body["to_review"]) == (1, 1, 0, 1)
    assert (made.team, made.lead_adviser) == (world.team, None)  # the team's unassigned list
    assert Activity.objects.filter(young_person=world.case, provider=college).exists()
    item = ReviewItem.objects.get()  # the ULN is another child's: a person decides
    assert list(item.candidates.all()) == [world.colleague_case]
    assert YoungPerson.objects.get(pk=world.colleague_case.pk).legal_given_name != "Zora"
    assert not Activity.objects.filter(young_person=world.colleague_case, provider=college).exists()


def test_a_bad_row_saves_none_of_them_and_each_is_named(world, api_for, college):
    rows = [enrolment(), enrolment(date_of_birth="31/02/2009"), enrolment(course="")]
    answer = upsert(api_for(world.service_manager), world, rows)
    assert answer.status_code == 400
    assert [error["row"] for error in answer.json()["rows"]] == [1, 2]
    assert "date of birth" in answer.json()["rows"][0]["reason"]
    assert not YoungPerson.objects.filter(legal_family_name="Lowleigh").exists()
    assert ImportBatch.objects.get().state == ImportBatch.State.REJECTED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rows": [{"uln": "1041812328", "nickname": "Kit"}]}, "rows"),
        ({"rows": []}, "rows"),
        ({"format": "pupils"}, "format"),
        ({"sent_by": {"ukprn": "10009999"}}, "sent_by"),
        ({"team": 2**40}, "team"),
    ],
)
def test_a_request_not_in_the_form_of_a_file_is_refused_naming_what(world, api_for, college, change, field):
    body = {
        "format": "enrolments",
        "sent_by": {"ukprn": "10001234"},
        "team": world.team.pk,
        "rows": [enrolment()],
    }
    answer = api_for(world.service_manager).post(UPSERT, {**body, **change}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not ImportBatch.objects.exists()


def test_the_same_rows_again_the_same_day_answer_what_they_made_and_change_nothing(world, api_for, college):
    api, rows = api_for(world.service_manager), [enrolment()]
    first = upsert(api, world, rows)
    again = upsert(api, world, rows)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert YoungPerson.objects.filter(legal_family_name="Lowleigh").count() == 1
    other = [enrolment(given_name="Dev", family_name="Ranawick")]
    keyed = upsert(api, world, other, HTTP_IDEMPOTENCY_KEY="k-1")
    retried = upsert(api, world, other, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (retried.status_code, retried["Idempotent-Replayed"]) == (201, "true")
    assert retried.json() == keyed.json()


def test_the_same_rows_another_day_are_matched_again(world, api_for, college, monkeypatch):
    api, rows = api_for(world.service_manager), [enrolment()]
    first = upsert(api, world, rows)
    made = YoungPerson.objects.get(legal_family_name="Lowleigh")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    again = upsert(api, world, rows)
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    (row,) = again.json()["rows"]
    assert (row["young_person"], row["outcome"] in ("updated", "unchanged")) == (made.pk, True)
    assert YoungPerson.objects.filter(legal_family_name="Lowleigh").count() == 1


@pytest.mark.parametrize("role", ["adviser", "team_manager", "dpo", "sysadmin", "nobody"])
def test_only_a_role_that_may_import_may_upsert(world, api_for, college, role):
    answer = upsert(api_for(getattr(world, role)), world, [enrolment(world.case), enrolment()])
    assert answer.status_code == 403
    assert not ImportBatch.objects.exists()
    assert not YoungPerson.objects.filter(legal_family_name="Lowleigh").exists()


def test_which_record_each_row_became_is_let_go_with_the_files_days(world, api_for, college, settings):
    from exchange import tasks

    settings.IMPORT_FILE_KEEP_DAYS = 7
    upsert(api_for(world.service_manager), world, [enrolment()])
    upsert(api_for(world.service_manager), world, [enrolment(given_name="Dev", family_name="Ranawick")])
    old, young = ImportBatch.objects.order_by("pk")
    now = timezone.now()
    ImportBatch.objects.filter(pk=old.pk).update(uploaded_at=now - timedelta(days=7, seconds=60))
    ImportBatch.objects.filter(pk=young.pk).update(
        uploaded_at=now - timedelta(days=7) + timedelta(seconds=60)
    )
    assert tasks.import_data_expire.apply().get()["api_outcomes"] == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.outcomes, len(young.outcomes)) == ([], 1)
    assert tasks.import_data_expire.apply().get()["api_outcomes"] == 0
