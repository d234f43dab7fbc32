"""An adviser shares a record with a college under an agreement; the disclosure shows on the record;
axe-core finds no WCAG 2.2 AA violation on the pages visited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Organisation
from sharing.models import InformationSharingAgreement
from tests.browser.conftest import sign_in
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adviser_shares_a_record_with_a_college(page, world, assert_accessible):
    college = OrganisationFactory(name="Riverside College", kind=Organisation.Kind.COLLEGE)
    agreement = InformationSharingAgreement.objects.create(
        title="Post-16 transition",
        purpose="Enrolment",
        article_6_basis="6(1)(e)",
        categories=["identity", "contact", "education"],
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    agreement.parties.add(college)

    sign_in(page, "adviser")
    page.goto(f"/young-people/{world.case.pk}/")
    page.get_by_text("More about this record").click()  # the record's other actions sit in one menu
    page.get_by_role("link", name="Share", exact=True).click()
    page.get_by_role("heading", name="Share this record").wait_for()
    assert_accessible(page)
    page.get_by_label("Share with", exact=True).select_option(label="Riverside College")
    page.get_by_label("Identity (names, date of birth, gender, UPN, ULN)").check()
    page.get_by_label("Why are you sharing it?").fill("Enrolment for September")
    with page.expect_download() as download:
        page.get_by_role("button", name="Share and download").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.goto(f"/young-people/{world.case.pk}/")
    page.get_by_role("tab", name="Disclosures (1)").click()
    assert page.get_by_role("cell", name="Riverside College").is_visible()
    assert_accessible(page)


def test_the_return_and_extract_pages_are_accessible(page, world, assert_accessible):
    sign_in(page, "service")
    page.goto("/returns/nccis/")
    page.get_by_label("Month").fill(timezone.localdate().strftime("%Y-%m"))
    page.get_by_role("button", name="Check the return").click()
    page.get_by_role("link", name=f"Record {world.case.pk}").first.wait_for()
    assert_accessible(page)
    page.goto("/extracts/new/")
    assert_accessible(page)
