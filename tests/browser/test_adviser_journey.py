"""An adviser signs in, finds a young person, logs a contact and sees it on the record; every page
visited passes axe-core's WCAG 2.2 AA rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import fill_contact, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adviser_finds_a_young_person_and_logs_a_contact(page, world, assert_accessible):
    person = world.case
    page.goto("/sign-in/")
    assert_accessible(page)
    sign_in(page, "adviser")
    page.get_by_role("heading", name="My caseload").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Find a young person").click()
    page.get_by_role("button", name="Search").click()  # empty: the error summary appears
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_label("Name, date of birth, UPN, ULN or postcode").fill(person.legal_family_name)
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"{person.legal_family_name}, {person.legal_given_name}").click()
    page.get_by_role("heading", name=person.full_name).wait_for()
    assert person.legal_family_name not in page.url  # ids, never names, in URLs
    assert_accessible(page)

    page.get_by_role("button", name="Log a contact").click()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_role("button", name="Save contact").click()  # nothing filled in: errors, nothing saved
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    fill_contact(page, yesterday, "11:30", "Talked through apprenticeship options at the garage")
    page.get_by_role("button", name="Save contact").click()

    page.get_by_text("Contact logged").wait_for()
    page.get_by_role("tab", name="Contacts (1)").click()
    assert page.get_by_text("Talked through apprenticeship options at the garage").is_visible()
    assert_accessible(page)


def test_the_manager_and_tracking_pages_are_accessible(page, world, assert_accessible):
    sign_in(page, "manager")
    page.get_by_role("heading", name="My caseload").wait_for()
    page.get_by_role("link", name="Add a young person").click()
    page.get_by_role("button", name="Save record").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    for path in ("history", "transfer", "co-workers/new", "destinations", "activities/new", "offers/new"):
        page.goto(f"/young-people/{world.case.pk}/{path}/")
        assert_accessible(page)
    page.goto("/teams/caseloads/")
    page.get_by_role("heading", name="Team caseloads").wait_for()
    assert_accessible(page)
    page.goto("/caseload/?work_list=not_known")
    assert_accessible(page)
