from django.urls import path

from tracking import dashboard_views, exchange_views, views

app_name = "tracking"

urlpatterns = [
    path("young-people/<id:young_person_id>/destinations/", views.destinations, name="destinations"),
    path("young-people/<id:young_person_id>/activities/new/", views.activity_create, name="activity-create"),
    path(
        "young-people/<id:young_person_id>/intended-destinations/new/",
        views.intended_destination_create,
        name="intended-destination-create",
    ),
    path("young-people/<id:young_person_id>/offers/new/", views.offer_create, name="offer-create"),
    path(
        "young-people/<id:young_person_id>/characteristics/new/",
        views.characteristic_create,
        name="characteristic-create",
    ),
    path("teams/caseloads/", views.team_caseloads, name="team-caseloads"),
    path("young-people/<id:young_person_id>/allocate/", views.allocate, name="allocate"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/figures.csv", dashboard_views.dashboard_csv, name="dashboard-csv"),
    path("dashboard/people/", dashboard_views.drill_down, name="dashboard-people"),
    path("imports/", exchange_views.imports, name="imports"),
    path("imports/<id:batch_id>/", exchange_views.import_detail, name="import-detail"),
    path("imports/<id:batch_id>/progress.json", exchange_views.import_progress, name="import-progress"),
    path("imports/<id:batch_id>/errors.csv", exchange_views.import_errors, name="import-errors"),
    path("imports/review/", exchange_views.review_queue, name="review-queue"),
    path("imports/review/<id:item_id>/", exchange_views.review_item, name="review-item"),
    path("young-people/<id:young_person_id>/merge/", exchange_views.merge, name="merge"),
    path("merges/<id:merge_id>/undo/", exchange_views.merge_undo, name="merge-undo"),
    path(
        "young-people/<id:young_person_id>/self-update-link/",
        exchange_views.self_update_send,
        name="self-update-send",
    ),
    path("caseload/self-update-links/", exchange_views.self_update_bulk, name="self-update-bulk"),
    path("update/<str:token>/", exchange_views.self_update, name="self-update"),
    path(
        "young-people/<id:young_person_id>/activities/<id:activity_id>/verify/",
        exchange_views.activity_verify,
        name="activity-verify",
    ),
]
