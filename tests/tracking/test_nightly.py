"""The nightly beat job: statuses follow the date (lapsing currency), snapshots on month ends."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tracking import services, tasks
from tracking.models import ActivityCode, CurrentStatus, MonthlySnapshot, Status

pytestmark = pytest.mark.django_db


def test_the_nightly_job_catches_currency_that_lapsed_overnight(world):
    today = timezone.localdate()
    services.activity_record(
        young_person=world.case,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="619"),
        start_date=today - timedelta(days=100),
        date_ascertained=today - timedelta(days=100),
        due_to_lapse_date=today - timedelta(days=1),
    )
    CurrentStatus.objects.filter(young_person=world.case).update(status=Status.NEET)  # as refreshed yesterday
    result = tasks.nightly_tracking.apply().get()
    assert result["statuses"] == 3
    assert CurrentStatus.objects.get(young_person=world.case).status == Status.NOT_KNOWN


def test_the_nightly_job_takes_the_snapshot_only_on_the_last_day_of_a_month(world):
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    with mock.patch("tracking.tasks.timezone.localdate", return_value=month_end):
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] > 0
    assert MonthlySnapshot.objects.filter(month_end=month_end).exists()
    with mock.patch("tracking.tasks.timezone.localdate", return_value=month_end - timedelta(days=1)):
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] == 0
