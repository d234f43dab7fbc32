"""A UPN or ULN that a record out of reach holds: the record is saved without it, nothing says that it
is in use (that would confirm a child is known to the service), and a service manager decides."""

import pytest
from django.urls import reverse

from cases import versions
from cases.models import IdentifierClash, YoungPerson
from tests.cases.test_young_person_forms import person_form
from tests.factories import valid_uln, valid_upn

pytestmark = pytest.mark.django_db
OPEN = IdentifierClash.Outcome.OPEN


def created(given_name="Jordan"):
    return YoungPerson.objects.get(legal_given_name=given_name, legal_family_name="Testperson")


def test_a_upn_held_out_of_reach_is_left_off_and_raised_without_a_word_of_the_holder(world, client_for):
    holder = world.other_case
    client = client_for(world.adviser)
    response = client.post(
        reverse("cases:young-person-create"), person_form(world, upn=holder.upn), follow=True
    )

    person = created()
    assert response.redirect_chain == [(reverse("cases:young-person-detail", args=[person.pk]), 302)]
    assert person.upn == ""
    assert person.uln
    clash = IdentifierClash.objects.get()
    assert (clash.young_person, clash.holder, clash.field, clash.raised_by, clash.outcome) == (
        person,
        holder,
        "upn",
        world.adviser,
        OPEN,
    )
    html = response.content.decode()
    assert "The UPN given on" in html
    assert "was not added to this record" in html
    for trace in (holder.legal_family_name, holder.upn, "already exists", f"/{holder.pk}/"):
        assert trace not in html
    assert person.history.get().upn == ""  # never on the record, not even in its history


def test_a_uln_held_out_of_reach_is_raised_the_same_way_and_the_temporary_uln_never_clashes(
    world, client_for
):
    holder = world.other_case
    client = client_for(world.adviser)
    client.post(reverse("cases:young-person-create"), person_form(world, uln=holder.uln))
    assert created().uln == ""
    assert IdentifierClash.objects.get().field == "uln"

    YoungPerson.objects.filter(pk=holder.pk).update(uln="9999999999")
    client.post(
        reverse("cases:young-person-create"),
        person_form(world, legal_given_name="Kit", uln="9999999999", not_a_duplicate="on"),
    )
    assert created("Kit").uln == "9999999999"
    assert IdentifierClash.objects.count() == 1


def test_a_new_upn_is_added_and_raises_nothing(world, client_for):
    client_for(world.adviser).post(reverse("cases:young-person-create"), person_form(world))
    assert created().upn
    assert not IdentifierClash.objects.exists()


def test_an_edit_to_a_upn_held_out_of_reach_keeps_the_record_s_own_and_saves_the_rest(world, client_for):
    person, holder = world.case, world.other_case
    own_upn = person.upn
    client = client_for(world.adviser)
    form = client.get(reverse("cases:young-person-edit", args=[person.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    born, source_date = data.pop("date_of_birth"), data.pop("source_date")
    data |= {
        "date_of_birth_0": born.day,
        "date_of_birth_1": born.month,
        "date_of_birth_2": born.year,
        "source_date_0": source_date.day,
        "source_date_1": source_date.month,
        "source_date_2": source_date.year,
        "upn": holder.upn.lower(),
        "postcode": "SS2 6ZZ",
        "reason": "New address from the school",
    }
    response = client.post(reverse("cases:young-person-edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors

    person.refresh_from_db()
    assert (person.upn, person.postcode) == (own_upn, "SS2 6ZZ")
    assert IdentifierClash.objects.get().holder == holder

    client.post(
        reverse("cases:young-person-edit", args=[person.pk]), {**data, "upn": own_upn, "reason": "Again"}
    )
    assert IdentifierClash.objects.count() == 1  # its own UPN, unchanged, clashes with nothing


def test_the_duplicate_warning_counts_matches_by_name_out_of_reach_but_never_by_identifier(world, client_for):
    holder = world.other_case
    client = client_for(world.adviser)
    by_identifier = person_form(world, upn=holder.upn, uln=holder.uln)
    response = client.post(reverse("cases:young-person-create"), by_identifier)
    assert response.status_code == 302  # no warning: the identifiers are another's, out of reach

    born = holder.date_of_birth
    by_name = person_form(
        world,
        legal_given_name="Other",
        legal_family_name=holder.legal_family_name,
        date_of_birth_0=born.day,
        date_of_birth_1=born.month,
        date_of_birth_2=born.year,
        upn=valid_upn(),
        uln=valid_uln(),
    )
    response = client.post(reverse("cases:young-person-create"), by_name)
    assert response.context["hidden_duplicates"] == 1


def test_the_api_saves_without_the_held_identifier_and_says_so(world, api_for):
    holder = world.other_case
    api = api_for(world.adviser)
    body = {
        "legal_given_name": "Jordan",
        "legal_family_name": "Testperson",
        "date_of_birth": str(world.case.date_of_birth),
        "team": world.team.pk,
        "lead_adviser": world.adviser.pk,
        "upn": holder.upn,
    }
    response = api.post("/api/v1/young-people/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["upn"], response.json()["held_identifiers"]) == ("", ["upn"])
    assert holder.legal_family_name not in response.content.decode()

    person = created()
    url = f"/api/v1/young-people/{person.pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(
        url, {"uln": holder.uln, "reason": "From the college"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["held_identifiers"]) == ["uln", "upn"]
    listed = api.get("/api/v1/young-people/").json()["results"]
    assert next(row for row in listed if row["id"] == person.pk)["held_identifiers"] in (
        ["upn", "uln"],
        ["uln", "upn"],
    )


def test_a_holder_in_reach_is_named_through_the_api_too(world, api_for):
    body = {
        "legal_given_name": "Jordan",
        "legal_family_name": "Testperson",
        "date_of_birth": str(world.case.date_of_birth),
        "team": world.team.pk,
        "upn": world.case.upn,
    }
    api = api_for(world.adviser)
    response = api.post("/api/v1/young-people/", body, format="json")
    assert response.status_code == 409  # first, as the browser does: the record that may be them
    assert response.json()["possible_duplicates"] == [world.case.pk]
    response = api.post("/api/v1/young-people/", {**body, "not_a_duplicate": True}, format="json")
    assert response.status_code == 400
    assert "already exists" in str(response.json())
    assert not IdentifierClash.objects.exists()


def clash_for(world, client_for):
    client_for(world.adviser).post(
        reverse("cases:young-person-create"), person_form(world, upn=world.other_case.upn)
    )
    return IdentifierClash.objects.get()


def test_a_service_manager_decides_a_clash_in_the_admin_with_history(world, client_for):
    clash = clash_for(world, client_for)
    world.service_manager.is_staff = True
    world.service_manager.save()
    client = client_for(world.service_manager)
    listing = client.get(reverse("admin:cases_identifierclash_changelist"))
    assert listing.status_code == 200
    assert f"{clash.pk}" in listing.content.decode()
    url = reverse("admin:cases_identifierclash_change", args=[clash.pk])
    decision = {"outcome": "typed_in_error", "note": "Digit swapped; adviser told"}
    response = client.post(url, {**decision, "version": versions.version_of(clash)})
    assert response.status_code == 302
    clash.refresh_from_db()
    assert (clash.outcome, clash.history.first().history_user) == ("typed_in_error", world.service_manager)
    assert clash.young_person.upn == ""  # deciding changes no record: merges and edits have their pages
    page = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[clash.young_person.pk]))
    assert "was not added to this record" not in page.content.decode()


@pytest.mark.parametrize("role", ["adviser", "other_adviser", "team_manager", "dpo", "sysadmin", "nobody"])
def test_no_one_but_a_service_manager_can_decide_a_clash(world, client_for, role):
    clash = clash_for(world, client_for)
    user = getattr(world, role)
    user.is_staff = True
    user.save()
    client = client_for(user)
    url = reverse("admin:cases_identifierclash_change", args=[clash.pk])
    response = client.post(url, {"outcome": "corrected", "note": "", "version": versions.version_of(clash)})
    clash.refresh_from_db()
    assert clash.outcome == OPEN
    assert response.status_code in (302, 403, 404)
    listing = client.get(reverse("admin:cases_identifierclash_changelist"))
    if role == "dpo":  # reads the whole service, changes nothing here
        assert listing.status_code == 200
    else:  # neither the adviser who raised it nor the holder's side sees both records
        assert listing.status_code in (302, 403) or f"/{clash.pk}/change/" not in listing.content.decode()


def test_a_clash_is_raised_with_history_that_only_those_who_decide_see_on_the_record(world, client_for):
    clash = clash_for(world, client_for)
    raised = clash.history.get()
    assert (raised.history_type, raised.history_user) == ("+", world.adviser)
    url = reverse("cases:young-person-history", args=[clash.young_person.pk])
    adviser_sees = client_for(world.adviser).get(url).content.decode()
    assert "Identifier clash" not in adviser_sees  # it names the holder's record
    assert "Holder" not in adviser_sees
    assert "Identifier clash" in client_for(world.service_manager).get(url).content.decode()
