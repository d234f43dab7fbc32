"""A team manager opens the dashboard, follows a figure to the people behind it; axe-core finds no
WCAG 2.2 AA violation on the dashboard or the list."""

import pytest
from django.urls import reverse

from cases.models import YoungPerson
from tests.browser.conftest import sign_in
from tests.factories import synthetic_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_follows_a_dashboard_figure_to_the_people_behind_it(page, assert_accessible):
    synthetic_council(150, seed=11, contacts_per_person=1)
    manager = YoungPerson.objects.filter(team__name="Team 01").first().team.group.user_set.get()
    manager.set_password("test-password-123")
    manager.save()

    sign_in(page, manager.username)
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="NEET and not known").wait_for()
    assert_accessible(page)
    cohort = page.locator("#headline a").first
    count = int(cohort.inner_text().split()[0])
    cohort.click()
    page.get_by_role("heading", name="In the cohort").wait_for()
    assert page.locator("#people-count").inner_text().startswith(f"{count} young")
    assert page.url.startswith(f"{page.url.split('/dashboard')[0]}{reverse('tracking:dashboard-people')}")
    assert_accessible(page)
