"""schemathesis against the API's own OpenAPI schema: generated requests (valid and invalid) from an
adviser and from the DPO must never cause a server error, and every documented response must match
the schema. Requests run in-process through Django's WSGI application, inside the test transaction."""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["adviser", "dpo"])
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_honours_its_schema(case, persona, world, token_for, wsgi_app):
    token = token_for(getattr(world, persona))
    case.call_and_validate(
        app=wsgi_app, base_url="http://testserver", headers={"Authorization": f"Token {token}"}, checks=CHECKS
    )
