from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Organisation, Source, Team
from core.forms import GovukDateField, GovukForm
from tracking import imports
from tracking.models import ActivityCode, CharacteristicCode, ImportBatch, Offer, OfferType

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
    source = forms.ChoiceField(label="Where did this information come from?", choices=Source.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_ascertained"].initial = timezone.localdate()


class IntendedDestinationForm(GovukForm):
    code = CodeChoiceField(
        queryset=ActivityCode.objects.filter(pre16=False).order_by("code"), label="What they intend to do"
    )
    provider = _provider_field("Where (optional)")
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
    adviser = forms.ModelChoiceField(queryset=None, label="Adviser")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = (
            get_user_model()
            .objects.filter(teams__in=teams, is_active=True)
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["adviser"].label_from_instance = lambda user: user.get_full_name() or user.username


# --- Data exchange -----------------------------------------------------------------------------------


class ImportForm(GovukForm):
    file_format = forms.ChoiceField(
        label="What is in the file?", choices=ImportBatch.Format.choices, widget=forms.RadioSelect
    )
    source_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind__in=[*PROVIDER_KINDS, Organisation.Kind.COUNCIL]),
        label="Which school, college or council sent it?",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        label="Team for young people new to us",
        help_text="They join its unassigned list",
    )
    file = forms.FileField(
        label="Upload the file",
        help_text="A CSV or Excel (.xlsx) file up to 20 MB, with a header row. A council's transfer "
        "package (.json) is a file of leavers from another council.",
    )

    def clean_file(self):
        """Refuse an oversized file before reading it (the service checks its content)."""
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 20 MB")
        return upload


class ReviewForm(GovukForm):
    """Which record an imported row belongs to: one of the candidates, a new record, or none."""

    NEW, DISMISS = "new", "dismiss"

    decision = forms.ChoiceField(label="Which record is this row about?", widget=forms.RadioSelect)
    provider = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind__in=PROVIDER_KINDS),
        required=False,
        label="School or provider the row names",
    )

    def __init__(self, *args, candidates=(), needs_provider=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            *(
                (str(c.pk), f"Record {c.pk}: {c.full_name}, born {c.date_of_birth:%-d %B %Y}")
                for c in candidates
            ),
            (self.NEW, "None of these: create a new record"),
            (self.DISMISS, "Dismiss this row: it should not be imported"),
        ]
        if not needs_provider:
            del self.fields["provider"]

    def clean(self):
        data = super().clean()
        if "provider" in self.fields and data.get("decision") != self.DISMISS and not data.get("provider"):
            self.add_error("provider", "Select the school or provider the row names")
        return data


class MergeForm(GovukForm):
    merged = forms.IntegerField(
        label="Record number of the duplicate",
        min_value=1,
        help_text="Its records move to this one, and it leaves the cohort as merged (status M)",
    )
    reason = forms.CharField(label="Why are these the same person?", max_length=300)


SELF_UPDATE_CHOICES = [
    ("210", "Studying full time at a school sixth form"),
    ("230", "Studying full time at a college"),
    ("310", "Doing an apprenticeship"),
    ("320", "Working, with training towards a qualification"),
    ("330", "Working, without training"),
    ("360", "Working part time"),
    ("619", "Looking for work, education or training"),
    ("610", "Not ready for work or learning yet"),
    ("680", "Not available for work or learning (for example illness or caring)"),
]


class SelfUpdateForm(GovukForm):
    code = forms.ChoiceField(
        label="What are you doing now?", choices=SELF_UPDATE_CHOICES, widget=forms.RadioSelect
    )
    where = forms.CharField(
        label="Where? (optional)",
        required=False,
        max_length=200,
        help_text="The name of your school, college, employer or training provider",
    )
    start_date = GovukDateField(label="When did you start?", help_text="For example, 4 9 2026")

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        if value and value > timezone.localdate() + timedelta(days=92):
            raise forms.ValidationError("The start date must be within the next three months")
        return value
