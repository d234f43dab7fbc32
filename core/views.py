import qrcode
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render, resolve_url
from django.template import loader
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from qrcode.image.svg import SvgPathImage

from core import access_rules as access
from core import forms, services


@access.public
@require_http_methods(["GET"])
def healthz(request):
    """For the load balancer: the database answers. Reveals nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """The 500 page (settings.DEBUG off): as Django's own, rendered without the request's context
    (the database may be why it failed), but with the council's name its footer gives."""
    page = loader.get_template("500.html").render({"council_name": settings.COUNCIL_NAME})
    return HttpResponseServerError(page)


login = access.public(auth_views.LoginView.as_view(redirect_authenticated_user=True))
# A set-password link (core.services.account_password_link): Django's view moves the token out of the
# URL into the session at once, and the link stops working once used.
set_password = access.public(
    auth_views.PasswordResetConfirmView.as_view(
        form_class=forms.SetPasswordForm,
        template_name="registration/set_password.html",
        success_url=reverse_lazy("password-set"),
    )
)
password_set = access.public(
    auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_set.html")
)
logout = access.public(auth_views.LogoutView.as_view())


@access.before_two_factor
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second step of signing in: a code from the authenticator app. A user without a confirmed
    app sets one up here first (QR code or typed key, then a code to prove it works)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.user.is_verified():
        return redirect(next_url)
    form = forms.TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(request, code=form.cleaned_data["code"]):
            return redirect(next_url)
        form.add_error("code", "Enter the code your app shows now (after several wrong codes, wait a minute)")
    device = services.two_factor_device(request.user)
    context = {"form": form, "next": next_url, "setting_up": not device.confirmed}
    if not device.confirmed:
        qr = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
        # The SVG is drawn by qrcode from our own otpauth URL: no user input reaches it.
        context["qr_code"] = mark_safe(qr.to_string(encoding="unicode"))  # noqa: S308  # nosec B308 B703
        context["secret"] = services.two_factor_secret(device)
    return render(request, "registration/two_factor.html", context)
