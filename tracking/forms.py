from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Organisation, Source
from core.forms import GovukDateField, GovukForm
from tracking.models import ActivityCode, CharacteristicCode, Offer, OfferType

PROVIDER_KINDS = [
    Organisation.Kind.SCHOOL,
    Organisation.Kind.COLLEGE,
    Organisation.Kind.TRAINING_PROVIDER,
    Organisation.Kind.EMPLOYER,
]


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.label}"


def _provider_field(label="Provider or employer"):
    return forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind__in=PROVIDER_KINDS), required=False, label=label
    )


class ActivityForm(GovukForm):
    code = CodeChoiceField(queryset=ActivityCode.objects.order_by("code"), label="Current situation")
    start_date = GovukDateField(label="Start date")
    end_date = GovukDateField(label="End date", required=False)
    date_ascertained = GovukDateField(label="Date we found this out")
    date_verified = GovukDateField(
        label="Date verified",
        required=False,
        help_text="When the provider, employer or young person confirmed it",
    )
    predicted_end_date = GovukDateField(label="Predicted end date", required=False)
    review_date = GovukDateField(label="Review date", required=False)
    provider = _provider_field()
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(
        label="Where did this information come from?",
        choices=Source.choices,
        error_messages={"required": "Select where the information came from"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_ascertained"].initial = timezone.localdate()


class IntendedDestinationForm(GovukForm):
    code = CodeChoiceField(
        queryset=ActivityCode.objects.filter(pre16=False).order_by("code"), label="What they intend to do"
    )
    provider = _provider_field("Where")
    recorded_on = GovukDateField(label="Date recorded")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].initial = timezone.localdate()


class OfferForm(GovukForm):
    guarantee_year = forms.TypedChoiceField(
        label="September Guarantee cohort", choices=Offer.Year.choices, coerce=int, widget=forms.RadioSelect
    )
    offer_type = CodeChoiceField(queryset=OfferType.objects.all(), label="Type of offer")
    provider = _provider_field()
    state = forms.ChoiceField(label="Status", choices=Offer.State.choices)
    offered_on = GovukDateField(label="Date of the offer")
    decided_on = GovukDateField(label="Date they decided", required=False)


class CharacteristicForm(GovukForm):
    code = CodeChoiceField(queryset=CharacteristicCode.objects.order_by("code"), label="Characteristic")
    start_date = GovukDateField(label="From")
    end_date = GovukDateField(label="Until", required=False)


class AllocateForm(GovukForm):
    adviser: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(queryset=None, label="Adviser")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = (
            get_user_model()
            .objects.filter(teams__in=teams, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["adviser"].label_from_instance = lambda user: user.get_full_name() or user.username


class MergeForm(GovukForm):
    merged = forms.IntegerField(
        label="Record number of the duplicate",
        min_value=1,
        help_text="Its records move to this one, and it leaves the cohort as merged (status M)",
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        max_length=300,
        error_messages={"required": "Enter why these are the same person"},
    )
