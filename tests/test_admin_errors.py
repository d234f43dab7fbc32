"""The admin answers bad input with errors on the form or a 404, never a server error, and its 500
page names the council."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import get_resolver, reverse
from django.utils import timezone

from cases.admin import ScopedAdmin
from sharing.models import SubjectRequest

pytestmark = pytest.mark.django_db


def test_an_extension_without_a_reason_is_an_error_on_the_form_keeping_what_was_typed(world, client_for):
    today = timezone.localdate()
    page = client_for(world.dpo).post(
        reverse("admin:sharing_subjectrequest_add"),
        {
            "young_person": world.case.pk,
            "kind": "access",
            "requester_name": "Odalys Quenby",
            "relationship": "parent",
            "received_on": today.isoformat(),
            "extension_months": "1",
            "extension_told_on": today.isoformat(),
            "state": "received",
        },
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors == {
        "extension_reason": ["Give the reason for the extension"]
    }
    assert "Odalys Quenby" in page.content.decode()
    assert not SubjectRequest.objects.exists()


SCOPED = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}"
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ScopedAdmin)
)


@pytest.mark.parametrize("name", SCOPED)
def test_an_id_of_the_wrong_shape_is_not_found_in_every_scoped_admin(world, client_for, name):
    client = client_for(world.dpo)
    for view in ("change", "history"):
        url = reverse(f"{name}_{view}", args=["abc"])
        assert client.get(url).status_code == 404, url
    assert client.get(reverse(f"{name}_delete", args=["abc"])).status_code in (403, 404)  # nobody deletes


def test_the_500_page_names_the_council(settings):
    settings.COUNCIL_NAME = "Quenby Borough Council"
    page = get_resolver().resolve_error_handler(500)(RequestFactory().get("/"))
    assert page.status_code == 500
    assert "run by Quenby Borough Council under the Education Act" in page.content.decode()
