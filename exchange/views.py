"""Data exchange pages: imports with their progress and error report, the review queue, and young
people's self-update links. Every one declares its rule from cases/access.py."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import access
from cases.models import AccessEvent, YoungPersonPermission
from cases.services import access_events_record
from core.middleware import client_address
from core.pages import FormPage, add_errors, record_form
from core.spreadsheets import write_csv
from exchange import forms, matching, selectors, services, tasks
from exchange.models import Channel, ExchangePermission, ImportBatch, ReviewItem
from tracking.models import ActivityCode

P = YoungPersonPermission
GET_POST = require_http_methods(["GET", "POST"])
IMPORT, VIEW_IMPORTS, RESOLVE = ExchangePermission


@access.model_permission(IMPORT)
@GET_POST
def imports(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            batch = services.import_upload(
                actor=request.user,
                file_format=data["file_format"],
                source_organisation=data["source_organisation"],
                team=data["team"],
                file_name=upload.name,
                content=upload.read(),
            )
        except services.AlreadyImported as already:
            messages.info(
                request, f"This file was imported before (import {already.batch.pk}): nothing has changed"
            )
            return redirect("exchange:import-detail", already.batch.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("exchange:import-detail", batch.pk)
    batches = ImportBatch.objects.select_related("source_organisation", "uploaded_by").defer(
        "content", "errors"
    )[:25]
    return render(request, "exchange/imports.html", {"form": form, "batches": batches})


@access.model_permission(VIEW_IMPORTS)
@require_http_methods(["GET"])
def import_detail(request, batch_id):
    batch = get_object_or_404(
        ImportBatch.objects.select_related("source_organisation", "uploaded_by"), pk=batch_id
    )
    context = {
        "batch": batch,
        "progress": selectors.import_progress(batch),
        "open_reviews": batch.review_items.filter(outcome=ReviewItem.Outcome.OPEN).count(),
        "stuck": batch.stuck(timezone.now()),
    }
    return render(request, "exchange/import_detail.html", context)


@access.model_permission(IMPORT)
@require_POST
def import_retry(request, batch_id):
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    try:
        services.import_retry(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Import {batch.pk} started again")
    return redirect("exchange:import-detail", batch.pk)


@access.model_permission(VIEW_IMPORTS)
@require_http_methods(["GET"])
def import_progress(request, batch_id):
    """What the progress bar polls: state, label and percentage; never a row's values."""
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    return JsonResponse({**selectors.import_progress(batch), "finished": batch.finished})


@access.model_permission(VIEW_IMPORTS)
@require_http_methods(["GET"])
def import_errors(request, batch_id):
    """The rejected batch's report: each bad row's line number and reason (never its values)."""
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    write_csv(response, ["line", "reason"], batch.errors)
    return response


@access.model_permission(RESOLVE)
@require_http_methods(["GET"])
def review_queue(request):
    items = ReviewItem.objects.filter(outcome=ReviewItem.Outcome.OPEN).select_related("batch")
    if request.GET.get("batch", "").isdigit():
        items = items.filter(batch_id=request.GET["batch"])
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "exchange/review_queue.html", {"page": page, "items": page.object_list})


@access.model_permission(RESOLVE)
@GET_POST
def review_item(request, item_id):
    """One row to decide: the row beside each candidate record (read through the access path, each
    read recorded), then link, create or dismiss."""
    item = get_object_or_404(
        ReviewItem.objects.select_related("batch"), pk=item_id, outcome=ReviewItem.Outcome.OPEN
    )
    candidates = list(
        access.young_people_for(request.user)
        .filter(pk__in=item.candidates.values("pk"))
        .select_related("school")
    )
    form = forms.ReviewForm(
        request.POST or None,
        candidates=candidates,
        needs_provider=item.kind == ReviewItem.Kind.PROVIDER_NOT_FOUND,
    )
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == form.DISMISS:
                services.review_dismiss(item=item, actor=request.user)
            else:
                chosen = (
                    None if decision == form.NEW else next(c for c in candidates if str(c.pk) == decision)
                )
                provider = form.cleaned_data.get("provider")
                item = services.review_resolve(
                    item=item,
                    actor=request.user,
                    young_person=chosen,
                    provider_id=provider.pk if provider else None,
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"Line {item.line} of import {item.batch_id}: {item.get_outcome_display().lower()}"
            )
            return redirect("exchange:review-queue")
    access_events_record(user=request.user, young_people=candidates, what=AccessEvent.What.RECORD)
    return render(
        request,
        "exchange/review_item.html",
        {
            "item": item,
            "row": selectors.review_row(item),
            "candidates": candidates,
            "form": form,
            "match_weight": matching.MATCH_WEIGHT,
        },
    )


# --- Self-update links -------------------------------------------------------------------------------


SELF_UPDATE_PAGE = FormPage(
    "Send a self-update link",
    "Send the link",
    "Self-update link made",
    "The link lets them tell us what they are doing now. It works once, for 14 days; a new link stops "
    "any earlier one working.",
)


@access.young_person_view(P.CHANGE)
@GET_POST
def self_update_send(request, young_person):
    """Send by text message or email (what became of it shows on the record's Self-update links tab),
    or show the link once for the adviser to pass on."""
    form = forms.SelfUpdateSendForm(request.POST or None, young_person=young_person)

    def send(data):
        link, token = services.self_update_send(
            young_person=young_person, actor=request.user, channel=data["channel"]
        )
        if link.channel == Channel.SHOWN:
            url = request.build_absolute_uri(reverse("exchange:self-update", args=[token]))
            note = f"Copy it now, it will not be shown again: {url}"
        else:
            how = link.get_channel_display().lower()
            note = f"It is on its way by {how}; the Self-update links tab says what became of it."
        messages.info(request, f"{note} It works once, until {link.expires_at:%-d %B %Y}.")

    redirect_to = reverse("cases:young-person-detail", args=[young_person.pk]) + "#self-update"
    return record_form(request, young_person, form, SELF_UPDATE_PAGE, send, redirect_to=redirect_to)


@access.signed_in
@require_POST
def self_update_bulk(request):
    """From the 'Not known' work list: a link to each young person on it (within the user's reach to
    change) who has an email address, sent by a task so the page does not wait for the mail."""
    with_email = selectors.not_known_with_email(request.user).count()
    without = selectors.not_known(request.user).count() - with_email
    tasks.self_update_send_bulk.delay_on_commit(request.user.pk)
    messages.success(
        request,
        f"Self-update links are being emailed to {with_email} young people; {without} have no email address.",
    )
    return redirect(f"{reverse('cases:caseload')}?work_list=not_known")


SELF_UPDATE_MISSES = 20  # unknown or spent links one address may try in an hour before it is refused


@access.public
@GET_POST
def self_update(request, token):
    """The young person's page: no sign-in, nothing shown but their first name. An address that
    keeps trying links that do not work (guessing) is refused for an hour; a link that works always
    opens (young people share mobile networks' addresses)."""
    link = selectors.self_update_link(token)
    if link is None:
        misses = f"self-update-misses:{client_address(request)}"
        if cache.get(misses, 0) >= SELF_UPDATE_MISSES:
            return render(request, "exchange/self_update_gone.html", {"throttled": True}, status=429)
        cache.add(misses, 0, timeout=60 * 60)
        cache.incr(misses)
        return render(request, "exchange/self_update_gone.html", status=410)
    form = forms.SelfUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.self_update_submit(
                link=link,
                code=ActivityCode.objects.get(code=data["code"]),
                start_date=data["start_date"],
                where=data["where"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render(
                request, "exchange/self_update_done.html", {"first_name": link.young_person.known_as}
            )
    return render(
        request, "exchange/self_update.html", {"form": form, "first_name": link.young_person.known_as}
    )
