from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("young-people/<id:young_person_id>/share/", views.share, name="share"),
    path("young-people/<id:young_person_id>/disclosures/", views.disclosures, name="disclosures"),
    path("young-people/<id:young_person_id>/consents/", views.consents_and_restrictions, name="consents"),
    path("young-people/<id:young_person_id>/consents/new/", views.consent_create, name="consent-create"),
    path(
        "young-people/<id:young_person_id>/consents/<id:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("young-people/<id:young_person_id>/restrictions/s507b/", views.s507b_create, name="s507b-create"),
    path("extracts/new/", views.extract, name="extract"),
    path("returns/nccis/", views.nccis_return, name="nccis-return"),
    path("returns/destination-feedback/", views.destination_feedback, name="destination-feedback"),
    path("young-people/<id:young_person_id>/transfer-out/", views.transfer_out, name="transfer-out"),
    path("access-bundles/<id:bundle_id>/", views.bundle_document, name="bundle-document"),
    path("access-bundles/<id:bundle_id>/withhold/", views.bundle_withhold, name="bundle-withhold"),
    path("access-bundles/<id:bundle_id>/release/", views.bundle_release, name="bundle-release"),
]
