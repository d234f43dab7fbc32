"""Reads for data exchange: an import's progress, a queued row, a self-update link by its token."""

import hashlib
from datetime import date
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

from cases import access, worklists
from cases.models import YoungPerson, YoungPersonPermission
from core.types import Viewer
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
