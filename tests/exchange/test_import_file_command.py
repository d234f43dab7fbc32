"""`manage.py import_file`: a council's drop folder imports through the same checks, matching, review
queue and history as the page, prints the outcome, and fails loudly on a rejected file."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import YoungPerson
from exchange.models import ImportBatch
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row

pytestmark = pytest.mark.django_db


def _run(world, school, path, username=None):
    call_command(
        "import_file",
        str(path),
        "--format",
        "school_roll",
        "--team",
        world.team.name,
        "--as",
        username or world.service_manager.username,
        "--source",
        school.urn,
    )


def test_a_file_imports_and_the_outcome_is_printed(world, school, tmp_path, capsys):
    path = tmp_path / "roll.csv"
    path.write_bytes(
        csv_bytes(SCHOOL_HEADER, [school_row(world.case), school_row(given="Nia", family="Rowanleigh")])
    )
    _run(world, school, path)
    batch = ImportBatch.objects.get()
    out = capsys.readouterr().out
    assert f"Batch {batch.pk}: Imported. 2 rows: 1 created, 1 updated" in out
    assert batch.uploaded_by == world.service_manager
    nia = YoungPerson.objects.get(legal_family_name="Rowanleigh")
    assert nia.history.first().history_user == world.service_manager
    _run(world, school, path)  # the same file again changes nothing
    assert "Already imported as batch" in capsys.readouterr().out
    assert ImportBatch.objects.count() == 1


def test_a_bad_file_is_rejected_with_each_line_and_nothing_saved(world, school, tmp_path, capsys):
    path = tmp_path / "roll.csv"
    bad = school_row(given="Nia", family="Rowanleigh", upn="NOT-A-UPN")
    path.write_bytes(csv_bytes(SCHOOL_HEADER, [school_row(given="Ola", family="Pennywhistle"), bad]))
    with pytest.raises(CommandError, match="rejected"):
        _run(world, school, path)
    out = capsys.readouterr().out
    assert "line 3: UPN" in out
    assert "NOT-A-UPN" not in out  # reasons never repeat a value
    assert not YoungPerson.objects.filter(legal_family_name__in=["Rowanleigh", "Pennywhistle"]).exists()


@pytest.mark.parametrize("who", ["adviser", "dpo", "nobody"])
def test_only_an_account_that_may_import_can_run_it(world, school, tmp_path, who):
    path = tmp_path / "roll.csv"
    path.write_bytes(csv_bytes(SCHOOL_HEADER, [school_row(given="Nia", family="Rowanleigh")]))
    username = "nobody" if who == "nobody" else getattr(world, who).username
    with pytest.raises(CommandError, match="may import"):
        _run(world, school, path, username=username)
    assert not ImportBatch.objects.exists()
