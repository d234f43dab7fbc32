"""Browser pages for advisers and managers: parse, load through cases/access.py, call a service,
redirect. Each view declares its access rule with a decorator from cases/access.py."""

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import access, forms, selectors, services, versions
from cases.models import AccessEvent, CasesPermission, YoungPerson, YoungPersonPermission
from core.pages import CountedPaginator, FormPage, add_errors, record_form
from core.spreadsheets import write_csv

P = YoungPersonPermission
PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 50
INTERVALS_PERMISSION = "cases.change_contactinterval"
GET_POST = require_http_methods(["GET", "POST"])


EDIT_PAGE = FormPage("Edit the record", "Save changes", "Record updated")
CONTACT_PAGE = FormPage("Log a contact", "Save contact", "Contact logged")
ACTION_PAGE = FormPage("Add an action", "Save action", "Action added")
SENSITIVE_NOTE_PAGE = FormPage(
    "Record a sensitive note",
    "Save note",
    "Sensitive note recorded",
    "Only people allowed to see sensitive notes will see this.",
)
TRANSFER_PAGE = FormPage(
    "Transfer to another adviser or team",
    "Transfer",
    "Young person transferred",
    "The current adviser and team lose access; the new ones gain it.",
)
CO_WORKER_PAGE = FormPage(
    "Give a co-worker access",
    "Give access",
    "Co-worker access granted",
    "Access ends automatically at the end of the date you choose.",
)


def _tab(young_person, tab: str) -> str:
    """The record page opened on one of its tabs (GOV.UK tabs select the tab the fragment names)."""
    return reverse("cases:young-person-detail", args=[young_person.pk]) + f"#{tab}"


@access.signed_in
@require_http_methods(["GET"])
def home(request):
    """A role that works with records starts on its caseload; the system administrator, who has no
    young people, in the admin."""
    user = request.user
    works_with_records = user.has_perm(P.VIEW.qualified) or user.has_perm(P.ADD.qualified)
    return redirect("cases:caseload" if works_with_records or not user.is_staff else "admin:index")


@access.signed_in
@require_http_methods(["GET"])
def caseload(request):
    filter_form = forms.CaseloadFilterForm(request.GET or None, user=request.user)
    filters = filter_form.filters()
    people = selectors.caseload(request.user, filters)
    work_lists, listed = selectors.work_list_counts(request.user, filters)
    page = CountedPaginator(people, PAGE_SIZE, count=listed).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_list = query.copy()
    without_list.pop("work_list", None)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "without_list": without_list.urlencode(),
        "sort_query": without_sort.urlencode(),
        "sort": filters.sort,
        "filtering": any(value for key, value in query.items() if key not in ("sort", "work_list")),
        "work_lists": work_lists,
        "current_list": filters.work_list,
    }
    return render(request, "cases/caseload.html", context)


@access.signed_in
@require_http_methods(["GET"])
def caseload_export(request):
    """The filtered caseload as CSV, through the same scoped selector; each person exported is
    recorded as an access event."""
    filters = forms.CaseloadFilterForm(request.GET or None, user=request.user).filters()
    people = list(selectors.caseload(request.user, filters))
    services.access_events_record(user=request.user, young_people=people, what=AccessEvent.What.EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="caseload-{timezone.localdate():%Y-%m-%d}.csv"'
    write_csv(response, selectors.CASELOAD_CSV_HEADER, (selectors.caseload_csv_row(p) for p in people))
    return response


@access.signed_in
@require_http_methods(["GET"])
def todo(request):
    """The task list: overdue and soon-due actions, and the people the task work lists hold."""
    sections = selectors.task_list(request.user)
    context = {
        "sections": sections,
        "total": sum(section.count for section in sections),
        "may_set_intervals": request.user.has_perm(INTERVALS_PERMISSION),
        "intervals": [
            (YoungPerson.SupportLevel(level).label, days)
            for level, days in selectors.contact_intervals().items()
        ],
    }
    return render(request, "cases/todo.html", context)


@access.model_permission(INTERVALS_PERMISSION)
@GET_POST
def contact_intervals(request):
    form = forms.ContactIntervalsForm(request.POST or None, initial=selectors.contact_intervals())
    if request.method == "POST" and form.is_valid():
        services.contact_intervals_set(
            actor=request.user, days=form.days(), reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Contact intervals saved")
        return redirect("cases:todo")
    return render(request, "cases/contact_intervals.html", {"form": form})


@access.signed_in
@GET_POST
def search(request):
    """Search by POST so names and identifiers never appear in URLs or access logs."""
    form = forms.SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = selectors.search(request.user, form.cleaned_data["query"], limit=selectors.SEARCH_LIMIT + 1)
    return render(
        request, "cases/search.html", {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT}
    )


@access.model_permission(P.ADD.qualified)
@GET_POST
def young_person_create(request):
    form = forms.YoungPersonCreateForm(request.POST or None, user=request.user)
    duplicates = hidden_duplicates = None
    if request.method == "POST" and form.is_valid():
        duplicates, hidden_duplicates = form.possible_duplicates(request.user)
        if not (duplicates or hidden_duplicates) or form.cleaned_data["not_a_duplicate"]:
            data = {name: form.cleaned_data[name] for name in forms.EDITABLE_PERSON_FIELDS}
            try:
                person = services.young_person_create(
                    actor=request.user,
                    team=form.cleaned_data["team"],
                    lead_adviser=form.cleaned_data["lead_adviser"],
                    **data,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Record created")
                return redirect("cases:young-person-detail", young_person_id=person.pk)
    return render(
        request,
        "cases/young_person_create.html",
        {"form": form, "duplicates": duplicates, "hidden_duplicates": hidden_duplicates},
    )


@access.young_person_view(record=AccessEvent.What.RECORD, selector=selectors.young_person_detail_queryset)
@require_http_methods(["GET"])
def young_person_detail(request, young_person):
    context = {"person": young_person, **selectors.young_person_page(request.user, young_person)}
    return render(request, "cases/young_person_detail.html", context)


@access.young_person_view(P.CHANGE, record=AccessEvent.What.EDIT)
@GET_POST
def young_person_edit(request, young_person):
    form = forms.YoungPersonEditForm(
        request.POST or None, instance=young_person, initial={"version": versions.version_of(young_person)}
    )
    return record_form(
        request,
        young_person,
        form,
        EDIT_PAGE,
        lambda data: services.young_person_update(
            young_person=young_person,
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
            **{name: data[name] for name in forms.EDITABLE_PERSON_FIELDS},
        ),
    )


@access.young_person_view(record=AccessEvent.What.HISTORY)
@require_http_methods(["GET"])
def young_person_history(request, young_person):
    """Newest first, a page at a time, narrowed to one field's changes when asked (``?field=``)."""
    changes = selectors.young_person_history(request.user, young_person)
    fields = sorted({name for change in changes for name, _, _ in change.fields})
    chosen = request.GET.get("field", "")
    if chosen in fields:
        changes = [
            replace(change, fields=[row for row in change.fields if row[0] == chosen])
            for change in changes
            if any(row[0] == chosen for row in change.fields)
        ]
    query = QueryDict(mutable=True)
    if chosen in fields:
        query["field"] = chosen
    context = {
        "person": young_person,
        "page": Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page")),
        "fields": fields,
        "chosen": chosen if chosen in fields else "",
        "query": query.urlencode(),
        "provenance": selectors.provenance(young_person),
    }
    return render(request, "cases/young_person_history.html", context)


@access.young_person_view(capability=CasesPermission.VIEW_ACCESS_EVENTS, record=AccessEvent.What.AUDIT)
@require_http_methods(["GET"])
def young_person_audit(request, young_person):
    log = selectors.access_log(young_person)
    page = Paginator(log, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/young_person_audit.html", {"person": young_person, "page": page})


@access.young_person_view(P.CHANGE)
@GET_POST
def contact_create(request, young_person):
    form = forms.ContactForm(request.POST or None)
    return record_form(
        request,
        young_person,
        form,
        CONTACT_PAGE,
        lambda data: services.contact_log(
            young_person=young_person,
            actor=request.user,
            action=form.action_fields(),
            **form.contact_fields(),
        ),
        redirect_to=_tab(young_person, "contacts"),
    )


@access.young_person_view(P.CHANGE)
@GET_POST
def action_create(request, young_person):
    form = forms.ActionForm(request.POST or None)
    return record_form(
        request,
        young_person,
        form,
        ACTION_PAGE,
        lambda data: services.action_add(young_person=young_person, actor=request.user, **data),
        redirect_to=_tab(young_person, "actions"),
    )


@access.young_person_view(P.CHANGE)
@require_POST
def action_complete(request, young_person, action_id):
    action = get_object_or_404(young_person.actions, pk=action_id)
    try:
        services.action_complete(action=action, actor=request.user)
        messages.success(request, "Action marked as complete")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    if request.POST.get("from") == "todo":  # marked done on the task list: back to it
        return redirect("cases:todo")
    return redirect(_tab(young_person, "actions"))


@access.young_person_view(P.CHANGE)
@GET_POST
def sensitive_note_create(request, young_person):
    if not access.can(request.user, young_person, P.VIEW_SENSITIVE):
        raise PermissionDenied
    form = forms.SensitiveNoteForm(request.POST or None)
    return record_form(
        request,
        young_person,
        form,
        SENSITIVE_NOTE_PAGE,
        lambda data: services.sensitive_note_add(young_person=young_person, actor=request.user, **data),
    )


@access.young_person_view(P.CHANGE, capability=P.ASSIGN.qualified)
@GET_POST
def young_person_transfer(request, young_person):
    form = forms.TransferForm(request.POST or None, initial={"team": young_person.team_id})
    return record_form(
        request,
        young_person,
        form,
        TRANSFER_PAGE,
        lambda data: services.assign(
            young_person=young_person,
            adviser=data["adviser"],
            team=data["team"],
            actor=request.user,
            reason=f"Transferred: {data['reason']}",
        ),
        redirect_to=reverse("cases:caseload"),
    )


@access.young_person_view(P.CHANGE, capability=P.ASSIGN.qualified)
@GET_POST
def co_worker_grant(request, young_person):
    form = forms.CoWorkerForm(request.POST or None)
    return record_form(
        request,
        young_person,
        form,
        CO_WORKER_PAGE,
        lambda data: services.co_worker_grant(young_person=young_person, actor=request.user, **data),
    )


@access.young_person_view(P.CHANGE, capability=P.ASSIGN.qualified)
@require_POST
def co_worker_revoke(request, young_person, user_id):
    user = get_object_or_404(selectors.User, pk=user_id)
    services.co_worker_revoke(
        young_person=young_person, user=user, actor=request.user, reason="Access ended early"
    )
    messages.success(request, "Co-worker access removed")
    return redirect("cases:young-person-detail", young_person_id=young_person.pk)
