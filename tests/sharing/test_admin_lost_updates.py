"""The DPO's change forms in the admin carry the record's version too: a save over a subject request
someone changed since is refused, naming the change, and goes through only when sent again."""

import pytest
from django.urls import reverse

from cases import versions
from core.stale import STALE
from sharing import services
from tests.sharing.test_rights import request_for

pytestmark = pytest.mark.django_db


def as_posted(form) -> dict:
    """What the browser sends back for an admin form as shown."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, list):
            data[field.html_name] = value
        elif value is not None:
            data[field.html_name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_a_stale_change_form_is_refused_with_what_changed_and_saved_when_sent_again(world, client_for):
    subject_request = services.subject_request_save(request=request_for(world), actor=world.dpo)
    url = reverse("admin:sharing_subjectrequest_change", args=[subject_request.pk])
    client = client_for(world.dpo)
    shown = as_posted(client.get(url).context["adminform"].form)
    assert shown["version"] == versions.version_of(subject_request)

    subject_request.outcome = "Identity checked by phone"
    services.subject_request_save(request=subject_request, actor=world.dpo)  # another tab, another DPO
    refused = client.post(url, {**shown, "outcome": "Sent the bundle"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert STALE.split(",")[0] in page
    assert "Outcome: (blank) to Identity checked by phone" in page
    subject_request.refresh_from_db()
    assert subject_request.outcome == "Identity checked by phone"

    again = as_posted(refused.context["adminform"].form)
    assert again["version"] == str(versions.version_of(subject_request))
    assert client.post(url, {**again, "outcome": "Sent the bundle"}).status_code == 302
    subject_request.refresh_from_db()
    assert subject_request.outcome == "Sent the bundle"


def test_read_only_admin_pages_carry_no_version(world, client_for):
    page = client_for(world.dpo).get(reverse("admin:cases_youngperson_change", args=[world.case.pk]))
    assert page.status_code == 200
    assert 'name="version"' not in page.content.decode()
    assert ">Version<" not in page.content.decode()
