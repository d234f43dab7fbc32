from django.urls import path

from core import views

urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-in/code/", views.two_factor, name="two-factor"),
    path("sign-out/", views.logout, name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
