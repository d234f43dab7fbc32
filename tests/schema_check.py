"""Every answer the API suite gets from /api/v1/ is checked against the schema the API publishes
(openapi-core), error answers included: a client generated from the schema can read what it is sent.
A method a path does not take is 405 (the schema lists those it takes); a path the schema does not
have must be answered 404."""

from functools import cache

from drf_spectacular.generators import SchemaGenerator
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from rest_framework.test import APIClient


@cache
def published() -> OpenAPI:
    return OpenAPI.from_dict(SchemaGenerator().get_schema(request=None, public=True))


class SchemaCheckedClient(APIClient):
    def request(self, **kwargs):
        response = super().request(**kwargs)
        if response.wsgi_request.path.startswith("/api/v1/") and response.status_code != 405:
            try:
                published().validate_response(
                    DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
                )
            except (PathNotFound, OperationNotFound):
                assert response.status_code == 404, (response.wsgi_request.path, response.status_code)
        return response
