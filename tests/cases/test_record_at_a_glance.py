"""The record page opens on what an adviser needs first: status, age and school year, last contact,
next action, level of support and flags, above two primary actions and a menu of the rest; saving a
contact or an action lands on it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import YoungPerson
from sharing.models import Disclosure
from tests.cases.test_contacts_and_actions import contact_form
from tests.cases.test_task_list import action
from tests.factories import ContactFactory, YoungPersonFactory
from tests.sharing.test_rights import restrict
from tracking import services as tracking_services
from tracking.models import ActivityCode, CurrentStatus

pytestmark = pytest.mark.django_db


def facts(client, person) -> dict[str, str]:
    page = client.get(reverse("cases:young-person-detail", args=[person.pk]))
    assert page.status_code == 200
    found = {fact.label: f"{fact.tag} {fact.text}".strip() for fact in page.context["key_facts"]}
    found["Flags"] = ", ".join(flag.text for flag in page.context["flags"])
    return found


def record_activity(person, code: str, started: date, actor):
    tracking_services.activity_record(
        young_person=person,
        actor=actor,
        code=ActivityCode.objects.get(code=code),
        start_date=started,
        date_ascertained=started,
    )


def born_in_school_year(year: int, today: date) -> date:
    """A birthday in January that puts someone in National Curriculum ``year`` (academic age year + 4)."""
    start = today.year if today.month >= 9 else today.year - 1
    return date(start - (year + 4), 1, 15)


def test_a_neet_young_person_shows_since_when_and_when_the_information_lapses(world, client_for):
    today = timezone.localdate()
    record_activity(world.case, "540", today - timedelta(days=60), world.adviser)  # NEET, seeking work
    record_activity(world.case, "610", today - timedelta(days=20), world.adviser)  # NEET, still
    status = CurrentStatus.objects.get(young_person=world.case)
    shown = facts(client_for(world.adviser), world.case)["Status"]
    assert shown.startswith("NEET ")
    assert f"since {today - timedelta(days=60):%-d %b %Y}" in shown  # the start of the unbroken spell
    assert f"information lapses on {status.currency_lapses_on:%-d %b %Y}" in shown


def test_an_eet_young_person_shows_what_they_are_doing(world, client_for):
    record_activity(world.case, "230", timezone.localdate() - timedelta(days=5), world.adviser)
    label = ActivityCode.objects.get(code="230").label
    shown = facts(client_for(world.adviser), world.case)["Status"]
    assert shown.startswith(f"EET {label}")
    assert "since" not in shown


def test_nobody_recorded_is_not_known(world, client_for):
    assert facts(client_for(world.adviser), world.case)["Status"].startswith("Not known")


@pytest.mark.parametrize(("year", "shown"), [(14, True), (15, False), (8, True)])
def test_the_school_year_is_shown_up_to_year_14(world, client_for, year, shown):
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team, lead_adviser=world.adviser, date_of_birth=born_in_school_year(year, today)
    )
    age = facts(client_for(world.adviser), person)["Age"]
    assert (f"(school year {year})" in age) is shown
    assert age.split()[0] == f"{case_services.validators.age_on(person.date_of_birth, today)}"


@pytest.mark.parametrize(("days", "said"), [(0, "today"), (1, "yesterday"), (2, "2 days ago")])
def test_the_last_contact_says_how_long_ago(world, client_for, days, said):
    when = timezone.now() - timedelta(days=days)
    ContactFactory(young_person=world.case, staff_member=world.adviser, occurred_at=when - timedelta(days=30))
    ContactFactory(young_person=world.case, staff_member=world.adviser, occurred_at=when, method="phone")
    shown = facts(client_for(world.adviser), world.case)["Last contact"]
    assert shown == f"{said} ({timezone.localtime(when):%-d %b %Y}), phone call"


def test_without_contacts_or_actions_the_facts_say_so(world, client_for):
    shown = facts(client_for(world.adviser), world.case)
    assert shown["Last contact"] == "None logged yet"
    assert shown["Next action"] == "None open"


@pytest.mark.parametrize(("due_in", "overdue"), [(-1, True), (0, False)])
def test_the_next_action_is_the_earliest_open_one_and_overdue_only_after_its_day(
    world, client_for, due_in, overdue
):
    today = timezone.localdate()
    later = action(world.case, 5, world.adviser, "Visit college")
    action(world.case, due_in, world.adviser, "Call about CV")
    done = action(world.case, 0, world.adviser, "Done already")
    case_services.action_complete(action=done, actor=world.adviser)
    shown = facts(client_for(world.adviser), world.case)["Next action"]
    due = today + timedelta(days=due_in)
    assert shown == f"{'Overdue ' if overdue else ''}Call about CV, due {due:%-d %b %Y}"
    assert later.description not in shown


def test_flags_show_restriction_care_send_and_risk_of_neet(world, client_for):
    YoungPerson.objects.filter(pk=world.case.pk).update(
        looked_after=True, sen_status=YoungPerson.SenStatus.EHC_PLAN
    )
    restrict(world.case)
    CurrentStatus.objects.filter(young_person=world.case).update(
        roni_band="substantial"
    )  # the stored evaluation
    assert facts(client_for(world.adviser), world.case)["Flags"] == (
        "Risk of NEET: substantial support needed, Processing restricted, Looked after, EHC plan"
    )
    other = facts(client_for(world.adviser), YoungPersonFactory(team=world.team, lead_adviser=world.adviser))
    assert other["Flags"] == ""


def test_a_lifted_restriction_is_no_longer_a_flag(world, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    restriction = case_services.restriction_set(
        young_person=world.case, actor=world.dpo, kind="s507b", set_by="parent_carer", set_on=yesterday
    )
    assert "Section 507B restriction" in facts(client_for(world.adviser), world.case)["Flags"]
    restriction.lifted_on = timezone.localdate()
    case_services.tracked_save(restriction, actor=world.dpo, reason="Lifted")  # as the DPO's admin does
    assert "restriction" not in facts(client_for(world.adviser), world.case)["Flags"]


def test_the_daily_actions_are_buttons_and_the_rest_sit_in_one_menu(world, client_for):
    html = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk])).content
    page = html.decode()
    buttons = page[page.index('class="govuk-button-group"') : page.index("app-more-actions")]
    assert tuple(name for name in ("Log a contact", "Add an action") if name in buttons) == (
        "Log a contact",
        "Add an action",
    )
    assert [name for name in ("Edit the record", "Moved to another council") if name in buttons] == []
    assert page.count("Moved to another council") == 1
    assert 'href="#disclosures"' in page  # the tab; the full list is linked from it when it is long
    assert reverse("sharing:disclosures", args=[world.case.pk]) not in page


def test_saving_a_contact_lands_on_the_contacts_tab(world, client_for):
    response = client_for(world.adviser).post(
        # yesterday: the form's time is 10:15, in the future before then today
        reverse("cases:contact-create", args=[world.case.pk]),
        contact_form(timezone.localdate() - timedelta(days=1)),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("cases:young-person-detail", args=[world.case.pk]) + "#contacts"
    page = client_for(world.adviser).get(response.url).content.decode()
    contact = world.case.contacts.get()
    assert f'id="contact-{contact.pk}"' in page


@pytest.mark.parametrize(("made", "linked"), [(20, False), (21, True)])
def test_the_disclosures_tab_links_to_the_full_list_when_it_shows_only_the_newest(
    world, client_for, made, linked
):
    for number in range(made):
        disclosure = Disclosure.objects.create(
            made_by=world.adviser,
            recipient_name="A college",
            purpose=f"Enrolment {number}",
            outcome="released",
        )
        disclosure.young_people.add(world.case)
    page = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    html = page.content.decode()
    assert (reverse("sharing:disclosures", args=[world.case.pk]) in html) is linked
    assert html.count("Enrolment ") == 20
    assert ("Disclosures (20+)" if linked else "Disclosures (20)") in html
