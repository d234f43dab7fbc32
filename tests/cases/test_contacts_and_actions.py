"""Logging contacts and working the action plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Action, Contact

pytestmark = pytest.mark.django_db


def contact_form(day, **overrides):
    data = {
        "occurred_on_0": day.day,
        "occurred_on_1": day.month,
        "occurred_on_2": day.year,
        "occurred_time": "10:15",
        "method": Contact.Method.PHONE,
        "purpose": Contact.Purpose.NEET_SUPPORT,
        "staff_role": Contact.StaffRole.PERSONAL_ADVISER,
        "duration_minutes": "20",
        "notes": "Discussed the college open day",
    }
    data.update(overrides)
    return data


def test_an_adviser_logs_a_contact_with_an_agreed_action(world, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    due = timezone.localdate() + timedelta(days=7)
    response = client_for(world.adviser).post(
        reverse("cases:contact-create", args=[world.case.pk]),
        contact_form(
            yesterday,
            action_description="Book a place at the open day",
            action_owner="young_person",
            action_due_on_0=due.day,
            action_due_on_1=due.month,
            action_due_on_2=due.year,
        ),
    )
    assert response.status_code == 302
    contact = Contact.objects.get(young_person=world.case)
    assert (contact.staff_member, contact.notes, timezone.localtime(contact.occurred_at).date()) == (
        world.adviser,
        "Discussed the college open day",
        yesterday,
    )
    action = Action.objects.get(young_person=world.case)
    assert (action.contact, action.due_on, action.owner) == (contact, due, "young_person")
    assert contact.history.get().history_user == world.adviser


def test_a_contact_in_the_future_is_refused_and_nothing_is_saved(world, client_for):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(world.adviser).post(
        reverse("cases:contact-create", args=[world.case.pk]), contact_form(tomorrow)
    )
    assert response.context["form"].errors["occurred_on"] == [
        "The date of contact must be today or in the past"
    ]
    assert not Contact.objects.exists()


def test_an_action_without_an_owner_or_due_date_is_refused_with_the_contact(world, client_for):
    response = client_for(world.adviser).post(
        reverse("cases:contact-create", args=[world.case.pk]),
        contact_form(timezone.localdate() - timedelta(days=1), action_description="Call the college"),
    )
    assert set(response.context["form"].errors) == {"action_owner", "action_due_on"}
    assert not Contact.objects.exists()
    assert not Action.objects.exists()


def test_completing_an_action(world, client_for):
    client = client_for(world.adviser)
    due = timezone.localdate() + timedelta(days=3)
    client.post(
        reverse("cases:action-create", args=[world.case.pk]),
        {
            "description": "Send CV",
            "owner": "young_person",
            "due_on_0": due.day,
            "due_on_1": due.month,
            "due_on_2": due.year,
        },
    )
    action = Action.objects.get()
    client.post(reverse("cases:action-complete", args=[world.case.pk, action.pk]))
    action.refresh_from_db()
    assert (action.completed_on, action.completed_by) == (timezone.localdate(), world.adviser)
    again = client.post(reverse("cases:action-complete", args=[world.case.pk, action.pk]), follow=True)
    assert "This action is already complete" in again.content.decode()


def test_an_action_of_another_record_is_404(world, client_for):
    other = Action.objects.create(
        young_person=world.other_case, description="x", owner="adviser", due_on=timezone.localdate()
    )
    response = client_for(world.adviser).post(
        reverse("cases:action-complete", args=[world.case.pk, other.pk])
    )
    assert response.status_code == 404


def test_the_logged_contact_appears_on_the_record(world, client_for):
    client = client_for(world.adviser)
    yesterday = timezone.localdate() - timedelta(days=1)
    client.post(reverse("cases:contact-create", args=[world.case.pk]), contact_form(yesterday))
    html = client.get(reverse("cases:young-person-detail", args=[world.case.pk])).content.decode()
    assert "Discussed the college open day" in html
    assert "Contacts (1)" in html
