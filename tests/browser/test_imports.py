"""A service manager uploads a school roll, watches the progress bar, and resolves the row that
waits for review; axe-core checks each page on the way."""

import pytest
from django.core.cache import cache

from cases.models import Organisation
from exchange.models import ImportBatch, ReviewItem
from tests.browser.conftest import sign_in
from tests.exchange.helpers import SCHOOL_HEADER, csv_bytes, school_row
from tests.factories import ImportBatchFactory, OrganisationFactory, valid_upn, years_ago

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_celery"),
]


def test_a_manager_imports_a_roll_and_resolves_a_review_match(page, world, assert_accessible):
    OrganisationFactory(name="Hillside Academy", kind=Organisation.Kind.SCHOOL, urn="123456")
    existing = world.case  # no UPN on file, and the row's gender: a close call the manager decides
    existing.upn, existing.gender = "", "F"
    existing.save()
    family = existing.legal_family_name
    typo = family[0] + family[2] + family[1] + family[3:] if len(family) > 3 else family + "e"
    content = csv_bytes(
        SCHOOL_HEADER,
        [
            school_row(given=existing.legal_given_name, family=typo, born=existing.date_of_birth),
            school_row(upn=valid_upn(), given="Nia", family="Holtsworthy", born=years_ago(16, 12)),
        ],
    )

    sign_in(page, "service")
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("heading", name="Import a file").wait_for()
    assert_accessible(page)
    page.get_by_label("School roll or Year 11 leavers").check()
    page.get_by_label("Which school, college or council sent it?").select_option(label="Hillside Academy")
    page.get_by_label("Team for young people new to us").select_option(label="North")
    page.get_by_label("Upload the file").set_input_files(
        {"name": "roll.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_role("heading", name="Import ").wait_for()
    page.get_by_text("Imported: 100%").wait_for()
    assert page.get_by_role("progressbar").get_attribute("value") == "100"
    assert_accessible(page)

    page.get_by_role("link", name="1 still open").click()
    page.get_by_role("link", name="line 2").click()
    page.get_by_role("heading", name="Which record is this row about?").wait_for()
    assert_accessible(page)
    page.get_by_label(f"Record {existing.pk}:").check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text("linked to an existing record").wait_for()
    assert ReviewItem.objects.get().young_person_id == existing.pk
    assert_accessible(page)


def test_the_progress_bar_follows_a_running_import(page, world, assert_accessible):
    """While the task runs (here: a batch left part-way), the page polls and moves the bar, then shows
    the finished import without the user reloading."""
    school = OrganisationFactory(name="Hillside Academy", kind=Organisation.Kind.SCHOOL)
    batch = ImportBatchFactory(
        source_organisation=school,
        team=world.team,
        file_sha256="a" * 64,
        uploaded_by=world.service_manager,
        state=ImportBatch.State.CHECKING,
        progress=20,
    )
    sign_in(page, "service")
    page.goto(f"/imports/{batch.pk}/")
    page.get_by_text("Checking every row: 20%").wait_for()
    assert_accessible(page)
    cache.set(
        f"import-progress-{batch.pk}", {"state": "applying", "label": "Matching and saving", "progress": 70}
    )
    page.get_by_text("Matching and saving: 70%").wait_for()
    assert page.get_by_role("progressbar").get_attribute("value") == "70"
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.APPLIED, progress=100, rows=1)
    page.get_by_text("Imported: 100%").wait_for()
    page.get_by_text("Already up to date").wait_for()
