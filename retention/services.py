"""Destroying what has passed its retention date: set-wise, table by table, a batch of people per
transaction, leaving for each person a destruction record that names no one, in the database and in
the destruction ledger outside it. Idempotent and resumable: each batch is wholly gone (with its
records) or wholly there, so a run killed half-way is simply run again."""

import functools
import hashlib
import hmac
import logging
import os
import socket
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import registry
from cases import services as case_services
from cases.models import Tombstone, YoungPerson
from core import bulk
from core.types import Actor
from retention import ledger, traces
from retention.models import (
    AnonymisedSummary,
    DestructionRecord,
    JobLock,
    RetentionRule,
    ScannedDocument,
)
from retention.selectors import due_for_destruction
from tracking.models import CurrentStatus

logger = logging.getLogger(__name__)
PURGE_LOCK = "retention-purge"
PURGE_ADVISORY_KEY = 7_304_011  # the purge's advisory lock on PostgreSQL (any number no other job uses)
STALE_LOCK = timedelta(hours=6)  # a lock row of another host (SQLite only) is taken over after this


def subject_hash(young_person_id: int) -> str:
    """A keyed hash of the id: lets a destruction be re-applied after a restore, identifies no one."""
    return hmac.new(ledger.retention_secret(), str(young_person_id).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Destruction:
    """One person to destroy, and why: a retention rule, or an erasure (``rule`` None)."""

    young_person_id: int
    rule: RetentionRule | None
    reason: str


# --- How ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    label: str
    table: str  # quoted
    column: str  # quoted: the column holding the young person's id
    keep_row: bool  # set the column to NULL instead of deleting the row


@functools.cache
def _targets() -> tuple[_Target, ...]:
    """Every column holding a person's id, built once per process: links to keep (set to NULL) first,
    then rows to delete, the person last; foreign keys are checked at commit."""
    quote = connection.ops.quote_name
    targets = [
        _Target(ref.label, quote(ref.model._meta.db_table), quote(ref.column), ref.keep_row)
        for ref in sorted(registry.references(), key=lambda r: not r.keep_row)
    ]
    targets.append(_Target("cases.YoungPerson", quote(YoungPerson._meta.db_table), quote("id"), False))
    return tuple(targets)


def _among(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL, a list of them on SQLite."""
    if connection.vendor == "postgresql":  # one text parameter: far cheaper to send than a list of ints
        return f"{column} = ANY(%s::bigint[])", [bulk.id_array(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def statements(ids: Sequence[int]) -> Iterator[tuple[str, str, list[Any], _Target | None]]:
    """(label, SQL, parameters, target) removing every row about these people, set-wise: declared
    dependants first (no target), then links to keep (set to NULL), then everything else, the people
    last."""
    quote = connection.ops.quote_name
    # Table and column names below come from model meta, never from input; values are bound (%s).
    for model, path in registry.declared_dependants():
        sql, found_by = (
            model._default_manager.filter(**{f"{path}_id__in": bulk.ids_in(ids)})
            .values_list("pk", flat=True)
            .query.sql_with_params()
        )
        yield (
            model._meta.label,
            f"DELETE FROM {quote(model._meta.db_table)} WHERE "  # nosec B608
            f"{quote(model._meta.pk.attname)} IN (SELECT * FROM ({sql}) AS dependants)",
            list(found_by),
            None,
        )
    for target in _targets():
        where, params = _among(target.column, ids)
        unlink = f"UPDATE {target.table} SET {target.column} = NULL"  # nosec B608
        verb = unlink if target.keep_row else f"DELETE FROM {target.table}"  # nosec B608
        yield target.label, f"{verb} WHERE {where}", params, target


def _run(ids: Sequence[int]) -> Counter[str]:
    """Run ``statements``: how many rows each table lost or unlinked."""
    counts: Counter[str] = Counter()
    with connection.cursor() as cursor:
        for label, sql, params, _ in statements(ids):
            cursor.execute(sql, params)
            counts[label] += max(cursor.rowcount, 0)
    return counts


@dataclass
class Purged:
    records: list[DestructionRecord]  # one a person destroyed
    rows: Counter[str]  # rows removed, unlinked or cleared, by model


@transaction.atomic
def purge_people(destructions: Sequence[Destruction]) -> Purged:
    """Destroy these people and every row about them, in one transaction, set-wise (an ORM delete
    would make simple-history write a fresh snapshot of everything it deletes). People already gone
    are passed over. Each destroyed person gets a record, in the database and in the ledger."""
    wanted = {d.young_person_id: d for d in destructions}
    people = traces.subjects(
        YoungPerson.objects.select_for_update(of=("self",)).filter(pk__in=bulk.ids_in(wanted))
    )
    if not people:
        return Purged([], Counter())
    ids = [person.pk for person in people]
    tombstones = [
        case_services.tombstone(Tombstone.Event.DESTROYED, YoungPerson, person.pk, person)
        for person in YoungPerson.objects.filter(pk__in=bulk.ids_in(ids)).only("team_id", "lead_adviser_id")
    ]
    documents = ScannedDocument.objects.filter(young_person_id__in=bulk.ids_in(ids)).exclude(file="")
    files = list(documents.values_list("file", flat=True))
    _keep_anonymised_summaries(
        [
            p
            for p in people
            if (rule := wanted[p.pk].rule) is not None and rule.action == RetentionRule.Action.ANONYMISE
        ]
    )
    rows = Counter(traces.remove(people)) + _run(ids)
    # the feed says only that they were destroyed: what it said of them before goes with them
    Tombstone.objects.filter(young_person_id__in=bulk.ids_in(ids)).delete()
    case_services.tombstones_write(tombstones)
    now = timezone.now()
    records = bulk.insert(
        DestructionRecord,
        [
            DestructionRecord(
                subject_hash=subject_hash(person.pk),
                rule=wanted[person.pk].rule,
                reason=wanted[person.pk].reason,
                destroyed_at=now,
            )
            for person in people
        ],
    )
    # written and synced before the commit: a crash between leaves a line for someone still here
    ledger.append(ledger.Entry(r.subject_hash, r.reason, now.isoformat()) for r in records)
    transaction.on_commit(lambda: _delete_files(files))
    logger.info("Destroyed %s subjects, %s rows", len(people), rows.total())
    return Purged(records, rows)


def _keep_anonymised_summaries(people: list[traces.Subject]) -> None:
    ids = bulk.ids_in(person.pk for person in people)
    statuses = {s.young_person_id: s for s in CurrentStatus.objects.filter(young_person_id__in=ids)}
    AnonymisedSummary.objects.bulk_create(
        AnonymisedSummary(
            birth_year=person.date_of_birth.year,
            district=person.postcode.split(" ")[0] if person.postcode else "",
            gender=person.gender,
            ethnicity=person.ethnicity_code or "",
            sen_status=person.sen_status,
            last_status=status.status if (status := statuses.get(person.pk)) else "",
            last_activity_code=status.activity_code if status else "",
            destroyed_on=timezone.localdate(),
        )
        for person in people
    )


def _delete_files(names: list[str]) -> None:

    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def erase(*, young_person_id: int, actor: Actor, reason: str) -> DestructionRecord | None:
    """Erasure on request (the DPO's subject request hands over here)."""
    records = purge_people([Destruction(young_person_id, None, reason)]).records
    record = records[0] if records else None
    logger.info(
        "Erasure by user %s: destruction record %s", getattr(actor, "pk", None), getattr(record, "pk", None)
    )
    return record


# --- The nightly run ---------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    due: int = 0
    held: int = 0
    destroyed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    skipped: str = ""


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(lock: JobLock, now: datetime) -> bool:
    """Whether a lock row's holder has stopped: a process of this host that is no longer running, or
    (another host's, or a row from before owners were kept) one older than ``STALE_LOCK``."""
    host, _, pid = lock.owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return lock.acquired_at < now - STALE_LOCK
    try:
        os.kill(int(pid), 0)  # signal 0: is it running?
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # running, as another user
    return False


@contextmanager
def _purge_lock() -> Iterator[bool]:
    """Whether this process may purge now, held while it runs and freed when its holder dies.
    PostgreSQL: a session advisory lock, which the server releases when the holder's connection ends
    (a worker killed mid-purge frees it at once, so Celery's redelivery runs). SQLite: a ``JobLock``
    row naming its holder's host and process, taken over once that process has stopped."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PURGE_ADVISORY_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [PURGE_ADVISORY_KEY])
        return
    now = timezone.now()
    for lock in JobLock.objects.filter(name=PURGE_LOCK):
        if _gone(lock, now):
            lock.delete()
    try:
        with transaction.atomic():
            JobLock.objects.create(name=PURGE_LOCK, acquired_at=now, owner=_owner())
    except IntegrityError:
        yield False
        return
    try:
        yield True
    finally:
        JobLock.objects.filter(name=PURGE_LOCK, owner=_owner()).delete()


def purge_expired(*, dry_run: bool = False, on: date | None = None) -> PurgeReport:
    """Destroy everyone past their date without a hold, ``RETENTION_PURGE_BATCH`` people to a
    transaction. With ``dry_run`` only count what would go. A second purge while one runs is skipped."""
    on = on or timezone.localdate()
    with _purge_lock() as held:
        if not held:
            logger.warning("Purge skipped: another purge is running")
            return PurgeReport(skipped="another purge is running")
        return _purge(on, dry_run)


def _batches(destructions: list[Destruction]) -> Iterator[list[Destruction]]:
    size = settings.RETENTION_PURGE_BATCH
    for start in range(0, len(destructions), size):
        yield destructions[start : start + size]


def _add(report: PurgeReport, counts: dict[str, int]) -> None:
    for label, count in counts.items():
        report.rows[label] = report.rows.get(label, 0) + count


def _purge(on: date, dry_run: bool) -> PurgeReport:
    due = due_for_destruction(on)
    report = PurgeReport(due=len(due), held=sum(d.held for d in due), rows={})
    destructions = [
        Destruction(d.young_person_id, d.rule, f"Retention: {d.rule.name}") for d in due if not d.held
    ]
    for batch in _batches(destructions):
        if dry_run:
            _add(report, dry_run_counts([d.young_person_id for d in batch]))
            continue
        purged = purge_people(batch)
        report.destroyed += len(purged.records)
        _add(report, purged.rows)
    if not dry_run:
        report.rows["retention.ScannedDocument (copies past their rule)"] = purge_documents(on=on)
    return report


def dry_run_counts(ids: Sequence[int]) -> dict[str, int]:
    """How many rows the purge of these people would remove or unlink, by model."""
    people = traces.subjects(YoungPerson.objects.filter(pk__in=bulk.ids_in(ids)))
    counts = Counter({model._meta.label: len(rows) for model, rows in traces.identified(people).items()})
    with connection.cursor() as cursor:
        for label, sql, params, _ in statements(ids):
            if sql.startswith("DELETE "):
                cursor.execute("SELECT COUNT(*) " + sql.removeprefix("DELETE "), params)
                counts[label] += cursor.fetchone()[0]
    return {label: count for label, count in counts.items() if count}


def reapply_destructions() -> int:
    """After restoring a backup: destroy again everyone the destruction ledger (checked line by line
    first; ``ledger.LedgerError`` if it has been altered) or the database's records name."""
    hashes = {entry.subject_hash for entry in ledger.verify().entries}
    hashes.update(DestructionRecord.objects.values_list("subject_hash", flat=True))
    again = [
        Destruction(pk, None, "Re-applied after a restore")
        for pk in YoungPerson.objects.values_list("pk", flat=True).iterator()
        if subject_hash(pk) in hashes
    ]
    return sum(len(purge_people(batch).records) for batch in _batches(again))


def purge_documents(*, on: date) -> int:
    """Scanned and paper copies past their rule (12 months after upload): rows, history and files."""
    rule = RetentionRule.objects.filter(covers=RetentionRule.Covers.PAPER_COPIES).first()
    if rule is None:
        return 0
    expired = ScannedDocument.objects.filter(uploaded_on__lt=on - relativedelta(months=rule.period_months))
    files = [name for name in expired.values_list("file", flat=True) if name]
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        ScannedDocument.history.filter(id__in=ids)._raw_delete(ScannedDocument.history.db)
        expired._raw_delete(expired.db)
        transaction.on_commit(lambda: _delete_files(files))
    logger.info("Destroyed %s scanned copies past %s months", len(ids), rule.period_months)
    return len(ids)
