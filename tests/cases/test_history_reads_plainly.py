"""The change history speaks as people do: a linked record by its name, dates in words; newest first,
a page at a time, and narrowed to one detail when asked. The audit of who has seen the record is paged
too."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import AccessEvent, Ethnicity, YoungPerson
from cases.views import AUDIT_PAGE_SIZE, HISTORY_PAGE_SIZE

pytestmark = pytest.mark.django_db


def history(client, person, **query):
    response = client.get(reverse("cases:young-person-history", args=[person.pk]), query)
    assert response.status_code == 200
    return response


def edit(world, reason="Corrected", **fields):
    person = YoungPerson.objects.get(pk=world.case.pk)
    services.young_person_update(young_person=person, actor=world.adviser, reason=reason, **fields)


def test_linked_records_show_their_names_and_dates_are_in_words(world, client_for):
    ethnicity = Ethnicity.objects.order_by("pk").last()
    edit(world, ethnicity=ethnicity, date_of_birth=date(2008, 3, 25), lead_adviser=world.colleague)
    response = history(client_for(world.team_manager), world.case)
    latest = response.context["page"].object_list[0]
    after = {name: new for name, _, new in latest.fields}
    assert after["Ethnicity"] == str(ethnicity)
    assert after["Date of birth"] == "25 March 2008"
    assert after["Lead adviser"] == world.colleague.get_full_name()
    html = response.content.decode()
    assert "2008-03-25" not in html
    assert f"Ethnicity {ethnicity.pk}<" not in html


def test_the_history_is_paged_newest_first(world, client_for):
    client = client_for(world.adviser)
    before = history(client, world.case).context["page"].paginator.count
    for number in range(HISTORY_PAGE_SIZE):
        edit(world, phone=f"07700 900{number:03d}", reason=f"Phone {number}")
    first = history(client, world.case).context["page"]
    assert first.paginator.count == before + HISTORY_PAGE_SIZE
    assert [change.reason for change in first.object_list] == [
        f"Phone {number}" for number in reversed(range(HISTORY_PAGE_SIZE))
    ]
    last = history(client, world.case, page=2).context["page"]
    assert len(last.object_list) == before
    assert last.object_list[-1].kind == "Created"


def test_the_history_narrows_to_one_detail(world, client_for):
    edit(world, phone="07700 900111", reason="New phone")
    edit(world, town="Leigh", reason="Moved")
    response = history(client_for(world.adviser), world.case, field="Town")
    changes = response.context["page"].object_list
    assert [change.reason for change in changes if change.kind == "Changed"] == ["Moved"]
    assert all([name for name, _, _ in change.fields] == ["Town"] for change in changes)
    assert "Phone" in response.context["fields"]
    unknown = history(client_for(world.adviser), world.case, field="No such detail")
    assert unknown.context["chosen"] == ""
    every = history(client_for(world.adviser), world.case).context["page"].paginator.count
    assert unknown.context["page"].paginator.count == every


def test_the_audit_is_paged(world, client_for):
    client = client_for(world.dpo)
    url = reverse("cases:young-person-audit", args=[world.case.pk])
    before = client.get(url).context["page"].paginator.count  # the record's creation and more
    AccessEvent.objects.bulk_create(
        AccessEvent(young_person=world.case, user=world.adviser, role="Personal adviser", what="record")
        for _ in range(AUDIT_PAGE_SIZE)
    )
    first = client.get(url).context["page"]
    assert len(first.object_list) == AUDIT_PAGE_SIZE
    assert first.paginator.count == before + 1 + AUDIT_PAGE_SIZE  # and the DPO's view before
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == before + 2
