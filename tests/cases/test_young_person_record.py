"""The record page, its history and its audit: access events, sensitive notes, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AccessEvent
from tests.factories import ContactFactory, ParentCarerFactory, QualificationFactory, SensitiveNoteFactory

pytestmark = pytest.mark.django_db


def test_every_view_of_the_record_leaves_an_access_event_with_the_role(world, client_for):
    client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    client_for(world.dpo).get(reverse("cases:young-person-history", args=[world.case.pk]))
    events = list(AccessEvent.objects.filter(young_person=world.case).order_by("id"))
    assert [(e.user, e.role, e.what) for e in events] == [
        (world.adviser, "Personal adviser", AccessEvent.What.RECORD),
        (world.dpo, "Data protection officer", AccessEvent.What.HISTORY),
    ]


def test_opening_the_edit_form_is_recorded_too(world, client_for):
    client_for(world.team_manager).get(reverse("cases:young-person-edit", args=[world.case.pk]))
    assert AccessEvent.objects.get(young_person=world.case).what == AccessEvent.What.EDIT


def test_a_refused_view_leaves_no_access_event(world, client_for):
    client_for(world.other_adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    assert not AccessEvent.objects.filter(young_person=world.case).exists()


def test_the_record_shows_its_contacts_parents_and_qualifications(world, client_for):
    contact = ContactFactory(
        young_person=world.case, staff_member=world.adviser, notes="Talked about college"
    )
    parent = ParentCarerFactory(young_person=world.case, name="Pat Parentname")
    QualificationFactory(young_person=world.case, subject="Geography")
    page = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    html = page.content.decode()
    assert contact.notes in html
    assert parent.name in html
    assert "Geography" in html


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("adviser", True),
        ("team_manager", True),
        ("dpo", True),
        ("service_manager", False),
    ],
)
def test_sensitive_notes_show_only_with_the_permission(world, client_for, persona, sees):
    SensitiveNoteFactory(
        young_person=world.case, note="Attends a mental health clinic", recorded_by=world.adviser
    )
    client = client_for(getattr(world, persona))
    html = client.get(reverse("cases:young-person-detail", args=[world.case.pk])).content.decode()
    assert ("Attends a mental health clinic" in html) is sees
    history = client.get(reverse("cases:young-person-history", args=[world.case.pk])).content.decode()
    assert ("Attends a mental health clinic" in history) is sees


def test_a_co_worker_without_the_sensitive_grant_does_not_see_sensitive_notes(world, client_for):
    SensitiveNoteFactory(
        young_person=world.other_case, note="Youth offending order", recorded_by=world.other_adviser
    )
    html = (
        client_for(world.co_worker)
        .get(reverse("cases:young-person-detail", args=[world.other_case.pk]))
        .content.decode()
    )
    assert "Youth offending order" not in html


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["cases:young-person-detail", "cases:young-person-history"])
def test_the_record_pages_query_count_does_not_grow_with_the_record(world, client_for, name):
    client = client_for(world.adviser)
    url = reverse(name, args=[world.case.pk])
    before = queries_for(client, url)
    ContactFactory.create_batch(15, young_person=world.case, staff_member=world.adviser)
    ParentCarerFactory.create_batch(3, young_person=world.case)
    QualificationFactory.create_batch(5, young_person=world.case)
    SensitiveNoteFactory.create_batch(4, young_person=world.case, recorded_by=world.adviser)
    assert queries_for(client, url) == before


def test_the_dpo_sees_everyone_who_viewed_or_changed_the_record(world, client_for):
    client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    client_for(world.team_manager).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    response = client_for(world.dpo).get(reverse("cases:young-person-audit", args=[world.case.pk]))
    log = response.context["page"].object_list
    viewers = {(entry["who"], entry["role"]) for entry in log if entry["what"] == "Viewed the record"}
    assert viewers == {(world.adviser, "Personal adviser"), (world.team_manager, "Team manager")}
    assert any(entry["what"] == "Created the record" for entry in log)
