"""The one registry of personal data: which models hold rows about one young person, and through
which column. Discovered from the models, so a model added later is covered everywhere at once:

- ``personal_models()``: every link from a model to a young person (a foreign key or one-to-one
  under any name, or a many-to-many). The record's history tab, the access bundle and merging read
  these; ``owned_models()`` are the links through which rows belong to one person (``young_person``,
  or guardian's ``content_object`` for co-worker grants), and ``merge_stays`` says which a merge
  leaves where they are, and why.
- ``references()``: every column that holds a young person's id, in every table (history tables and
  auto-created many-to-many tables included), with whether the row outlives the person (SET_NULL).
  The retention purge deletes or unlinks through these.
- ``declared_dependants()``: models that hold a copy of a person's data through another model and
  declare it with ``purge_path`` (an access bundle, through its subject request).
- ``redactions()``, ``stored_files()``, ``identified_by()``: rows that outlive a destroyed
  person and name them in text, whole files that may name them, rows about them with no link.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from cases.models import Tracked, YoungPerson

OWNER_LINKS = ("young_person", "content_object")  # the names a link to the owning person may have


@dataclass(frozen=True)
class PersonalModel:
    """A model's link to a young person: a foreign key or one-to-one under any name, or a
    many-to-many (a breach's people)."""

    model: type[models.Model]
    person_field: str  # "young_person", "content_object" (co-worker grants), or another ("kept", "holder")
    one_to_one: bool = False
    many: bool = False  # a many-to-many: no column of the model's own

    @property
    def person_column(self) -> str:
        return f"{self.person_field}_id"

    @property
    def tracked(self) -> bool:
        """Written through the services with history (and so movable by a merge)."""
        return issubclass(self.model, Tracked)

    @property
    def derived(self) -> bool:
        """A cache worked out from the person's other rows (``derived = True`` on the model)."""
        return getattr(self.model, "derived", False)

    @property
    def owned(self) -> bool:
        """The rows belong to the person (rather than relating two records, as a merge does)."""
        return self.person_field in OWNER_LINKS

    def name(self, *, plural: bool = False) -> str:
        """How the access bundle and the history tab name these rows: "contacts", or with the
        link's own field when the rows do not simply belong to the person ("merges (kept)")."""
        meta = self.model._meta
        name = str(meta.verbose_name_plural if plural else meta.verbose_name)
        if self.owned and not self.many:
            return name
        return f"{name} ({meta.get_field(self.person_field).verbose_name})"  # type: ignore[union-attr]

    @property
    def merge_stays(self) -> str:
        """Why a merge leaves these rows on the merged record ("" if it moves them to the kept one)."""
        if not self.owned or self.many:
            return "it relates records to each other, as they were"
        if self.one_to_one:
            return "one per record: a merge is refused after an exit, and a status is worked out again"
        if self.derived:
            return "worked out again from both records' rows after the merge"
        if not self.tracked or self.person_field != "young_person":
            return "it records what happened to each record as it was (access, grants, disclosures)"
        return ""


def personal_models() -> list[PersonalModel]:
    """Every link from a model to a young person (history models left out: their rows are their
    models' own). The access bundle, the record's history tab and merging read these; the purge
    reads ``references()``, every column of every table, which these are a part of."""
    found = []
    for model in apps.get_models():
        if model is YoungPerson or getattr(model, "instance_type", None):  # simple-history's models
            continue
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.is_relation and field.related_model is YoungPerson:
                found.append(
                    PersonalModel(model, field.name, bool(field.one_to_one), bool(field.many_to_many))
                )
    return found


def owned_models() -> list[PersonalModel]:
    """The links through which rows belong to one person (``young_person``, or a grant's object)."""
    return [link for link in personal_models() if link.owned and not link.many]


@dataclass(frozen=True)
class Reference:
    model: type[models.Model]
    column: str  # the database column holding the young person's id
    keep_row: bool  # True: the row outlives the person with the link set to NULL (on_delete SET_NULL)

    @property
    def label(self) -> str:
        return self.model._meta.label


def _original_on_delete(model: type[models.Model], field: models.Field) -> object:
    original = getattr(model, "instance_type", None)  # simple-history's historical models
    if original is not None:
        try:
            return original._meta.get_field(field.name).remote_field.on_delete
        except FieldDoesNotExist:  # a history-only field: it belongs to the person
            return models.CASCADE
    return getattr(field.remote_field, "on_delete", None)


def references() -> list[Reference]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is YoungPerson:
                keep = _original_on_delete(model, field) is models.SET_NULL
                found.append(Reference(model, field.column or field.attname, keep))
    found.append(Reference(YoungPerson.history.model, "id", False))
    return found


def declared_dependants() -> list[tuple[type[models.Model], str]]:
    """Models declaring ``purge_path``: the ORM path from them to the young person's id."""
    return [(model, path) for model in apps.get_models() if (path := getattr(model, "purge_path", ""))]


def redactions() -> list[tuple[type[models.Model], str, tuple[str, ...]]]:
    """Models whose rows outlive a destroyed person and declare ``purge_redact``: the ORM path from
    them to the person's id, and the text fields the purge removes the person's details from."""
    return [
        (model, model.purge_redact_path, model.purge_redact)  # type: ignore[attr-defined]
        for model in apps.get_models()
        if getattr(model, "purge_redact", ())
    ]


def stored_files() -> list[tuple[type[models.Model], str, dict[str, object]]]:
    """Models keeping whole uploaded files in a column (``purge_file_field``, an unfinished import's
    file): the purge drops a file naming a person it destroys, setting ``purge_file_dropped``."""
    return [
        (model, model.purge_file_field, model.purge_file_dropped)  # type: ignore[attr-defined]
        for model in apps.get_models()
        if getattr(model, "purge_file_field", "")
    ]


def identified_by() -> list[tuple[type[models.Model], tuple[dict[str, str], ...]]]:
    """Rows about a person that no foreign key links to them (an imported row waiting for review):
    models declaring ``purge_identified_by``, groups of lookups from the person's fields to the row's,
    any group of which, with every value present, finds a row. ``__iexact`` compares in any case;
    every group has at least one exact lookup, and dates compare as ISO text (rows keep JSON)."""
    return [
        (model, model.purge_identified_by)  # type: ignore[attr-defined]
        for model in apps.get_models()
        if getattr(model, "purge_identified_by", ())
    ]
