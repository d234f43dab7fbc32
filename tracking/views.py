"""Destinations, allocation and merging pages: thin, every one behind cases/access.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases import access
from cases.models import AccessEvent, YoungPersonPermission
from core.pages import FormPage, add_errors, record_form
from tracking import forms, selectors, services
from tracking.models import Activity, Merge, TrackingPermission

P = YoungPersonPermission
GET_POST = require_http_methods(["GET", "POST"])
MERGE = TrackingPermission.MERGE_RECORDS


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
    loads = selectors.adviser_loads(teams)
    load_of = {row["adviser"].pk: row for row in loads}
    context = {
        "teams": teams,
        "loads": loads,
        "unassigned": [  # each with its team's advisers and their loads, to choose between
            (person, [(adviser, load_of.get(adviser.pk)) for adviser in advisers.get(person.team_id, [])])
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


# --- Merging -----------------------------------------------------------------------------------------


@access.young_person_view(P.CHANGE, capability=MERGE)
@GET_POST
def merge(request, young_person):
    """Two steps: name the duplicate and the reason, then confirm with both records side by side."""
    form = forms.MergeForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicate = access.young_people_for(request.user, P.CHANGE).filter(pk=data["merged"]).first()
        if duplicate is None:
            form.add_error("merged", "There is no record with this number that you can change")
        elif "confirm" in request.POST:
            try:
                done = services.records_merge(
                    kept=young_person, merged=duplicate, actor=request.user, reason=data["reason"]
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"Record {duplicate.pk} merged into this record (merge {done.pk})")
                return redirect("cases:young-person-detail", young_person.pk)
    return render(
        request,
        "tracking/merge.html",
        {
            "person": young_person,
            "form": form,
            "duplicate": duplicate if form.is_bound and not form.errors else None,
        },
    )


@access.model_permission(MERGE)
@require_POST
def merge_undo(request, merge_id):
    """Undo needs the merge capability and reach to change both records (404 otherwise)."""
    reachable = access.young_people_for(request.user, P.CHANGE)
    merge = get_object_or_404(Merge, pk=merge_id, kept__in=reachable, merged__in=reachable)
    try:
        services.merge_undo(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Merge {merge.pk} undone: record {merge.merged_id} is back as it was")
    return redirect("cases:young-person-detail", merge.kept_id)


@access.young_person_view(P.CHANGE)
@require_POST
def activity_verify(request, young_person, activity_id):
    activity = get_object_or_404(
        Activity.objects.select_related("code"), pk=activity_id, young_person=young_person
    )
    try:
        services.activity_verify(activity=activity, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Activity verified")
    return redirect("tracking:destinations", young_person.pk)
