from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<id:batch_id>/", views.import_detail, name="import-detail"),
    path("imports/<id:batch_id>/progress.json", views.import_progress, name="import-progress"),
    path("imports/<id:batch_id>/retry/", views.import_retry, name="import-retry"),
    path("imports/<id:batch_id>/errors.csv", views.import_errors, name="import-errors"),
    path("imports/review/", views.review_queue, name="review-queue"),
    path("imports/review/<id:item_id>/", views.review_item, name="review-item"),
    path(
        "young-people/<id:young_person_id>/self-update-link/",
        views.self_update_send,
        name="self-update-send",
    ),
    path("caseload/self-update-links/", views.self_update_bulk, name="self-update-bulk"),
    path("update/<str:token>/", views.self_update, name="self-update"),
]
