"""The caseload table shows status and next action beside the last contact, sorts by each column
(both ways, people without a value last), and keeps its filters' own wording."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import YoungPerson
from tests.factories import ContactFactory, YoungPersonFactory
from tracking import services as tracking_services
from tracking.models import ActivityCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world):
    """Three of the adviser's young people with different names, statuses, actions and contacts."""
    today = timezone.localdate()
    people = {}
    for name, code, due_in, contacted_days_ago in (
        ("Ashworth", "230", 3, 10),  # EET, action in 3 days, contacted 10 days ago
        ("Brennan", "540", 1, 2),  # NEET, action tomorrow, contacted 2 days ago
        ("Carver", None, None, None),  # not known, no action, never contacted
    ):
        person = YoungPersonFactory(team=world.team, lead_adviser=world.adviser, legal_family_name=name)
        if code:
            tracking_services.activity_record(
                young_person=person,
                actor=world.adviser,
                code=ActivityCode.objects.get(code=code),
                start_date=today - timedelta(days=20),
                date_ascertained=today - timedelta(days=20),
            )
        if due_in is not None:
            services.action_add(
                young_person=person,
                actor=world.adviser,
                description=f"Next step for {name}",
                owner="adviser",
                due_on=today + timedelta(days=due_in),
            )
        if contacted_days_ago is not None:
            ContactFactory(
                young_person=person,
                staff_member=world.adviser,
                occurred_at=timezone.now() - timedelta(days=contacted_days_ago),
            )
        people[name] = person
    YoungPerson.objects.filter(pk=world.case.pk).update(lead_adviser=None)  # only the three remain mine
    return people


def order(client, sort: str) -> list[str]:
    response = client.get(reverse("cases:caseload"), {"mine": "on", "sort": sort})
    assert response.status_code == 200
    return [person.legal_family_name for person in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Ashworth", "Brennan", "Carver"]),
        ("-name", ["Carver", "Brennan", "Ashworth"]),
        ("next_action", ["Brennan", "Ashworth", "Carver"]),
        ("-next_action", ["Ashworth", "Brennan", "Carver"]),  # nobody's next action stays last
        ("last_contact", ["Ashworth", "Brennan", "Carver"]),
        ("-last_contact", ["Brennan", "Ashworth", "Carver"]),
        ("status", ["Ashworth", "Brennan", "Carver"]),  # eet, neet, not_known
        ("-status", ["Carver", "Brennan", "Ashworth"]),
        ("no_such_column", ["Ashworth", "Brennan", "Carver"]),  # an unknown sort falls back to names
    ],
)
def test_the_caseload_sorts_by_each_column_both_ways(world, client_for, three, sort, expected):
    assert order(client_for(world.adviser), sort) == expected


def test_each_row_shows_status_next_action_and_last_contact(world, client_for, three):
    html = client_for(world.adviser).get(reverse("cases:caseload"), {"mine": "on"}).content.decode()
    row = html[html.index("Brennan") : html.index("</tr>", html.index("Brennan"))]
    assert 'govuk-tag--red">NEET' in row
    assert "Next step for Brennan" in row
    assert f"due {timezone.localdate() + timedelta(days=1):%-d %b %Y}" in row
    assert f"{timezone.localtime() - timedelta(days=2):%-d %b %Y}" in row


def test_the_headers_link_to_the_other_direction_and_say_which_is_sorted(world, client_for, three):
    html = client_for(world.adviser).get(reverse("cases:caseload"), {"mine": "on", "sort": "status"}).content
    page = html.decode()
    assert (
        'aria-sort="ascending"><a class="govuk-link app-sort-link" href="?mine=on&amp;sort=-status">Status'
        in page
    )
    assert 'aria-sort="none"><a class="govuk-link app-sort-link" href="?mine=on&amp;sort=name">Name' in page


def test_the_filters_keep_their_own_first_choice(world, client_for):
    html = client_for(world.team_manager).get(reverse("cases:caseload")).content.decode()
    assert ">All teams</option>" in html
    assert ">All advisers</option>" in html
    assert '<details class="govuk-details app-filters">' in html  # closed until a filter is used
    filtered = client_for(world.team_manager).get(reverse("cases:caseload"), {"support_level": "targeted"})
    assert '<details class="govuk-details app-filters" open>' in filtered.content.decode()


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        ("2026-06-01T22:59:00+00:00", "1 Jun 2026"),  # 23:59 in London (summer time)
        ("2026-06-01T23:00:00+00:00", "2 Jun 2026"),  # midnight in London: the next day there
    ],
)
def test_the_last_contact_is_the_day_it_was_in_london(world, client_for, utc, shown):
    person = YoungPersonFactory(team=world.team, lead_adviser=world.adviser, legal_family_name="Dunmore")
    ContactFactory(young_person=person, staff_member=world.adviser, occurred_at=datetime.fromisoformat(utc))
    html = client_for(world.adviser).get(reverse("cases:caseload"), {"mine": "on"}).content.decode()
    row = html[html.index("Dunmore") : html.index("</tr>", html.index("Dunmore"))]
    assert f'<td class="govuk-table__cell">{shown}</td>' in row
