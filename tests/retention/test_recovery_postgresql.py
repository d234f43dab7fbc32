"""Recovery as an operator meets it, on PostgreSQL with its own tools: a backup restored into a fresh
database after a purge and an erasure brings nobody back once ``reapply_destructions`` has read the
ledger; a purge killed with SIGKILL part-way leaves each person wholly there or wholly gone."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases import registry
from cases.models import YoungPerson
from retention import ledger, services
from tests.everything import IDENTIFYING, everything_about
from tests.factories import ContactFactory, YoungPersonFactory
from tests.retention.test_purge import columns_holding

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)


def server() -> dict[str, str]:
    """libpq's environment for the test database's server (pg_dump, createdb, psycopg)."""
    database = connection.settings_dict
    return {
        "PGHOST": database["HOST"] or "127.0.0.1",
        "PGPORT": str(database["PORT"] or 5432),
        "PGUSER": database["USER"] or "postgres",
        "PGPASSWORD": database["PASSWORD"] or "",
    }


def tool(*command: str) -> str:
    done = subprocess.run(command, env={**os.environ, **server()}, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def in_dump(database: str, details: tuple[str, ...]) -> list[str]:
    """The details found in a plain ``pg_dump`` of the whole database, as the issue's check read it."""
    dump = tool("pg_dump", "--data-only", database).lower()
    return [detail for detail in details if detail and detail.lower() in dump]


def in_stored_files(details: tuple[str, ...]) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    stored = [path.read_bytes().decode(errors="ignore").lower() for path in root.rglob("*") if path.is_file()]
    return [detail for detail in details if detail and any(detail.lower() in text for text in stored)]


def manage(database: str, *command: str, **extra: str) -> subprocess.Popen:
    """``manage.py`` in a process of its own against ``database``, with this test's keys and ledger."""
    env = server()
    url = f"postgres://{env['PGUSER']}:{env['PGPASSWORD']}@{env['PGHOST']}:{env['PGPORT']}/{database}"
    return subprocess.Popen(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "youthservice.settings_test",
            "DATABASE_URL": url,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "RETENTION_HASH_KEY": settings.RETENTION_HASH_KEY,
            "DESTRUCTION_LEDGER_DIR": settings.DESTRUCTION_LEDGER_DIR,
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_BROKER_URL": "",
            **extra,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def connect(database: str) -> psycopg.Connection:
    env = server()
    return psycopg.connect(
        dbname=database,
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
    )


def traces_in(database: str, details: tuple[str, ...]) -> list[str]:
    with connect(database) as restored:
        cursor = restored.cursor()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return columns_holding(cursor, [table for (table,) in cursor.fetchall()], details)


def test_a_backup_restored_after_a_purge_and_an_erasure_brings_nobody_back(
    migration_data, world, client_for, django_capture_on_commit_callbacks, eager_celery, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    person, _ = everything_about(world, client_for, django_capture_on_commit_callbacks)
    purged = (*IDENTIFYING.values(), person.upn, person.uln)
    asked = YoungPersonFactory(team=world.team, legal_given_name="Ottilie", legal_family_name="Yarrowby")
    ContactFactory(young_person=asked, notes="Yarrowby called about the apprenticeship")
    erased = ("Yarrowby", asked.upn, asked.uln)
    others = set(YoungPerson.objects.exclude(pk__in=[person.pk, asked.pk]).values_list("pk", flat=True))
    assert in_stored_files(purged), "the uploaded scan names them"
    database, backup = connection.settings_dict["NAME"], tmp_path / "before.dump"
    tool("pg_dump", "--format=custom", f"--file={backup}", database)

    birthday = person.date_of_birth + relativedelta(years=25)
    assert services.purge_expired(on=birthday + timedelta(days=1)).destroyed == 1
    services.erase(young_person_id=asked.pk, actor=world.dpo, reason="Erasure request 1")
    assert len(ledger.verify().entries) == 2
    assert in_dump(database, purged) == []
    assert in_dump(database, erased) == []
    assert in_stored_files(purged) == []

    restored = f"{database}_restored"
    tool("dropdb", "--if-exists", restored)
    tool("createdb", restored)
    try:
        tool("pg_restore", "--no-owner", f"--dbname={restored}", str(backup))
        assert traces_in(restored, purged), "the backup brought them back"
        assert traces_in(restored, erased)

        reapplied = manage(restored, "reapply_destructions")
        out, err = reapplied.communicate(timeout=120)
        assert reapplied.returncode == 0, err
        assert out.strip() == "Re-destroyed 2 subjects"
        assert traces_in(restored, purged) == []
        assert traces_in(restored, erased) == []
        assert in_dump(restored, (*purged, *erased)) == []
        with connect(restored) as db:
            left = {pk for (pk,) in db.execute("SELECT id FROM cases_youngperson")}
        assert left == others  # nobody else went
    finally:
        tool("dropdb", "--if-exists", restored)


def rows_about(person_id: int) -> dict[str, int]:
    counts = {}
    for ref in registry.references():
        count = ref.model._default_manager.filter(**{ref.column: person_id}).count()
        if count:
            counts[f"{ref.label}.{ref.column}"] = count
    return counts


def test_a_purge_killed_part_way_leaves_each_person_whole_or_gone_and_a_rerun_finishes(migration_data, world):
    people = [YoungPersonFactory(team=world.team) for _ in range(120)]
    for person in people:
        ContactFactory.create_batch(2, young_person=person)
    due = timezone.localdate() - relativedelta(years=26)  # past their 25th birthday: all due
    YoungPerson.objects.filter(pk__in=[p.pk for p in people]).update(date_of_birth=due)
    before = {person.pk: rows_about(person.pk) for person in people}

    purge = manage(connection.settings_dict["NAME"], "purge_expired", RETENTION_PURGE_BATCH="20")
    deadline = time.monotonic() + 60
    while not (ledger.path().exists() and ledger.path().stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.005)
    purge.send_signal(signal.SIGKILL)  # as the kernel's OOM killer or a lost node would
    purge.wait()
    assert purge.returncode == -signal.SIGKILL

    whole = {pk for pk, rows in before.items() if rows_about(pk) == rows}
    gone = {pk for pk in before if rows_about(pk) == {}}
    assert whole | gone == set(before)  # no one part-destroyed
    assert whole, "the purge finished before it was killed: nothing was tested"
    assert len(gone) % 20 == 0  # whole batches

    report = services.purge_expired()
    assert report.destroyed == len(whole)
    assert not YoungPerson.objects.filter(pk__in=before).exists()
    assert {entry.subject_hash for entry in ledger.verify().entries} >= {
        services.subject_hash(pk) for pk in before
    }
