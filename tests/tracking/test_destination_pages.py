"""Recording where young people are heading and are, through the pages."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from tracking.models import Activity, ActivityCode, CurrentStatus, Offer, OfferType, Status

pytestmark = pytest.mark.django_db


def dated(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def activity_form(code, start, **extra):
    return {
        "code": ActivityCode.objects.get(code=code).pk,
        **dated("start_date", start),
        **dated("date_ascertained", timezone.localdate()),
        "source": "adviser",
        **extra,
    }


def test_recording_an_activity_updates_the_status_and_ends_the_previous_one(world, client_for):
    client = client_for(world.adviser)
    url = reverse("tracking:activity-create", args=[world.case.pk])
    today = timezone.localdate()
    assert client.post(url, activity_form("230", today - timedelta(days=60))).status_code == 302
    assert CurrentStatus.objects.get(young_person=world.case).status == Status.EET
    assert client.post(url, activity_form("619", today - timedelta(days=5))).status_code == 302

    college, seeking = Activity.objects.filter(young_person=world.case).order_by("start_date")
    assert college.end_date == today - timedelta(days=6)
    assert seeking.neet_start_date == today - timedelta(days=5)
    assert seeking.due_to_lapse_date == today + relativedelta(months=3)  # NEET: re-confirm every 3 months
    status = CurrentStatus.objects.get(young_person=world.case)
    assert (status.status, status.activity_code) == (Status.NEET, "619")
    page = client.get(reverse("tracking:destinations", args=[world.case.pk]))
    assert "619 Seeking employment, education or training" in page.content.decode()
    assert page.context["evaluation"].status == Status.NEET


def test_a_code_outside_its_valid_dates_is_refused(world, client_for):
    code = ActivityCode.objects.get(code="460")
    code.valid_to = date(2021, 8, 31)
    code.save()
    response = client_for(world.adviser).post(
        reverse("tracking:activity-create", args=[world.case.pk]), activity_form("460", timezone.localdate())
    )
    assert (
        response.context["form"]
        .errors["code"][0]
        .startswith("Supported internship (460) was not a valid code")
    )
    assert not Activity.objects.exists()


def test_an_activity_ending_before_it_starts_is_refused(world, client_for):
    today = timezone.localdate()
    response = client_for(world.adviser).post(
        reverse("tracking:activity-create", args=[world.case.pk]),
        activity_form("230", today, **dated("end_date", today - timedelta(days=1))),
    )
    assert response.context["form"].errors["end_date"] == ["The end date must be on or after the start date"]
    assert not Activity.objects.exists()


def test_a_guarantee_offer_for_someone_outside_year_11_or_12_is_refused(world, client_for):
    person = world.case
    person.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 20)
    person.sen_status = "E"
    person.save()
    response = client_for(world.adviser).post(
        reverse("tracking:offer-create", args=[person.pk]),
        {
            "guarantee_year": 11,
            "offer_type": OfferType.objects.get(code="APP").pk,
            "state": "offered",
            **dated("offered_on", timezone.localdate()),
        },
    )
    assert response.context["form"].errors["guarantee_year"] == [
        "On that date the young person was in neither September Guarantee cohort"
    ]
    assert not Offer.objects.exists()


def test_the_record_history_shows_tracking_changes(world, client_for):
    client = client_for(world.adviser)
    client.post(
        reverse("tracking:activity-create", args=[world.case.pk]),
        activity_form("310", timezone.localdate() - timedelta(days=3)),
    )
    history = client.get(reverse("cases:young-person-history", args=[world.case.pk]))
    changes = history.context["page"].object_list
    assert any(change.what == "Activity" and change.kind == "Created" for change in changes)
