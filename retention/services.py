"""Destroying what has passed its retention date: set-wise, table by table, one transaction per
person, leaving a destruction record that names no one. Idempotent and resumable: a person is
either wholly gone (with a record) or wholly there, so a run killed half-way is simply run again."""

import functools
import hashlib
import hmac
import logging
import os
import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import registry
from cases.models import YoungPerson
from core.types import Actor
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
REMOVED = "[removed]"  # what stands where a destroyed person's details were
STALE_LOCK = timedelta(hours=6)  # a lock row of another host (SQLite only) is taken over after this


def subject_hash(young_person_id: int) -> str:
    """A keyed hash of the id: lets a destruction be re-applied after a restore, identifies no one."""
    key = (getattr(settings, "RETENTION_HASH_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(key, str(young_person_id).encode(), hashlib.sha256).hexdigest()


# --- How ------------------------------------------------------------------------------------------


def _execute(sql: str, params: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


@functools.cache
def statement_templates() -> tuple[tuple[str, str], ...]:
    """(label, SQL with one %s for the person's id) for every row about a person, built once per
    process: declared dependants first, then links to keep (set to NULL), then everything else, the
    person last; foreign keys are checked at commit."""
    quote = connection.ops.quote_name
    templates = []
    # Table and column names below come from model meta, never from input; values are bound (%s).
    for model, path in registry.declared_dependants():
        sql, _ = (
            model._default_manager.filter(**{f"{path}_id": 0})
            .values_list("pk", flat=True)
            .query.sql_with_params()
        )
        templates.append(
            (
                model._meta.label,
                f"DELETE FROM {quote(model._meta.db_table)} WHERE "  # nosec B608
                f"{quote(model._meta.pk.attname)} IN (SELECT * FROM ({sql}) AS dependants)",
            )
        )
    for ref in sorted(registry.references(), key=lambda r: not r.keep_row):
        table, column = quote(ref.model._meta.db_table), quote(ref.column)
        verb = f"UPDATE {table} SET {column} = NULL" if ref.keep_row else f"DELETE FROM {table}"  # nosec B608
        templates.append((ref.label, f"{verb} WHERE {column} = %s"))
    young_people = quote(YoungPerson._meta.db_table)  # table and column names come from model meta
    templates.append(("cases.YoungPerson", f"DELETE FROM {young_people} WHERE id = %s"))  # nosec B608
    return tuple(templates)


def _statements(young_person_id: int) -> Iterator[tuple[str, str, list[int]]]:
    for label, sql in statement_templates():
        yield label, sql, [young_person_id]


@transaction.atomic
def purge_person(
    *, young_person_id: int, rule: RetentionRule | None, reason: str
) -> DestructionRecord | None:
    """Destroy one person and every row about them, set-wise (an ORM delete would make
    simple-history write a fresh snapshot of everything it deletes). None if already gone."""
    person = YoungPerson.objects.select_for_update().filter(pk=young_person_id).first()
    if person is None:
        return None
    files = [d.file.name for d in person.documents.all() if d.file.name]
    if rule is not None and rule.action == RetentionRule.Action.ANONYMISE:
        _keep_anonymised_summary(person)

    counts: defaultdict[str, int] = defaultdict(int)
    for label, redacted in _redact(person).items():
        counts[f"{label} (details removed)"] += redacted
    for rows in registry.identified_rows(person):
        counts[rows.model._meta.label] += rows.delete()[0]
    for label, sql, params in _statements(young_person_id):
        counts[label] += max(_execute(sql, params), 0)
    record = DestructionRecord.objects.create(
        subject_hash=subject_hash(young_person_id),
        rule=rule,
        reason=reason,
        destroyed_at=timezone.now(),
        row_counts={label: count for label, count in counts.items() if count},
    )
    transaction.on_commit(lambda: _delete_files(files))
    logger.info("Destroyed a subject: destruction record %s, %s rows", record.pk, sum(counts.values()))
    return record


def identifying_values(person: YoungPerson) -> list[str]:
    """What would identify the person in free text: their names, full name, UPN, ULN, email, phone."""
    names = (person.legal_given_name, person.legal_family_name, person.preferred_name)
    full = f"{person.legal_given_name} {person.legal_family_name}"
    values = {full, *names, person.upn, person.uln, person.email, person.phone}
    return sorted((v.strip() for v in values if v and len(v.strip()) > 1), key=len, reverse=True)


def _redact(person: YoungPerson) -> dict[str, int]:
    """Remove the person's names and identifiers from the text of rows that outlive them (a subject
    request, a disclosure: ``registry.redactions``) and from those rows' history, without writing a
    new history row. Returns how many rows changed, by model."""
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(value) for value in identifying_values(person)) + r")\b", re.IGNORECASE
    )
    changed: dict[str, int] = {}
    for model, path, fields in registry.redactions():
        ids = list(model._default_manager.filter(**{path: person.pk}).values_list("pk", flat=True).distinct())
        tables = [model._default_manager.filter(pk__in=ids)]
        if hasattr(model, "history"):
            tables.append(model.history.filter(id__in=ids))
        for rows in tables:
            for pk, *texts in rows.values_list("pk", *fields):
                cleaned = [pattern.sub(REMOVED, text or "") for text in texts]
                if cleaned != [text or "" for text in texts]:
                    # an update, not a save: a new history row would keep what is being removed
                    rows.filter(pk=pk).update(**dict(zip(fields, cleaned, strict=True)))
                    changed[model._meta.label] = changed.get(model._meta.label, 0) + 1
    return changed


def _keep_anonymised_summary(person: YoungPerson) -> AnonymisedSummary:
    status = CurrentStatus.objects.filter(young_person=person).first()
    return AnonymisedSummary.objects.create(
        birth_year=person.date_of_birth.year,
        district=person.postcode.split(" ")[0] if person.postcode else "",
        gender=person.gender,
        ethnicity=person.ethnicity.code if person.ethnicity else "",
        sen_status=person.sen_status,
        last_status=status.status if status else "",
        last_activity_code=status.activity_code if status else "",
        destroyed_on=timezone.localdate(),
    )


def _delete_files(names: list[str]) -> None:

    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def erase(*, young_person_id: int, actor: Actor, reason: str) -> DestructionRecord | None:
    """Erasure on request (the DPO's subject request hands over here)."""
    record = purge_person(young_person_id=young_person_id, rule=None, reason=reason)
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
    """Destroy everyone past their date without a hold, each in their own transaction. With
    ``dry_run`` only count what would go. A second purge while one runs is skipped."""
    on = on or timezone.localdate()
    with _purge_lock() as held:
        if not held:
            logger.warning("Purge skipped: another purge is running")
            return PurgeReport(skipped="another purge is running")
        return _purge(on, dry_run)


def _purge(on: date, dry_run: bool) -> PurgeReport:
    due = due_for_destruction(on)
    report = PurgeReport(due=len(due), held=sum(d.held for d in due), rows={})
    for item in (d for d in due if not d.held):
        if dry_run:
            for label, count in dry_run_counts(item.young_person_id).items():
                report.rows[label] = report.rows.get(label, 0) + count
            continue
        record = purge_person(
            young_person_id=item.young_person_id, rule=item.rule, reason=f"Retention: {item.rule.name}"
        )
        if record is not None:
            report.destroyed += 1
            for label, count in record.row_counts.items():
                report.rows[label] = report.rows.get(label, 0) + count
    if not dry_run:
        report.rows["retention.ScannedDocument (copies past their rule)"] = purge_documents(on=on)
    return report


def dry_run_counts(young_person_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rows in registry.identified_rows(YoungPerson.objects.get(pk=young_person_id)):
        counts[rows.model._meta.label] = rows.count()
    for label, sql, params in _statements(young_person_id):
        if sql.startswith("DELETE"):
            count_sql = "SELECT COUNT(*) " + sql[len("DELETE ") :]
            with connection.cursor() as cursor:
                cursor.execute(count_sql, params)
                counts[label] = counts.get(label, 0) + cursor.fetchone()[0]
    return {label: count for label, count in counts.items() if count}


def reapply_destructions() -> int:
    """After restoring a backup: destroy again everyone a destruction record names (by keyed hash)."""
    hashes = set(DestructionRecord.objects.values_list("subject_hash", flat=True))
    again = 0
    for pk in YoungPerson.objects.values_list("pk", flat=True).iterator():
        if subject_hash(pk) in hashes and purge_person(
            young_person_id=pk, rule=None, reason="Re-applied after a restore"
        ):
            again += 1
    return again


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
