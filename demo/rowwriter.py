"""Fast inserts for generated data: model instances written as plain rows (PostgreSQL COPY, SQLite
executemany), each with the "+" history row simple-history would write. Used only to build
synthetic councils; application writes go through the services."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from core import bulk


class RowWriter:
    def __init__(self, *, actor, reason: str):
        self.actor_id = actor.pk if actor else None
        self.reason = reason
        self.now = timezone.now()

    def write(self, model, objects: list) -> list:
        """Insert ``objects`` (giving each its id) and their history rows."""
        if not objects:
            return objects
        for obj, pk in zip(objects, self._reserve_ids(model, len(objects)), strict=True):
            obj.pk = pk
            for field in model._meta.concrete_fields:  # a date given on creation is kept (dated back)
                given = getattr(field, "auto_now_add", False) and getattr(obj, field.attname) is not None
                if not given and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
                    setattr(obj, field.attname, self.now)
        fields = model._meta.concrete_fields
        self._insert(
            model._meta.db_table,
            [f.column for f in fields],
            ([getattr(obj, f.attname) for f in fields] for obj in objects),
        )
        if hasattr(model, "history"):
            self._write_history(model.history.model, objects)
        return objects

    def _write_history(self, history_model, objects: list) -> None:
        extra = {
            "history_date": self.now,
            "history_type": "+",
            "history_user_id": self.actor_id,
            "history_change_reason": self.reason,
        }
        fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
        self._insert(
            history_model._meta.db_table,
            [f.column for f in fields],
            (
                [extra[f.attname] if f.attname in extra else getattr(obj, f.attname) for f in fields]
                for obj in objects
            ),
        )

    def _reserve_ids(self, model, count: int) -> list[int]:
        if connection.vendor == "postgresql":
            return bulk.reserve_ids(model, count)
        with connection.cursor() as cursor:
            table_name = connection.ops.quote_name(model._meta.db_table)  # from model meta, never input
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table_name}")  # noqa: S608  # nosec B608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def _insert(self, table: str, columns: list[str], rows) -> None:
        if connection.vendor == "postgresql":
            bulk.copy_rows(table, columns, rows)
            return
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                # names from model meta, never input
                f"INSERT INTO {quote(table)} ({column_list}) VALUES ({placeholders})",  # noqa: S608  # nosec B608
                [[_sqlite(value) for value in row] for row in rows],
            )


def _sqlite(value):
    """SQLite stores datetimes as naive UTC text, as Django's backend does."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.make_naive(value, UTC).isoformat(" ")
    return value
