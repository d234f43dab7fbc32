"""The destruction ledger outside the database: one chained, keyed-hash line per destroyed person,
naming no one; re-applied after a restore; altered lines found and refused."""

import io
import json
import threading
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import YoungPerson
from retention import ledger, services
from retention.models import DestructionRecord
from tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def due_people(world, count: int) -> list[YoungPerson]:
    born = timezone.localdate() - relativedelta(years=25) - timedelta(days=1)  # 25 yesterday: due today
    return [
        YoungPersonFactory(team=world.team, date_of_birth=born, legal_family_name="Yarrowby")
        for _ in range(count)
    ]


def lines() -> list[dict]:
    return [json.loads(line) for line in ledger.path().read_text().splitlines()]


def test_each_destruction_is_a_line_naming_no_one_chained_to_the_one_before(world):
    people = due_people(world, 3)
    services.purge_expired()
    services.erase(young_person_id=world.case.pk, actor=world.dpo, reason="Erasure request 7")
    written = lines()
    assert [line["n"] for line in written] == [1, 2, 3, 4]
    assert {line["subject"] for line in written} == {
        services.subject_hash(pk) for pk in [p.pk for p in people] + [world.case.pk]
    }
    assert written[-1]["reason"] == "Erasure request 7"
    text = ledger.path().read_text()
    for person in [*people, world.case]:
        assert person.legal_family_name not in text
        assert person.upn not in text
        assert f'"{person.pk}"' not in text
    assert len(ledger.verify().entries) == 4


def test_the_ledger_brings_back_destructions_a_restored_database_has_no_record_of(world):
    (person,) = due_people(world, 1)
    saved = {f.attname: getattr(person, f.attname) for f in YoungPerson._meta.concrete_fields}
    services.purge_expired()
    DestructionRecord.objects.all().delete()  # the restored backup predates the purge
    YoungPerson.objects.create(**saved)
    assert YoungPerson.objects.filter(pk=person.pk).exists()

    call_command("reapply_destructions", stdout=(out := io.StringIO()))
    assert out.getvalue() == "Re-destroyed 1 subjects\n"
    assert not YoungPerson.objects.filter(pk=person.pk).exists()
    assert YoungPerson.objects.filter(pk=world.case.pk).exists()  # nobody else


@pytest.mark.parametrize(
    ("alter", "line"),
    [
        (lambda rows: rows[1].update(reason="Retention: whole record (edited)"), 2),
        (lambda rows: rows.pop(0), 1),  # a line removed: the next one is numbered 2
        (lambda rows: rows.insert(1, {**rows[0], "n": 2}), 2),  # a line copied in
        (lambda rows: rows[2].update(subject=services.subject_hash(999_999)), 3),
    ],
    ids=["changed", "removed", "inserted", "someone else named"],
)
def test_an_altered_ledger_is_found_at_the_line_and_nothing_is_reapplied(world, alter, line):
    people = due_people(world, 3)
    saved = [{f.attname: getattr(p, f.attname) for f in YoungPerson._meta.concrete_fields} for p in people]
    services.purge_expired()
    rows = lines()
    alter(rows)
    ledger.path().write_text("".join(json.dumps(row) + "\n" for row in rows))
    DestructionRecord.objects.all().delete()
    for fields in saved:
        YoungPerson.objects.create(**fields)

    with pytest.raises(ledger.LedgerError) as error:
        ledger.verify()
    assert error.value.line == line
    with pytest.raises(CommandError, match=f"line {line}: .*Nothing was destroyed"):
        call_command("reapply_destructions")
    assert YoungPerson.objects.filter(pk__in=[p.pk for p in people]).count() == 3


def test_a_ledger_written_with_another_key_does_not_verify(world, settings):
    due_people(world, 1)
    services.purge_expired()
    settings.RETENTION_HASH_KEY = "another-council's-key"
    with pytest.raises(ledger.LedgerError, match="line 1: its hash does not match"):
        ledger.verify()


def test_check_reports_the_entries_and_the_last_hash_to_note_down(world):
    due_people(world, 2)
    services.purge_expired()
    call_command("reapply_destructions", "--check", stdout=(out := io.StringIO()))
    assert "2 entries, chain intact" in out.getvalue()
    assert lines()[-1]["mac"] in out.getvalue()
    assert YoungPerson.objects.filter(pk=world.case.pk).exists()


def test_an_empty_or_missing_ledger_verifies_as_empty():
    assert not ledger.path().exists()
    assert ledger.verify() == ledger.Verified([], ledger.START)


def test_writers_at_the_same_time_keep_one_chain():
    """The nightly purge (worker) and an erasure (web) append at once: each holds the file's lock."""

    def write(worker: int) -> None:
        for number in range(25):
            ledger.append(
                [ledger.Entry(f"{worker:02d}{number:062d}", "Retention: test", "2026-11-30T02:30:00")]
            )

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ledger.verify().entries) == 200
