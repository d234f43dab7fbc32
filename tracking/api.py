"""API endpoints for where young people are heading and are: activities, intended destinations,
September Guarantee offers and characteristics. Scoped and written as in cases/api.py."""

from cases.api import CodeTableViewSet, CreateThroughService, ModelSerializer, ReachablePerson, ScopedViewSet
from tracking import services
from tracking.models import (
    Activity,
    ActivityCode,
    Characteristic,
    CharacteristicCode,
    IntendedDestination,
    Offer,
    OfferType,
)


class ActivitySerializer(ModelSerializer):
    """What a young person is doing (education, employment, training or NEET) from a date, by DfE
    activity code, with how it was found out and when it must be checked again."""

    young_person = ReachablePerson()

    class Meta:
        model = Activity
        fields = [
            "id",
            "young_person",
            "code",
            "start_date",
            "end_date",
            "date_ascertained",
            "date_verified",
            "review_date",
            "predicted_end_date",
            "due_to_lapse_date",
            "provider",
            "neet_start_date",
            "notes",
            "source",
        ]
        read_only_fields = ["end_date", "due_to_lapse_date", "neet_start_date"]


class IntendedDestinationSerializer(ModelSerializer):
    """What a young person intends to do next (the September Guarantee's starting point)."""

    young_person = ReachablePerson()

    class Meta:
        model = IntendedDestination
        fields = ["id", "young_person", "code", "provider", "recorded_on", "notes"]


class OfferSerializer(ModelSerializer):
    """A September Guarantee offer of a place in education or training, and what became of it."""

    young_person = ReachablePerson()

    class Meta:
        model = Offer
        fields = [
            "id",
            "young_person",
            "guarantee_year",
            "offer_type",
            "provider",
            "state",
            "offered_on",
            "decided_on",
        ]


class CharacteristicSerializer(ModelSerializer):
    """A characteristic the DfE return reports (care leaver, young carer, pregnant, ...), from a date."""

    young_person = ReachablePerson()

    class Meta:
        model = Characteristic
        fields = ["id", "young_person", "code", "start_date", "end_date"]


class ActivityViewSet(CreateThroughService, ScopedViewSet):
    """Activities (NCCIS current-situation codes); a new one ends the open one before it."""

    queryset = Activity.objects.select_related("provider")
    serializer_class = ActivitySerializer
    create_service = staticmethod(services.activity_record)


class IntendedDestinationViewSet(CreateThroughService, ScopedViewSet):
    """What young people intend to do next."""

    queryset = IntendedDestination.objects.select_related("provider")
    serializer_class = IntendedDestinationSerializer
    create_service = staticmethod(services.intended_destination_record)


class OfferViewSet(CreateThroughService, ScopedViewSet):
    """September Guarantee offers."""

    queryset = Offer.objects.select_related("provider")
    serializer_class = OfferSerializer
    create_service = staticmethod(services.offer_record)


class CharacteristicViewSet(CreateThroughService, ScopedViewSet):
    """Characteristics (NCCIS codes such as young carer or teenage parent)."""

    queryset = Characteristic.objects.all()
    serializer_class = CharacteristicSerializer
    create_service = staticmethod(services.characteristic_record)


ActivityCodeViewSet = CodeTableViewSet.of(ActivityCode, "status", "participating")
CharacteristicCodeViewSet = CodeTableViewSet.of(CharacteristicCode, "vulnerable")
OfferTypeViewSet = CodeTableViewSet.of(OfferType, "suitable")
