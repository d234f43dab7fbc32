"""Celery tasks: thin wrappers that call services, with dates and ids only, never personal data."""

from celery import shared_task


@shared_task(acks_late=True)
def work_lists_rebuild() -> int:
    """Everyone's work-list entries for the new day (nightly), or after the contact intervals change."""
    from cases import services

    return services.work_lists_rebuild()


@shared_task(acks_late=True)
def changes_expire() -> int:
    """Let go of the changes feed's tombstones past CHANGES_KEEP_DAYS (nightly)."""
    from cases import services

    return services.changes_expire()
