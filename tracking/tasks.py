"""Celery tasks: thin wrappers that call services, with dates and ids only, never personal data."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def nightly_tracking() -> dict:
    """Refresh every status (lapsing currency and birthdays change them with the date), then store the
    month's snapshot on its last day. Idempotent: running it twice gives the same result."""
    from tracking import services

    today = timezone.localdate()
    statuses = services.status_refresh(on=today)
    month_ends_today = (today + timedelta(days=1)).day == 1
    return {
        "statuses": statuses,
        "snapshot_rows": services.snapshot_take(month_end=today) if month_ends_today else 0,
    }
