from django.urls import include, path

from cases import views

app_name = "cases"

young_person_patterns = [
    path("", views.young_person_detail, name="young-person-detail"),
    path("edit/", views.young_person_edit, name="young-person-edit"),
    path("history/", views.young_person_history, name="young-person-history"),
    path("audit/", views.young_person_audit, name="young-person-audit"),
    path("transfer/", views.young_person_transfer, name="young-person-transfer"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("actions/new/", views.action_create, name="action-create"),
    path("actions/<id:action_id>/complete/", views.action_complete, name="action-complete"),
    path("sensitive-notes/new/", views.sensitive_note_create, name="sensitive-note-create"),
    path("co-workers/new/", views.co_worker_grant, name="co-worker-grant"),
    path("co-workers/<id:user_id>/remove/", views.co_worker_revoke, name="co-worker-revoke"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/export.csv", views.caseload_export, name="caseload-export"),
    path("to-do/", views.todo, name="todo"),
    path("contact-intervals/", views.contact_intervals, name="contact-intervals"),
    path("search/", views.search, name="search"),
    path("young-people/new/", views.young_person_create, name="young-person-create"),
    path("young-people/<id:young_person_id>/", include(young_person_patterns)),
]
