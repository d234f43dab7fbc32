"""The REST API's access path, and the endpoints for the record itself, contacts and actions.

Every API viewset over young people's data is a ``ScopedViewSet``: its rows come through
``cases.access.scope`` (a record out of reach answers 404, as in the browser), reading one row writes
an access event, and writes go through the app's services (history, write guards, restrictions) after
the change permission on the young person is checked (403 when the record is in reach but read-only).
"""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases import access, selectors, services, versions
from cases.changes import Change
from cases.forms import EDITABLE_PERSON_FIELDS
from cases.models import (
    AccessEvent,
    Action,
    CodeTable,
    Contact,
    Ethnicity,
    IdentifierClash,
    Organisation,
    Tombstone,
    Tracked,
    YoungPerson,
    YoungPersonPermission,
)
from cases.validators import TEMPORARY_ULN, validate_uln, validate_upn
from core import services as core_services
from core.stale import StaleEditError

P = YoungPersonPermission


def exception_handler(exc, context):
    """A service's ValidationError is the client's mistake: 400 with the messages per field. An edit
    of a record changed since the client read it: 412, with what changed and the record's ETag now."""
    if isinstance(exc, StaleEditError):
        return Response(
            {"detail": STALE_API, "changes": [_change(change) for change in exc.changes]},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": f'"{exc.version}"'},
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializers.as_serializer_error(exc))
    return drf_exception_handler(exc, context)


STALE_API = (
    "The record has changed since you read it: nothing was saved. Read it again (GET gives its ETag), "
    "decide, and send the change with If-Match set to that ETag."
)


def _change(change: Change) -> dict[str, Any]:
    return {
        "when": change.when.astimezone(UTC).isoformat(),
        "who": change.who,
        "reason": change.reason,
        "fields": [
            {"field": label, "before": before, "after": after} for label, before, after in change.fields
        ],
    }


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send If-Match with the record's ETag from your last read of it (GET gives it), so that a change "
        "made since is not overwritten."
    )
    default_code = "precondition_required"


def etag(row: Model) -> str:
    """A tracked record's ETag: its version (``cases.versions``), quoted."""
    return f'"{versions.version_of(row)}"'


def if_match(request) -> int:
    """The version the client's change was made from, from If-Match; -1 (matches nothing) if it is
    not an ETag this API gave."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    match = re.fullmatch(r'(?:W/)?"([0-9]{1,18})"', header)
    return int(match.group(1)) if match else -1


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last read of the record: a change made since answers 412",
)
VERSION_RESPONSES = {
    412: OpenApiResponse(description="The record changed since that ETag: nothing saved; what changed"),
    428: OpenApiResponse(description="If-Match is missing"),
}


ID_PATTERN = "[0-9]{1,18}"  # record ids in URLs: anything else (or larger than the database holds) is 404
MAX_ID = 2**63 - 1


class NewestFirst(CursorPagination):
    """Cursor pagination: stable under inserts, and each page is an index range scan."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        """DRF's example next link ends in a stray quote, which is not a URI."""
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            paginated["properties"][link]["example"] = (
                "https://youthservice.example.gov.uk/api/v1/contacts/?cursor=cD0xMjM0"
            )
        return paginated

    def decode_cursor(self, request):
        """A cursor's position is a record id: one this API did not give (not a number, or past the
        database's range) is an invalid cursor (404), never a server error."""
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor else None
        if position is not None and not (position.isdigit() and int(position) <= MAX_ID):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def holds_nul(value) -> bool:
    """Whether a value is a string holding NUL, which PostgreSQL's text cannot: looking it up there
    is a database error, where it must be "no such row"."""
    return isinstance(value, str) and "\x00" in value


class RecordId(serializers.PrimaryKeyRelatedField):
    """A related record's id; a number beyond the database's range is "does not exist", not a crash."""

    def to_internal_value(self, data):
        if isinstance(data, int) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class RefuseUnknownFields:
    """A field the client may not write here (read-only, or no such field) is refused by name, never
    dropped in silence: a client that thinks it moved a record, or set a field misspelt, must be
    told. ``refused`` says why for particular fields."""

    refused: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            if extra := sorted(set(data) - writable):
                raise ValidationError(
                    {name: [self.refused.get(name, "This field cannot be set here")] for name in extra}
                )
        return super().to_internal_value(data)


class Code(serializers.SlugRelatedField):
    """A code-table row by the DfE's own code ("540", "WBRI"), never the table's row id; a code the
    table does not hold is refused naming it. Whether it is valid on the record's date is the
    service's to check."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if holds_nul(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


ORGANISATION_REF = {
    "type": "object",
    "description": "A school, college, provider or agency by the register's own reference. Write exactly "
    "one of: urn (a school), ukprn (a college or provider), or id (only for one with neither). Answers "
    "carry all three, and the name.",
    "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "urn": {"type": "string", "nullable": True, "maxLength": 7},
        "ukprn": {"type": "string", "nullable": True, "maxLength": 8},
        "name": {"type": "string", "readOnly": True},
    },
}


@extend_schema_field(ORGANISATION_REF)
class OrganisationRef(serializers.RelatedField):
    """An organisation by its URN (schools) or UKPRN (colleges and providers), as the DfE's registers
    name them; by id only where it has neither (an agency). A reference the service does not hold is
    refused naming it. Answers carry the id, URN, UKPRN and name."""

    KEYS = ("urn", "ukprn", "id")
    default_error_messages = {
        "one_key": 'Give one of urn, ukprn or id, for example {{"urn": "100001"}}',
        "does_not_exist": "No organisation with {reference} {value}: see /api/v1/organisations/",
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Organisation.objects.all())
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"id": value.pk, "urn": value.urn or None, "ukprn": value.ukprn or None, "name": value.name}

    def to_internal_value(self, data):
        if not (isinstance(data, Mapping) and len(data) == 1 and next(iter(data)) in self.KEYS):
            self.fail("one_key")
        key, value = next(iter(data.items()))
        if key == "id":
            valid = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
        else:
            valid = isinstance(value, str) and bool(value) and not holds_nul(value)
        found = self.get_queryset().filter(**{"pk" if key == "id" else key: value}).first() if valid else None
        if found is None:
            self.fail("does_not_exist", reference=key if key == "id" else key.upper(), value=value)
        return found


class ModelSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """Related records by id, bounded (RecordId), code-table rows by their DfE code (Code), and
    schools, colleges and providers by URN or UKPRN (OrganisationRef);
    unwritable fields refused by name; a tracked row says when it was made and last changed
    (``created_at``, ``updated_at``, read-only), so a client can stay in step with ``updated_since``."""

    serializer_related_field = RecordId

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if issubclass(relation_info.related_model, CodeTable):
            return Code, kwargs
        if relation_info.related_model is Organisation:
            return OrganisationRef, kwargs
        return field_class, kwargs

    def get_field_names(self, declared_fields, info):
        names = list(super().get_field_names(declared_fields, info))
        if issubclass(self.Meta.model, Tracked):
            names += [name for name in ("created_at", "updated_at") if name not in names]
        return names


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """Filter by a record's id: a whole number within the database's range, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class ReachablePerson(RecordId):
    """A young person id the user may see; any other id reads as "does not exist" (no leak)."""

    def get_queryset(self):
        return access.young_people_for(self.context["request"].user)


class PersonFilter(filters.FilterSet):
    """Rows of one young person (an id out of reach simply finds nothing)."""

    young_person = IdFilter(field_name="young_person_id")


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC: Python accepts offsets up to a day that PostgreSQL
    refuses beyond 15:59 (schemathesis found the 500)."""

    def filter(self, qs, value):
        return super().filter(qs, value.astimezone(UTC) if value else value)


class ChangedSince(PersonFilter):
    """Rows of one young person, or changed since a moment: ``updated_at`` moves with every save,
    the service's own included (a new activity ending the one before moves that one too)."""

    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")


PAGING_PARAMETERS = frozenset({"cursor", "page_size"})


class KnownParameters:
    """A query parameter the endpoint does not take is a 400 naming it. Ignored, ``?uln=...`` listed
    everyone in reach, and a client taking the first row wrote to another young person's record."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        filterset = getattr(self, "filterset_class", None)
        known = PAGING_PARAMETERS | set(filterset.base_filters if filterset else ())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {
                    "unknown_parameters": unknown,
                    "detail": f"This endpoint takes only these query parameters: {', '.join(sorted(known))}",
                }
            )


class ScopedViewSet(
    KnownParameters, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and read rows of young people in the user's reach. ``through`` is the path from the
    model to YoungPerson."""

    access_rule = "young person scope (cases.access.scope); writes need change permission"
    through = "young_person"
    lookup_value_regex = ID_PATTERN
    pagination_class = NewestFirst
    filterset_class = ChangedSince

    def get_queryset(self):
        return access.scope(self.request.user, super().get_queryset(), through=self.through)

    def young_person_of(self, row) -> YoungPerson:
        return getattr(row, self.through) if self.through else row

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        services.access_event_record(
            user=request.user, young_person=self.young_person_of(row), what=AccessEvent.What.RECORD
        )
        headers = {"ETag": etag(row)} if versions.tracked(type(row)) else None  # a disclosure has none
        return Response(self.get_serializer(row).data, headers=headers)

    def check_change(self, young_person: YoungPerson) -> None:
        if not access.can(self.request.user, young_person, P.CHANGE):
            raise PermissionDenied("You may read this record but not change it")


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any string unique to this create (a UUID), up to 255 printable characters: a retry with "
    "the same key and body answers 201 with the record the first made (header Idempotent-Replayed: true), "
    "never a second record; the same key with another body is 422. Keys are kept 24 hours.",
)
KEY_REUSED = "This Idempotency-Key was sent with another request: use a new key for a new record"


class IdempotentCreate:
    """A POST with ``Idempotency-Key`` makes its record once: a retry gets that record back."""

    @extend_schema(parameters=[IDEMPOTENCY_KEY])
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self.make(request)
        try:
            claim = core_services.idempotent_create_claim(
                user=request.user, key=key, path=request.path, body=request.data
            )
        except ValueError as error:
            raise ValidationError({"Idempotency-Key": [str(error)]}) from error
        except core_services.IdempotencyKeyReusedError:
            return Response({"detail": KEY_REUSED}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if claim.record_id is not None:
            row = self.get_queryset().filter(pk=claim.record_id).first()
            if row is None:
                raise NotFound("The record this key made is no longer within your reach")
            data = self.get_serializer(row).data
            return Response(data, status=status.HTTP_201_CREATED, headers={"Idempotent-Replayed": "true"})
        response = self.make(request)
        made = response.data["id"] if response.status_code == status.HTTP_201_CREATED else None
        core_services.idempotent_create_made(claim=claim, record_id=made)
        return response

    def make(self, request):
        return super().create(request)


class CreateThroughService(IdempotentCreate):
    """POST writes one row with ``create_service(young_person=..., actor=..., **data)``, after the
    change permission on that young person is checked."""

    create_service: Callable[..., Model]

    def make(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        young_person = data.pop("young_person")
        self.check_change(young_person)
        row = type(self).create_service(young_person=young_person, actor=request.user, **data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


# --- Young people ----------------------------------------------------------------------------------


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "email", "maxLength": 254},
            {"type": "string", "maxLength": 0},
        ],
        "description": "An email address, or empty",
    }
)
class OptionalEmail(serializers.EmailField):
    """An email address or nothing: described with anyOf, since an empty string is not an email
    address and a oneOf over both matched neither or both."""


class YoungPersonSerializer(ModelSerializer):
    """A young person on the service's record: names, date of birth, contact details, identifiers (UPN,
    ULN), needs and support, their team and lead adviser."""

    reason = serializers.CharField(
        write_only=True,
        required=False,
        max_length=200,
        help_text="Why the record changes (kept in its history): required on a change",
    )
    email = OptionalEmail(required=False, allow_blank=True, max_length=254)
    not_a_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="On a new record: create it although records on file may be the same person (409)",
    )
    refused = {
        name: "A transfer is its own operation (the record's Transfer page): not changed here"
        for name in ("team", "lead_adviser")
    }
    held_identifiers = serializers.SerializerMethodField(
        help_text="Identifiers given for this record but not added to it (another record, out of your "
        "reach, holds them): a service manager checks each and tells whoever gave it"
    )

    class Meta:
        model = YoungPerson
        fields = [
            "id",
            *EDITABLE_PERSON_FIELDS,
            "team",
            "lead_adviser",
            "created_at",
            "updated_at",
            "reason",
            "not_a_duplicate",
            "held_identifiers",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness and the rest are checked once, in the service: a UPN or ULN held out of reach
        # must not be refused (that would confirm it is in use).
        validators: list[Any] = []
        extra_kwargs = {
            "upn": {"validators": [validate_upn]},
            "uln": {"validators": [validate_uln]},
        }

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a transfer is its own operation (cases.services.assign)
            fields["team"].read_only = fields["lead_adviser"].read_only = True
            fields["not_a_duplicate"].read_only = True
        else:
            fields["team"].queryset = selectors.teams_for_new_records(self.context["request"].user)
            fields["team"].error_messages["does_not_exist"] = "Choose one of your own teams"
        return fields

    def get_held_identifiers(self, person: YoungPerson) -> list[str]:
        return [
            clash.field
            for clash in person.identifier_clashes.all()
            if clash.outcome == IdentifierClash.Outcome.OPEN
        ]

    def validate(self, data):
        team, adviser = data.get("team"), data.get("lead_adviser")
        if team is not None and adviser is not None and not adviser.teams.filter(pk=team.pk).exists():
            raise ValidationError({"lead_adviser": "Choose an adviser who works in the chosen team"})
        return data


class IdentifierSearchSerializer(RefuseUnknownFields, serializers.Serializer):
    """One identifier to find a young person by, in the body so that it stays out of URLs and logs."""

    upn = serializers.CharField(required=False, validators=[validate_upn], help_text="Unique Pupil Number")
    uln = serializers.CharField(required=False, validators=[validate_uln], help_text="Unique Learner Number")

    def validate(self, data):
        if len(data) != 1:
            raise ValidationError("Give one identifier: upn or uln")
        if data.get("uln") == TEMPORARY_ULN:
            raise ValidationError({"uln": "The temporary ULN is shared by many learners: it finds no one"})
        return {name: value.upper() for name, value in data.items()}


class SearchResultsSerializer(serializers.Serializer):
    """The young person in your reach who holds the identifier, or none."""

    results = YoungPersonSerializer(many=True, help_text="The one young person in your reach, or none")


DUPLICATE_API = (
    "This may be someone already on file (the same names, date of birth, postcode or identifier): "
    "nothing was created. Check the records listed; if this is someone else, send the record again "
    'with "not_a_duplicate": true.'
)


class YoungPersonFilter(filters.FilterSet):
    team = IdFilter(field_name="team_id")
    lead_adviser = IdFilter(field_name="lead_adviser_id")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = YoungPerson
        fields = ["support_level", "sen_status", "looked_after", "care_leaver"]


class YoungPersonViewSet(IdempotentCreate, mixins.UpdateModelMixin, ScopedViewSet):
    """Young people in your reach. Creating needs the add permission (advisers and managers);
    changing needs change permission on the record and a reason."""

    queryset = YoungPerson.objects.select_related("school").prefetch_related("identifier_clashes")
    serializer_class = YoungPersonSerializer
    filterset_class = YoungPersonFilter
    through = ""
    http_method_names = ["get", "post", "patch", "head", "options"]

    def make(self, request):
        if not request.user.has_perm(P.ADD.qualified):
            raise PermissionDenied("Your role cannot add young people")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        if not data.pop("not_a_duplicate", False) and (refused := self.possible_duplicate(data)):
            return refused
        data.setdefault("lead_adviser", None)  # left out: the record waits in the team's unassigned list
        person = services.young_person_create(actor=request.user, **data)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def possible_duplicate(self, data: dict[str, Any]) -> Response | None:
        """409 when the new record may be someone on file, as the browser warns: the ids of those in
        reach, and how many others match by names, date of birth or postcode (never by identifier
        alone, which would confirm the identifier is in use out of reach)."""
        seen, others = selectors.duplicates_seen_by(
            self.request.user,
            **{name: data.get(name, "") for name in ("legal_given_name", "legal_family_name", "upn", "uln")},
            date_of_birth=data["date_of_birth"],
            postcode=data.get("postcode", ""),
        )
        if not (seen or others):
            return None
        body = {
            "detail": DUPLICATE_API,
            "possible_duplicates": [person.pk for person in seen],
            "others_out_of_reach": others,
        }
        return Response(body, status=status.HTTP_409_CONFLICT)

    @extend_schema(
        request=IdentifierSearchSerializer,
        responses={200: SearchResultsSerializer},
        description="Find a young person in your reach by UPN or ULN (sent in the body, never in the URL). "
        "Someone out of your reach is not found, as if no one held the identifier.",
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        query = IdentifierSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        people = list(self.get_queryset().filter(**query.validated_data))
        for person in people:
            services.access_event_record(user=request.user, young_person=person, what=AccessEvent.What.RECORD)
        return Response({"results": self.get_serializer(people, many=True).data})

    @extend_schema(parameters=[IF_MATCH], responses={200: YoungPersonSerializer, **VERSION_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        response = super().partial_update(request, *args, **kwargs)
        response["ETag"] = etag(self.get_object())
        return response

    def perform_update(self, serializer):
        """In order: reach (404), the change permission (403), the version (428, 412), then the
        reason, which the record's history needs (400: no default stands in for it)."""
        person = serializer.instance
        self.check_change(person)
        version = if_match(self.request)
        versions.check(person, version)
        data = dict(serializer.validated_data)
        services.young_person_update(
            young_person=person,
            actor=self.request.user,
            reason=data.pop("reason", ""),
            version=version,
            **data,
        )


# --- Contacts and actions --------------------------------------------------------------------------


class ContactSerializer(ModelSerializer):
    """A contact with a young person: when, how, why, by whom, and what was said and agreed."""

    young_person = ReachablePerson()

    class Meta:
        model = Contact
        fields = [
            "id",
            "young_person",
            "occurred_at",
            "method",
            "purpose",
            "staff_member",
            "staff_role",
            "notes",
            "outcome",
            "next_steps",
            "duration_minutes",
            "created_at",
        ]
        read_only_fields = ["staff_member", "created_at"]


class ContactViewSet(CreateThroughService, ScopedViewSet):
    """Contacts with young people in your reach; a new contact is logged as yours."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    create_service = staticmethod(services.contact_log)


class ActionSerializer(ModelSerializer):
    """An action agreed with a young person: what, whose, by when, and when it was done."""

    young_person = ReachablePerson()

    class Meta:
        model = Action
        fields = [
            "id",
            "young_person",
            "contact",
            "description",
            "owner",
            "due_on",
            "completed_on",
            "completed_by",
        ]
        read_only_fields = ["contact", "completed_on", "completed_by"]


class ActionViewSet(CreateThroughService, ScopedViewSet):
    """Actions agreed with young people in your reach; ``complete`` marks one done today."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    create_service = staticmethod(services.action_add)

    @extend_schema(
        request=None, parameters=[IF_MATCH], responses={200: ActionSerializer, **VERSION_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        row = self.get_object()
        self.check_change(row.young_person)
        row = services.action_complete(action=row, actor=request.user, version=if_match(request))
        data = ActionSerializer(row, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag(row)})


# --- Code tables and organisations: read-only, no personal data ------------------------------------


class CodeTableViewSet(
    KnownParameters, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A DfE code list, each code with its label and the dates it is valid between, read by its
    code: what the records' code fields take and return."""

    access_rule = "signed in and verified: a DfE code list, no personal data"
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]{1,8}"
    pagination_class = None
    filterset_class = None

    @classmethod
    def of(cls, model: type[CodeTable], *extra: str) -> type["CodeTableViewSet"]:
        """The viewset of one code table, its own columns ``extra`` beside the common ones."""
        meta = type(
            "Meta", (), {"model": model, "fields": ["code", "label", "valid_from", "valid_to", *extra]}
        )
        serializer = type(
            f"{model.__name__}Serializer",
            (serializers.ModelSerializer,),
            {
                "Meta": meta,
                "__doc__": f"A code of the {model._meta.verbose_name} list: its label and validity",
            },
        )
        return type(
            f"{model.__name__}ViewSet",
            (cls,),
            {
                "queryset": model._default_manager.order_by("code"),
                "serializer_class": serializer,
                "__doc__": cls.__doc__,
            },
        )


class OrganisationSerializer(serializers.ModelSerializer):
    """A school, college, provider or agency the records name by id: with its URN (schools) and UKPRN
    (colleges and providers), to map them to the DfE's registers."""

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "urn", "ukprn", "la_code"]


class OrganisationFilter(filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "urn", "ukprn"]


class OrganisationViewSet(
    KnownParameters, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Organisations, filterable by URN or UKPRN: no personal data."""

    access_rule = "signed in and verified: organisations, no personal data"
    queryset = Organisation.objects.order_by("pk")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    pagination_class = NewestFirst
    lookup_value_regex = ID_PATTERN


EthnicityViewSet = CodeTableViewSet.of(Ethnicity)


# --- The changes feed: what asking for rows changed since a time cannot show ------------------------


class TombstoneSerializer(serializers.ModelSerializer):
    """A record that left the view of ``updated_since``: deleted, merged into another record, moved to
    another team or adviser (read it again: 404 means it has left your reach), or destroyed (delete
    everything of that young person). Ids only."""

    record = serializers.IntegerField(source="record_id", help_text="The row's id in its resource")
    young_person = serializers.IntegerField(source="young_person_id")
    merged_into = serializers.IntegerField(
        source="merged_into_id", allow_null=True, help_text="For merged and merge_undone: the record kept"
    )

    class Meta:
        model = Tombstone
        fields = ["event", "resource", "record", "young_person", "merged_into", "at"]


@extend_schema_serializer(many=False)  # one page, not a list of them
class ChangesFeedSerializer(serializers.Serializer):
    """A page of the changes feed: its tombstones, the cursor to send next, and whether more wait."""

    results = TombstoneSerializer(many=True)
    cursor = serializers.CharField(help_text="Send it back as ?cursor= for what happens next")
    more = serializers.BooleanField(help_text="True: more are waiting now; ask again at once")


class ChangesGone(APIException):
    """A cursor older than the days tombstones are kept: some it had not reached may be gone."""

    status_code = status.HTTP_410_GONE
    default_code = "cursor_expired"


CURSOR = re.compile(r"(-1|[0-9]{1,18})\.([0-9]{1,18})\.([0-9]{1,12})")
FEED_PAGE = 100


class ChangeViewSet(KnownParameters, viewsets.GenericViewSet):
    """The changes feed: tombstones, oldest first, for what ``updated_since`` cannot show. Follow it
    with the cursor each answer gives; a cursor older than the days tombstones are kept answers 410
    (sync again in full, then follow the feed from its start)."""

    access_rule = "young person scope by the record's team and adviser before the event (cases.access)"
    queryset = Tombstone.objects.none()  # the schema's model: rows come from selectors.tombstones_after
    serializer_class = TombstoneSerializer
    filterset_class = None
    pagination_class = None
    resources: frozenset[str] = frozenset()  # the API's routes whose rows it tells of (``of``)

    @classmethod
    def of(cls, resources: frozenset[str]) -> type["ChangeViewSet"]:
        """The feed of tombstones of these resources (the routes the API has: ``resource_name``)."""
        return type(cls.__name__, (cls,), {"resources": resources, "__doc__": cls.__doc__})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description="From the last answer; leave out to read from the oldest tombstone kept",
            ),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=f"At most {FEED_PAGE} (and the default)"
            ),
        ],
        responses={200: ChangesFeedSerializer, 410: OpenApiResponse(description="The cursor is too old")},
    )
    def list(self, request):
        position = self._position(request.query_params.get("cursor"))
        limit = self._page_size(request.query_params.get("page_size"))
        rows = selectors.tombstones_after(request.user, position, resources=self.resources, limit=limit + 1)
        more, rows = len(rows) > limit, rows[:limit]
        if rows:
            position = (rows[-1].xact, rows[-1].pk)
        cursor = f"{position[0]}.{position[1]}.{int(timezone.now().timestamp())}"
        results = self.get_serializer(rows, many=True).data
        return Response({"results": results, "cursor": cursor, "more": more})

    @staticmethod
    def _position(cursor: str | None) -> tuple[int, int]:
        if cursor is None:
            return selectors.FEED_START
        match = CURSOR.fullmatch(cursor)
        if match is None:
            raise ValidationError({"cursor": ["Send the cursor exactly as the last answer gave it"]})
        read_at = datetime.fromtimestamp(int(match.group(3)), tz=UTC)
        if read_at < timezone.now() - timedelta(days=settings.CHANGES_KEEP_DAYS):
            raise ChangesGone(
                f"Tombstones are kept {settings.CHANGES_KEEP_DAYS} days and this cursor is older: some may "
                "be gone. Sync again in full (updated_since left out), then follow the feed without a cursor."
            )
        return int(match.group(1)), int(match.group(2))

    @staticmethod
    def _page_size(value: str | None) -> int:
        if value is None:
            return FEED_PAGE
        if not (value.isdigit() and 0 < int(value) <= FEED_PAGE):
            raise ValidationError({"page_size": [f"A whole number from 1 to {FEED_PAGE}"]})
        return int(value)
