"""The one exit: each refusal, and the success path releasing exactly the allowed fields."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Organisation, Restriction, YoungPerson
from sharing import services
from sharing.models import Consent, Disclosure, InformationSharingAgreement
from tests.factories import OrganisationFactory, ParentCarerFactory, SensitiveNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def college(db):
    return OrganisationFactory(name="Riverside College", kind=Organisation.Kind.COLLEGE)


@pytest.fixture
def agreement(college):
    agreement = InformationSharingAgreement.objects.create(
        title="Post-16 transition",
        purpose="Enrolment",
        article_6_basis="6(1)(e)",
        categories=["identity", "contact", "education"],
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    agreement.parties.add(college)
    return agreement


def shared(world, college, categories=("identity", "contact"), **extra):
    return services.share(
        actor=world.adviser,
        young_people=[world.case],
        categories=list(categories),
        purpose="Enrolment",
        recipient=college,
        **extra,
    )


def rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_a_share_under_an_agreement_releases_exactly_the_covered_fields(world, college, agreement):
    ParentCarerFactory(young_person=world.case, name="Pat Parent")
    disclosure, content = shared(world, college)
    [row] = rows(content)
    assert set(row) == {
        "record_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "gender",
        "upn",
        "uln",
        "address_line_1",
        "address_line_2",
        "town",
        "county",
        "postcode",
        "phone",
        "email",
        "parent_name",
        "parent_address",
        "parent_postcode",
    }
    assert row["family_name"] == world.case.legal_family_name
    assert (disclosure.outcome, disclosure.agreement, disclosure.file_sha256) == (
        Disclosure.Outcome.RELEASED,
        agreement,
        hashlib.sha256(content).hexdigest(),
    )
    assert list(disclosure.young_people.all()) == [world.case]


def refused(world, college, reason_start, **kwargs):
    with pytest.raises(services.ShareRefused) as error:
        shared(world, college, **kwargs)
    assert error.value.reason.startswith(reason_start)
    attempt = Disclosure.objects.get()
    assert (attempt.outcome, attempt.file_sha256) == (Disclosure.Outcome.REFUSED, "")
    assert list(attempt.young_people.all()) == [world.case]  # the attempt is logged against the record
    return attempt


def test_no_agreement_is_refused(world, college):
    refused(world, college, "There is no active information-sharing agreement")


def test_an_expired_agreement_covers_nothing(world, college, agreement):
    agreement.ends_on = timezone.localdate() - timedelta(days=1)
    agreement.save()
    refused(world, college, "There is no active information-sharing agreement")


def test_categories_the_agreement_does_not_cover_are_refused(world, college, agreement):
    refused(world, college, "The agreement does not cover health", categories=("identity", "health"))


def test_a_restricted_record_is_refused_to_an_adviser(world, college, agreement):
    Restriction.objects.create(
        young_person=world.case, kind="art18", set_by="young_person", set_on=timezone.localdate()
    )
    refused(world, college, "Processing of this record is restricted")


def test_someone_without_the_share_permission_is_refused(world, college, agreement):
    with pytest.raises(services.ShareRefused, match="You may not share this record"):
        services.share(
            actor=world.service_manager,
            young_people=[world.case],
            categories=["identity"],
            purpose="x",
            recipient=college,
        )


def test_the_s507b_restriction_trims_to_name_address_and_date_of_birth(world, college, agreement):
    Restriction.objects.create(
        young_person=world.case, kind="s507b", set_by="parent_carer", set_on=timezone.localdate()
    )
    disclosure, content = shared(world, college, categories=("identity", "contact", "education"))
    [row] = rows(content)
    assert set(row) == {
        "record_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "address_line_1",
        "address_line_2",
        "town",
        "county",
        "postcode",
        "parent_name",
        "parent_address",
        "parent_postcode",
    }
    assert "s507B restriction removed" in disclosure.trimmed


def test_withdrawn_consent_trims_that_category(world, college, agreement):
    Consent.objects.create(
        young_person=world.case,
        category="education",
        purpose="College",
        given_by="young_person",
        given_on=timezone.localdate() - timedelta(days=10),
        withdrawn_on=timezone.localdate(),
    )
    disclosure, content = shared(world, college, categories=("identity", "education"))
    assert "school" not in rows(content)[0]
    assert "consent withdrawn for education" in disclosure.trimmed


def test_an_override_needs_a_condition_and_justification(world, college):
    override = services.Override("safeguarding", "sch1-para18", "")
    refused(
        world,
        college,
        "An override needs a Schedule 1 condition and a justification",
        categories=("identity", "health"),
        override=override,
    )
    Disclosure.objects.all().delete()
    SensitiveNoteFactory(young_person=world.case, note="Self-harm risk", recorded_by=world.adviser)
    override = services.Override("safeguarding", "sch1-para18", "Immediate risk reported by the college")
    disclosure, content = shared(world, college, categories=("identity", "health"), override=override)
    assert rows(content)[0]["health"] == "Self-harm risk"
    assert (disclosure.override, disclosure.override_condition) == ("safeguarding", "sch1-para18")


def test_sharing_from_the_record_page_downloads_and_lists_the_disclosure(
    world, college, agreement, client_for
):
    client = client_for(world.adviser)
    response = client.post(
        reverse("sharing:share", args=[world.case.pk]),
        {"recipient": college.pk, "categories": ["identity"], "purpose": "Enrolment", "file_format": "json"},
    )
    assert response["Content-Disposition"].startswith('attachment; filename="disclosure-')
    listed = client.get(reverse("sharing:disclosures", args=[world.case.pk]))
    assert [d.recipient for d in listed.context["panel"]["context"]["disclosures"]] == [college]


def test_a_refusal_on_the_page_shows_the_reason_and_releases_nothing(world, college, agreement, client_for):
    agreement.ends_on = timezone.localdate() - timedelta(days=1)  # expired: still listed, covers nothing
    agreement.save()
    response = client_for(world.adviser).post(
        reverse("sharing:share", args=[world.case.pk]),
        {
            "recipient": college.pk,
            "categories": ["identity"],
            "purpose": "x",
            "file_format": "csv",
        },
    )
    assert response.status_code == 200  # the form again, not a file
    assert "Not shared: There is no active information-sharing agreement" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("adviser", 200),
        ("team_manager", 200),
        ("service_manager", 403),
        ("other_adviser", 404),
        ("nobody", 404),
    ],
)
def test_who_may_open_the_share_page(world, client_for, persona, status):
    assert (
        client_for(getattr(world, persona)).get(reverse("sharing:share", args=[world.case.pk])).status_code
        == status
    )


def test_no_cell_of_a_package_leaves_as_a_live_formula(world, college, agreement):
    """A name or address from before they were checked on every path still leaves as text."""
    YoungPerson.objects.filter(pk=world.case.pk).update(
        legal_family_name='=HYPERLINK("http://x.invalid","Open")', address_line_1="+1+1", town="@SUM(A1)"
    )
    world.case.refresh_from_db()
    _, content = shared(world, college, file_format="csv")
    (row,) = rows(content)
    cells = [value for value in row.values() if value]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert row["family_name"] == '\'=HYPERLINK("http://x.invalid","Open")'
