"""The nightly purge through Celery: with CI's Redis broker a real worker runs it; without a broker
(the embedded default) the task runs in-process."""

import time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from cases.models import YoungPerson
from retention import tasks
from retention.models import DestructionRecord
from tests.factories import YoungPersonFactory
from youthservice.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_nightly_purge_task_destroys_who_is_due(migration_data, world):
    due = YoungPersonFactory(
        team=world.team, date_of_birth=timezone.localdate() - relativedelta(years=25, days=3)
    )
    if not settings.CELERY_BROKER_URL:
        tasks.purge_expired.delay()
    else:
        from celery.contrib.testing.worker import start_worker

        app.control.purge()  # messages a previous run left in the queue are not this test's
        with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
            tasks.purge_expired.delay()
            deadline = time.monotonic() + 30
            while YoungPerson.objects.filter(pk=due.pk).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    assert not YoungPerson.objects.filter(pk=due.pk).exists()
    assert (
        DestructionRecord.objects.filter(destroyed_at__gte=timezone.now() - timedelta(minutes=5)).count() == 1
    )
    assert YoungPerson.objects.filter(pk=world.case.pk).exists()
