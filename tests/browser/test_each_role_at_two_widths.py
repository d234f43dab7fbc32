"""Each role's main job walked in a real browser at a desktop width and a phone width (375 px): the
adviser finds a young person by a misspelt name, reads the record at a glance, logs a contact and sees
it, and completes an action from the task list; the team manager allocates a referral, transfers a
young person and reads the dashboard. On every page axe-core finds no WCAG 2.2 AA violation and the
page never scrolls sideways (a wide table scrolls inside its own region)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Action, YoungPerson
from tests.browser.conftest import fill_contact, sign_in
from tests.factories import YoungPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture(params=sorted(WIDTHS))
def sized(request, page, assert_accessible):
    """The page at one width, and check(page): axe passes and nothing is wider than the window."""
    width = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": 900})

    def check(current):
        assert_accessible(current)
        scroll = current.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{current.url} scrolls sideways at {width}px ({scroll}px wide)"

    page.check = check  # type: ignore[attr-defined]
    page.phone = width < 640  # type: ignore[attr-defined]  # GOV.UK tabs stack their panels below 640px
    return page


def test_an_adviser_finds_reads_logs_and_completes(sized, world):
    page = sized
    YoungPerson.objects.filter(pk=world.case.pk).update(legal_family_name="Ellison", legal_given_name="Maya")
    action = services.action_add(
        young_person=world.case,
        actor=world.adviser,
        description="Bring the CV",
        owner="young_person",
        due_on=timezone.localdate(),
    )
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=3))

    sign_in(page, "adviser")
    page.get_by_role("heading", name="My caseload").wait_for()
    page.check(page)

    page.goto("/search/")
    page.get_by_label("Name, date of birth, UPN, ULN or postcode").fill("Elison")  # one l short
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ellison, Maya").wait_for()
    page.check(page)
    page.get_by_role("link", name="Ellison, Maya").click()

    page.get_by_role("heading", name="Key facts").wait_for()
    facts = page.locator("#key-facts").inner_text()
    assert "Not known" in facts
    assert "Bring the CV" in facts
    assert "Overdue" in facts
    page.check(page)

    page.get_by_role("button", name="Log a contact").click()
    yesterday = timezone.localdate() - timedelta(days=1)  # at 09:15 today could be in the future
    fill_contact(page, yesterday, "09:15", "Agreed to visit the college open day")
    page.check(page)
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Contact logged").wait_for()
    assert page.url.endswith("#contacts")
    assert page.get_by_text("Agreed to visit the college open day").is_visible()  # the tab is open
    page.check(page)

    if page.phone:  # the menu is behind its button on a phone
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="To do").click()
    page.get_by_role("heading", name="Overdue actions (1)").wait_for()
    page.check(page)
    page.locator("#overdue ~ .app-table-wrapper").get_by_role("button", name="Bring the CV").click()
    page.get_by_role("heading", name="Overdue actions (0)").wait_for()
    assert Action.objects.get(pk=action.pk).completed_by == world.adviser


def test_a_team_manager_allocates_transfers_and_reads_the_dashboard(sized, world):
    page = sized
    referral = YoungPersonFactory(team=world.team, lead_adviser=None, legal_family_name="Waiting")
    sign_in(page, "manager")
    page.get_by_role("heading", name="My caseload").wait_for()
    page.check(page)

    page.goto("/teams/caseloads/")
    page.get_by_role("heading", name="Team caseloads").wait_for()
    page.check(page)
    page.get_by_label(f"Adviser for {referral.full_name}").select_option(
        label=world.colleague.get_full_name(), timeout=5000
    ) if False else None
    select = page.get_by_label(f"Adviser for {referral.full_name}")
    select.select_option(value=str(world.colleague.pk))
    page.get_by_role("button", name=f"Allocate {referral.full_name}").click()
    page.get_by_text("Young person allocated").wait_for()
    referral.refresh_from_db()
    assert referral.lead_adviser == world.colleague

    page.goto(f"/young-people/{world.case.pk}/transfer/")
    page.check(page)
    page.get_by_label("New team").select_option(label="North")
    page.get_by_label("New lead adviser").select_option(value=str(world.colleague.pk))
    page.get_by_label("Reason for the transfer").fill("Rebalancing caseloads")
    page.get_by_role("button", name="Transfer").click()
    page.get_by_text("Young person transferred").wait_for()
    assert YoungPerson.objects.get(pk=world.case.pk).lead_adviser == world.colleague
    page.check(page)

    page.goto("/dashboard/")
    page.get_by_role("heading", name="NEET and not known").wait_for()
    page.check(page)
    page.get_by_role("link", name="By team").click()
    assert page.url.endswith("#breakdown-team")
