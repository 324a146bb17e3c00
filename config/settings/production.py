"""Production settings: everything secret or host-specific comes from the environment."""

from config.env import env_bool, env_int, env_list, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import MIDDLEWARE

DEBUG = False
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
# The console backend would write sign-in codes to the log: production must name a real SMS gateway.
SMS_BACKEND = env_str("GRIDWORK_SMS_BACKEND")
SECRET_KEY = env_str("GRIDWORK_SECRET_KEY")
ALLOWED_HOSTS = env_list("GRIDWORK_ALLOWED_HOSTS", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("GRIDWORK_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("GRIDWORK_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Staff above grid worker confirm their password with a second factor (等保 2.0 level 3); check --deploy warns if off.
GRIDWORK_STAFF_2FA = env_bool("GRIDWORK_STAFF_2FA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
