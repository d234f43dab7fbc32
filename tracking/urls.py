from django.urls import path

from tracking import dashboard_views, views

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
    path("young-people/<id:young_person_id>/merge/", views.merge, name="merge"),
    path("merges/<id:merge_id>/undo/", views.merge_undo, name="merge-undo"),
    path(
        "young-people/<id:young_person_id>/activities/<id:activity_id>/verify/",
        views.activity_verify,
        name="activity-verify",
    ),
]
