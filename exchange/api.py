"""The API's upsert: rows keyed on UPN or ULN, matched and saved as an import file's rows are (the same
checks, the same matching, the same review queue), for a college's or another council's system."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cases.api import IDEMPOTENCY_KEY, IdempotentCreate, KnownParameters, OrganisationRef, RecordId
from cases.models import Organisation, Team
from exchange import formats, services
from exchange.models import ExchangePermission, ImportBatch
from tracking.forms import PROVIDER_KINDS

FORMAT_COLUMNS = {key: [column.name for column in fmt.columns] for key, fmt in formats.FORMATS.items()}


class UpsertSerializer(serializers.Serializer):
    """Rows of one import file's kind, from one school, college or council, to create or update."""

    format = serializers.ChoiceField(
        choices=ImportBatch.Format.choices,
        help_text="What the rows are, as an import file's kind: each takes that file's columns ("
        + "; ".join(f"{key}: {', '.join(names)}" for key, names in FORMAT_COLUMNS.items())
        + ")",
    )
    sent_by = OrganisationRef(
        queryset=Organisation.objects.filter(kind__in=[*PROVIDER_KINDS, Organisation.Kind.COUNCIL]),
        help_text="The school, college, provider or council the rows come from",
    )
    team: "serializers.PrimaryKeyRelatedField[Team]" = RecordId(
        queryset=Team.objects.all(), help_text="The team whose unassigned list takes anyone new"
    )
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=200)),
        min_length=1,
        max_length=services.UPSERT_ROWS,
        help_text="Each row's columns as text, as a file's cells: dates YYYY-MM-DD",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        known = set(FORMAT_COLUMNS[attrs["format"]])
        unknown = {i: sorted(set(row) - known) for i, row in enumerate(attrs["rows"]) if set(row) - known}
        if unknown:
            raise serializers.ValidationError(
                {
                    "rows": {
                        str(i): [f"Not a column of {attrs['format']}: {', '.join(names)}"]
                        for i, names in unknown.items()
                    }
                }
            )
        return attrs


class UpsertRowSerializer(serializers.Serializer):
    """What one row became: the record it matched or made, or a wait for a person's review."""

    row = serializers.IntegerField(help_text="The row's place in the request, from 0")
    outcome = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "review"],
        help_text="review: matching could not be sure; a person decides in the review queue",
    )
    young_person = serializers.IntegerField(allow_null=True, help_text="The record; null while in review")


class UpsertResultSerializer(serializers.Serializer):
    """The import the rows made, its counts, and each row's outcome."""

    id = serializers.IntegerField(help_text="The import batch the rows made (the import pages show it)")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    to_review = serializers.IntegerField()
    rows = serializers.SerializerMethodField(help_text="Each row's outcome, in the request's order")

    @extend_schema_field(UpsertRowSerializer(many=True))
    def get_rows(self, batch: ImportBatch) -> list[dict[str, Any]]:
        return [
            {"row": line - 2, "outcome": outcome, "young_person": pk} for line, outcome, pk in batch.outcomes
        ]


class UpsertViewSet(IdempotentCreate, KnownParameters, viewsets.GenericViewSet):
    """Young people upserted by UPN or ULN: the rows are matched against every record on file, so this
    needs the import permission (service managers), as a file import does."""

    access_rule = "model permission exchange.add_importbatch (matching reads every record)"
    serializer_class = UpsertResultSerializer
    filterset_class = None
    pagination_class = None

    def get_queryset(self):
        return ImportBatch.objects.filter(via_api=True, uploaded_by=self.request.user.pk)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=UpsertSerializer,
        responses={
            201: UpsertResultSerializer,
            200: OpenApiResponse(
                UpsertResultSerializer, description="The same rows again: what they made then"
            ),
        },
        description="Create or update young people from rows keyed on UPN or ULN, with the names and date of "
        "birth beside them, as an import file would: every row is checked first (a bad row and nothing is "
        "saved: 400 naming each), then matched against every record; a row matching could not be sure of "
        "waits in the review queue for a person (outcome review). Up to "
        f"{services.UPSERT_ROWS} rows.",
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def make(self, request):
        if not request.user.has_perm(ExchangePermission.IMPORT):
            raise PermissionDenied("Your role cannot import: matching reads every record on file")
        query = UpsertSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        batch, earlier = services.rows_upsert(
            actor=request.user,
            file_format=data["format"],
            source_organisation=data["sent_by"],
            team=data["team"],
            rows=data["rows"],
        )
        if batch.state == ImportBatch.State.REJECTED:
            errors = [
                {"row": line - 2 if line > 1 else None, "reason": reason} for line, reason in batch.errors
            ]
            detail = "Nothing was saved: correct these rows and send them all again"
            return Response({"detail": detail, "rows": errors}, status=status.HTTP_400_BAD_REQUEST)
        answer = status.HTTP_200_OK if earlier else status.HTTP_201_CREATED
        return Response(self.get_serializer(batch).data, status=answer)
