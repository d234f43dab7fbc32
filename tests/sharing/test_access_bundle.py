"""The access bundle from receipt to release: a document its requester can read (labels, not field
names; values, not ids; grouped with a contents list), other people's names withheld as the DPO
chooses, and a download of a PDF and a JSON file whose SHA-256 is on the disclosure."""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from sharing import bundles, services
from sharing.models import AccessBundle, Disclosure
from tests.factories import ContactFactory, ParentCarerFactory
from tests.sharing.test_rights import request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(world, django_capture_on_commit_callbacks, eager_celery):
    ParentCarerFactory(young_person=world.case, name="Pat Parent")
    ContactFactory(young_person=world.case, staff_member=world.adviser, notes="Pat Parent came along too")
    request = services.subject_request_save(request=request_for(world), actor=world.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        built = services.access_bundle_request(subject_request=request, actor=world.dpo)
    built.refresh_from_db()
    assert built.state == AccessBundle.State.READY
    return built


def test_the_document_uses_labels_and_values_a_young_person_understands(world, client_for, bundle):
    page = client_for(world.dpo).get(reverse("sharing:bundle-document", args=[bundle.pk]))
    html = page.content.decode()
    titles = [section.title for section in page.context["sections"]]
    assert titles[:2] == ["Your record", "Your family"]
    assert titles[-1] == "Changes to your records"
    assert "Support from your advisers" in titles
    for raw in ("legal_given_name", "ethnicity_id", "young_person_id", "history_type", "_id<"):
        assert raw not in html
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", html)  # no timestamps with microseconds
    record = page.context["sections"][0].entries[0]
    labels = dict((label, value) for label, value, _ in record.items)
    assert labels["Date of birth"] == world.case.date_of_birth.strftime("%-d %B %Y")
    assert labels["Team"] == str(world.case.team)
    assert '<a class="govuk-link" href="#section-1">Your record</a>' in html


def test_the_dpo_withholds_a_name_and_releases_a_pdf_and_json_recorded_with_their_hash(
    world, client_for, bundle
):
    client = client_for(world.dpo)
    client.post(reverse("sharing:bundle-withhold", args=[bundle.pk]), {"withheld": ["Pat Parent"]})
    response = client.post(reverse("sharing:bundle-release", args=[bundle.pk]))
    assert response["Content-Type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(files.namelist()) == ["access-bundle.json", "access-bundle.pdf"]
    data = json.loads(files.read("access-bundle.json"))
    text = json.dumps(data)
    assert "Pat Parent" not in text
    assert bundles.WITHHELD in text
    assert data["record"][0]["legal_family_name"] == world.case.legal_family_name
    pdf = files.read("access-bundle.pdf")
    assert pdf.startswith(b"%PDF")
    disclosure = Disclosure.objects.get(file_format="zip")
    assert disclosure.file_sha256 == hashlib.sha256(response.content).hexdigest()
    assert disclosure.trimmed == "Third parties' names withheld: Pat Parent"
    assert list(disclosure.young_people.all()) == [world.case]
    bundle.refresh_from_db()
    assert bundle.state == AccessBundle.State.RELEASED
    assert client.post(reverse("sharing:bundle-release", args=[bundle.pk])).status_code == 404  # once


def test_the_pdf_holds_the_document_without_the_withheld_name(world, bundle):
    sections = bundles.document(json.loads(bundle.content_json), (), ["Pat Parent"])
    pdf = bundles.pdf(sections, title="The information we hold about you", introduction=["About you"])
    assert b"Pat Parent" not in pdf
    # its longest run of letters: the name is random (Faker), and the PDF escapes an apostrophe
    letters = max(re.findall(r"[A-Za-z]+", world.case.legal_family_name), key=len)
    assert letters.encode() in pdf


def test_only_names_from_the_bundle_can_be_withheld(world, client_for, bundle):
    page = client_for(world.dpo).post(
        reverse("sharing:bundle-withhold", args=[bundle.pk]), {"withheld": ["Someone Else"]}, follow=True
    )
    assert "Choose names from the bundle" in page.content.decode()
    bundle.refresh_from_db()
    assert bundle.withheld_names == []


@pytest.mark.parametrize(
    ("persona", "view", "status"),
    [
        ("dpo", "bundle-document", 200),
        ("adviser", "bundle-document", 403),
        ("service_manager", "bundle-release", 403),
        ("adviser", "bundle-release", 403),
        ("adviser", "bundle-withhold", 403),
        ("nobody", "bundle-release", 403),
    ],
)
def test_only_the_dpo_reviews_and_releases(world, client_for, bundle, persona, view, status):
    client = client_for(getattr(world, persona))
    call = client.get if view == "bundle-document" else client.post
    assert call(reverse(f"sharing:{view}", args=[bundle.pk])).status_code == status
    assert not Disclosure.objects.filter(file_format="zip").exists() or persona == "dpo"
