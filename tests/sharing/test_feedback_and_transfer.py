"""Destination feedback to schools and council transfers, both through the one sharing exit."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Organisation, YoungPerson
from exchange.models import ImportBatch
from sharing.models import DisclosedPerson, Disclosure, InformationSharingAgreement
from tests.factories import OrganisationFactory, YoungPersonFactory, valid_upn, years_ago
from tracking import services as tracking_services
from tracking.models import ActivityCode, CohortExit

pytestmark = pytest.mark.django_db


def agreement_with(organisation, categories):
    agreement = InformationSharingAgreement.objects.create(
        title=f"Agreement with {organisation.name}",
        purpose="Tracking young people",
        article_6_basis="6(1)(e)",
        categories=categories,
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    agreement.parties.add(organisation)
    return agreement


@pytest.fixture
def school(world):
    school = OrganisationFactory(name="Hillside Academy", kind=Organisation.Kind.SCHOOL)
    for person in (world.case, world.other_case):
        person.school, person.date_of_birth = school, years_ago(17, 30)  # past Year 11 whatever the date
        person.save()
    tracking_services.activity_record(
        young_person=world.case,
        actor=world.adviser,
        code=ActivityCode.objects.get(code="310"),
        start_date=timezone.localdate() - timedelta(days=40),
        date_ascertained=timezone.localdate(),
    )
    YoungPersonFactory(team=world.team, school=school, date_of_birth=years_ago(14))  # still at school
    return school


def test_a_school_gets_its_former_pupils_destinations(client_for, world, school):
    agreement_with(school, ["identity", "activity"])
    response = client_for(world.service_manager).post(
        reverse("sharing:destination-feedback"), {"school": school.pk}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(int(r["record_id"]) for r in rows) == sorted([world.case.pk, world.other_case.pk])
    mine = next(r for r in rows if int(r["record_id"]) == world.case.pk)
    assert mine["activity_code"] == "310"
    assert "postcode" not in mine  # only the agreed categories
    disclosure = Disclosure.objects.get(recipient=school)
    assert disclosure.outcome == "released"
    assert set(
        DisclosedPerson.objects.filter(disclosure=disclosure).values_list("young_person", flat=True)
    ) == {
        world.case.pk,
        world.other_case.pk,
    }


def test_feedback_without_an_agreement_is_refused_and_recorded(client_for, world, school):
    response = client_for(world.service_manager).post(
        reverse("sharing:destination-feedback"), {"school": school.pk}, follow=True
    )
    assert "Not sent to Hillside Academy: There is no active information-sharing agreement" in (
        response.content.decode()
    )
    assert Disclosure.objects.get(recipient=school).outcome == "refused"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("service_manager", 200), ("dpo", 403), ("team_manager", 403), ("adviser", 403), ("nobody", 403)],
)
def test_only_service_managers_send_feedback(client_for, world, school, persona, status):
    assert (
        client_for(getattr(world, persona)).get(reverse("sharing:destination-feedback")).status_code == status
    )


def test_a_transfer_sends_a_package_and_marks_the_person_transferred(client_for, world):
    council = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL, la_code="886")
    agreement_with(council, ["identity", "contact", "education", "characteristics", "activity"])
    world.case.upn = valid_upn()
    world.case.save()
    response = client_for(world.adviser).post(
        reverse("sharing:transfer-out", args=[world.case.pk]), {"council": council.pk}
    )
    package = json.loads(response.content)
    assert package["format"] == "youthservice-transfer/1"
    assert package["people"][0]["upn"] == world.case.upn
    left = CohortExit.objects.get(young_person=world.case)
    assert (left.reason, left.transferred_to) == ("T", council)
    assert Disclosure.objects.get(recipient=council).file_format == "json"


def test_a_transfer_without_an_agreement_changes_nothing(client_for, world):
    council = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL, la_code="886")
    response = client_for(world.adviser).post(
        reverse("sharing:transfer-out", args=[world.case.pk]), {"council": council.pk}
    )
    assert "Not sent: There is no active information-sharing agreement" in response.content.decode()
    assert not CohortExit.objects.filter(young_person=world.case).exists()
    transfer_other = reverse("sharing:transfer-out", args=[world.other_case.pk])
    assert client_for(world.co_worker).get(transfer_other).status_code == 403  # may change, may not share
    assert client_for(world.adviser).get(transfer_other).status_code == 404


def test_another_councils_package_imports_as_a_leaver(
    client_for, world, eager_celery, django_capture_on_commit_callbacks
):
    """Round trip: what one council sends, another imports (here, into the same database as a new person)."""
    council = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL, la_code="886")
    agreement_with(council, ["identity", "contact", "education", "characteristics", "activity"])
    world.case.upn = valid_upn()
    world.case.save()
    content = (
        client_for(world.adviser)
        .post(reverse("sharing:transfer-out", args=[world.case.pk]), {"council": council.pk})
        .content
    )
    package = json.loads(content)
    package["people"][0] |= {  # someone else, so the import makes a new record
        "upn": valid_upn(),
        "uln": "",
        "family_name": "Newcomer",
        "given_name": "Zed",
        "date_of_birth": years_ago(18, 200).isoformat(),
        "postcode": "TR1 1AA",
    }
    client = client_for(world.service_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:imports"),
            {
                "file_format": "council_leavers",
                "source_organisation": council.pk,
                "team": world.team.pk,
                "file": SimpleUploadedFile("transfer.json", json.dumps(package).encode()),
            },
        )
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.created) == ("applied", 1), batch.errors
    arrived = YoungPerson.objects.get(legal_family_name="Newcomer")
    assert arrived.source == "other_council"
    assert arrived.history.first().history_change_reason == f"Import {batch.pk} (leaver from LA 882)"


def test_a_transfer_to_a_council_with_no_la_code_is_refused_saying_why(client_for, world):
    council = OrganisationFactory(name="Kent County Council", kind=Organisation.Kind.COUNCIL)
    agreement_with(council, ["identity", "contact", "education", "characteristics", "activity"])
    response = client_for(world.adviser).post(
        reverse("sharing:transfer-out", args=[world.case.pk]), {"council": council.pk}
    )
    assert "Kent County Council has no LA code on file" in response.content.decode()
    assert not CohortExit.objects.filter(young_person=world.case).exists()
    assert not Disclosure.objects.exists()


def test_the_page_offers_a_file_only_to_schools_with_an_agreement_and_says_why_not_for_the_rest(
    client_for, world, school
):
    covered = OrganisationFactory(name="Aldermoor School", kind=Organisation.Kind.SCHOOL)
    YoungPersonFactory(team=world.team, school=covered, date_of_birth=years_ago(17, 30))
    tracking_services.status_refresh()
    agreement_with(covered, ["identity", "activity"])
    agreement_with(school, ["identity"])  # not activity
    page = client_for(world.service_manager).get(reverse("sharing:destination-feedback"))
    rows = page.context["schools"]
    assert [(row.school.name, row.agreement is not None) for row in rows] == [
        ("Aldermoor School", True),
        ("Hillside Academy", False),
    ]
    assert rows[1].why_not == "The agreement does not cover activity"
    html = page.content.decode()
    assert html.count("Download the file") == 1
    assert f'name="school" value="{covered.pk}"' in html
    assert f'name="school" value="{school.pk}"' not in html
    assert Disclosure.objects.count() == 0  # looking records nothing
