"""What imports hold has its own retention (the nightly task): an unfinished batch's file is dropped
after seven days, a row left waiting for review is dismissed and its values cleared after ninety; both
boundaries pinned on both sides, and nothing finished or resolved is touched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchange import tasks
from exchange.models import ImportBatch, ReviewItem
from tests.factories import ImportBatchFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
MINUTE = timedelta(minutes=1)


def batch_uploaded(world, school, ago: timedelta, **fields) -> ImportBatch:
    values = {"state": ImportBatch.State.QUEUED, "content": b"UPN,Forename\n"} | fields
    batch = ImportBatchFactory(
        source_organisation=school,
        team=world.team,
        file_sha256=f"roll-{ago}-{values['state']}",
        uploaded_by=world.service_manager,
        **values,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_at=timezone.now() - ago)
    return batch


def test_an_unfinished_file_is_kept_seven_days_then_rejected_and_dropped(world, school):
    kept = batch_uploaded(world, school, timedelta(days=7) - MINUTE)
    dropped = batch_uploaded(world, school, timedelta(days=7) + MINUTE, state=ImportBatch.State.APPLYING)
    applied = batch_uploaded(world, school, timedelta(days=30), state=ImportBatch.State.APPLIED, content=None)
    assert tasks.import_data_expire.apply().get() == {"files": 1, "review_rows": 0, "api_outcomes": 0}
    kept.refresh_from_db()
    dropped.refresh_from_db()
    applied.refresh_from_db()
    assert (kept.state, bytes(kept.content)) == ("queued", b"UPN,Forename\n")
    assert (dropped.state, dropped.content) == ("rejected", None)
    assert dropped.errors == [[0, "not imported within 7 days: the file was removed"]]
    assert applied.state == "applied"
    again = tasks.import_data_expire.apply().get()
    assert again == {"files": 0, "review_rows": 0, "api_outcomes": 0}  # idempotent


def test_a_row_waiting_for_review_is_dismissed_and_cleared_after_ninety_days(world, school):
    def waiting(ago: timedelta, **fields) -> ReviewItem:
        batch = batch_uploaded(world, school, ago, state=ImportBatch.State.APPLIED, content=None)
        return ReviewItem.objects.create(
            batch=batch, line=2, kind="possible_match", reason="a possible match", row={"upn": "A1"}, **fields
        )

    kept = waiting(timedelta(days=90) - MINUTE)
    expired = waiting(timedelta(days=90) + MINUTE)
    resolved = waiting(timedelta(days=200), outcome=ReviewItem.Outcome.LINKED)
    assert tasks.import_data_expire.apply().get() == {"files": 0, "review_rows": 1, "api_outcomes": 0}
    for item in (kept, expired, resolved):
        item.refresh_from_db()
    assert (kept.outcome, kept.row) == ("open", {"upn": "A1"})
    assert (expired.outcome, expired.row) == ("dismissed", {})
    assert expired.resolved_at is not None
    assert resolved.outcome == "linked"
