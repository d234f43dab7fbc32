"""De-identified extracts: generalised, k-anonymous on the quasi-identifiers, recorded."""

import csv
import io
from collections import Counter

import pytest
from django.urls import reverse

from cases.models import YoungPerson
from core.roles import Role
from sharing.models import Disclosure
from sharing.services import QUASI_IDENTIFIERS
from tests.factories import UserFactory, YoungPersonFactory, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(world):
    """Eight people who share year-month of birth, district, gender and ethnicity, and four who
    are each unique (plus the world's three)."""
    born = years_ago(16, 40).replace(day=1)
    for n in range(8):
        YoungPersonFactory(
            team=world.team, date_of_birth=born.replace(day=n + 1), postcode=f"SS1 {n + 1}AB", gender="F"
        )
    for district in ("CM1", "ME4", "SS9", "CM7"):
        YoungPersonFactory(team=world.team, date_of_birth=born, postcode=f"{district} 1AB", gender="M")


def test_every_released_row_is_in_a_group_of_at_least_k(council, client_for):
    dpo = UserFactory(role=Role.DATA_PROTECTION_OFFICER)
    response = client_for(dpo).post(reverse("sharing:extract"), {"purpose": "Planning", "k": 5})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    groups = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in rows)
    assert rows
    assert min(groups.values()) >= 5
    assert len(rows) == 8
    assert len(rows) + int(response["X-Suppressed-Rows"]) == YoungPerson.objects.count()
    text = response.content.decode()
    person = YoungPerson.objects.first()
    for identifying in (
        person.legal_family_name,
        person.postcode,
        person.date_of_birth.isoformat(),
        person.upn,
    ):
        assert identifying not in text
    assert set(rows[0]) == {
        "birth_month",
        "district",
        "gender",
        "ethnicity",
        "sen_status",
        "academic_age",
        "status",
        "activity_code",
        "participating",
        "vulnerable",
        "guarantee",
    }
    disclosure = Disclosure.objects.get()
    assert disclosure.young_people.count() == 0
    assert "rows suppressed" in disclosure.trimmed


def test_a_larger_k_suppresses_more(council, client_for):
    client = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER))
    small = int(client.post(reverse("sharing:extract"), {"purpose": "x", "k": 2})["X-Suppressed-Rows"])
    large = int(client.post(reverse("sharing:extract"), {"purpose": "x", "k": 9})["X-Suppressed-Rows"])
    assert large > small


def test_k_below_two_is_refused(db, client_for):
    response = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER)).post(
        reverse("sharing:extract"), {"purpose": "x", "k": 1}
    )
    assert "k" in response.context["form"].errors


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PERSONAL_ADVISER, 403),
        (Role.TEAM_MANAGER, 403),
        (Role.SERVICE_MANAGER, 200),
        (Role.DATA_PROTECTION_OFFICER, 200),
    ],
)
def test_who_may_make_extracts(db, client_for, role, status):
    assert client_for(UserFactory(role=role)).get(reverse("sharing:extract")).status_code == status
