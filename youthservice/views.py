from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from cases import access


@access.public
@require_http_methods(["GET"])
def healthz(request):
    """For the load balancer: the database answers. Reveals nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


login = access.public(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout = access.public(auth_views.LogoutView.as_view())
