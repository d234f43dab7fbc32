"""Against lost updates. A tracked record's version is the id of its latest history row: every change
through the services writes one (bulk writes too: ``services.history_copy``). An edit carries the
version it started from (a hidden form field, the API's If-Match); saving over a record whose version
has moved on since is refused with what changed in between, and nothing is saved."""

from django.db.models import Max, Model

from cases.changes import Change, changes_for
from core.stale import StaleEditError


def tracked(model: type[Model]) -> bool:
    """Whether the model keeps history, and so has versions (a grant or a disclosure row does not)."""
    return hasattr(model, "history")


def version_of(instance: Model) -> int:
    """The id of the record's latest history row (0 before it has any)."""
    history = type(instance).history  # type: ignore[attr-defined]
    return int(history.filter(id=instance.pk).aggregate(latest=Max("history_id"))["latest"] or 0)


def changes_since(instance: Model, version: int) -> list[Change]:
    """What changed after ``version``, oldest first, each against the row before it."""
    history = type(instance).history  # type: ignore[attr-defined]
    rows = history.filter(id=instance.pk, history_id__gte=version).select_related("history_user")
    rows = list(rows.order_by("history_date", "history_id"))
    label = str(type(instance)._meta.verbose_name).capitalize()
    changes = changes_for(history.model, rows, label)
    return changes[1:] if rows and rows[0].history_id == version else changes


def check(instance: Model, version: int) -> None:
    """Lock the record's row for the rest of the transaction and refuse the edit (``StaleEditError``) if
    the record has changed since ``version``."""
    model = type(instance)
    list(model._default_manager.select_for_update().filter(pk=instance.pk).values_list("pk"))
    current = version_of(instance)
    if current != version:
        raise StaleEditError(changes=changes_since(instance, version), version=current)
