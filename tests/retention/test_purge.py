"""The purge leaves nothing behind, keeps what must stay, and can run again."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import registry
from cases.models import Contact, YoungPerson
from exchange.models import ImportBatch, ReviewItem
from retention import ledger, selectors, services
from retention.models import DestructionRecord, EsfParticipation, LegalHold, ScannedDocument
from sharing import services as sharing_services
from sharing.models import Disclosure, SubjectRequest
from tests.everything import IDENTIFYING, everything_about
from tests.factories import (
    ContactFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def traces_of(person_id: int, details: tuple[str, ...] = tuple(IDENTIFYING.values())) -> list[str]:
    """Every row that links to the person's id, and every column of every table, read as text (JSON,
    files' names and stored bytes included), that holds one of their identifying details."""
    found = [
        f"{ref.label}.{ref.column}"
        for ref in registry.references()
        if ref.model._default_manager.filter(
            **{ref.column if ref.column == "id" else f"{ref.column}": person_id}
        )
        .values("pk")
        .exists()
    ]
    with connection.cursor() as cursor:
        return found + columns_holding(cursor, connection.introspection.table_names(), details)


def columns_holding(cursor, tables: list[str], details: tuple[str, ...]) -> list[str]:
    """table.column for every value, in every column of these tables, that holds one of the details
    (any case), read as text: JSON, files' names and stored bytes included."""
    wanted = [detail.lower() for detail in details if detail]
    found = []
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the database's own table names
        columns = [column[0] for column in cursor.description]
        for row in cursor.fetchall():
            for column, value in zip(columns, row, strict=True):
                text = (
                    bytes(value).decode(errors="ignore")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                )
                if any(detail in text.lower() for detail in wanted):
                    found.append(f"{table}.{column}")
    return found


def test_after_the_25th_birthday_nothing_about_them_is_left(
    world, client_for, django_capture_on_commit_callbacks, eager_celery, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    person, file_name = everything_about(world, client_for, django_capture_on_commit_callbacks)
    upn, uln, person_id = person.upn, person.uln, person.pk
    assert len(traces_of(person_id)) > 20  # the scan sees them before

    birthday = person.date_of_birth + relativedelta(years=25)
    dry_run = services.purge_expired(dry_run=True, on=birthday + timedelta(days=1))
    assert (
        dry_run.rows["exchange.ReviewItem"] == 3
    )  # the DPO sees the rows that will go: 2 name them, 1 links
    with django_capture_on_commit_callbacks(execute=True):
        report = services.purge_expired(on=birthday + timedelta(days=1))
    assert (report.due, report.destroyed) == (1, 1)
    assert report.rows["exchange.ReviewItem"] == 3  # with their links to candidates
    assert report.rows["exchange.ImportBatch (file removed)"] == 2
    assert dict(ImportBatch.objects.exclude(content=None).values_list("file_name", "state")) == {
        "other.csv": "checking"
    }
    assert ImportBatch.objects.get(file_name="by-upn.csv").state == "rejected"

    assert traces_of(person_id, (*IDENTIFYING.values(), upn, uln)) == []
    assert list(ReviewItem.objects.values_list("row__given_name", flat=True)) == ["Ottoline"]
    shared = Disclosure.objects.get(young_people=world.case)  # the other person's release stays
    assert (shared.purpose, shared.recipient_name) == (
        "[removed]'s references, for her tutor",
        "Tutor of [removed]",
    )
    assert not (tmp_path / file_name).exists()
    record = DestructionRecord.objects.get()
    assert record.subject_hash == services.subject_hash(person_id)
    assert report.rows["cases.Contact"] == 1
    text = str(record.__dict__)
    assert not any(value in text for value in (*IDENTIFYING.values(), upn, uln))
    assert SubjectRequest.objects.get().young_person is None  # the request stays, naming no one
    assert YoungPerson.objects.filter(pk=world.case.pk).exists()  # nobody else is touched


def test_a_legal_hold_stops_the_purge_until_lifted(world):
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    hold = LegalHold.objects.create(young_person=person, reason="Claim", placed_by=world.dpo, placed_on=today)
    later = today + timedelta(days=10)
    assert services.purge_expired(on=later).held == 1
    assert YoungPerson.objects.filter(pk=person.pk).exists()
    hold.lifted_on, hold.lifted_by = later, world.dpo
    hold.save()
    assert services.purge_expired(on=later).destroyed == 1


def test_a_team_hold_covers_everyone_in_the_team(world):
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    LegalHold.objects.create(team=world.team, reason="Investigation", placed_by=world.dpo, placed_on=today)
    services.purge_expired(on=today + timedelta(days=10))
    assert YoungPerson.objects.filter(pk=person.pk).exists()


def test_the_latest_rule_wins_esf_keeps_the_record_ten_years_after_the_project(world):
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    EsfParticipation.objects.create(
        young_person=person, project="Impact", project_ends_on=today - relativedelta(years=2)
    )
    [due] = [d for d in selectors.destruction_dates(YoungPerson.objects.filter(pk=person.pk))]
    assert due.destroy_on == today + relativedelta(years=8)
    assert due.rule.covers == "esf"
    assert services.purge_expired(on=today + timedelta(days=10)).due == 0


def test_running_twice_changes_nothing_more(world):
    today = timezone.localdate()
    YoungPersonFactory(team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5))
    later = today + timedelta(days=10)
    assert services.purge_expired(on=later).destroyed == 1
    assert services.purge_expired(on=later).destroyed == 0
    assert DestructionRecord.objects.count() == 1


HOLD_THE_ADVISORY_LOCK = """
import json, os, sys, time
import psycopg
settings = json.loads(os.environ["HOLDER_DATABASE"])
connection = psycopg.connect(autocommit=True, **settings)
connection.execute("SELECT pg_advisory_lock(%s)", [int(sys.argv[1])])
print("held", flush=True)
time.sleep(600)
"""


def another_purge_holding_the_lock() -> subprocess.Popen:
    """Another process holding the purge's lock as a purge does: on PostgreSQL its own connection
    holds the advisory lock; on SQLite it owns the lock row."""
    from django.db import connection

    from retention.models import JobLock

    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        database = {
            "dbname": settings["NAME"],
            "user": settings["USER"],
            "host": settings["HOST"],
            "port": settings["PORT"] or 5432,
            "password": settings["PASSWORD"],
        }
        holder = subprocess.Popen(  # noqa: S603 - this interpreter, this test's script
            [sys.executable, "-c", HOLD_THE_ADVISORY_LOCK, str(services.PURGE_ADVISORY_KEY)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "HOLDER_DATABASE": json.dumps(database)},
        )
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        return holder
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    JobLock.objects.create(
        name=services.PURGE_LOCK, acquired_at=timezone.now(), owner=f"{socket.gethostname()}:{holder.pid}"
    )
    return holder


def test_a_purge_is_skipped_while_another_holds_the_lock_and_runs_once_that_one_is_killed(world):
    """A worker killed mid-purge (kill -9) must not leave the lock behind: the rerun, and Celery's
    redelivery, purge at once instead of waiting hours for a stale lock."""
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    later = today + timedelta(days=10)
    holder = another_purge_holding_the_lock()
    try:
        assert services.purge_expired(on=later).skipped == "another purge is running"
        assert YoungPerson.objects.filter(pk=person.pk).exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 10  # the server notices the dead connection within moments
    while (report := services.purge_expired(on=later)).skipped and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (report.skipped, report.destroyed) == ("", 1)


def test_a_crash_half_way_leaves_whole_batches_and_a_rerun_finishes(world, monkeypatch, settings):
    """Batches of two: the first is destroyed whole, the crash in the middle of the second (its
    contacts already deleted) takes nothing of it, the third is untouched; a rerun finishes."""
    today = timezone.localdate()
    people = [
        YoungPersonFactory(team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5))
        for _ in range(5)
    ]
    for person in people:
        ContactFactory(young_person=person)
    settings.RETENTION_PURGE_BATCH = 2
    real = ledger.append
    calls = {"n": 0}

    def crash_in_the_second_batch(entries):
        calls["n"] += 1
        if calls["n"] == 2:  # its rows already deleted, its records made: the last step before commit
            raise RuntimeError("worker killed")
        return real(entries)

    monkeypatch.setattr(ledger, "append", crash_in_the_second_batch)
    with pytest.raises(RuntimeError):
        services.purge_expired(on=today + timedelta(days=10))
    left = YoungPerson.objects.filter(pk__in=[p.pk for p in people])
    assert left.count() == 3  # one batch destroyed whole, one rolled back, one untouched
    assert Contact.objects.filter(young_person__in=left).count() == 3
    assert DestructionRecord.objects.count() == 2
    monkeypatch.setattr(ledger, "append", real)
    assert services.purge_expired(on=today + timedelta(days=10)).destroyed == 3
    assert not YoungPerson.objects.filter(pk__in=[p.pk for p in people]).exists()


def test_a_restored_backup_is_destroyed_again(world):
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    person_id = person.pk
    services.purge_expired(on=today + timedelta(days=10))
    YoungPerson.objects.create(
        pk=person_id,
        legal_given_name="Restored",
        legal_family_name="Row",
        date_of_birth=person.date_of_birth,
        team=world.team,
    )  # a backup brings it back
    assert services.reapply_destructions() == 1
    assert not YoungPerson.objects.filter(pk=person_id).exists()


def test_erasure_on_request_hands_over_from_the_subject_request(world):
    request = sharing_services.subject_request_save(
        request=SubjectRequest(
            kind="erasure",
            requester_name="R",
            relationship="self",
            received_on=timezone.localdate(),
            young_person=world.case,
        ),
        actor=world.dpo,
    )
    message = sharing_services.erasure_hand_over(subject_request=request, actor=world.dpo)
    assert message.startswith("Record erased")
    assert not YoungPerson.objects.filter(pk=world.case.pk).exists()
    assert DestructionRecord.objects.get().reason == f"Erasure request {request.pk}"


def test_the_dpo_sees_holds_due_destructions_and_a_dry_run_in_the_admin(world, client_for):
    today = timezone.localdate()
    due = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5)
    )
    hold = LegalHold.objects.create(
        team=world.team, reason="Investigation", placed_by=world.dpo, placed_on=today
    )
    client = client_for(world.dpo)
    page = client.get(reverse("admin:retention_destructionrecord_changelist")).content.decode()
    assert f"<td>{due.pk}</td>" in page
    assert client.get(reverse("admin:retention_legalhold_change", args=[hold.pk])).status_code == 200
    assert YoungPerson.objects.filter(pk=due.pk).exists()  # the dry run removed nothing


def test_a_hold_without_a_reason_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Give the reason for the hold"):
        LegalHold(
            team=world.team, reason="", placed_by=world.dpo, placed_on=timezone.localdate()
        ).full_clean()


def test_a_rule_with_a_zero_period_is_refused():
    from django.core.exceptions import ValidationError

    from retention.models import RetentionRule

    rule = RetentionRule.objects.get(covers="whole_record")
    rule.period_months = 0
    with pytest.raises(ValidationError, match="at least a month"):
        rule.full_clean()


def test_scanned_copies_go_12_months_after_upload_and_the_record_stays(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    old = ScannedDocument(
        young_person=world.case, title="Old plan", uploaded_on=timezone.localdate() - relativedelta(months=13)
    )
    old.file.save("old.txt", ContentFile(b"old"), save=True)
    new = ScannedDocument(young_person=world.case, title="New plan", uploaded_on=timezone.localdate())
    new.file.save("new.txt", ContentFile(b"new"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.purge_expired()
    assert list(ScannedDocument.objects.values_list("title", flat=True)) == ["New plan"]
    assert not ScannedDocument.history.filter(id=old.pk).exists()
    assert not (tmp_path / old.file.name).exists()
    assert YoungPerson.objects.filter(pk=world.case.pk).exists()


def test_the_record_shows_its_destruction_date(world, client_for):
    page = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    expected = world.case.date_of_birth + relativedelta(years=25)
    assert f"{expected:%-d %B %Y}" in page.content.decode()


def test_an_anonymise_rule_keeps_a_summary_that_identifies_no_one(world):
    from retention.models import AnonymisedSummary, RetentionRule

    rule = RetentionRule.objects.get(covers="whole_record")
    rule.action = RetentionRule.Action.ANONYMISE
    rule.save()  # as the DPO would in the admin, with history

    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, date_of_birth=today - relativedelta(years=25) + timedelta(days=5), **IDENTIFYING
    )
    services.purge_expired(on=today + timedelta(days=10))
    assert not YoungPerson.objects.filter(pk=person.pk).exists()
    summary = AnonymisedSummary.objects.get()
    assert (summary.birth_year, summary.district, summary.gender) == (
        person.date_of_birth.year,
        person.postcode.split(" ")[0],
        person.gender,
    )
    assert not any(
        value in str(summary.__dict__) for value in (*IDENTIFYING.values(), person.upn, person.uln)
    )
