from django.contrib import admin
from django.urls import include, path

from youthservice import api

admin.site.site_header = "Youthservice administration"
admin.site.site_title = "Youthservice"
handler404 = "youthservice.api.not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", include("core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api.router.urls, "api"))),
    path("api/schema/", api.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", api.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("cases.urls")),
    path("", include("tracking.urls")),
    path("", include("sharing.urls")),
    path("", include("exchange.urls")),
]
