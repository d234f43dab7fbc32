"""Sharing a record, its disclosures, consents and restrictions: every page behind cases/access.py."""

import io
import json
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import access
from cases import services as case_services
from cases.models import AccessEvent, Organisation, Restriction, YoungPersonPermission
from cases.services import tracked_save
from core.pages import FormPage, add_errors, record_form
from sharing import bundles, forms, selectors, services
from sharing.models import AccessBundle, Consent, SharingPermission
from tracking import nccis

P = YoungPersonPermission


@access.young_person_view(P.SHARE)
@require_http_methods(["GET", "POST"])
def share(request, young_person):
    """A valid share downloads the package at once (no copy is kept); a refusal re-renders the form
    with the reason, and the attempt is recorded."""
    form = forms.ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        override = (
            services.Override(data["override"], data["override_condition"], data["override_justification"])
            if data["override"]
            else None
        )
        try:
            disclosure, content = services.share(
                actor=request.user,
                young_people=[young_person],
                categories=data["categories"],
                purpose=data["purpose"],
                recipient=data["recipient"],
                override=override,
                file_format=data["file_format"],
            )
        except services.ShareRefused as refused:
            form.add_error(None, f"Not shared: {refused.reason}. The attempt has been recorded.")
        else:
            response = HttpResponse(
                content,
                content_type="application/json"
                if disclosure.file_format == "json"
                else "text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="disclosure-{disclosure.pk}.{disclosure.file_format}"'
            )
            return response
    context = {
        "person": young_person,
        "form": form,
        "title": "Share this record",
        "submit": "Share and download",
        "intro": "Only what an active information-sharing agreement covers is released, trimmed to any "
        "restriction or withdrawn consent. Every share is recorded.",
    }
    return render(request, "cases/record_form.html", context)


@access.young_person_view(record=AccessEvent.What.RECORD)
@require_http_methods(["GET"])
def disclosures(request, young_person):
    rows = young_person.disclosures.select_related("recipient", "made_by", "agreement").order_by("-made_at")
    panel = {"context": {"disclosures": rows}}  # the same partial as the record page's tab
    return render(request, "sharing/disclosures.html", {"person": young_person, "panel": panel})


@access.young_person_view(record=AccessEvent.What.RECORD)
@require_http_methods(["GET"])
def consents_and_restrictions(request, young_person):
    context = {
        "person": young_person,
        "consents": young_person.consents.all(),
        "restrictions": young_person.restrictions.all(),
        "may_change": access.can(request.user, young_person, P.CHANGE),
        "today": timezone.localdate(),
    }
    return render(request, "sharing/consents.html", context)


def _back(young_person):
    return reverse("sharing:consents", args=[young_person.pk])


@access.young_person_view(P.CHANGE)
@require_http_methods(["GET", "POST"])
def consent_create(request, young_person):
    return record_form(
        request,
        young_person,
        forms.ConsentForm(request.POST or None),
        FormPage("Record consent", "Save", "Consent recorded"),
        lambda data: tracked_save(
            Consent(young_person=young_person, **data), actor=request.user, reason="Consent recorded"
        ),
        redirect_to=_back(young_person),
    )


@access.young_person_view(P.CHANGE)
@require_POST
def consent_withdraw(request, young_person, consent_id):
    consent = get_object_or_404(young_person.consents, pk=consent_id, withdrawn_on__isnull=True)
    consent.withdrawn_on = timezone.localdate()
    tracked_save(consent, actor=request.user, reason="Consent withdrawn")
    messages.success(request, "Consent withdrawn: that information will no longer be shared")
    return redirect(_back(young_person))


@access.young_person_view(P.CHANGE)
@require_http_methods(["GET", "POST"])
def s507b_create(request, young_person):
    return record_form(
        request,
        young_person,
        forms.S507bForm(request.POST or None),
        FormPage(
            "Record a section 507B restriction",
            "Save",
            "Restriction recorded",
            "Only name, address and date of birth, and a parent's name and address, will be shared.",
        ),
        lambda data: case_services.restriction_set(
            young_person=young_person, actor=request.user, kind=Restriction.Kind.S507B, **data
        ),
        redirect_to=_back(young_person),
    )


@access.model_permission(SharingPermission.MAKE_DEIDENTIFIED_EXTRACT)
@require_http_methods(["GET", "POST"])
def extract(request):
    """Choose how each quasi-identifier is generalised, see what that suppresses, then make the
    extract (a zip of its CSV and a note), recorded as a disclosure."""
    form = forms.ExtractForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        generalisation, k = form.generalisation(), form.cleaned_data["k"]
        if request.POST.get("action") == "make":
            content, made, disclosure = services.deidentified_extract(
                actor=request.user, purpose=form.cleaned_data["purpose"], k=k, generalisation=generalisation
            )
            response = HttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="extract-{disclosure.pk}.zip"'
            response["X-Suppressed-Rows"] = str(made.suppressed)
            return response
        preview = services.deidentified_rows(actor=request.user, generalisation=generalisation, k=k)
    return render(request, "sharing/extract.html", {"form": form, "preview": preview})


def _bundle(request, bundle_id: int, *states: str) -> AccessBundle:
    bundles_in_reach = access.scope(request.user, AccessBundle.objects.all(), through="request__young_person")
    return get_object_or_404(bundles_in_reach.select_related("request"), pk=bundle_id, state__in=states)


@access.model_permission(SharingPermission.VIEW_ACCESS_BUNDLES)
@require_http_methods(["GET"])
def bundle_document(request, bundle_id):
    """The bundle as its requester will read it, for the DPO's review: other people's names marked,
    with the choice of which to withhold, then the release."""
    bundle = _bundle(request, bundle_id, AccessBundle.State.READY, AccessBundle.State.RELEASED)
    sections = bundles.document(json.loads(bundle.content_json), bundle.third_party_names, ())
    context = {
        "bundle": bundle,
        "sections": sections,
        "may_release": bundle.state == AccessBundle.State.READY
        and request.user.has_perm(SharingPermission.HANDLE_SUBJECT_REQUESTS),
    }
    return render(request, "sharing/bundle_document.html", context)


@access.model_permission(SharingPermission.HANDLE_SUBJECT_REQUESTS)
@require_POST
def bundle_withhold(request, bundle_id):
    bundle = _bundle(request, bundle_id, AccessBundle.State.READY)
    try:
        services.access_bundle_withhold(
            bundle=bundle, names=request.POST.getlist("withheld"), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{len(bundle.withheld_names)} names will be withheld from the release")
    return redirect("sharing:bundle-document", bundle.pk)


@access.model_permission(SharingPermission.HANDLE_SUBJECT_REQUESTS)
@require_POST
def bundle_release(request, bundle_id):
    """Release the reviewed bundle: the zip (PDF and JSON) is downloaded here, once, and recorded."""
    bundle = _bundle(request, bundle_id, AccessBundle.State.READY)
    disclosure, content = services.access_bundle_release(bundle=bundle, actor=request.user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="access-bundle-{disclosure.pk}.zip"'
    return response


@access.model_permission(SharingPermission.MAKE_STATUTORY_RETURN)
@require_http_methods(["GET", "POST"])
def nccis_return(request):
    """Validate first (each problem links to its record); generating downloads the XML and records
    the return as a disclosure to the DfE."""
    form = forms.NccisReturnForm(request.POST or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if "generate" in request.POST:
            dfe = Organisation.objects.filter(kind=Organisation.Kind.DFE).first()
            if dfe is None:
                form.add_error(None, "Add the Department for Education as an organisation first")
            else:
                content, _, _ = services.nccis_return_release(
                    actor=request.user, month_end=month_end, dfe=dfe
                )
                response = HttpResponse(content, content_type="application/xml")
                response["Content-Disposition"] = f'attachment; filename="nccis-{month_end:%Y-%m}.xml"'
                return response
        else:
            problems = nccis.write_return(month_end, io.StringIO()).problems
    return render(request, "sharing/nccis_return.html", {"form": form, "problems": problems})


@access.model_permission(SharingPermission.SEND_DESTINATION_FEEDBACK)
@require_http_methods(["GET", "POST"])
def destination_feedback(request):
    """One file per school with an agreement: its former pupils' current activities, through the
    sharing exit (which still refuses, and records, a school without one)."""
    if request.method == "POST":
        school = get_object_or_404(Organisation, kind=Organisation.Kind.SCHOOL, pk=request.POST.get("school"))
        try:
            disclosure, content = services.destination_feedback(actor=request.user, school=school)
        except services.ShareRefused as refused:
            messages.error(
                request, f"Not sent to {school.name}: {refused.reason}. The attempt has been recorded."
            )
        else:
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="destinations-{disclosure.pk}.csv"'
            return response
    schools = selectors.feedback_schools(set(services.FEEDBACK_CATEGORIES), timezone.localdate())
    return render(request, "sharing/destination_feedback.html", {"schools": schools})


@access.young_person_view(P.SHARE)
@require_http_methods(["GET", "POST"])
def transfer_out(request, young_person):
    """The young person moved away: download their package for the new council (a disclosure) and
    mark them transferred (cohort status T)."""
    form = forms.TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure, content = services.transfer_out(
                actor=request.user, young_person=young_person, council=form.cleaned_data["council"]
            )
        except services.ShareRefused as refused:
            form.add_error(None, f"Not sent: {refused.reason}. The attempt has been recorded.")
        except ValidationError as error:
            add_errors(form, error)
        else:
            response = HttpResponse(content, content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="transfer-{disclosure.pk}.json"'
            return response
    context = {
        "person": young_person,
        "form": form,
        "title": "Transfer to another council",
        "submit": "Send the record and mark as transferred",
        "intro": "Use this when the young person has moved to another council's area. Their record is "
        "packaged for the new council under your agreement with it, the package is recorded as a "
        "disclosure, and they leave this council's cohort as transferred (status T).",
    }
    return render(request, "cases/record_form.html", context)
