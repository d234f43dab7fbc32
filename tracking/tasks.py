"""Celery tasks: thin wrappers that call services, with dates and ids only, never personal data."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def nightly_tracking() -> dict:
    """Refresh every status (lapsing currency and birthdays change them with the date), then store the
    snapshot of the last month that has ended, once it has ended (anything recorded on its last day,
    however late, is in it, as it is in the month's return), unless it is stored already: a night
    missed is caught up the next. Idempotent: running it twice gives the same result."""
    from tracking import services
    from tracking.models import MonthlySnapshot

    today = timezone.localdate()
    statuses = services.status_refresh(on=today)
    month_end = today.replace(day=1) - timedelta(days=1)
    taken = MonthlySnapshot.objects.filter(month_end=month_end).exists()
    return {
        "statuses": statuses,
        "snapshot_rows": 0 if taken else services.snapshot_take(month_end=month_end),
    }
