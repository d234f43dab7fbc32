"""Page helpers shared by every app's views."""

from dataclasses import asdict, dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from core.stale import StaleEditError


class CountedPaginator(Paginator):
    """A paginator told how many there are (counted with other figures in one pass over the rows), so
    it never counts them again."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @property
    def count(self) -> int:  # Paginator's is a cached_property: a property here takes its place
        return self._count


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where there is one."""
    per_field = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in per_field:
        form.add_error(field if field in form.fields else None, errors)


@dataclass(frozen=True)
class FormPage:
    title: str
    submit: str
    success: str
    intro: str = ""


def record_form(request, young_person, form, page: FormPage, write, redirect_to: str = ""):
    """A form about one young person's record, Post/Redirect/Get: a valid POST calls
    ``write(cleaned_data)`` (a service); a ValidationError from the service lands on the form, which
    re-renders with the message and nothing saved. An edit refused as stale re-renders with what
    the person typed, what changed in between, and the version they have now seen."""
    changes = []
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except StaleEditError as stale:
            add_errors(form, stale)
            form.carry_version(stale.version)
            changes = stale.changes
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, page.success)
            return redirect(redirect_to or reverse("cases:young-person-detail", args=[young_person.pk]))
    context = {"person": young_person, "form": form, "changes_since": changes, **asdict(page)}
    return render(request, "cases/record_form.html", context)
