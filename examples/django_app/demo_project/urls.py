from demo import views
from django.urls import include, path

urlpatterns = [
    path("", include("liveblocks_auth_django.urls")),  # POST /api/liveblocks-auth
    path("", views.home, name="home"),
    path("me", views.me_view, name="me"),
    path("access", views.access_view, name="access"),
    path("static/liveblocks-demo.js", views.bundle, name="bundle"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
]
