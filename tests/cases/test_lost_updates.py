"""No lost updates: an adviser and a manager open the same record; the first save wins, the second is
refused with what changed in between and nothing saved, until the person decides (saves again from
what they have now seen). In the browser through the hidden version (the API: tests/api/test_etags.py)."""

import pytest
from django.urls import reverse

from cases import services, versions
from core.stale import STALE
from tests.cases.test_young_person_forms import edit_form

pytestmark = pytest.mark.django_db


def opened(client, person) -> dict:
    """The edit page's form as a browser gets it, with what it carries (the version) and the record's
    values now."""
    page = client.get(reverse("cases:young-person-edit", args=[person.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert f'name="version" value="{form.initial["version"]}"' in page.content.decode()
    return edit_form(person, version=form.initial["version"])


def test_the_second_of_two_saves_is_refused_with_what_changed_and_saves_nothing(world, client_for):
    person, url = world.case, reverse("cases:young-person-edit", args=[world.case.pk])
    world.case.postcode = "SS1 1AA"
    services.tracked_save(world.case, actor=world.adviser, reason="Set up")
    adviser_form = opened(client_for(world.adviser), person)
    manager_form = opened(client_for(world.team_manager), person)

    saved = client_for(world.team_manager).post(
        url, {**manager_form, "postcode": "SS2 6UN", "reason": "Moved"}
    )
    assert saved.status_code == 302
    refused = client_for(world.adviser).post(
        url, {**adviser_form, "phone": "07700 900123", "reason": "New phone"}
    )

    assert refused.status_code == 200
    page = refused.content.decode()
    assert STALE.split(",")[0] in page
    assert "What changed since you opened this page" in page
    (change,) = refused.context["changes_since"]
    assert change.who == world.team_manager.get_full_name()
    assert change.reason == "Moved"
    assert ("Postcode", "SS1 1AA", "SS2 6UN") in change.fields
    person.refresh_from_db()
    assert (person.postcode, person.phone) == (
        "SS2 6UN",
        "",
    )  # the manager's save stands, nothing of the adviser's
    assert refused.context["form"]["phone"].value() == "07700 900123"  # what they typed is kept
    carried = int(refused.context["form"]["version"].value())
    assert carried == versions.version_of(person)

    decided = client_for(world.adviser).post(
        url, {**adviser_form, "phone": "07700 900123", "reason": "New phone", "version": carried}
    )
    assert decided.status_code == 302
    person.refresh_from_db()
    assert (person.postcode, person.phone) == ("SS1 1AA", "07700 900123")  # they chose their version


@pytest.mark.parametrize(
    ("offset", "saved"),
    [(0, True), (-1, False), (1, False)],
    ids=["the record's version", "an older one", "one it never had"],
)
def test_only_the_records_own_version_saves(world, client_for, offset, saved):
    services.young_person_update(young_person=world.case, actor=world.adviser, reason="Earlier", town="Leigh")
    version = versions.version_of(world.case) + offset
    response = client_for(world.adviser).post(
        reverse("cases:young-person-edit", args=[world.case.pk]),
        edit_form(world.case, town="Rayleigh", reason="Moved", version=version),
    )
    assert (response.status_code == 302) is saved
    world.case.refresh_from_db()
    assert world.case.town == ("Rayleigh" if saved else "Leigh")


def test_a_form_without_its_version_is_refused(world, client_for):
    data = edit_form(world.case, town="Rayleigh", reason="Moved")
    del data["version"]
    response = client_for(world.adviser).post(reverse("cases:young-person-edit", args=[world.case.pk]), data)
    assert response.status_code == 200
    assert "This page is out of date: open it again from the record" in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.town != "Rayleigh"
