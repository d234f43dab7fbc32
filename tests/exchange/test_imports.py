"""Imports through the pages a service manager uses: all-or-nothing batches with a per-row report,
idempotent re-uploads, matching into updates, new records and the review queue, s507B rows."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from cases.models import Attendance, Restriction, YoungPerson
from exchange import formats as imports
from exchange.models import ImportBatch, ReviewItem
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row, upload
from tests.factories import ImportBatchFactory, YoungPersonFactory, sign_in_verified, valid_upn, years_ago
from tracking import services as tracking_services
from tracking.models import ActivityCode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_a_school_roll_updates_matched_people_and_creates_new_ones(
    client, world, school, django_capture_on_commit_callbacks
):
    world.case.upn = valid_upn()
    world.case.save()
    content = csv_bytes(SCHOOL_HEADER, [school_row(world.case, postcode="ME4 4TB"), school_row()])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, school, content)
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.rows, batch.created, batch.updated, batch.to_review) == ("applied", 2, 1, 1, 0)
    assert batch.content is None  # the file is not kept once imported
    assert "Waiting to start: 0%" in response.content.decode()  # the task runs after the upload commits
    assert "Imported: 100%" in client.get(reverse("exchange:import-detail", args=[batch.pk])).content.decode()

    world.case.refresh_from_db()
    assert world.case.postcode == "ME4 4TB"
    assert world.case.source == "school"
    assert world.case.history.first().history_change_reason == f"Import {batch.pk}"
    assert Attendance.objects.get(young_person=world.case).sessions_attended == 270
    assert world.case.intended_destinations.get().code.code == "230"
    newcomer = YoungPerson.objects.get(legal_family_name="Okafor")
    assert newcomer.team == world.team
    assert newcomer.lead_adviser is None
    assert newcomer.school == school
    assert newcomer.current_status.status in ("not_known", "eet", "neet")  # the status cache follows


def test_a_batch_with_one_bad_row_commits_nothing_and_names_the_row(
    client, world, school, django_capture_on_commit_callbacks
):
    before = YoungPerson.objects.count()
    rows = [school_row(), school_row(upn="A123"), school_row(**{"Date of birth": "31/02/2009"})]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, school, csv_bytes(SCHOOL_HEADER, rows))
    batch = ImportBatch.objects.get()
    assert batch.state == "rejected"
    assert YoungPerson.objects.count() == before
    assert [line for line, _ in batch.errors] == [3, 4]
    assert "UPN: enter a UPN of 13 characters" in batch.errors[0][1]
    assert "date of birth: not a date" in batch.errors[1][1]
    assert response.status_code == 200
    page = client.get(reverse("exchange:import-detail", args=[batch.pk])).content.decode()
    assert "Nothing was imported: 2 rows to fix" in page
    assert "A123" not in page

    report = client.get(reverse("exchange:import-errors", args=[batch.pk]))
    lines = list(csv.reader(io.StringIO(report.content.decode())))
    assert lines[0] == ["line", "reason"]
    assert [row[0] for row in lines[1:]] == ["3", "4"]
    assert "A123" not in report.content.decode()  # the report carries no values


def test_a_missing_required_column_rejects_the_file(
    client, world, school, django_capture_on_commit_callbacks
):
    header = [h for h in SCHOOL_HEADER if h != "UPN"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(header, [school_row()[1:]]))
    assert ImportBatch.objects.get().errors == [[1, "the header has no column for UPN"]]


def test_the_same_file_twice_changes_nothing(client, world, school, django_capture_on_commit_callbacks):
    content = csv_bytes(SCHOOL_HEADER, [school_row(), school_row(given="Leo", family="Marsh")])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, content)
    counts = (YoungPerson.objects.count(), YoungPerson.history.count(), Attendance.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, school, content)
    assert "This file was imported before" in response.content.decode()
    assert ImportBatch.objects.count() == 1
    assert (YoungPerson.objects.count(), YoungPerson.history.count(), Attendance.objects.count()) == counts


def test_rows_already_on_file_change_nothing_in_a_new_file(
    client, world, school, django_capture_on_commit_callbacks
):
    """Idempotent by content too: a second term's file with the same rows writes no history."""
    row = school_row(given="Leo", family="Marsh")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [row]))
    history = YoungPerson.history.count()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [row]) + b"\n")
    second = ImportBatch.objects.first()
    assert (second.unchanged, second.created, second.updated) == (1, 0, 0)
    assert YoungPerson.history.count() == history


def test_an_xlsx_file_imports_like_a_csv(client, world, school, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SCHOOL_HEADER)
    row = school_row(given="Nia", family="Holtsworthy")
    row[3] = years_ago(16, 10)  # a real date cell
    row[12], row[13] = 300, 280  # number cells
    sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, out.getvalue(), name="roll.xlsx")
    assert ImportBatch.objects.get().state == "applied"
    assert Attendance.objects.get(young_person__legal_family_name="Holtsworthy").sessions_attended == 280


def test_a_file_that_is_not_csv_or_xlsx_is_refused_at_upload(client, world, school):
    response = upload(client, world, school, b"%PDF-1.7 ...", name="roll.pdf")
    assert "The file must be a CSV or an Excel (.xlsx) workbook" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_s507b_row_stores_only_name_address_and_date_of_birth(
    client, world, school, django_capture_on_commit_callbacks
):
    row = school_row(given="Ola", family="Reedsworth", **{"s507B": "Y"})
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [row]))
    person = YoungPerson.objects.get(legal_family_name="Reedsworth")
    assert person.address_line_1 == "1 High Street"
    assert person.postcode == "SS1 2AB"
    assert (person.upn, person.ethnicity, person.fsm_eligible, person.school) == ("", None, False, None)
    assert not person.attendance.exists()
    assert not person.intended_destinations.exists()
    assert person.restrictions.get().kind == Restriction.Kind.S507B


def test_the_progress_page_reports_the_finished_state(
    client, world, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, [school_row()]))
    batch = ImportBatch.objects.get()
    state = client.get(reverse("exchange:import-progress", args=[batch.pk])).json()
    assert state == {"state": "applied", "label": "Imported", "progress": 100, "finished": True}


def test_progress_is_reported_while_the_task_runs(world, school, monkeypatch):
    """The progress bar moves through checking and saving before the batch is done."""
    from exchange import services

    seen = []
    real = services._report
    monkeypatch.setattr(
        services,
        "_report",
        lambda batch, state, progress, store: (
            seen.append((state, progress)),
            real(batch, state, progress, store=store),
        ),
    )
    monkeypatch.setattr(services.tasks.run_import, "delay_on_commit", lambda batch_id: None)
    rows = [
        school_row(given="Ann", family=f"Test{'a' * (n % 7)}x", born=years_ago(16, n)) for n in range(1200)
    ]
    batch = services.import_upload(
        actor=world.service_manager,
        file_format="school_roll",
        source_organisation=school,
        team=world.team,
        file_name="big.csv",
        content=csv_bytes(SCHOOL_HEADER, rows),
    )
    services.import_run(batch_id=batch.pk)
    states = [state for state, _ in seen]
    assert states[0] == "checking"
    assert "applying" in states
    assert [p for _, p in seen] == sorted(p for _, p in seen)
    assert 0 < seen[-1][1] < 100
    batch.refresh_from_db()
    assert batch.state == "applied"
    assert batch.created + batch.to_review == 1200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("service_manager", 200),
        ("team_manager", 403),
        ("adviser", 403),
        ("dpo", 403),
        ("nobody", 403),
        (None, 302),
    ],
)
def test_only_service_managers_import_and_review(client_for, world, school, persona, status):
    batch = ImportBatchFactory(
        source_organisation=school,
        team=world.team,
        file_name="x.csv",
        file_sha256="0" * 64,
        uploaded_by=world.service_manager,
        state="applied",
    )
    item = ReviewItem.objects.create(
        batch=batch, line=2, kind="possible_match", reason="a possible match", row={}
    )
    client = client_for(getattr(world, persona) if persona else None)
    for url in (
        reverse("exchange:imports"),
        reverse("exchange:import-detail", args=[batch.pk]),
        reverse("exchange:import-progress", args=[batch.pk]),
        reverse("exchange:import-errors", args=[batch.pk]),
        reverse("exchange:review-queue"),
        reverse("exchange:review-item", args=[item.pk]),
    ):
        assert client.get(url).status_code == status, url


def import_sample(world, school, tmp_path, capture, **options):
    """`manage.py sample_school_roll` (for the demo and the benchmark) imported as a service manager;
    the batch, and how many pupils were on file by UPN before."""
    from django.core.management import call_command

    from exchange import services

    for person in (world.case, world.colleague_case, world.other_case):
        person.upn, person.school = valid_upn(), school
        person.save()
    on_file = YoungPerson.objects.exclude(upn="").count()
    out = tmp_path / "roll.csv"
    call_command("sample_school_roll", rows=20, out=out, **options)
    with capture(execute=True):
        batch = services.import_upload(
            actor=world.service_manager,
            file_format="school_roll",
            source_organisation=school,
            team=world.team,
            file_name="roll.csv",
            content=out.read_bytes(),
        )
    batch.refresh_from_db()
    return batch, on_file


def test_the_sample_school_roll_imports_cleanly(world, school, tmp_path, django_capture_on_commit_callbacks):
    batch, on_file = import_sample(world, school, tmp_path, django_capture_on_commit_callbacks, near_misses=0)
    assert (batch.state, batch.rows, batch.errors) == ("applied", 20, [])
    assert batch.updated + batch.unchanged == on_file
    assert batch.created + batch.to_review == 20 - on_file


def test_the_sample_school_roll_sends_its_near_misses_to_review(
    world, school, tmp_path, django_capture_on_commit_callbacks
):
    """By default one row in twenty carries another pupil's UPN: the tour of imports shows the queue."""
    batch, _ = import_sample(world, school, tmp_path, django_capture_on_commit_callbacks)
    assert (batch.state, batch.errors) == ("applied", [])
    assert batch.to_review >= 1
    assert ReviewItem.objects.filter(batch=batch).count() == batch.to_review


def test_a_clash_while_saving_rolls_back_and_logs_no_values(world, school, monkeypatch, caplog):
    """Should the database refuse a row the checks passed (a unique-key clash), the whole batch rolls
    back, is rejected with a reason, and the log names the batch, never the clashing value."""
    from django.db import IntegrityError

    from exchange import applying, services

    row = school_row(given="Ivo", family="Lane")
    upn = row[0]

    def clash(**kwargs):
        raise IntegrityError(
            f"duplicate key value violates unique constraint: Key (upn)=({upn}) already exists"
        )

    world.case.upn = valid_upn()  # so the batch also updates a record on file
    world.case.save()
    monkeypatch.setattr(applying.case_services, "young_people_create_bulk", clash)
    monkeypatch.setattr(services.tasks.run_import, "delay_on_commit", lambda batch_id: None)
    before = YoungPerson.objects.count()
    batch = services.import_upload(
        actor=world.service_manager,
        file_format="school_roll",
        source_organisation=school,
        team=world.team,
        file_name="roll.csv",
        content=csv_bytes(SCHOOL_HEADER, [school_row(world.case, postcode="ME4 4TB"), row]),
    )
    batch = services.import_run(batch_id=batch.pk)
    assert batch.state == "rejected"
    assert batch.errors[0][1].startswith("the file could not be saved")
    assert YoungPerson.objects.count() == before
    world.case.refresh_from_db()
    assert world.case.postcode != "ME4 4TB"  # the update in the same batch rolled back too
    assert f"Import {batch.pk} could not be saved (IntegrityError)" in caplog.text
    assert upn not in caplog.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "roll.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "The file must be a CSV or an Excel (.xlsx) workbook",
        ),
        ("roll.xlsx", b"UPN,Surname\nA1,B\n", "The file must be a CSV or an Excel (.xlsx) workbook"),
        ("roll.exe", b"MZ\x90\x00", "The file must be a CSV or an Excel (.xlsx) workbook"),
        ("roll.json", b'{"format": "something else"}', "A .json file must be a transfer package"),
    ],
)
def test_uploads_are_checked_by_content_not_name(client, world, school, name, content, message):
    response = upload(client, world, school, content, name=name)
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client, world, school, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 64)
    response = upload(client, world, school, b"UPN,Surname\n" + b"A123456789012,Smith\n" * 10)
    assert "The file must be smaller than 20 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_pupil_on_a_school_roll_is_at_that_school_on_the_files_date(
    client, world, school, django_capture_on_commit_callbacks
):
    """New pupils get 110 (to Year 11) or 210 (sixth form) at the school, so they are not 'not known';
    a pupil with a current activity keeps it; a row under s507B passes on nothing of the kind."""
    from tracking.models import Status

    busy = YoungPersonFactory(team=world.team)
    tracking_services.activity_record(
        young_person=busy,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="230"),
        start_date=years_ago(0, 40),
        date_ascertained=years_ago(0, 40),
    )
    rows = [
        school_row(given="Yara", family="Lowleigh", born=years_ago(14, 20)),
        school_row(given="Tom", family="Valemount", born=years_ago(17, 20)),
        school_row(busy),
        school_row(given="Ida", family="Marshwick", born=years_ago(14, 30), **{"s507B": "Y"}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, csv_bytes(SCHOOL_HEADER, rows))
    today = ImportBatch.objects.get().uploaded_at.date()
    for family, code in (("Lowleigh", "110"), ("Valemount", "210")):
        pupil = YoungPerson.objects.get(legal_family_name=family)
        activity = pupil.activities.get()
        assert (activity.code.code, activity.provider, activity.start_date, activity.source) == (
            code,
            school,
            today,
            "school",
        )
        assert activity.date_verified == today
        assert pupil.current_status.status != Status.NOT_KNOWN
    assert [a.code.code for a in busy.activities.all()] == ["230"]
    assert not YoungPerson.objects.get(legal_family_name="Marshwick").activities.exists()


def test_a_stopped_import_can_be_started_again_once_it_cannot_still_be_running(
    client, world, school, django_capture_on_commit_callbacks, settings
):
    """A worker killed mid-import leaves the batch unfinished with its file; once any run of it would
    have been killed, a service manager starts it again from its page, and it completes once."""
    from datetime import timedelta

    from django.utils import timezone

    content = csv_bytes(SCHOOL_HEADER, [school_row(given="Ivo", family="Lanecroft")])
    batch = ImportBatchFactory(
        source_organisation=school,
        team=world.team,
        file_sha256="f" * 64,
        content=content,
        uploaded_by=world.service_manager,
        state=ImportBatch.State.APPLYING,
    )
    sign_in_verified(client, world.service_manager)
    page = client.get(reverse("exchange:import-detail", args=[batch.pk])).content.decode()
    assert "stopped before it finished" not in page  # it may still be running
    refused = client.post(reverse("exchange:import-retry", args=[batch.pk]), follow=True)
    assert "may still be running" in refused.content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.APPLYING

    limit = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert limit > settings.CELERY_TASK_TIME_LIMIT  # Redis never hands a running task to a second worker
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_at=timezone.now() - timedelta(seconds=limit + 1))
    page = client.get(reverse("exchange:import-detail", args=[batch.pk])).content.decode()
    assert "stopped before it finished" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchange:import-retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.content) == (ImportBatch.State.APPLIED, 1, None)
    assert YoungPerson.objects.filter(legal_family_name="Lanecroft").count() == 1


def test_each_record_written_in_bulk_gets_its_history_row_with_the_uploader_and_the_values_saved(
    client, world, school, django_capture_on_commit_callbacks
):
    world.case.upn = valid_upn()
    world.case.save()
    content = csv_bytes(SCHOOL_HEADER, [school_row(world.case, postcode="ME4 4TB"), school_row()])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, school, content)
    batch = ImportBatch.objects.get()
    changed = world.case.history.first()
    assert (changed.history_type, changed.history_user, changed.history_change_reason) == (
        "~",
        world.service_manager,
        f"Import {batch.pk}",
    )
    assert (changed.postcode, changed.source, changed.school_id) == ("ME4 4TB", "school", school.pk)
    assert world.case.history.count() == 3  # created, UPN added above, then the import's change
    created = YoungPerson.objects.get(legal_family_name="Okafor").history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        world.service_manager,
        f"Import {batch.pk}",
    )
    assert (created.legal_given_name, created.postcode, created.team_id) == (
        "Amira",
        "SS1 2AB",
        world.team.pk,
    )


def test_a_bulk_update_refuses_a_record_under_an_article_18_restriction_unless_the_dpo_makes_it(world):
    from django.core.exceptions import ValidationError

    from cases import services as case_services

    case_services.restriction_set(
        young_person=world.case,
        actor=world.dpo,
        kind=Restriction.Kind.RESTRICTION,
        set_by="young_person",
        set_on=world.case.created_at.date(),
        reason="Accuracy",
    )
    world.case.postcode = "ME4 4TB"
    with pytest.raises(ValidationError):
        case_services.young_people_update_bulk(
            people=[world.case], fields={"postcode"}, actor=world.service_manager, reason="Import 1"
        )
    assert YoungPerson.objects.get(pk=world.case.pk).postcode != "ME4 4TB"
    case_services.young_people_update_bulk(
        people=[world.case], fields={"postcode"}, actor=world.dpo, reason="Corrected by the DPO"
    )
    assert YoungPerson.objects.get(pk=world.case.pk).postcode == "ME4 4TB"
