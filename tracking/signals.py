"""CurrentStatus is a cache of the rules' answer for each person, so it follows every change to the
facts the rules read. The refresh runs inside the writer's transaction: it sees the change, and rolls
back with it. Bulk loads (which send no signals) call services.status_refresh themselves, and a
nightly job catches changes that come only with the date (lapsing currency, birthdays)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save

from cases.models import Attendance, YoungPerson
from tracking.facts import RULE_INPUTS
from tracking.models import Activity, Characteristic, CohortExit, Offer

_deferred: ContextVar[set[int] | None] = ContextVar("status_refresh_deferred", default=None)


@contextmanager
def refresh_at_end():
    """Within the block, writes only note whose status changed; they are refreshed together at the
    end of the block (inside the caller's transaction), as a bulk import needs."""
    from tracking.services import status_refresh

    changed: set[int] = set()
    token = _deferred.set(changed)
    try:
        yield
    finally:
        _deferred.reset(token)
    ordered = sorted(changed)
    for start in range(0, len(ordered), 2000):
        status_refresh(young_person_ids=ordered[start : start + 2000])


def changed(young_person_ids) -> None:
    """Writes that send no signals (bulk saves) report whose facts changed here."""
    deferred = _deferred.get()
    ids = list(young_person_ids)
    if deferred is not None:
        deferred.update(ids)
    elif ids:
        from tracking.services import status_refresh

        status_refresh(young_person_ids=ids)


def _on_change(sender, instance, raw=False, **kwargs):
    from tracking.services import status_refresh

    if sender is YoungPerson and not instance.changed_since_read(RULE_INPUTS):
        return  # a phone number or a name: no rule reads it
    young_person_id = instance.pk if sender is YoungPerson else instance.young_person_id
    deferred = _deferred.get()
    if deferred is not None:
        deferred.add(young_person_id)
    elif not raw and YoungPerson.objects.filter(pk=young_person_id).exists():
        status_refresh(young_person_ids=[young_person_id])


def connect() -> None:
    for model in (YoungPerson, Attendance, Activity, Characteristic, Offer, CohortExit):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"tracking-status-{model.__name__}")
        if model is not YoungPerson:
            post_delete.connect(
                _on_change, sender=model, dispatch_uid=f"tracking-status-del-{model.__name__}"
            )
