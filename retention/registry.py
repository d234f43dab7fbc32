"""What the purge deletes, discovered from the models so that a model added later is covered:
every table with a foreign key to YoungPerson (history tables and auto-created many-to-many tables
included), the young person's own history, and any model that declares ``purge_path`` (a copy of a
person's data reached through another model, such as an access bundle)."""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from cases.models import YoungPerson


@dataclass(frozen=True)
class Reference:
    model: type[models.Model]
    column: str  # the database column holding the young person's id
    keep_row: bool  # True: the row outlives the person with the link set to NULL (on_delete SET_NULL)
    join: str = ""  # for purge_path models: an SQL subquery selecting the rows' ids

    @property
    def label(self) -> str:
        return self.model._meta.label


def _original_on_delete(model, field):
    original = getattr(model, "instance_type", None)  # simple-history's historical models
    if original is not None:
        try:
            return original._meta.get_field(field.name).remote_field.on_delete
        except FieldDoesNotExist:  # a history-only field: it belongs to the person
            return models.CASCADE
    return field.remote_field.on_delete


def references() -> list[Reference]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is YoungPerson:
                keep = _original_on_delete(model, field) is models.SET_NULL
                found.append(Reference(model, field.column, keep))
    found.append(Reference(YoungPerson.history.model, "id", False))
    return found


def declared_dependants() -> list[tuple[type[models.Model], str]]:
    """Models declaring ``purge_path``: the ORM path from them to the young person's id."""
    return [(model, model.purge_path) for model in apps.get_models() if getattr(model, "purge_path", "")]
