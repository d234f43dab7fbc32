"""Creating and editing a record: clear messages on bad input, nothing half-saved, history with a reason."""

import pytest
from django.urls import reverse

from cases import versions
from cases.models import Source, YoungPerson
from tests.factories import valid_uln, valid_upn, years_ago

pytestmark = pytest.mark.django_db


def person_form(world, **overrides):
    born = years_ago(15, 20)
    data = {
        "legal_given_name": "Jordan",
        "legal_family_name": "Testperson",
        "date_of_birth_0": born.day,
        "date_of_birth_1": born.month,
        "date_of_birth_2": born.year,
        "gender": "X",
        "sen_status": "N",
        "support_level": "universal",
        "postcode": "ss1 2ab",
        "upn": valid_upn(),
        "uln": valid_uln(),
        "source": Source.SCHOOL,
        "source_date_0": 1,
        "source_date_1": 9,
        "source_date_2": 2025,
        "team": world.team.pk,
        "lead_adviser": world.adviser.pk,
    }
    data.update(overrides)
    return data


def test_an_adviser_creates_a_record_in_their_caseload_with_history(world, client_for):
    client = client_for(world.adviser)
    response = client.post(reverse("cases:young-person-create"), person_form(world))
    person = YoungPerson.objects.get(legal_family_name="Testperson")
    assert response.status_code == 302
    assert response.url == reverse("cases:young-person-detail", args=[person.pk])
    assert person.postcode == "SS1 2AB"
    assert person.source == Source.SCHOOL
    created = person.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        world.adviser,
        "Record created",
    )
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "ABC 123", "Enter a real UK postcode, like SS1 2AB"),
        ("upn", "A12345678901", "Enter a UPN of 13 characters"),
        ("upn", "Z882123456789", "This UPN's check letter is wrong"),
        ("uln", "12345", "Enter a ULN of exactly 10 digits"),
        ("uln", "1234567890", "This ULN's check digit is wrong"),
    ],
)
def test_invalid_identifiers_are_refused_with_a_message_on_the_field(
    world, client_for, field, value, message
):
    response = client_for(world.adviser).post(
        reverse("cases:young-person-create"), person_form(world, **{field: value})
    )
    assert response.status_code == 200
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert f'href="#id_{field}"' in response.content.decode()  # the error summary links to the field
    assert not YoungPerson.objects.filter(legal_family_name="Testperson").exists()


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (years_ago(-1), "The date must be today or in the past"),
        (years_ago(10), "The young person must be aged between 11 and 25"),
        (years_ago(26, 1), "The young person must be aged between 11 and 25"),
    ],
)
def test_dates_of_birth_outside_11_to_25_or_in_the_future_are_refused(world, client_for, born, message):
    data = person_form(world, date_of_birth_0=born.day, date_of_birth_1=born.month, date_of_birth_2=born.year)
    response = client_for(world.adviser).post(reverse("cases:young-person-create"), data)
    assert message in response.context["form"].errors["date_of_birth"][0]
    assert 'href="#id_date_of_birth_0"' in response.content.decode()
    assert not YoungPerson.objects.filter(legal_family_name="Testperson").exists()


def test_an_impossible_date_gets_a_clear_message(world, client_for):
    data = person_form(world, date_of_birth_0=31, date_of_birth_1=2, date_of_birth_2=2010)
    response = client_for(world.adviser).post(reverse("cases:young-person-create"), data)
    assert response.context["form"].errors["date_of_birth"] == ["Date of birth must be a real date"]


def test_a_upn_already_on_a_record_in_reach_is_shown_as_a_match_and_then_refused(world, client_for):
    client = client_for(world.adviser)
    data = person_form(world, upn=world.case.upn)
    response = client.post(reverse("cases:young-person-create"), data)
    assert response.context["duplicates"] == [world.case]
    response = client.post(reverse("cases:young-person-create"), {**data, "not_a_duplicate": "on"})
    assert response.context["form"].errors["upn"] == [
        "A young person with this UPN already exists: find them before adding a new record"
    ]


def test_likely_duplicates_are_shown_before_saving_without_revealing_others_records(world, client_for):
    other = world.other_case
    other.legal_given_name = "Zephyrine"  # a name no staff account drawn by Faker can share
    other.save()
    dob = other.date_of_birth
    data = person_form(
        world,
        legal_family_name=other.legal_family_name,
        legal_given_name="Someone",
        date_of_birth_0=dob.day,
        date_of_birth_1=dob.month,
        date_of_birth_2=dob.year,
    )
    client = client_for(world.adviser)
    response = client.post(reverse("cases:young-person-create"), data)
    html = response.content.decode()
    assert response.context["hidden_duplicates"] == 1
    assert response.context["duplicates"] == []
    assert "outside your caseload" in html
    assert other.legal_given_name not in html
    assert not YoungPerson.objects.filter(legal_given_name="Someone").exists()

    confirmed = client.post(reverse("cases:young-person-create"), {**data, "not_a_duplicate": "on"})
    assert confirmed.status_code == 302
    assert YoungPerson.objects.filter(legal_given_name="Someone").exists()


def test_an_adviser_cannot_place_a_record_in_another_team(world, client_for):
    response = client_for(world.adviser).post(
        reverse("cases:young-person-create"), person_form(world, team=world.other_team.pk)
    )
    assert response.context["form"].errors["team"] == ["Choose team from the list"]


def edit_form(person, **overrides):
    data = {
        name: getattr(person, name)
        for name in (
            "legal_given_name",
            "legal_family_name",
            "gender",
            "sen_status",
            "support_level",
            "postcode",
            "upn",
            "uln",
            "source",
        )
    }
    dob = person.date_of_birth
    data.update(
        {
            "date_of_birth_0": dob.day,
            "date_of_birth_1": dob.month,
            "date_of_birth_2": dob.year,
            "source_date_0": 1,
            "source_date_1": 10,
            "source_date_2": 2025,
            "version": versions.version_of(person),  # as the page opened now carries it
        }
    )
    data.update(overrides)
    return data


def test_every_edit_leaves_a_history_row_with_the_user_reason_and_source(world, client_for):
    url = reverse("cases:young-person-edit", args=[world.case.pk])
    response = client_for(world.adviser).post(
        url,
        edit_form(
            world.case,
            postcode="SS2 6UN",
            source=Source.YOUNG_PERSON,
            reason="Moved house, told us at a contact",
        ),
    )
    assert response.status_code == 302
    latest = world.case.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.postcode, latest.source) == (
        world.adviser,
        "Moved house, told us at a contact",
        "SS2 6UN",
        Source.YOUNG_PERSON,
    )

    history = client_for(world.adviser).get(reverse("cases:young-person-history", args=[world.case.pk]))
    provenance = {row["field"]: row for row in history.context["provenance"]}
    assert provenance["Postcode"]["source"] == "Young person"
    assert provenance["Family name"]["source"] != "Young person"
    change = history.context["page"].object_list[0]
    assert ("Postcode", world.case.postcode, "SS2 6UN") in change.fields


def test_an_edit_without_a_reason_is_refused_and_changes_nothing(world, client_for):
    url = reverse("cases:young-person-edit", args=[world.case.pk])
    response = client_for(world.adviser).post(url, edit_form(world.case, postcode="SS2 6UN", reason=""))
    assert response.context["form"].errors["reason"] == ["Enter the reason for the change"]
    world.case.refresh_from_db()
    assert world.case.postcode != "SS2 6UN"
    assert world.case.history.count() == 1
