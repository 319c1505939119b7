from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from liveblocks_auth.testing.demo import (
    USERS,
    access,
    frontend_bundle,
    frontend_page,
    login_page,
    me,
)
from liveblocks_auth_django import get_client


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Demo mode: pick a demo user, no password."""
    if request.method == "POST":
        username = request.POST.get("username", "")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or username not in USERS:
            return HttpResponse(login_page(_csrf_field(request), error=True), status=400)
        login(request, user)
        return redirect("home")
    signed_in = request.user.get_username() if request.user.is_authenticated else None
    return HttpResponse(login_page(_csrf_field(request), signed_in=signed_in))


def _csrf_field(request: HttpRequest) -> str:
    return str(
        format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
    )


def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def home(request: HttpRequest) -> HttpResponse:
    """The shared demo page (examples/frontend)."""
    if not request.user.is_authenticated:
        return redirect("login")
    return HttpResponse(frontend_page(), content_type="text/html; charset=utf-8")


def access_view(request: HttpRequest) -> HttpResponse:
    """Why the user gets what they get in ?room= (the page's "Why" line)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not logged in"}, status=401)
    room = request.GET.get("room", "")
    return JsonResponse(access(get_client(), request.user.get_username(), room))


def me_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not logged in"}, status=401)
    return JsonResponse(me(request.user.get_username()))


def bundle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(frontend_bundle(), content_type="text/javascript")
