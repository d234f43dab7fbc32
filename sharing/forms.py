from django import forms
from django.utils import timezone

from cases.models import Organisation
from core.forms import GovukDateField, GovukForm
from sharing import rules
from sharing.models import DataCategory, Disclosure, GivenBy, Schedule1Condition


class ShareForm(GovukForm):
    recipient = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(sharing_agreements__isnull=False).distinct(), label="Share with"
    )
    categories = forms.MultipleChoiceField(
        label="What to share", choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(
        label="Why are you sharing it?",
        max_length=300,
        error_messages={"required": "Enter why you are sharing it"},
        help_text="For example, 'Enrolment on the September start'",
    )
    file_format = forms.ChoiceField(
        label="File format",
        choices=[("csv", "CSV"), ("json", "JSON")],
        widget=forms.RadioSelect,
        initial="csv",
    )
    override = forms.ChoiceField(
        label="Share without an agreement because of",
        required=False,
        choices=[("", "No: use the information-sharing agreement"), *Disclosure.Override.choices],
    )
    override_condition = forms.ChoiceField(
        label="Schedule 1 condition",
        required=False,
        choices=[("", "Choose a condition"), *Schedule1Condition.choices],
    )
    override_justification = forms.CharField(
        label="Justification", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConsentForm(GovukForm):
    category = forms.ChoiceField(label="Consent to share", choices=DataCategory.choices)
    purpose = forms.CharField(label="For what purpose", max_length=200)
    given_by = forms.ChoiceField(label="Given by", choices=GivenBy.choices, widget=forms.RadioSelect)
    given_on = GovukDateField(label="Date given")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class S507bForm(GovukForm):
    set_by = forms.ChoiceField(label="Who asked for it", choices=GivenBy.choices, widget=forms.RadioSelect)
    set_on = GovukDateField(label="Date asked")
    reason = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_on"].initial = timezone.localdate()


class ExtractForm(GovukForm):
    purpose = forms.CharField(label="Purpose of the research or planning", max_length=300)
    age = forms.ChoiceField(
        label="Age as", choices=rules.AGE, initial="academic_age", widget=forms.RadioSelect
    )
    place = forms.ChoiceField(label="Place as", choices=rules.PLACE, initial="area", widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(
        label="Ethnicity as", choices=rules.ETHNICITY, initial="major", widget=forms.RadioSelect
    )
    gender = forms.ChoiceField(
        label="Gender", choices=rules.GENDER, initial="gender", widget=forms.RadioSelect
    )
    k = forms.IntegerField(
        label="Smallest group released (k)",
        min_value=2,
        max_value=100,
        initial=5,
        help_text="A row is left out unless at least k rows share its age, place, ethnicity and gender as "
        "chosen above",
    )

    def generalisation(self) -> rules.Generalisation:
        data = self.cleaned_data
        return rules.Generalisation(data["age"], data["place"], data["ethnicity"], data["gender"])


class NccisReturnForm(GovukForm):
    month = forms.DateField(
        label="Month",
        input_formats=["%Y-%m"],
        widget=forms.TextInput,
        help_text="Year and month, for example 2026-10",
    )

    def clean_month(self):
        month = self.cleaned_data["month"]
        if (month.year, month.month) > (today := timezone.localdate()).timetuple()[:2]:
            raise forms.ValidationError(f"The month must be {today:%Y-%m} or earlier")
        return month


class TransferForm(GovukForm):
    council = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.COUNCIL),
        label="Which council has the young person moved to?",
        error_messages={"required": "Select the council they have moved to"},
    )
