"""Every answer the API suite gets is checked against the published schema (tests/schema_check.py, the
``api_for`` clients). This checks the check: an answer that disagrees with the schema fails the test
that got it, errors included."""

import pytest
from django.utils import timezone
from openapi_core.validation.response.exceptions import ResponseValidationError

from cases.api import ContactSerializer
from cases.models import Contact

pytestmark = pytest.mark.django_db


def a_contact(world) -> Contact:
    return Contact.objects.create(
        young_person=world.case,
        staff_member=world.adviser,
        occurred_at=timezone.now(),
        method="phone",
        purpose="guidance",
        notes="Talked about college",
    )


def test_an_answer_of_the_wrong_shape_fails_the_test_that_got_it(world, api_for, monkeypatch):
    contact = a_contact(world)
    api = api_for(world.adviser)
    assert api.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    shown = ContactSerializer.to_representation
    monkeypatch.setattr(
        ContactSerializer, "to_representation", lambda self, row: shown(self, row) | {"id": "x"}
    )
    with pytest.raises(ResponseValidationError):
        api.get(f"/api/v1/contacts/{contact.pk}/")


def test_an_error_answer_is_checked_too(world, api_for, monkeypatch):
    from cases import api as cases_api

    api = api_for(world.adviser)
    assert api.get("/api/v1/contacts/?upn=1").status_code == 400  # {"unknown_parameters": [...], ...}
    real = cases_api.KnownParameters.initial

    def refuse_with_a_list(self, request, *args, **kwargs):
        try:
            real(self, request, *args, **kwargs)
        except cases_api.ValidationError as error:
            error.detail["detail"] = ["a list where the schema says a string"]
            raise

    monkeypatch.setattr(cases_api.KnownParameters, "initial", refuse_with_a_list)
    with pytest.raises(ResponseValidationError):
        api.get("/api/v1/contacts/?upn=1")
