"""Forms validate input and feed the GOV.UK error summary; views pass cleaned data to services."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import selectors, validators, worklists
from cases.models import Action, Contact, SensitiveNote, Source, Team, YoungPerson
from core.forms import GovukDateField, GovukForm, GovukModelForm
from core.stale import VersionedForm
from core.types import Viewer

User = get_user_model()

EDITABLE_PERSON_FIELDS = [
    "legal_given_name",
    "middle_names",
    "legal_family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "first_language",
    "nationality",
    "country_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "phone",
    "email",
    "upn",
    "uln",
    "school",
    "fsm_eligible",
    "sen_status",
    "has_disability",
    "looked_after",
    "care_leaver",
    "support_level",
    "source",
    "source_date",
]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class YoungPersonForm(GovukModelForm):
    """The record's own fields; the model's validators (postcode, UPN, ULN, age) and constraints
    (unique UPN/ULN) run in ModelForm validation, so nothing half-valid reaches the service."""

    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2009")
    source_date = GovukDateField(label="Date the information was given", help_text="For example, 27 3 2025")

    class Meta:
        model = YoungPerson
        fields = EDITABLE_PERSON_FIELDS
        widgets = {
            "gender": forms.RadioSelect,
            "sen_status": forms.RadioSelect,
            "support_level": forms.RadioSelect,
        }
        help_texts = {
            "upn": "13 characters, for example A123456789012",
            "uln": "10 digits",
            "postcode": "For example, SS1 2AB",
        }
        labels = {"source": "Where did this information come from?"}
        error_messages = {"source": {"required": "Select where the information came from"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A change made here is the adviser's, today, whatever the record's last source was.
        self.initial["source_date"] = timezone.localdate()
        self.initial["source"] = Source.ADVISER

    def clean_postcode(self):
        return validators.normalise_postcode(self.cleaned_data["postcode"])

    def clean_upn(self):
        return self.cleaned_data["upn"].strip().upper()

    def clean_uln(self):
        return self.cleaned_data["uln"].strip()

    def _get_validation_exclusions(self):
        # Whether another record holds the UPN or ULN is the service's to say: it names a record in
        # the user's reach and says nothing of one out of it (cases.services.young_person_create).
        return super()._get_validation_exclusions() | {"upn", "uln"}


class YoungPersonCreateForm(YoungPersonForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Team")
    lead_adviser = StaffChoiceField(queryset=User.objects.none(), label="Lead adviser", required=False)
    not_a_duplicate = forms.BooleanField(
        required=False, label="I have checked the possible matches and this is a different young person"
    )

    class Meta(YoungPersonForm.Meta):
        fields = [*EDITABLE_PERSON_FIELDS, "team", "lead_adviser"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = selectors.teams_for_new_records(user)
        self.fields["team"].queryset = teams
        self.fields["lead_adviser"].queryset = User.objects.filter(is_active=True, teams__in=teams).distinct()
        if (first := user.teams.first()) is not None:
            self.fields["team"].initial = first.pk
            self.fields["lead_adviser"].initial = user.pk

    def clean(self):
        data = super().clean()
        team, adviser = data.get("team"), data.get("lead_adviser")
        if team and adviser and not adviser.teams.filter(pk=team.pk).exists():
            self.add_error("lead_adviser", "Select an adviser who works in the chosen team")
        return data

    def possible_duplicates(self, user: Viewer) -> tuple[list[YoungPerson], int]:
        data = self.cleaned_data
        return selectors.duplicates_seen_by(
            user,
            legal_given_name=data["legal_given_name"],
            legal_family_name=data["legal_family_name"],
            date_of_birth=data["date_of_birth"],
            upn=data.get("upn", ""),
            uln=data.get("uln", ""),
            postcode=data.get("postcode", ""),
        )


class YoungPersonEditForm(VersionedForm, YoungPersonForm):
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for the change"},
        help_text="For example, 'Young person told us their new address'. "
        "This is kept in the record's history.",
    )


class ContactForm(GovukForm):
    occurred_on = GovukDateField(label="Date of contact", help_text="For example, 14 11 2025")
    occurred_time = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TimeInput(format="%H:%M"),
    )
    method = forms.ChoiceField(
        label="How did the contact happen?",
        choices=Contact.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the contact happened"},
    )
    purpose = forms.ChoiceField(label="Purpose", choices=Contact.Purpose.choices)
    staff_role = forms.ChoiceField(label="Your role", choices=Contact.StaffRole.choices)
    duration_minutes = forms.IntegerField(
        label="Duration in minutes", required=False, min_value=1, max_value=600
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action_description = forms.CharField(
        label="Action agreed", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_owner = forms.ChoiceField(
        label="Who will do it?", required=False, choices=[("", "Choose who"), *Action.Owner.choices]
    )
    action_due_on = GovukDateField(label="Action due date", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["occurred_on"].initial = now.date()
        self.fields["occurred_time"].initial = time(hour=now.hour, minute=now.minute)

    def clean(self):
        data = super().clean()
        if data.get("occurred_on") and data.get("occurred_time"):
            occurred_at = timezone.make_aware(datetime.combine(data["occurred_on"], data["occurred_time"]))
            if occurred_at > timezone.now():
                self.add_error("occurred_on", "The date of contact must be today or in the past")
            data["occurred_at"] = occurred_at
        if data.get("action_description"):
            for name, message in (
                ("action_owner", "Select who will do the action"),
                ("action_due_on", "Enter the action's due date"),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def contact_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "method",
                "purpose",
                "staff_role",
                "duration_minutes",
                "notes",
                "outcome",
                "next_steps",
            )
        }
        fields["occurred_at"] = data["occurred_at"]
        return fields

    def action_fields(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("action_description"):
            return None
        return {
            "description": data["action_description"],
            "owner": data["action_owner"],
            "due_on": data["action_due_on"],
        }


class ActionForm(GovukForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(
        label="Who will do it?",
        choices=Action.Owner.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who will do the action"},
    )
    due_on = GovukDateField(label="Due date")


class SensitiveNoteForm(GovukForm):
    category = forms.ChoiceField(
        label="Category", choices=SensitiveNote.Category.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 5}))
    source = forms.ChoiceField(
        label="Where did this information come from?",
        choices=Source.choices,
        error_messages={"required": "Select where the information came from"},
    )


class TransferForm(GovukForm):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label="New team")
    adviser = StaffChoiceField(queryset=User.objects.none(), label="New lead adviser")
    reason = forms.CharField(
        label="Reason for the transfer",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for the transfer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adviser = self.fields["adviser"]
        adviser.queryset = selectors.staff_for_assignment()
        # Grouped by team, so the list says who works where before the form is sent.
        adviser.choices = [
            ("", "Choose"),
            *(
                (team.name, [(user.pk, adviser.label_from_instance(user)) for user in team.active_members])
                for team in selectors.teams_with_members()
            ),
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("team")
            and data.get("adviser")
            and not data["adviser"].teams.filter(pk=data["team"].pk).exists()
        ):
            self.add_error("adviser", "Select an adviser who works in the new team")
        return data


class CoWorkerForm(GovukForm):
    user = StaffChoiceField(queryset=User.objects.none(), label="Co-worker")
    until = GovukDateField(label="Access ends on", help_text="Access stops at the end of this day")
    reason = forms.CharField(
        label="Why do they need access?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why they need access"},
    )
    include_sensitive = forms.BooleanField(label="They may also see sensitive notes", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.co_worker_candidates()

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until and until < timezone.localdate():
            raise ValidationError("The end date must be today or in the future")
        return until


class SearchForm(GovukForm):
    query = forms.CharField(
        label="Name, date of birth, UPN, ULN or postcode",
        max_length=100,
        help_text="For example, 'Sam Jones', '14/03/2009' or 'SS1 2AB'",
        error_messages={"required": "Enter a name, date of birth, UPN, ULN or postcode"},
    )


class CaseloadFilterForm(GovukForm):
    mine = forms.BooleanField(label="Only young people I am lead adviser for", required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label="Team", empty_label="All teams"
    )
    adviser = StaffChoiceField(
        queryset=User.objects.none(), required=False, label="Lead adviser", empty_label="All advisers"
    )
    support_level = forms.ChoiceField(
        label="Level of support",
        required=False,
        choices=[("", "All levels"), *YoungPerson.SupportLevel.choices],
    )
    sen_status = forms.ChoiceField(
        label="SEN status", required=False, choices=[("", "Any"), *YoungPerson.SenStatus.choices]
    )
    work_list = forms.ChoiceField(label="Work list", required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)  # set by the table's column headers

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.caseload_filter_choices(user)
        self.fields["team"].queryset = choices["teams"]
        self.fields["adviser"].queryset = choices["advisers"]
        self.fields["work_list"].choices = [
            ("", "Everyone"),
            *((w.key, w.label) for w in worklists.all_work_lists()),
        ]

    def filters(self) -> selectors.CaseloadFilters:
        if not self.is_valid():
            return selectors.CaseloadFilters()
        data = self.cleaned_data
        return selectors.CaseloadFilters(
            team=data["team"].pk if data.get("team") else None,
            adviser=data["adviser"].pk if data.get("adviser") else None,
            support_level=data.get("support_level", ""),
            sen_status=data.get("sen_status", ""),
            mine=data.get("mine", False),
            work_list=data.get("work_list", ""),
            sort=data.get("sort", ""),
        )


def _interval(level: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{YoungPerson.SupportLevel(level).label}: days between contacts",
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )


class ContactIntervalsForm(GovukForm):
    """Days between contacts for each level of support (``initial``: the current ones), and why they
    change."""

    intensive = _interval(YoungPerson.SupportLevel.INTENSIVE)
    targeted = _interval(YoungPerson.SupportLevel.TARGETED)
    universal = _interval(YoungPerson.SupportLevel.UNIVERSAL)
    reason = forms.CharField(label="Why are you changing them?", max_length=200)

    def days(self) -> dict[str, int]:
        return {level: self.cleaned_data[level] for level in YoungPerson.SupportLevel.values}
