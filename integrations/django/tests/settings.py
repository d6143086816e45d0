"""Settings for the adapter's tests: run by integrations/run.sh against the real binary,
whose address and token it exports."""

import os

SECRET_KEY = "tests-only"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "lapseguard_django",
    "tests",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

LAPSEGUARD_URL = os.environ["LAPSEGUARD_URL"]
LAPSEGUARD_TOKEN = os.environ["LAPSEGUARD_TOKEN"]
LAPSEGUARD_TIMEOUT = 2
