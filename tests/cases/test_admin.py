"""The admin is scoped through cases/access.py for every user, history pages included."""

import pytest
from django.urls import reverse

from cases.models import AccessEvent
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def changelist_ids(client, model):
    response = client.get(reverse(f"admin:cases_{model}_changelist"))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def staff_adviser(world):
    """An adviser given admin access: the admin still shows only their caseload."""
    world.adviser.is_staff = True
    world.adviser.save()
    return world.adviser


def test_the_dpo_sees_every_young_person_in_the_admin(world, client_for):
    assert changelist_ids(client_for(world.dpo), "youngperson") == {
        world.case.pk,
        world.colleague_case.pk,
        world.other_case.pk,
    }


def test_a_staff_adviser_sees_only_their_caseload_in_the_admin(world, client_for, staff_adviser):
    mine = ContactFactory(young_person=world.case, staff_member=world.adviser)
    ContactFactory(young_person=world.other_case, staff_member=world.other_adviser)
    client = client_for(staff_adviser)
    assert changelist_ids(client, "youngperson") == {world.case.pk}
    assert changelist_ids(client, "contact") == {mine.pk}
    assert (
        client.get(reverse("admin:cases_youngperson_change", args=[world.other_case.pk])).status_code == 404
    )


def test_history_pages_outside_reach_are_404(world, client_for, staff_adviser):
    client = client_for(staff_adviser)
    assert (
        client.get(reverse("admin:cases_youngperson_history", args=[world.other_case.pk])).status_code == 404
    )
    history_id = world.other_case.history.first().history_id
    url = reverse("admin:cases_youngperson_simple_history", args=[world.other_case.pk, history_id])
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:cases_youngperson_history", args=[world.case.pk])).status_code == 200


def test_viewing_a_record_in_the_admin_leaves_an_access_event(world, client_for):
    client_for(world.dpo).get(reverse("admin:cases_youngperson_change", args=[world.case.pk]))
    event = AccessEvent.objects.get(young_person=world.case)
    assert (event.user, event.what) == (world.dpo, AccessEvent.What.ADMIN)


def test_case_records_are_read_only_in_the_admin_even_for_the_dpo(world, client_for):
    client = client_for(world.dpo)
    assert client.get(reverse("admin:cases_youngperson_add")).status_code == 403
    assert client.get(reverse("admin:cases_youngperson_delete", args=[world.case.pk])).status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("dpo", 200), ("sysadmin", 403)])
def test_only_the_dpo_reads_the_access_log_in_the_admin(world, client_for, persona, status):
    assert (
        client_for(getattr(world, persona)).get(reverse("admin:cases_accessevent_changelist")).status_code
        == status
    )


def test_the_system_administrator_manages_users_but_sees_no_young_people(world, client_for):
    client = client_for(world.sysadmin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_youngperson_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_delete", args=[world.adviser.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["adviser", "nobody"])
def test_users_who_are_not_staff_are_sent_to_the_admin_sign_in(world, client_for, persona):
    response = client_for(getattr(world, persona)).get(reverse("admin:cases_youngperson_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
