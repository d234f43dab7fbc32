from django.contrib import admin
from django.urls import include, path

from youthservice import views

admin.site.site_header = "Youthservice administration"
admin.site.site_title = "Youthservice"

urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-in/code/", views.two_factor, name="two-factor"),
    path("sign-out/", views.logout, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("tracking.urls")),
    path("", include("sharing.urls")),
]
