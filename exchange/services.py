"""Every write of data exchange: uploading and running imports, resolving the review queue, and
self-update links. Each names the acting user; tasks take ids only."""

import gc
import hashlib
import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Organisation, Source, Team, YoungPerson
from core.types import Actor
from exchange import formats, notify, reading, selectors, tasks
from exchange.applying import ImportRun, import_row_save, provider_for
from exchange.models import DELIVERY_IN_FLIGHT, Channel, Delivery, ImportBatch, ReviewItem, SelfUpdateLink
from exchange.selectors import progress_key, review_row, self_update_link, token_hash
from tracking import signals
from tracking.models import Activity, ActivityCode
from tracking.services import activity_record

# --- Imports ---------------------------------------------------------------------------------------


class AlreadyImported(Exception):  # noqa: N818 - an outcome, not a fault
    def __init__(self, batch: ImportBatch):
        super().__init__(f"Import {batch.pk} already holds this file")
        self.batch = batch


logger = logging.getLogger(__name__)
IMPORT_CHUNK = 2000  # rows matched and loaded together, and how often progress is reported


def _report(batch: ImportBatch, state: str, progress: int, *, store: bool) -> None:
    label = ImportBatch.State(state).label
    cache.set(progress_key(batch.pk), {"state": state, "label": label, "progress": progress}, 3600)
    if store:  # outside the saving transaction: visible to the progress page at once
        ImportBatch.objects.filter(pk=batch.pk).update(state=state, progress=progress)


@transaction.atomic
def import_upload(
    *,
    actor: Actor,
    file_format: str,
    source_organisation: Organisation,
    team: Team,
    file_name: str,
    content: bytes,
    queue: bool = True,
    via_api: bool = False,
) -> ImportBatch:
    """Record an uploaded file and queue it (``queue=False``: the caller runs it, as the command does).
    The same file again raises AlreadyImported: nothing changes."""
    if len(content) > formats.MAX_BYTES:
        raise ValidationError({"file": "The file must be smaller than 20 MB"})
    try:
        if reading.sniff(content, file_name) == "xlsx":
            reading.inspect_workbook(content)  # a corrupt workbook or a compressed bomb: refused now
    except ValueError as error:
        raise ValidationError({"file": str(error)[:1].upper() + str(error)[1:]}) from None
    digest = hashlib.sha256(content).hexdigest()
    earlier = (
        ImportBatch.objects.filter(file_format=file_format, file_sha256=digest)
        .exclude(state=ImportBatch.State.REJECTED)
        .first()
    )
    if earlier is not None:
        raise AlreadyImported(earlier)
    batch = ImportBatch.objects.create(
        file_format=file_format,
        source_organisation=source_organisation,
        team=team,
        file_name=file_name[-200:],
        file_sha256=digest,
        content=content,
        uploaded_by=actor,
        via_api=via_api,
    )
    if queue:
        tasks.run_import.delay_on_commit(batch.pk)
    return batch


UPSERT_ROWS = 500  # rows in one API upsert: matched and saved within the request


def rows_upsert(
    *,
    actor: Actor,
    file_format: str,
    source_organisation: Organisation,
    team: Team,
    rows: list[dict[str, str]],
) -> tuple[ImportBatch, bool]:
    """Rows sent to the API, each keyed on its UPN or ULN with the names and date of birth beside,
    imported as a file of them would be: every row checked first (one bad row and nothing is saved),
    then matched against every record, saved, or queued for a person to review. Returns the batch and
    whether it is an earlier one: the same rows sent again the same day answer what they made then (a
    retry); sent another day, they are matched again, as the records may have changed since."""
    names = [column.name for column in formats.FORMATS[file_format].columns]
    values = [[row.get(name, "") for name in names] for row in rows]
    sent = {
        "format": reading.API_ROWS,
        "sent_on": str(timezone.localdate()),
        "columns": names,
        "rows": values,
    }
    content = json.dumps(sent)
    try:
        batch = import_upload(
            actor=actor,
            file_format=file_format,
            source_organisation=source_organisation,
            team=team,
            file_name="API upsert.json",
            content=content.encode(),
            queue=False,
            via_api=True,
        )
    except AlreadyImported as earlier:
        return earlier.batch, True
    return import_run(batch_id=batch.pk), False


@transaction.atomic
def import_retry(*, batch: ImportBatch, actor: Actor) -> ImportBatch:
    """Start a stuck batch again (the run is idempotent: one that is still going holds the batch row,
    and a second finds it done). Refused while it may still be running."""
    if not batch.stuck(timezone.now()):
        raise ValidationError("This import may still be running: try again later if it does not finish")
    logger.warning("Import %s restarted by user %s after it stopped", batch.pk, actor.pk)
    tasks.run_import.delay_on_commit(batch.pk)
    return batch


@contextmanager
def _cycles_collected_at_end() -> Iterator[None]:
    """An import makes millions of short-lived objects beside a large index of the records it could
    match, so Python's cycle collector would walk that index again and again (a tenth of a large
    import's time). Reference counting still frees each object as it goes; cycles wait for the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_run(*, batch_id: int) -> ImportBatch:
    """Check every row; if any is bad, reject the batch (nothing saved, each bad line listed). Else
    match and save every row in one transaction. Safe to run again: a finished batch is left alone,
    and an interrupted one starts over (its transaction rolled back)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.finished:
        return batch
    return _import_check_and_save(batch)


def _import_check_and_save(batch: ImportBatch) -> ImportBatch:
    batch_id = batch.pk
    file_format = formats.FORMATS[batch.file_format]
    content = bytes(batch.content or b"")
    try:
        kind = reading.sniff(content, batch.file_name)
        total = max(1, reading.count_rows(content, kind))

        def checked_line(line: int) -> None:
            if line % 1000 == 0:
                _report(batch, ImportBatch.State.CHECKING, min(49, 50 * line // total), store=True)

        _report(batch, ImportBatch.State.CHECKING, 0, store=True)
        checked = reading.check(content, kind, file_format, on_row=checked_line)
    except reading.UnreadableError as error:
        return _import_finish(batch, ImportBatch.State.REJECTED, errors=[[0, str(error)]], error_rows=1)
    except Exception as error:  # a parser's failure on a hostile file: rejected, never left stuck
        logger.warning("Import %s could not be read (%s)", batch_id, type(error).__name__)
        reason = "the file could not be read: save it again as CSV or Excel and upload it"
        return _import_finish(batch, ImportBatch.State.REJECTED, errors=[[0, reason]], error_rows=1)
    if checked.errors:
        return _import_finish(
            batch,
            ImportBatch.State.REJECTED,
            rows=total - 1,
            errors=checked.errors,
            error_rows=checked.error_rows,
        )
    _report(batch, ImportBatch.State.APPLYING, 50, store=True)
    try:
        with _cycles_collected_at_end():  # not while checking: each bad row's error is a cycle to free
            return _import_save(batch_id, file_format, checked.rows)
    except (DatabaseError, ValidationError) as error:
        # The database's message can quote a value (a UPN in a unique-key clash): log the kind only.
        logger.warning("Import %s could not be saved (%s): rolled back", batch_id, type(error).__name__)
        reason = "the file could not be saved beside the records on file (a clash the checks did not catch)"
        return _import_finish(batch, ImportBatch.State.REJECTED, rows=len(checked.rows), errors=[[0, reason]])


def _import_save(batch_id: int, file_format: formats.Format, rows: list[dict[str, Any]]) -> ImportBatch:
    """Match and save every checked row in one transaction holding the batch row."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)  # one run saves a batch
        if batch.finished:
            return batch
        run = ImportRun.start(batch, file_format, rows)
        with signals.refresh_at_end():
            for start in range(0, len(rows), IMPORT_CHUNK):
                run.apply(rows[start : start + IMPORT_CHUNK])
                done = min(start + IMPORT_CHUNK, len(rows))
                _report(batch, ImportBatch.State.APPLYING, 50 + 49 * done // len(rows), store=False)
        return _import_finish(
            batch, ImportBatch.State.APPLIED, rows=len(rows), outcomes=sorted(run.outcomes), **run.counts
        )


def _import_finish(batch: ImportBatch, state: str, **values: Any) -> ImportBatch:
    for name, value in values.items():
        setattr(batch, name, value)
    batch.state, batch.progress, batch.content, batch.finished_at = state, 100, None, timezone.now()
    batch.save()
    cache.delete(progress_key(batch.pk))
    return batch


def import_data_expire(*, now: datetime | None = None) -> dict[str, int]:
    """The nightly retention of what imports hold: an unfinished batch older than
    ``IMPORT_FILE_KEEP_DAYS`` is rejected and its file dropped (nothing of it was saved); a row still
    waiting for review after ``REVIEW_ROW_KEEP_DAYS`` is dismissed as expired and its values cleared;
    an API batch's outcomes (which record each row became) go with its file's days. Idempotent."""
    now = now or timezone.now()
    kept_since = now - timedelta(days=settings.IMPORT_FILE_KEEP_DAYS)
    stale = ImportBatch.objects.exclude(
        state__in=(ImportBatch.State.APPLIED, ImportBatch.State.REJECTED)
    ).filter(uploaded_at__lt=kept_since)
    reason = f"not imported within {settings.IMPORT_FILE_KEEP_DAYS} days: the file was removed"
    batches = stale.update(
        state=ImportBatch.State.REJECTED, content=None, progress=100, finished_at=now, errors=[[0, reason]]
    )
    rows = ReviewItem.objects.filter(
        outcome=ReviewItem.Outcome.OPEN,
        batch__uploaded_at__lt=now - timedelta(days=settings.REVIEW_ROW_KEEP_DAYS),
    ).update(outcome=ReviewItem.Outcome.DISMISSED, row={}, resolved_at=now)
    answered = ImportBatch.objects.filter(via_api=True, uploaded_at__lt=kept_since).exclude(outcomes=[])
    outcomes = answered.update(outcomes=[])
    if batches or rows or outcomes:
        logger.info("Import data expired: %s files, %s review rows, %s API outcomes", batches, rows, outcomes)
    return {"files": batches, "review_rows": rows, "api_outcomes": outcomes}


# --- The review queue --------------------------------------------------------------------------------


@transaction.atomic
def review_resolve(
    *, item: ReviewItem, actor: Actor, young_person: YoungPerson | None, provider_id: int | None = None
) -> ReviewItem:
    """Link the row to ``young_person`` (or create a record when None) and save it as the import
    would have; the row's values are then cleared from the queue. Not onto a record whose processing
    is restricted."""
    if young_person is not None:
        case_services.restriction_guard(young_person, actor)
    item = ReviewItem.objects.select_for_update().select_related("batch").get(pk=item.pk)
    if item.outcome != ReviewItem.Outcome.OPEN:
        raise ValidationError("This row has already been resolved")
    row = review_row(item)
    if item.kind == ReviewItem.Kind.PROVIDER_NOT_FOUND and provider_id is None:
        raise ValidationError({"provider": "Choose the school or provider this row names"})
    provider_id = provider_id or provider_for(item.batch, row, formats.provider_lookup())[0]
    outcome = ReviewItem.Outcome.CREATED if young_person is None else ReviewItem.Outcome.LINKED
    young_person = import_row_save(item.batch, row, young_person, provider_id)
    return _review_close(item, actor, outcome, young_person)


@transaction.atomic
def review_dismiss(*, item: ReviewItem, actor: Actor) -> ReviewItem:
    if item.outcome != ReviewItem.Outcome.OPEN:
        raise ValidationError("This row has already been resolved")
    return _review_close(item, actor, ReviewItem.Outcome.DISMISSED, None)


def _review_close(
    item: ReviewItem, actor: Actor, outcome: str, young_person: YoungPerson | None
) -> ReviewItem:
    item.outcome, item.young_person, item.resolved_by, item.resolved_at = (
        outcome,
        young_person,
        actor,
        timezone.now(),
    )
    item.row = {}  # the queue keeps no copy of personal data once the row is dealt with
    item.save()
    item.candidates.clear()
    return item


# --- Self-update links -------------------------------------------------------------------------------

SELF_UPDATE_DAYS = 14


@transaction.atomic
def self_update_send(
    *, young_person: YoungPerson, actor: Actor, channel: str = Channel.SHOWN
) -> tuple[SelfUpdateLink, str]:
    """A new single-use link (earlier unused ones stop working), sent by text message or email
    (``channel``) by a task once the link is saved, or only shown to the adviser. Returns the link and
    its token: the token is shown once and stored only as a hash. Not for a record whose processing is
    restricted (the link would let the record be changed)."""
    case_services.restriction_guard(young_person, actor)
    if channel != Channel.SHOWN and not _address(young_person, channel):
        what = "mobile number" if channel == Channel.SMS else "email address"
        raise ValidationError(f"There is no {what} on the record to send the link to", code="no_address")
    now = timezone.now()
    SelfUpdateLink.objects.filter(young_person=young_person, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    link = SelfUpdateLink.objects.create(
        young_person=young_person,
        token_sha256=token_hash(token),
        sent_by=actor,
        expires_at=now + timedelta(days=SELF_UPDATE_DAYS),
        channel=channel,
        delivery=Delivery.NOT_SENT if channel == Channel.SHOWN else Delivery.QUEUED,
    )
    if channel != Channel.SHOWN:  # the message names only ids
        tasks.self_update_deliver.delay_on_commit(link.pk, token)
    return link, token


def _address(young_person: YoungPerson, channel: str) -> str:
    return young_person.phone if channel == Channel.SMS else young_person.email


def self_update_deliver(*, link_id: int, token: str) -> str:
    """Send a queued link by its channel to the young person's number or address as it is now, and
    record what became of it. Nothing is sent twice: a link already handed over, used, replaced or
    expired is left as it is. Returns the link's delivery status."""
    link = self_update_link(token)
    if link is None or link.pk != link_id or link.delivery != Delivery.QUEUED:
        return link.delivery if link is not None and link.pk == link_id else Delivery.NOT_SENT
    person = link.young_person
    if not (address := _address(person, link.channel)):
        link.delivery = Delivery.NO_ADDRESS
    else:
        message = notify.Message(
            first_name=person.known_as,
            link=settings.SITE_URL.rstrip("/") + reverse("exchange:self-update", args=[token]),
            expires=f"{timezone.localtime(link.expires_at):%-d %B %Y}",
        )
        try:
            link.notification_id, link.delivery = notify.send(
                link.channel, address, message, reference=f"self-update-link-{link.pk}"
            )
        except notify.RefusedError:
            link.delivery = Delivery.REFUSED
    link.delivery_checked_at = timezone.now()
    link.save(update_fields=["notification_id", "delivery", "delivery_checked_at"])
    return link.delivery


DELIVERY_WATCH_DAYS = 7  # Notify keeps a notification's status for 7 days


def self_update_delivery_check() -> int:
    """Ask GOV.UK Notify what became of each message still on its way (sent in the last
    ``DELIVERY_WATCH_DAYS``) and record it. Returns how many changed."""
    since = timezone.now() - timedelta(days=DELIVERY_WATCH_DAYS)
    changed = 0
    for link in SelfUpdateLink.objects.filter(delivery__in=DELIVERY_IN_FLIGHT, sent_at__gte=since).exclude(
        notification_id=""
    ):
        try:
            now = notify.status(link.notification_id)
        except notify.UnavailableError:
            continue  # asked again in ten minutes
        link.delivery_checked_at = timezone.now()
        changed += now != link.delivery
        link.delivery = now if now in Delivery.values else link.delivery
        link.save(update_fields=["delivery", "delivery_checked_at"])
    return changed


def self_update_send_bulk(*, actor: Actor) -> int:
    """A link to each young person on the actor's 'Not known' work list (within their reach to change)
    who has an email address, each in its own transaction, passing over records whose processing is
    restricted. Returns how many were sent."""
    sent = 0
    for young_person in selectors.not_known_with_email(actor):
        try:
            self_update_send(young_person=young_person, actor=actor, channel=Channel.EMAIL)
        except ValidationError:  # restricted: no link (the guard's refusal)
            continue
        sent += 1
    return sent


@transaction.atomic
def self_update_submit(*, link: SelfUpdateLink, code: ActivityCode, start_date: date, where: str) -> Activity:
    """Record what the young person told us, unverified, for their adviser to check. Uses the link."""
    link = SelfUpdateLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None or link.expires_at <= timezone.now():
        raise ValidationError("This link has already been used or has expired")
    activity = activity_record(
        young_person=link.young_person,
        actor=None,
        reason="Told us through a self-update link",
        code=code,
        start_date=start_date,
        date_ascertained=timezone.localdate(),
        notes=f"Where: {where}" if where else "",
        source=Source.YOUNG_PERSON,
    )
    link.used_at, link.activity = timezone.now(), activity
    link.save(update_fields=["used_at", "activity"])
    return activity
