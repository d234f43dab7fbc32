"""Celery tasks: thin wrappers that call services, with ids only, never personal data (a self-update
link's token is a random secret, not data about anyone)."""

from celery import shared_task

from exchange.notify import UnavailableError


@shared_task(acks_late=True)
def run_import(batch_id: int) -> str:
    """Check and save one uploaded batch (by id: the file is in the database, never in the message)."""
    from exchange import services

    return services.import_run(batch_id=batch_id).state


@shared_task(
    acks_late=True, autoretry_for=(UnavailableError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8
)
def self_update_deliver(link_id: int, token: str) -> str:
    """Send a link; while GOV.UK Notify cannot take it, try again later (30 s, doubling, about a day)."""
    from exchange import services

    return services.self_update_deliver(link_id=link_id, token=token)


@shared_task
def self_update_delivery_check() -> int:
    """Every 10 minutes: what became of the text messages and emails still on their way."""
    from exchange import services

    return services.self_update_delivery_check()


@shared_task(acks_late=True)
def self_update_send_bulk(actor_id: int) -> int:
    from django.contrib.auth import get_user_model

    from exchange import services

    return services.self_update_send_bulk(actor=get_user_model().objects.get(pk=actor_id))


@shared_task(acks_late=True)
def import_data_expire() -> dict[str, int]:
    """Nightly: unfinished files and rows left waiting for review past their time (see the service)."""
    from exchange import services

    return services.import_data_expire()
