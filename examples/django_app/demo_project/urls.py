from demo import views
from django.urls import include, path

urlpatterns = [
    path("", include("liveblocks_auth_django.urls")),  # POST /api/liveblocks-auth
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
]
