from django.contrib import admin
from django.urls import include, path

from youthservice import api, views

admin.site.site_header = "Youthservice administration"
admin.site.site_title = "Youthservice"

urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-in/code/", views.two_factor, name="two-factor"),
    path("sign-out/", views.logout, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.router.urls, "api"))),
    path("api/schema/", api.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", api.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("cases.urls")),
    path("", include("tracking.urls")),
    path("", include("sharing.urls")),
]
