"""API endpoints for information leaving the service: each young person's disclosures (read only),
and subject requests (the DPO's)."""

from typing import Any

from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import DjangoModelPermissions

from cases import access
from cases.access import VerifiedUser
from cases.api import (
    ID_PATTERN,
    IdempotentCreate,
    KnownParameters,
    ModelSerializer,
    NewestFirst,
    OrganisationRef,
    PersonFilter,
    ReachablePerson,
    ScopedViewSet,
)
from sharing import services
from sharing.models import DataCategory, DisclosedPerson, Disclosure, SubjectRequest


class DisclosureSerializer(ModelSerializer):
    """One young person's part in a disclosure: when, to whom, what, and on what basis."""

    made_at = serializers.DateTimeField(source="disclosure.made_at", read_only=True)
    recipient = OrganisationRef(
        source="disclosure.recipient",
        read_only=True,
        allow_null=True,
        help_text="The organisation (id, URN, UKPRN, name); null for a person (recipient_name)",
    )
    recipient_name = serializers.CharField(source="disclosure.recipient_name", read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        source="disclosure.categories",
        read_only=True,
    )
    purpose = serializers.CharField(source="disclosure.purpose", read_only=True)
    agreement: "serializers.PrimaryKeyRelatedField[Any]" = serializers.PrimaryKeyRelatedField(
        source="disclosure.agreement",
        read_only=True,
        allow_null=True,
        help_text="The information-sharing agreement's id; null for a disclosure without one",
    )
    override = serializers.ChoiceField(
        choices=Disclosure.Override.choices,
        allow_blank=True,
        source="disclosure.override",
        read_only=True,
        help_text="Why it was shared without an agreement or against a refusal; blank if not",
    )
    outcome = serializers.ChoiceField(
        choices=Disclosure.Outcome.choices, source="disclosure.outcome", read_only=True
    )

    class Meta:
        model = DisclosedPerson
        fields = [
            "id",
            "young_person",
            "disclosure",
            "made_at",
            "recipient",
            "recipient_name",
            "categories",
            "purpose",
            "agreement",
            "override",
            "outcome",
        ]


class DisclosureViewSet(ScopedViewSet):
    """Disclosures of the young people in your reach, one row per person and disclosure."""

    queryset = DisclosedPerson.objects.select_related("disclosure__recipient")
    filterset_class = PersonFilter  # a disclosure is never changed: no updated_since
    serializer_class = DisclosureSerializer


class ModelPermissionsForReadsToo(DjangoModelPermissions):
    """DRF's DjangoModelPermissions lets any signed-in user read: here reading needs view too."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
    perms_map["HEAD"] = perms_map["OPTIONS"] = perms_map["GET"]


class SubjectRequestSerializer(ModelSerializer):
    """A UK GDPR request from or about a young person (access, rectification, erasure, restriction,
    portability, objection) and its statutory due date."""

    young_person = ReachablePerson(allow_null=True, required=False)

    class Meta:
        model = SubjectRequest
        fields = [
            "id",
            "young_person",
            "kind",
            "requester_name",
            "relationship",
            "received_on",
            "identity_verified_on",
            "clarification_received_on",
            "extension_months",
            "extension_reason",
            "extension_told_on",
            "due_on",
            "state",
            "handler",
            "outcome",
            "closed_on",
        ]
        read_only_fields = ["due_on", "closed_on"]


class SubjectRequestViewSet(
    KnownParameters,
    IdempotentCreate,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """UK GDPR subject requests (access, rectification, erasure, restriction, portability,
    objection) with their statutory due dates: the Data Protection Officer's."""

    access_rule = "model permission sharing.view_subjectrequest (add/change to write), rows scoped"
    queryset = SubjectRequest.objects.all()
    serializer_class = SubjectRequestSerializer
    permission_classes = [VerifiedUser, ModelPermissionsForReadsToo]
    pagination_class = NewestFirst
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # The DPO reaches every record, so this narrows nothing for them; it keeps the one access path.
        return access.scope(self.request.user, super().get_queryset())

    def perform_create(self, serializer):
        row = SubjectRequest(**serializer.validated_data)
        serializer.instance = services.subject_request_save(request=row, actor=self.request.user)

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        services.subject_request_save(request=serializer.instance, actor=self.request.user)
