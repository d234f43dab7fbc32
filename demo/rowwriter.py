"""Fast inserts for generated data: model instances written as plain rows (PostgreSQL COPY, SQLite
executemany), or rows made by the database from a SELECT, each with the "+" history row
simple-history would write (copied by the database). Used only to build synthetic councils;
application writes go through the services."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from core import bulk

RESERVING = 2026_1130  # the advisory lock generator processes take to reserve ids


class RowWriter:
    def __init__(self, *, actor, reason: str):
        self.actor_id = actor.pk if actor else None
        self.reason = reason
        self.now = timezone.now()

    def write(self, model, objects: list) -> list:
        """Insert ``objects`` (giving each its id) and their history rows."""
        if not objects:
            return objects
        fields = model._meta.concrete_fields
        dated = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        for obj, pk in zip(objects, self._reserve_ids(model, len(objects)), strict=True):
            obj.pk = pk
            for field in dated:  # a date given on creation is kept (dated back)
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, self.now)
        self.insert_rows(
            model._meta.db_table,
            [f.column for f in fields],
            ([getattr(obj, f.attname) for f in fields] for obj in objects),
        )
        if hasattr(model, "history"):  # the ids were reserved in one unbroken run
            self._write_history(model, "id", objects[0].pk, objects[-1].pk)
        return objects

    def write_select(
        self, model, columns: list[str], select: str, params: dict, *, of: tuple[int, int]
    ) -> int:
        """Insert the rows that ``select`` (one SELECT giving ``columns``) makes, set-wise in the
        database, for the young people with ids ``of`` (first, last), and their history rows; return
        how many. For the millions of rows of a large council, which the database makes far faster
        than Python can send them."""
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            # names from model meta and the generator's own SQL, never input
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({column_list}) {select}", params)  # nosec B608
            count = cursor.rowcount
        if hasattr(model, "history") and count:
            self._write_history(model, "young_person_id", *of)
        return count

    def _write_history(self, model, column: str, first: int, last: int) -> None:
        """The "+" history row of each row whose ``column`` is from ``first`` to ``last``, copied by the
        database from the rows as stored."""
        history_model = model.history.model
        extra = {
            "history_date": connection.ops.adapt_datetimefield_value(self.now),
            "history_type": "+",
            "history_user_id": self.actor_id,
            "history_change_reason": self.reason,
        }
        quote = connection.ops.quote_name
        fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
        values = ", ".join("%s" if f.attname in extra else quote(f.column) for f in fields)
        params = [extra[f.attname] for f in fields if f.attname in extra]
        columns = ", ".join(quote(f.column) for f in fields)
        history_table, table = quote(history_model._meta.db_table), quote(model._meta.db_table)
        with connection.cursor() as cursor:  # names from model meta, never input
            cursor.execute(
                f"INSERT INTO {history_table} ({columns}) "  # noqa: S608  # nosec B608
                f"SELECT {values} FROM {table} WHERE {quote(column)} BETWEEN %s AND %s",
                [*params, first, last],
            )

    def _reserve_ids(self, model, count: int) -> list[int]:
        """``count`` ids in one unbroken run: on PostgreSQL under an advisory lock, so two generator
        processes drawing from one sequence never interleave."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [RESERVING])
                try:
                    return bulk.reserve_ids(model, count)
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [RESERVING])
        with connection.cursor() as cursor:
            table_name = connection.ops.quote_name(model._meta.db_table)  # from model meta, never input
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table_name}")  # noqa: S608  # nosec B608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def insert_rows(self, table: str, columns: list[str], rows) -> None:
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
