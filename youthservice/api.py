"""The REST API's routes (/api/v1/), its OpenAPI schema (/api/schema/) and browsable docs (/api/docs/).
The viewsets live in each app's api.py; every one reaches data through cases/access.py."""

from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from cases.api import (
    ActionViewSet,
    ChangeViewSet,
    ContactViewSet,
    EthnicityViewSet,
    OrganisationViewSet,
    YoungPersonViewSet,
)
from exchange.api import UpsertViewSet
from sharing.api import DisclosureViewSet, SubjectRequestViewSet
from tracking.api import (
    ActivityCodeViewSet,
    ActivityViewSet,
    CharacteristicCodeViewSet,
    CharacteristicViewSet,
    IntendedDestinationViewSet,
    OfferTypeViewSet,
    OfferViewSet,
)

router = SimpleRouter()
router.register("young-people", YoungPersonViewSet, basename="young-person")
router.register("young-people/upsert", UpsertViewSet, basename="young-person-upsert")
router.register("contacts", ContactViewSet, basename="contact")
router.register("actions", ActionViewSet, basename="action")
router.register("activities", ActivityViewSet, basename="activity")
router.register("intended-destinations", IntendedDestinationViewSet, basename="intended-destination")
router.register("offers", OfferViewSet, basename="offer")
router.register("characteristics", CharacteristicViewSet, basename="characteristic")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("subject-requests", SubjectRequestViewSet, basename="subject-request")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("codes/activities", ActivityCodeViewSet, basename="activity-code")
router.register("codes/characteristics", CharacteristicCodeViewSet, basename="characteristic-code")
router.register("codes/offer-types", OfferTypeViewSet, basename="offer-type")
router.register("codes/ethnicities", EthnicityViewSet, basename="ethnicity")
# the feed tells of rows of the resources above (a tombstone names its resource as they are named)
router.register("changes", ChangeViewSet.of(frozenset(p for p, _, _ in router.registry)), basename="change")


ERROR = {
    "type": "object",
    "description": 'What went wrong: {"detail": "..."}, or for bad input each field (or '
    '"unknown_parameters", "Idempotency-Key") with its messages',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
POSSIBLE_DUPLICATES = {
    "type": "object",
    "description": "The new record may be someone on file: nothing was created",
    "properties": {
        "detail": {"type": "string"},
        "possible_duplicates": {"type": "array", "items": {"type": "integer"}, "description": "Ids in reach"},
        "others_out_of_reach": {"type": "integer", "description": "Others matching by name or postcode"},
    },
    "required": ["detail", "possible_duplicates", "others_out_of_reach"],
}
ERRORS = {
    "400": "Bad input: nothing was saved",
    "401": "No valid token or verified session",
    "403": "Your role may not do this",
    "404": "No such record within your reach (or an invalid cursor)",
    "429": "Too many requests: wait as long as Retry-After says",
}


def schema_fixes(result, generator, request, public):
    """drf-spectacular post-processing: record ids in paths are whole numbers (the URL takes 1 to 18
    digits), and every operation documents the errors it can answer, so a typed client can read them:
    409 for a likely duplicate and 422 for a reused idempotency key on the creates that have them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["PossibleDuplicates"] = POSSIBLE_DUPLICATES
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
            responses = operation["responses"]
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": error})
            if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
                responses["422"] = {
                    "description": "This Idempotency-Key was sent with another request",
                    "content": error,
                }
            if method == "post" and path.endswith("/young-people/"):
                duplicates = {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PossibleDuplicates"}}
                }
                responses["409"] = {
                    "description": "Possibly someone on file: nothing created",
                    "content": duplicates,
                }
    return result


def not_found(request, exception):
    """A path under /api/ that no endpoint serves (an id longer than any record's, a misspelt
    resource) answers as the API does, in JSON; elsewhere, the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


class TokenScheme(OpenApiAuthenticationExtension):
    """The token scheme by the name clients read: a generated client told "bearer" sends
    ``Bearer <token>``, which knox refuses."""

    target_class = "knox.auth.TokenAuthentication"
    name = "Token"
    priority = 1  # before drf-spectacular's own knox extension

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The word Token, a space, then the token: `Authorization: Token <token>`",
        }


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema. It describes the API's shape and holds no personal data, but like the
    rest of the API it needs a verified user."""

    access_rule = "signed in and verified (the schema holds no personal data)"

    def finalize_response(self, request, response, *args, **kwargs):
        """An error (401, 403) in JSON, as every other endpoint answers one, whatever format the
        schema itself was asked in."""
        if response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files; its start-up script is a separate file, so the strict
    Content Security Policy holds."""

    access_rule = "signed in and verified (the docs hold no personal data)"
