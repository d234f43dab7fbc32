"""Destinations pages: thin, every one behind cases/access.py."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases import access
from cases.models import AccessEvent, YoungPersonPermission
from tracking import forms, selectors, services
from youthservice.pages import FormPage, record_form

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


def _tracking_form(request, young_person, form, page, service):
    return record_form(
        request,
        young_person,
        form,
        page,
        lambda data: service(young_person=young_person, actor=request.user, **data),
        redirect_to=reverse("tracking:destinations", args=[young_person.pk]),
    )


@access.young_person_view(P.CHANGE)
@GET_POST
def activity_create(request, young_person):
    page = FormPage(
        "Record an activity",
        "Save activity",
        "Activity recorded",
        "The previous open activity ends the day before this one starts.",
    )
    return _tracking_form(
        request, young_person, forms.ActivityForm(request.POST or None), page, services.activity_record
    )


@access.young_person_view(P.CHANGE)
@GET_POST
def intended_destination_create(request, young_person):
    page = FormPage("Record an intended destination", "Save", "Intended destination recorded")
    return _tracking_form(
        request,
        young_person,
        forms.IntendedDestinationForm(request.POST or None),
        page,
        services.intended_destination_record,
    )


@access.young_person_view(P.CHANGE)
@GET_POST
def offer_create(request, young_person):
    page = FormPage("Record a September Guarantee offer", "Save offer", "Offer recorded")
    return _tracking_form(
        request, young_person, forms.OfferForm(request.POST or None), page, services.offer_record
    )


@access.young_person_view(P.CHANGE)
@GET_POST
def characteristic_create(request, young_person):
    page = FormPage("Record a characteristic", "Save", "Characteristic recorded")
    return _tracking_form(
        request,
        young_person,
        forms.CharacteristicForm(request.POST or None),
        page,
        services.characteristic_record,
    )
