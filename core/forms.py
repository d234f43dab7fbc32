"""GOV.UK Design System rendering for Django forms, shared by every app.

Forms inherit ``GovukFormMixin``: each field renders through core/jinja2/includes/field.html with the
GOV.UK classes, error state and ``aria-describedby`` wiring that the Design System asks for, and the
page's error summary links to each field's first input.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms import renderers
from django.forms.boundfield import BoundField
from django.forms.utils import pretty_name
from django.template import TemplateDoesNotExist


class FormRenderer(renderers.Jinja2):
    """Forms and their widgets render with Jinja2 (the GOV.UK field in core/jinja2/, Django's own
    widgets): with the Django template engine they were a quarter of a caseload page's time. The
    admin's widgets exist only as Django templates, so a name Jinja2 lacks comes from the project's
    template settings."""

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return renderers.TemplatesSetting().get_template(template_name)


_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input pattern)."""

    template_name = "widgets/govuk_date.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            [
                forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                forms.TextInput({**box, "class": box["class"] + " govuk-input--width-4"}),
            ],
            attrs,
        )

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs):
        fields = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1900, max_value=2100),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        if any(part in (None, "") for part in value) and any(part not in (None, "") for part in value):
            raise ValidationError(f"{self.label} must include a day, month and year", code="incomplete")
        return super().clean(value)

    def compress(self, data_list):
        if not data_list:
            return None
        try:
            return date(data_list[2], data_list[1], data_list[0])
        except (TypeError, ValueError):
            raise ValidationError(f"{self.label} must be a real date", code="invalid") from None

    def validate(self, value):
        if self.required and value is None:
            raise ValidationError(self.error_messages["required"], code="required")

    def bound_data(self, data, initial):
        return data if data is not None else initial


class GovukBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, GovukDateWidget):
            if self.errors:
                attrs["error_class"] = "govuk-input--error"  # read by widgets/govuk_date.html
            return attrs
        css = next((c for kind, c in _CLASSES.items() if isinstance(widget, kind)), "govuk-input")
        if self.errors and css in ("govuk-input", "govuk-select", "govuk-textarea"):
            css += f" {css}--error"
        attrs["class"] = f"{css} {attrs.get('class', '')}".strip()
        described = [f"{self.auto_id}-hint"] if self.help_text else []
        if self.errors:
            described.append(f"{self.auto_id}-error")
        if described and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            attrs["aria-describedby"] = " ".join(described)
        return attrs

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the first input of the field."""
        if isinstance(self.field.widget, GovukDateWidget | forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{self.auto_id}_0"
        return self.auto_id

    @property
    def govuk_kind(self) -> str:
        widget = self.field.widget
        if isinstance(widget, GovukDateWidget):
            return "date"
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"


class GovukFormMixin:
    bound_field_class: type[forms.BoundField] | None = GovukBoundField
    template_name = "includes/form_fields.html"

    def __init__(self, *args, **kwargs):
        """Error messages in the GOV.UK voice ("Enter a ...", "Select a ...", "... must be 1 or more"),
        and "Choose" where Django would show "---------"."""
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or pretty_name(name))
            choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            verb = "Select" if choosing else "Enter"
            if field.error_messages["required"] == forms.Field.default_error_messages["required"]:
                # a question ("Who will do it?") needs its own message; this is the fallback
                wanted = f"Answer the question: {label}" if label.endswith("?") else f"{verb} {label.lower()}"
                field.error_messages["required"] = wanted
            field.error_messages["invalid_choice"] = (
                "Select one of the answers"
                if label.endswith("?")
                else f"Choose {label.lower()} from the list"
            )
            _plain_messages(label, field)


def _plain_messages(label: str, field: forms.Field) -> None:
    if isinstance(field, forms.TimeField):
        field.error_messages["invalid"] = f"Enter {label.lower()} on the 24-hour clock, for example 14:30"
    for code, bound, words in (("min_value", "min_value", "or more"), ("max_value", "max_value", "or less")):
        if getattr(field, bound, None) is not None:
            field.error_messages[code] = f"{label} must be {getattr(field, bound)} {words}"
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == "---------":  # Django's default; a field's own ("All teams") stays
            field.empty_label = "Choose"
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]  # a list once on a field
        if choices[:1] == [("", "---------")]:
            field.choices = [("", "Choose"), *choices[1:]]


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


class TwoFactorForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now",
        max_length=8,
        widget=forms.TextInput(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    """The page a set-password link opens (the account's owner chooses their own password)."""
