"""Forms in the GOV.UK voice, and dates that cannot be right are refused on both sides of their
boundary: no Django defaults showing through ("---------", "Enter a valid time."), "(optional)" once
and on every optional field, times without seconds, and an edit recorded as the adviser's own."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Action, Source, YoungPerson
from tracking.models import ActivityCode

pytestmark = pytest.mark.django_db

FORMS = ["cases:contact-create", "cases:action-create", "cases:young-person-edit", "tracking:activity-create"]


def date_parts(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.mark.parametrize("name", FORMS)
def test_no_django_default_shows_and_optional_is_said_once(world, client_for, name):
    html = client_for(world.adviser).get(reverse(name, args=[world.case.pk])).content.decode()
    assert "---------" not in html
    assert "(optional) (optional)" not in html


@pytest.mark.parametrize(
    ("name", "legend"),
    [("cases:contact-create", "Action due date"), ("tracking:activity-create", "End date")],
)
def test_an_optional_date_says_so(world, client_for, name, legend):
    html = client_for(world.adviser).get(reverse(name, args=[world.case.pk])).content.decode()
    assert f"{legend} (optional)</legend>" in html


def test_the_time_is_shown_without_seconds_and_bad_input_is_said_plainly(world, client_for):
    client = client_for(world.adviser)
    url = reverse("cases:contact-create", args=[world.case.pk])
    assert not re.search(r'value="\d\d:\d\d:\d\d"', client.get(url).content.decode())
    page = client.post(
        url,
        {
            **date_parts("occurred_on", timezone.localdate()),
            "occurred_time": "25:99",
            "duration_minutes": "0",
            "purpose": "guidance",
            "staff_role": "personal_adviser",
            "notes": "Talked",
        },
    )
    errors = page.context["form"].errors
    assert errors["occurred_time"] == ["Enter time on the 24-hour clock, for example 14:30"]
    assert errors["duration_minutes"] == ["Duration in minutes must be 1 or more"]
    assert errors["method"] == ["Select how the contact happened"]


@pytest.mark.parametrize(("days", "accepted"), [(-1, False), (0, True)])
def test_an_action_is_due_today_or_later(world, client_for, days, accepted):
    page = client_for(world.adviser).post(
        reverse("cases:action-create", args=[world.case.pk]),
        {
            "description": "Apply to college",
            "owner": "young_person",
            **date_parts("due_on", timezone.localdate() + timedelta(days=days)),
        },
    )
    assert Action.objects.filter(young_person=world.case).exists() is accepted
    if not accepted:
        assert "The due date must be today or in the future" in page.content.decode()


@pytest.mark.parametrize(("days", "accepted"), [(0, True), (1, False)])
def test_an_activity_starts_today_or_earlier(world, client_for, days, accepted):
    today = timezone.localdate()
    page = client_for(world.adviser).post(
        reverse("tracking:activity-create", args=[world.case.pk]),
        {
            "code": ActivityCode.objects.get(code="310").pk,
            **date_parts("start_date", today + timedelta(days=days)),
            **date_parts("date_ascertained", today),
            "source": "young_person",
        },
    )
    assert world.case.activities.exists() is accepted
    if not accepted:
        assert "The start date must be today or in the past" in page.content.decode()


@pytest.mark.parametrize(("months_ahead", "accepted"), [(0, True), (1, False)])
def test_the_nccis_return_is_for_this_month_or_an_earlier_one(world, client_for, months_ahead, accepted):
    today = timezone.localdate()
    month = (today.replace(day=1) + timedelta(days=32 * months_ahead)).strftime("%Y-%m")
    page = client_for(world.service_manager).post(reverse("sharing:nccis-return"), {"month": month})
    assert ("month" in page.context["form"].errors) is not accepted


def test_an_edit_is_recorded_as_the_advisers_whatever_the_last_source_was(world, client_for):
    YoungPerson.objects.filter(pk=world.case.pk).update(source=Source.SCHOOL)
    form = (
        client_for(world.adviser)
        .get(reverse("cases:young-person-edit", args=[world.case.pk]))
        .context["form"]
    )
    assert form.initial["source"] == Source.ADVISER
    assert form.initial["source_date"] == timezone.localdate()
