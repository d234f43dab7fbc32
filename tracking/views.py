"""Destinations pages: thin, every one behind cases/access.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases import access
from cases.models import AccessEvent, YoungPersonPermission
from core.pages import FormPage, record_form
from tracking import forms, selectors, services

P = YoungPersonPermission
GET_POST = require_http_methods(["GET", "POST"])


@access.young_person_view(record=AccessEvent.What.RECORD)
@require_http_methods(["GET"])
def destinations(request, young_person):
    context = {
        "person": young_person,
        "may_change": access.can(request.user, young_person, P.CHANGE),
        **selectors.destinations_page(young_person),
    }
    return render(request, "tracking/destinations.html", context)


def _record_form_view(form_class, page: FormPage, service):
    """A page that records one thing about a young person through ``service``, then shows the
    Destinations tab."""

    @access.young_person_view(P.CHANGE)
    @GET_POST
    def view(request, young_person):
        return record_form(
            request,
            young_person,
            form_class(request.POST or None),
            page,
            lambda data: service(young_person=young_person, actor=request.user, **data),
            redirect_to=reverse("tracking:destinations", args=[young_person.pk]),
        )

    return view


activity_create = _record_form_view(
    forms.ActivityForm,
    FormPage(
        "Record an activity",
        "Save activity",
        "Activity recorded",
        "The previous open activity ends the day before this one starts.",
    ),
    services.activity_record,
)
intended_destination_create = _record_form_view(
    forms.IntendedDestinationForm,
    FormPage("Record an intended destination", "Save", "Intended destination recorded"),
    services.intended_destination_record,
)
offer_create = _record_form_view(
    forms.OfferForm,
    FormPage("Record a September Guarantee offer", "Save offer", "Offer recorded"),
    services.offer_record,
)
characteristic_create = _record_form_view(
    forms.CharacteristicForm,
    FormPage("Record a characteristic", "Save", "Characteristic recorded"),
    services.characteristic_record,
)


@access.model_permission(P.ASSIGN.qualified)
@require_http_methods(["GET"])
def team_caseloads(request):
    teams = selectors.managed_teams(request.user)
    advisers = selectors.advisers_by_team(teams)
    context = {
        "teams": teams,
        "loads": selectors.adviser_loads(teams),
        "unassigned": [
            (person, advisers.get(person.team_id, []))
            for person in selectors.unassigned(request.user, teams)[:100]
        ],
    }
    return render(request, "tracking/team_caseloads.html", context)


@access.young_person_view(P.CHANGE, capability=P.ASSIGN.qualified)
@require_POST
def allocate(request, young_person):
    form = forms.AllocateForm(request.POST, teams=selectors.managed_teams(request.user))
    if form.is_valid():
        try:
            services.allocate(
                young_person=young_person, adviser=form.cleaned_data["adviser"], actor=request.user
            )
            messages.success(request, "Young person allocated")  # no names in the messages cookie

        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Choose an adviser to allocate to")
    return redirect("tracking:team-caseloads")
