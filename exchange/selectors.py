"""Reads for data exchange: an import's progress, the records a file's rows could be, a queued row,
a self-update link by its token."""

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from cases import access, worklists
from cases.models import YoungPerson, YoungPersonPermission
from cases.validators import TEMPORARY_ULN
from core.types import Viewer
from exchange import matching
from exchange.comparing import Frequencies
from exchange.models import ImportBatch, ReviewItem, SelfUpdateLink


def progress_key(batch_id: int) -> str:
    return f"import-progress-{batch_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def import_progress(batch: ImportBatch) -> dict[str, Any]:
    """What the progress bar shows: the task's latest report (kept in the cache while it saves rows
    in one transaction), else the batch as stored."""
    reported = None if batch.finished else cache.get(progress_key(batch.pk))
    return reported or {"state": batch.state, "label": batch.get_state_display(), "progress": batch.progress}


# --- Matching -------------------------------------------------------------------------------------

_MATCH_FIELDS = (
    "legal_given_name",
    "legal_family_name",
    "date_of_birth",
    "postcode",
    "upn",
    "uln",
    "pk",
    "gender",
    "school_id",
)
_IN_CHUNK = 2000  # values or date ranges per query
_HELD = {"upn": ~Q(upn=""), "uln": ~Q(uln="") & ~Q(uln=TEMPORARY_ULN)}  # as the unique indexes are


def match_index(rows: list[matching.Person], denied: frozenset[str]) -> matching.Index:
    """The records a file's rows could be, and how common each name is among everyone on file: the
    holders of the file's UPNs and ULNs, and, for the rows no identifier settles, the people born in
    their date-of-birth windows. Read in a few queries that grow with the file, not the council."""
    index = matching.Index(denied=denied, frequencies=name_frequencies())
    for key in ("upn", "uln"):
        values = sorted({getattr(row, key) for row in rows} - denied - {""})
        for start in range(0, len(values), _IN_CHUNK):
            chunk = values[start : start + _IN_CHUNK]
            index.include(_people(_HELD[key] & Q(**{f"{key}__in": chunk})), by_birth=False)
    days = {day for row in rows if not index.holders(row) for day in matching.birth_window(row.date_of_birth)}
    spans = list(_spans(sorted(days)))
    for start in range(0, len(spans), _IN_CHUNK):
        born = Q()
        for first, last in spans[start : start + _IN_CHUNK]:
            born |= Q(date_of_birth__range=(first, last))
        index.include(_people(born))
    return index


def name_frequencies() -> Frequencies:
    """How many people on file have each given name, family name and the two together, counted by
    the database (each distinct pair once) and put in matching's form."""
    frequencies = Frequencies()
    pairs = (
        YoungPerson.objects.values_list(Lower("legal_given_name"), Lower("legal_family_name"))
        .annotate(people=Count("pk"))
        .order_by()
    )
    for given, family, people in pairs.iterator(chunk_size=10_000):
        frequencies.add(given, family, people)
    return frequencies


def _people(condition: Q) -> Iterator[matching.Person]:
    # Read whole, not through a server-side cursor (PostgreSQL plans those for the first few rows).
    for given, family, born, postcode, upn, uln, pk, gender, school in YoungPerson.objects.filter(
        condition
    ).values_list(*_MATCH_FIELDS):
        yield matching.Person(given, family, born, postcode, upn, uln, pk, gender, str(school or ""))


def _spans(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Runs of consecutive days, as (first, last)."""
    first = last = None
    for day in days:
        if last is not None and day == last + timedelta(days=1):
            last = day
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = day
    if first is not None and last is not None:
        yield first, last


_DATE_COLUMNS = ("date_of_birth", "start_date", "expected_end_date", "activity_start_date")


def review_row(item: ReviewItem) -> dict[str, Any]:
    """The row as checked (dates back from JSON)."""
    return {k: date.fromisoformat(v) if k in _DATE_COLUMNS and v else v for k, v in item.row.items()}


def self_update_link(token: str) -> SelfUpdateLink | None:
    """The link for a token if it is unused and unexpired."""
    return (
        SelfUpdateLink.objects.select_related("young_person")
        .filter(token_sha256=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def not_known(user: Viewer) -> QuerySet[YoungPerson]:
    """The young people on the user's 'Not known' work list, within their reach to change."""
    people = access.young_people_for(user, YoungPersonPermission.CHANGE)
    not_known = worklists.get("not_known")
    if not_known is None:  # registered by tracking at start-up (docs/adr/0003-extension-points.md)
        raise ImproperlyConfigured("The 'not_known' work list is not registered")
    return people.filter(not_known.condition(timezone.localdate()))


def not_known_with_email(user: Viewer) -> QuerySet[YoungPerson]:
    """Those of them with an email address (the self-update links sent in bulk)."""
    return not_known(user).exclude(email="")


def self_update_panel(young_person: YoungPerson, user: Viewer) -> dict[str, Any] | None:
    """The record page's Self-update links tab: the newest links, how each was sent and what became of
    it (one query); none when no link was ever made."""
    links = list(young_person.self_update_links.select_related("sent_by")[:PANEL_LINKS])
    if not links:
        return None
    return {
        "id": "self-update",
        "title": "Self-update links",
        "template": "exchange/_self_update_panel.html",
        "context": {"links": links, "now": timezone.now()},
    }


PANEL_LINKS = 10
