from django.urls import path

from core import views

urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-in/code/", views.two_factor, name="two-factor"),
    path("sign-out/", views.logout, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set-password"),
    path("set-password/done/", views.password_set, name="password-set"),
]
