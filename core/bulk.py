"""Writing many new rows at once. On PostgreSQL: ids drawn from the table's own sequence and the rows
sent by COPY (an import's thousands of new records and grants, and generated councils); elsewhere
Django's bulk_create. The callers write the history rows and grants that go with them."""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import JSONField, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

M = TypeVar("M", bound=Model)


def insert(model: type[M], objects: list[M]) -> list[M]:
    """Insert new ``objects``, giving each its id and setting the dates a save sets (now)."""
    if not objects:
        return objects
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objects, batch_size=1000)
    now = timezone.now()
    fields = model._meta.concrete_fields
    dated = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
        for field in dated:
            setattr(obj, field.attname, now)
        obj._state.adding, obj._state.db = False, connection.alias
    # COPY adapts each value as it is, but for JSON
    attnames = [(f.attname, f if isinstance(f, JSONField) else None) for f in fields]
    rows = (
        [
            getattr(obj, name) if json is None else json.get_db_prep_save(getattr(obj, name), connection)
            for name, json in attnames
        ]
        for obj in objects
    )
    copy_rows(model._meta.db_table, [str(field.column) for field in fields], rows)
    return objects


def insert_values(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows of derived data given as values by attribute name, each row naming the same
    ones, without building model instances: COPY on PostgreSQL (the table gives the ids), elsewhere
    bulk_create. Nothing is returned: for tables whose rows nobody reads back at once."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    names = list(rows[0])
    column_of = {field.attname: str(field.column) for field in model._meta.concrete_fields}
    columns = [column_of[name] for name in names]
    copy_rows(model._meta.db_table, columns, ([row[name] for name in names] for row in rows))


def ids_in(ids: Iterable[int]) -> Any:
    """The right side of an ``__in`` lookup on thousands of ids: on PostgreSQL one array parameter
    (``unnest``), which costs Django and the driver far less than a placeholder an id; elsewhere
    the list."""
    if connection.vendor != "postgresql":
        return [int(pk) for pk in ids]
    return RawSQL("SELECT unnest(%s::bigint[])", [id_array(ids)])


def id_array(ids: Iterable[int]) -> str:
    """PostgreSQL's text form of an array of ids, sent as one parameter (cast it: ``%s::bigint[]``)."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` ids from the table's sequence (PostgreSQL), safe beside other writers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL COPY of ``rows`` into ``table``."""
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
