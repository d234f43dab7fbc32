"""Forms of data exchange: uploading a file, deciding a queued row, and a young person's self-update."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from cases.models import Organisation, Team
from core.forms import GovukDateField, GovukForm
from exchange import formats, notify
from exchange.models import Channel, ImportBatch
from tracking.forms import PROVIDER_KINDS


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
        if upload.size > formats.MAX_BYTES:
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
        label="What are you doing now?",
        choices=SELF_UPDATE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are doing now"},
    )
    where = forms.CharField(
        label="Where?",
        required=False,
        max_length=200,
        help_text="The name of your school, college, employer or training provider",
    )
    start_date = GovukDateField(
        label="When did you start?",
        help_text="For example, 4 9 2026",
        error_messages={"required": "Enter when you started"},
    )

    def clean_start_date(self):
        value = self.cleaned_data["start_date"]
        if value and value > timezone.localdate() + timedelta(days=92):
            raise forms.ValidationError("The start date must be within the next three months")
        return value


class SelfUpdateSendForm(GovukForm):
    """How to send a young person their self-update link: by the ways this service can send
    (exchange.notify.channels) to the number or address on the record, or shown to pass on."""

    channel = forms.ChoiceField(
        label="How should the link reach them?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the link should reach them"},
    )

    def __init__(self, *args, young_person, **kwargs):
        super().__init__(*args, **kwargs)
        addresses = {Channel.SMS: young_person.phone, Channel.EMAIL: young_person.email}
        choices = [
            (channel, f"{Channel(channel).label} to {addresses[channel]}")
            for channel in notify.channels()
            if addresses[channel]
        ]
        self.fields["channel"].choices = [*choices, (Channel.SHOWN, "Show me the link to pass on myself")]
