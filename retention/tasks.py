"""The nightly purge: at-least-once delivery (acks_late, rejected if the worker dies), idempotent,
and single-instance through the purge lock (which dies with its holder: services._purge_lock)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_expired() -> dict:
    from retention import services

    report = services.purge_expired()
    return {"due": report.due, "held": report.held, "destroyed": report.destroyed, "skipped": report.skipped}
