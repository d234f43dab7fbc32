"""The REST API's routes (/api/v1/), its OpenAPI schema (/api/schema/) and browsable docs (/api/docs/).
The viewsets live in each app's api.py; every one reaches data through cases/access.py."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from cases.api import ActionViewSet, ContactViewSet, YoungPersonViewSet
from sharing.api import DisclosureViewSet, SubjectRequestViewSet
from tracking.api import ActivityViewSet, CharacteristicViewSet, IntendedDestinationViewSet, OfferViewSet

router = SimpleRouter()
router.register("young-people", YoungPersonViewSet, basename="young-person")
router.register("contacts", ContactViewSet, basename="contact")
router.register("actions", ActionViewSet, basename="action")
router.register("activities", ActivityViewSet, basename="activity")
router.register("intended-destinations", IntendedDestinationViewSet, basename="intended-destination")
router.register("offers", OfferViewSet, basename="offer")
router.register("characteristics", CharacteristicViewSet, basename="characteristic")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("subject-requests", SubjectRequestViewSet, basename="subject-request")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema. It describes the API's shape and holds no personal data, but like the
    rest of the API it needs a verified user."""

    access_rule = "signed in and verified (the schema holds no personal data)"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files; its start-up script is a separate file, so the strict
    Content Security Policy holds."""

    access_rule = "signed in and verified (the docs hold no personal data)"
