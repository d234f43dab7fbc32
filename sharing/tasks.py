"""Celery tasks: ids in, services do the work."""

from celery import shared_task


@shared_task(acks_late=True)
def build_access_bundle(bundle_id: int) -> int:
    from sharing import services

    return services.access_bundle_build(bundle_id=bundle_id).pk
