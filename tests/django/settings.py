"""Settings for the Django adapter's unit tests."""

SECRET_KEY = "django-tests-0123456789abcdef0123456789abcdef"  # 32+ bytes: simplejwt signs
DEBUG = False
ALLOWED_HOSTS = ["testserver", "app.example.com", "proxy.example.com"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "liveblocks_auth_django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Contract tests name their user in an X-Test-User header (no database needed).
    "tests.reliability.users.DjangoHeaderUserMiddleware",
]
ROOT_URLCONF = "tests.django.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LIVEBLOCKS = {"SECRET_KEY": "sk_test_0123456789abcdef"}
