"""The nightly beat job: statuses follow the date (lapsing currency), snapshots on month ends."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from cases.models import YoungPerson
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


def test_the_nightly_job_takes_a_month_s_snapshot_once_it_has_ended_with_its_last_day_in_it(world):
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    born = month_end.replace(year=month_end.year - 17, month=1, day=1)  # 16 or 17: in the headline cohort
    YoungPerson.objects.filter(pk=world.case.pk).update(date_of_birth=born)
    at = timezone.make_aware(datetime.combine(month_end, time(23, 50)))
    with mock.patch("django.utils.timezone.now", return_value=at):  # recorded ten minutes before midnight
        services.activity_record(
            young_person=world.case,
            actor=world.adviser,
            code=ActivityCode.objects.get(code="619"),
            start_date=month_end,
            date_ascertained=month_end,
        )
    with mock.patch("tracking.tasks.timezone.localdate", return_value=month_end):  # its last day
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] > 0
    assert not MonthlySnapshot.objects.filter(month_end=month_end).exists()  # that was the month before

    with mock.patch("tracking.tasks.timezone.localdate", return_value=month_end + timedelta(days=1)):
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] > 0
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] == 0  # taken already
    team = MonthlySnapshot.objects.get(month_end=month_end, team=world.team, dimension="all")
    assert team.neet == 1  # the last evening's NEET record is in the month's figures


def test_a_missed_night_is_caught_up_the_next(world):
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    with mock.patch("tracking.tasks.timezone.localdate", return_value=month_end + timedelta(days=2)):
        assert tasks.nightly_tracking.apply().get()["snapshot_rows"] > 0
    assert MonthlySnapshot.objects.filter(month_end=month_end).exists()


def test_month_end_statuses_replace_their_month_and_a_year_s_are_kept(world):
    from dateutil.relativedelta import relativedelta

    from tracking.models import MonthEndStatus

    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    year_before = month_end.replace(day=1) - relativedelta(years=1) - timedelta(days=1)  # 13 months back
    YoungPerson.objects.update(created_at=timezone.now() - relativedelta(years=2))  # on file for all three
    services.month_end_statuses_store(month_end=year_before)
    kept = year_before + relativedelta(months=1, day=31)  # 12 months back: kept
    services.month_end_statuses_store(month_end=kept)
    people = YoungPerson.objects.on_file_by(month_end).count()
    assert services.month_end_statuses_store(month_end=month_end) == people
    assert services.month_end_statuses_store(month_end=month_end) == people  # again: replaced, not added
    assert MonthEndStatus.objects.filter(month_end=month_end).count() == people
    assert set(MonthEndStatus.objects.values_list("month_end", flat=True)) == {kept, month_end}
