"""The DPO takes a subject access request from receipt to a downloaded bundle: records the request in
the admin, builds the bundle, reviews it as its requester will read it (axe-checked), withholds another
person's name, and releases it; the download is the zip whose hash the disclosure records."""

import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from sharing.models import AccessBundle, Disclosure, SubjectRequest
from tests.browser.conftest import sign_in
from tests.factories import ParentCarerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_subject_access_request_from_receipt_to_a_released_bundle(
    page, world, assert_accessible, eager_celery
):
    ParentCarerFactory(young_person=world.case, name="Pat Parent")
    sign_in(page, "dpo")
    page.goto("/admin/sharing/subjectrequest/add/")
    page.locator("#id_young_person").fill(str(world.case.pk))
    page.locator("#id_kind").select_option("access")
    page.locator("#id_requester_name").fill("The young person")
    page.locator("#id_relationship").select_option("self")
    page.locator("#id_received_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    request = SubjectRequest.objects.get(young_person=world.case)

    page.goto("/admin/sharing/subjectrequest/")
    page.locator(f"input[name='_selected_action'][value='{request.pk}']").check()
    page.locator("select[name='action']").select_option("build_access_bundle")
    page.get_by_role("button", name="Go").click()
    page.get_by_text(f"Building the bundle for request {request.pk}").wait_for()
    bundle = AccessBundle.objects.get(request=request)
    assert bundle.state == AccessBundle.State.READY

    page.goto(f"/admin/sharing/accessbundle/{bundle.pk}/change/")
    page.get_by_role("link", name="Review it, choose the names to withhold, and release it").click()
    page.get_by_role("heading", name="The information we hold about you").wait_for()
    assert_accessible(page)
    page.get_by_label("Pat Parent").check()
    page.get_by_role("button", name="Save the names to withhold").click()
    page.get_by_text("1 names will be withheld from the release").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Release and download (PDF and JSON)").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115 - Playwright's temporary file

    files = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(files.namelist()) == ["access-bundle.json", "access-bundle.pdf"]
    assert "Pat Parent" not in json.dumps(json.loads(files.read("access-bundle.json")))
    disclosure = Disclosure.objects.get(file_format="zip")
    assert disclosure.file_sha256 == hashlib.sha256(content).hexdigest()
    assert disclosure.trimmed == "Third parties' names withheld: Pat Parent"
