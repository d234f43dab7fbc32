"""De-identified extracts: quasi-identifiers generalised as chosen, k-anonymous on them, previewed
without being recorded, made as a zip of a CSV (with its header) and a note, recorded."""

import csv
import io
import zipfile
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cases.models import YoungPerson
from core.roles import Role
from sharing import rules
from sharing.models import Disclosure
from tests.factories import UserFactory, YoungPersonFactory, years_ago
from tracking import services as tracking_services

pytestmark = pytest.mark.django_db
CHOICES = {"age": "birth_month", "place": "district", "ethnicity": "code", "gender": "gender"}


@pytest.fixture
def council(world):
    """Eight people who share year-month of birth, district, gender and ethnicity, and four who
    are each unique (plus the world's people)."""
    born = years_ago(16, 40).replace(day=1)
    for n in range(8):
        YoungPersonFactory(
            team=world.team, date_of_birth=born.replace(day=n + 1), postcode=f"SS1 {n + 1}AB", gender="F"
        )
    for district in ("CM1", "ME4", "SS9", "CM7"):
        YoungPersonFactory(team=world.team, date_of_birth=born, postcode=f"{district} 1AB", gender="M")
    tracking_services.status_refresh()


def made(response) -> tuple[list[dict], str]:
    files = zipfile.ZipFile(io.BytesIO(response.content))
    return list(csv.DictReader(io.StringIO(files.read("extract.csv").decode()))), files.read(
        "about-this-extract.txt"
    ).decode()


def test_every_released_row_is_in_a_group_of_at_least_k_and_names_no_one(council, client_for):
    dpo = UserFactory(role=Role.DATA_PROTECTION_OFFICER)
    response = client_for(dpo).post(
        reverse("sharing:extract"), {"purpose": "Planning", "k": 5, "action": "make", **CHOICES}
    )
    rows, note = made(response)
    quasi = ("age", "place", "ethnicity", "gender")
    groups = Counter(tuple(row[q] for q in quasi) for row in rows)
    assert len(rows) == 8
    assert min(groups.values()) >= 5
    assert len(rows) + int(response["X-Suppressed-Rows"]) == YoungPerson.objects.count()
    assert f"Rows released: 8. Rows suppressed: {response['X-Suppressed-Rows']}" in note
    assert "Age: Year and month of birth" in note
    text = response.content.decode("latin-1")
    person = YoungPerson.objects.first()
    for identifying in (
        person.legal_family_name,
        person.postcode,
        person.date_of_birth.isoformat(),
        person.upn,
    ):
        assert identifying not in text
    assert list(rows[0]) == [
        *quasi,
        "sen_status",
        "status",
        "activity_code",
        "participating",
        "vulnerable",
        "guarantee",
    ]
    disclosure = Disclosure.objects.get()
    assert disclosure.young_people.count() == 0
    assert "Rows suppressed" in disclosure.trimmed


def test_checking_shows_what_a_choice_suppresses_and_records_nothing(council, client_for):
    client = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER))
    fine = client.post(reverse("sharing:extract"), {"purpose": "x", "k": 4, "action": "check", **CHOICES})
    coarse = client.post(  # the four men born in one month in four districts now make a group of four
        reverse("sharing:extract"),
        {"purpose": "x", "k": 4, "action": "check", **CHOICES, "place": "council", "age": "birth_year"},
    )
    assert fine.context["preview"].suppressed > coarse.context["preview"].suppressed
    assert "rows released" in fine.content.decode()
    assert Disclosure.objects.count() == 0


def test_when_every_row_is_suppressed_the_file_still_has_its_header(council, client_for):
    response = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER)).post(
        reverse("sharing:extract"), {"purpose": "x", "k": 100, "action": "make", **CHOICES}
    )
    files = zipfile.ZipFile(io.BytesIO(response.content))
    assert files.read("extract.csv").decode().splitlines() == [
        "age,place,ethnicity,gender,sen_status,status,activity_code,participating,vulnerable,guarantee"
    ]


def test_a_larger_k_suppresses_more(council, client_for):
    client = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER))

    def suppressed(k):
        form = {"purpose": "x", "k": k, "action": "check", **CHOICES}
        return client.post(reverse("sharing:extract"), form).context["preview"].suppressed

    assert suppressed(9) > suppressed(2)


def test_k_below_two_is_refused(db, client_for):
    response = client_for(UserFactory(role=Role.DATA_PROTECTION_OFFICER)).post(
        reverse("sharing:extract"), {"purpose": "x", "k": 1, **CHOICES}
    )
    assert "k" in response.context["form"].errors


@pytest.mark.parametrize(
    ("postcode", "area", "district", "sector"),
    [
        ("SS1 2AB", "SS", "SS1", "SS1 2"),
        ("E1 6AN", "E", "E1", "E1 6"),
        ("SW1A 1AA", "SW", "SW1A", "SW1A 1"),
        ("", "", "", ""),
    ],
)
def test_a_postcode_generalises_to_its_area_district_or_sector(postcode, area, district, sector):
    assert [rules.postcode_part(postcode, part) for part in ("area", "district", "sector", "council")] == [
        area,
        district,
        sector,
        "",
    ]


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("WBRI", "White"),
        ("MWBC", "Mixed"),
        ("AIND", "Asian"),
        ("BAFR", "Black"),
        ("CHNE", "Chinese"),
        ("OOTH", "Other"),
        ("REFU", "Not known"),
        ("NOBT", "Not known"),
        ("", "Not known"),
    ],
)
def test_ethnicity_generalises_to_its_major_group(code, group):
    assert rules.ethnic_group(code) == group


def test_the_demo_council_gives_rows_at_k_5_and_a_coarser_choice_keeps_most(client_for):
    call_command("seed_demo")
    client = client_for(get_user_model().objects.get(username="dpo"))
    page = client.get(reverse("sharing:extract"))
    defaults = {name: field.initial for name, field in page.context["form"].fields.items() if field.initial}
    assert (defaults["k"], defaults["place"], defaults["ethnicity"]) == (5, "area", "major")

    def preview(**choices):
        form = {**defaults, "purpose": "Planning", "action": "check", **choices}
        return client.post(reverse("sharing:extract"), form).context["preview"]

    chosen, coarser = preview(), preview(ethnicity="none")
    total = len(chosen.rows) + chosen.suppressed
    assert total == YoungPerson.objects.count()
    assert len(chosen.rows) >= total / 10, (len(chosen.rows), total)
    assert len(coarser.rows) >= total / 2, (len(coarser.rows), total)


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
