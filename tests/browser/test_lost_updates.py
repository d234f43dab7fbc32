"""Two people edit one record in two browsers: the first save wins; the second sees what changed in
between, keeps what they typed, and saves only when they choose to. Both pages pass axe-core."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_save_shows_what_changed_and_saves_only_when_they_decide(
    page, browser, live_server, world, assert_accessible
):
    person = world.case
    edit = f"/young-people/{person.pk}/edit/"
    manager = browser.new_context(base_url=live_server.url).new_page()
    try:
        sign_in(page, "adviser")
        page.goto(edit)
        sign_in(manager, "manager")
        manager.goto(edit)

        manager.get_by_label("Town").fill("Benfleet")
        manager.get_by_label("Reason for the change").fill("Moved house")
        manager.get_by_role("button", name="Save changes").click()
        manager.get_by_text("Record updated").wait_for()

        page.get_by_label("Phone").fill("07700 900321")
        page.get_by_label("Reason for the change").fill("New phone")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_role("heading", name="There is a problem").wait_for()
        page.get_by_role("heading", name="What changed since you opened this page").wait_for()
        assert page.get_by_role("cell", name="Benfleet").is_visible()
        assert page.get_by_label("Phone").input_value() == "07700 900321"  # kept, not saved
        assert_accessible(page)
        person.refresh_from_db()
        assert (person.town, person.phone) == ("Benfleet", "")

        page.get_by_label("Town").fill("Benfleet")  # they take the manager's town, and their phone
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Record updated").wait_for()
        person.refresh_from_db()
        assert (person.town, person.phone) == ("Benfleet", "07700 900321")
    finally:
        manager.context.close()
