"""No file can exhaust the server: a decompression bomb, a corrupt workbook, a million-row file, a
huge cell or too many columns is rejected cleanly with its reason, in bounded memory, never left
queued; bad rows past the first 1,000 are counted, not stored, so every page stays small."""

import io
import tracemalloc
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchange import reading, services
from exchange.models import ImportBatch
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row, upload
from tests.factories import ImportBatchFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def run(client, world, school, django_capture_on_commit_callbacks):
    """run(content, name) -> the response to uploading it, its import task run as after the commit."""

    def upload_and_run(content, name="roll.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return upload(client, world, school, content, name=name)

    return upload_and_run


def zipped(parts: dict[str, bytes | tuple[bytes, int]]) -> bytes:
    """A zip (an .xlsx is one) of parts; (chunk, times) streams a part of chunk repeated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                if isinstance(body, tuple):
                    chunk, times = body
                    for _ in range(times):
                        part.write(chunk)
                else:
                    part.write(body)
    return out.getvalue()


def peak_mb(action) -> tuple[object, float]:
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ({"xl/worksheets/sheet1.xml": (b"<c><v>1</v></c>" * 4096, 1700)}, "more than 80 MB"),  # 104 MB
        ({"xl/worksheets/sheet1.xml": (b"\x00" * 2**20, 40)}, "far more than it holds"),  # 1000 to 1
    ],
    ids=["unpacks past the limit", "packed a thousand to one"],
)
def test_a_decompression_bomb_is_refused_at_upload_in_bounded_memory(client, world, school, parts, reason):
    bomb = zipped(parts)
    assert len(bomb) < 2**20  # under a megabyte uploaded
    response, peak = peak_mb(lambda: upload(client, world, school, bomb, name="roll.xlsx"))
    assert reason in response.content.decode()
    assert not ImportBatch.objects.exists()  # nothing kept
    assert peak < 40, f"{peak:.0f} MB"


def test_a_corrupt_workbook_is_refused_at_upload_and_a_hostile_one_in_the_queue_is_rejected(
    client, world, school
):
    response = upload(client, world, school, b"PK\x03\x04not a zip at all", name="roll.xlsx")
    assert "not a readable Excel workbook" in response.content.decode()
    assert not ImportBatch.objects.exists()

    not_a_workbook = zipped({"hello.txt": b"a zip, but no workbook in it"})
    batch = ImportBatchFactory(
        team=world.team, uploaded_by=world.service_manager, file_name="roll.xlsx", content=not_a_workbook
    )
    batch = services.import_run(batch_id=batch.pk)
    assert (batch.state, batch.content, batch.progress) == ("rejected", None, 100)
    assert batch.errors == [[0, "the file could not be read: save it again as CSV or Excel and upload it"]]
    again = upload(client, world, school, not_a_workbook, name="roll.xlsx")  # not "imported before"
    assert "already" not in again.content.decode()


def test_a_million_row_file_is_rejected_with_its_reason_and_small_pages(client, run):
    rows = b"".join(b"x,y,z\n" for _ in range(1_000_000))
    content = ",".join(SCHOOL_HEADER).encode() + b"\n" + rows
    _, peak = peak_mb(lambda: run(content))
    batch = ImportBatch.objects.get()
    assert batch.state == "rejected"
    assert batch.errors == [[0, f"the file has more than {reading.MAX_ROWS:,} rows: split it"]]
    assert batch.content is None
    assert peak < 100, f"{peak:.0f} MB"  # 6 MB of file; 405 MB before checking freed its errors
    detail = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert len(detail.content) < 50_000


def test_past_the_first_thousand_bad_rows_they_are_counted_not_stored(client, run):
    bad = [school_row(upn="NOT-A-UPN") for _ in range(2_500)]
    run(csv_bytes(SCHOOL_HEADER, bad))
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.error_rows, len(batch.errors)) == ("rejected", 2_500, reading.MAX_ERRORS)
    page = client.get(reverse("exchange:import-detail", args=[batch.pk])).content.decode()
    assert "2500 rows to fix" in page
    assert "The first 1000 are listed" in page


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("A" * 200_000, "not a readable CSV"), ("A" * 5_000, "longer than 1,000 characters")],
    ids=["past the csv module's limit", "past a cell's"],
)
def test_a_huge_cell_is_refused(run, cell, expected):
    row = school_row()
    row[SCHOOL_HEADER.index("Surname")] = cell
    run(csv_bytes(SCHOOL_HEADER, [row]))
    batch = ImportBatch.objects.get()
    assert batch.state == "rejected"
    assert any(expected in reason for _, reason in batch.errors)


def test_too_many_columns_is_refused(run):
    row = school_row() + ["extra"] * reading.MAX_COLUMNS
    run(csv_bytes(SCHOOL_HEADER, [row]))
    assert "more than 100 columns" in ImportBatch.objects.get().errors[0][1]


def test_the_imports_list_reads_no_file_and_no_error_list(client, world, school):
    for n in range(3):
        ImportBatchFactory(
            team=world.team,
            uploaded_by=world.service_manager,
            content=b"x" * 100_000,
            errors=[[n, "x"]] * 1000,
        )
    upload(client, world, school, csv_bytes(SCHOOL_HEADER, [school_row()]))  # signs in too
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("exchange:imports")).status_code == 200
    batch_queries = [q["sql"] for q in queries if "exchange_importbatch" in q["sql"]]
    assert batch_queries
    assert not any('"content"' in sql or '"errors"' in sql for sql in batch_queries)
