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
