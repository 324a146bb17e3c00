"""Settings shared by every environment. Environment variables are read only through config.env."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("GRIDWORK_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("GRIDWORK_DEBUG", False)
ALLOWED_HOSTS = env_list("GRIDWORK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "gridwork.common",
    "gridwork.audit",
    "gridwork.places",
    "gridwork.accounts",
    "gridwork.party",
    "gridwork.points",
    "gridwork.wishes",
    "gridwork.volunteers",
    "gridwork.care",
    "gridwork.cobuild",
    "gridwork.contracts",
    "gridwork.alliances",
    "gridwork.workforce",
    "gridwork.schemes",
    "gridwork.ratings",
    "gridwork.mediation",
    "gridwork.screening",
    "gridwork.threezero",
    "gridwork.centres",
    "gridwork.activities",
    "gridwork.serviceday",
    "gridwork.deliberation",
    "gridwork.socialorgs",
    "gridwork.estates",
    "gridwork.propertyfirms",
    "gridwork.gridvisits",
    "gridwork.admission",
    "gridwork.keytasks",
    "gridwork.people",
    "gridwork.imports",
    "gridwork.matters",
    "gridwork.notifications",
    "gridwork.supervision",
    "gridwork.jobs",
    "gridwork.api",
    "gridwork.open311",
    "gridwork.webhooks",
    "gridwork.triage",
    "gridwork.analytics",
    "gridwork.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gridwork.accounts.middleware.IdleTimeoutMiddleware",
    "gridwork.accounts.middleware_twofactor.SecondFactorMiddleware",
    "gridwork.accounts.middleware.PasswordAgeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridwork.accounts.context_processors.staff_context",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    engine = env_str("GRIDWORK_DB", "sqlite")
    if engine == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("GRIDWORK_PG_NAME", "gridwork"),
            "USER": env_str("GRIDWORK_PG_USER", "gridwork"),
            "PASSWORD": env_str("GRIDWORK_PG_PASSWORD", ""),
            "HOST": env_str("GRIDWORK_PG_HOST", "127.0.0.1"),
            "PORT": env_str("GRIDWORK_PG_PORT", "5432"),
            "CONN_MAX_AGE": env_int("GRIDWORK_PG_CONN_MAX_AGE", 60),
            "TEST": {"NAME": env_str("GRIDWORK_PG_TEST_NAME", "test_gridwork")},
        }
    if engine != "sqlite":
        raise ValueError(f"GRIDWORK_DB must be 'sqlite' or 'postgresql', not {engine!r}.")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(env_str("GRIDWORK_SQLITE_PATH", str(BASE_DIR / "var" / "gridwork.sqlite3"))),
        "OPTIONS": {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN,
            # so concurrent writers queue on busy_timeout instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "gridwork.accounts.backends.PhoneCodeBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gridwork.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gridwork.accounts.passwords.PasswordReuseValidator"},
]
# 等保: staff change their password at least every this many days (0: never asked; OWASP ASVS advises against it).
GRIDWORK_PASSWORD_MAX_AGE_DAYS = env_int("GRIDWORK_PASSWORD_MAX_AGE_DAYS", 90)

# Sessions: a new id at every login (Django's default, tested); idle timeout by IdleTimeoutMiddleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("GRIDWORK_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = 12 * 60 * 60  # an absolute cap; the idle limit is enforced by IdleTimeoutMiddleware
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout (django-axes): 5 failures lock the account for 30 minutes.
AXES_FAILURE_LIMIT = env_int("GRIDWORK_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GRIDWORK_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A lock lasts a fixed 30 minutes: tries during the lock must not extend it, or anyone could keep an account locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The second factor (gridwork/accounts/twofactor.py): staff above grid worker confirm the password with a code from an
# authenticator app (TOTP) or a backup code. Off here and in `make run`; on by default in production. Five wrong codes
# in a row lock it for AXES_COOLOFF_TIME; django-otp's own throttling (OTP_TOTP_THROTTLE_FACTOR, 1 s doubling) stays.
GRIDWORK_STAFF_2FA = env_bool("GRIDWORK_STAFF_2FA", False)
OTP_TOTP_ISSUER = env_str("GRIDWORK_2FA_ISSUER", "Gridwork")
# Lockout is per account, as required; locking a whole IP would lock every clerk behind one office NAT.
# Per-IP rate limiting of the login form is a separate control (see the production-grade issue).
# models.W040: SQLite has no INCLUDE columns; the one covering index (analytics.MonthlyRollup) is for PostgreSQL and
# SQLite makes it without them, which is what is wanted.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gridwork" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "gridwork" / "static",
    # Front-end libraries installed from package-lock.json and served by the platform itself.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("GRIDWORK_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Uploads: a report carries at most 9 photos of 10 MB (the filing views refuse larger bodies with 413).
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Residents' one-time codes go out through a pluggable SMS backend.
SMS_BACKEND = env_str("GRIDWORK_SMS_BACKEND", "gridwork.accounts.sms.ConsoleSmsBackend")
PHONE_CODE_TTL = timedelta(minutes=5)
PHONE_CODE_RESEND_INTERVAL = timedelta(seconds=60)
PHONE_CODE_MAX_ATTEMPTS = 5

# Office hours for limits in working hours (受理时限 etc.), as HH:MM-HH:MM periods in TIME_ZONE.
SUPERVISION_OFFICE_HOURS = env_list("GRIDWORK_OFFICE_HOURS", ["08:30-12:00", "14:00-17:30"])
# The yellow warning starts when this share of a limit's time is left (25 = a quarter), in percent.
SUPERVISION_WARN_FRACTION = env_int("GRIDWORK_WARN_PERCENT", 25) / 100

# A point outside every grid is placed in the nearest grid within this distance.
LOCATE_NEAREST_METRES = env_int("GRIDWORK_LOCATE_NEAREST_METRES", 200)

# Background tasks (django-tasks): rows in the platform's own database, run by `manage.py db_worker`. A task
# enqueued inside a transaction is written in it, so it exists exactly when the transaction commits.
# The REST API (/api/v1/): token or session sign-in, the same scope rules as the pages, JSON errors with a code.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridwork.api.authentication.ApiTokenAuthentication",
        "gridwork.api.authentication.CheckedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridwork.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"api": env_str("GRIDWORK_API_RATE", "600/minute")},
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gridwork API",
    "DESCRIPTION": (
        "The REST API of Gridwork (党建引领城市基层治理): residents' matters, places and categories, and the "
        "assessment's figures."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would send the schema to validator.swagger.io for its badge: nothing leaves the intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MatterKindEnum": "gridwork.matters.workflow.MatterKind",
        "DepartmentKindEnum": "gridwork.places.models.DepartmentKind",
    },
}
# Open311 GeoReport v2 (/open311/v2/): the jurisdiction this server answers for, and who to contact about it.
OPEN311_JURISDICTION = env_str("GRIDWORK_OPEN311_JURISDICTION", "gridwork.local")
OPEN311_CONTACT = env_str("GRIDWORK_OPEN311_CONTACT", "12345")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Periodic jobs, enqueued by `manage.py run_scheduler` (gridwork/jobs): (name, cron expression in TIME_ZONE with
# five fields, dotted path of a django-tasks task taking no arguments). The name identifies the job's fires.
GRIDWORK_SCHEDULE: tuple[tuple[str, str, str], ...] = (
    ("supervision-sweep", "*/5 * * * *", "gridwork.supervision.tasks.sweep_deadlines"),
    ("audit-seal", "* * * * *", "gridwork.audit.tasks.seal"),
    ("audit-purge", "50 3 * * *", "gridwork.audit.tasks.purge"),
    ("matters-anonymise", "20 4 * * *", "gridwork.matters.tasks.anonymise"),
    ("webhook-retry", "* * * * *", "gridwork.webhooks.tasks.deliver_due"),
    ("api-idempotency-prune", "17 3 * * *", "gridwork.api.tasks.prune_old_idempotency_keys"),
    ("triage-retrain", "40 2 * * 1", "gridwork.triage.tasks.retrain"),
    ("analytics-rises", "20 1 * * *", "gridwork.analytics.tasks.detect_rises"),
    ("contracts-expiring", "30 7 * * *", "gridwork.contracts.tasks.warn_expiring"),
    ("mediation-follow-ups", "0 8 * * *", "gridwork.mediation.tasks.remind_follow_ups"),
    ("screening-remind", "5 8 * * *", "gridwork.screening.tasks.remind_unscreened"),
    ("centres-expire-pending", "*/15 * * * *", "gridwork.centres.tasks.expire_pending_bookings"),
    ("activities-life-gaps", "15 8 * * *", "gridwork.activities.tasks.warn_life_gaps"),
    ("serviceday-daily", "30 7 * * *", "gridwork.serviceday.tasks.run_service_days"),
    ("deliberation-meetings", "15 8 * * *", "gridwork.deliberation.tasks.remind_meetings"),
    ("estates-elections", "10 7 * * *", "gridwork.estates.tasks.warn_elections"),
    ("propertyfirms-expire-recognitions", "10 1 * * *", "gridwork.propertyfirms.tasks.expire_recognitions"),
    ("keytasks-warn-milestones", "0 8 * * *", "gridwork.keytasks.tasks.warn_milestones"),
)

# Smart triage: the trained model suggests (falling back to the keyword rules while there is none).
MATTERS_TRIAGE_BACKEND = "gridwork.triage.backend.ModelTriage"
TRIAGE_DATA_DIR = BASE_DIR / "data" / "tipdm2020"  # the shipped labelled and unlabelled messages
TRIAGE_SEED = env_int("GRIDWORK_TRIAGE_SEED", 0)
TRIAGE_CV_FOLDS = 5  # repeated stratified cross-validation of every new model
TRIAGE_CV_REPEATS = env_int("GRIDWORK_TRIAGE_CV_REPEATS", 2)
TRIAGE_MIN_CLASS = 5  # a class learned from corrections needs this many examples before it is trained

# Analysis: the map draws the grids' own polygons; a deployment with a map service (天地图, a city GIS) may put
# its tiles beneath them, e.g. "https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk=KEY" ({s}, {z}, {x}, {y} as Leaflet's).
ANALYTICS_MAP_TILE_URL = env_str("GRIDWORK_MAP_TILE_URL", "")
ANALYTICS_MAP_TILE_ATTRIBUTION = env_str("GRIDWORK_MAP_TILE_ATTRIBUTION", "")


def _tile_sources(url: str) -> list[str]:
    """The origin of the map tiles for img-src: none for no tile service or the platform's own (a path); Leaflet's
    {s} sub-domain becomes a wildcard."""
    if "://" not in url:
        return []
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    first, dot, others = host.partition(".")
    return [f"{scheme}://{'*' + dot + others if '{' in first else host}"]


# Content-Security-Policy (django-csp 4.x; Django's own arrives only in 6.0), enforced in every environment so the
# browser tests exercise it. Everything comes from the platform itself: no inline script, no inline style (attribute
# or element), no eval; the map tiles' own server when a deployment names one. Reports go to a log.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_sources(ANALYTICS_MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
    },
}

# Disputes: the CJK font embedded in the mediation documents (调解协议书, 移送函); empty = WenQuanYi Micro Hei from
# Debian's fonts-wqy-microhei when installed, else reportlab's built-in STSong-Light (not embedded). Grids not yet
# screened this month are flagged from this day of the month on.
GRIDWORK_PDF_FONT = env_str("GRIDWORK_PDF_FONT", "")
GRIDWORK_SCREENING_DUE_DAY = env_int("GRIDWORK_SCREENING_DUE_DAY", 25)
# Room bookings: the longest booking, how far ahead residents, units and organisations may book, and how many upcoming
# bookings one of their accounts may hold.
CENTRES_MAX_BOOKING_HOURS = env_int("GRIDWORK_CENTRES_MAX_BOOKING_HOURS", 8)
CENTRES_BOOKING_HORIZON_DAYS = env_int("GRIDWORK_CENTRES_BOOKING_HORIZON_DAYS", 90)
CENTRES_MAX_UPCOMING_BOOKINGS = env_int("GRIDWORK_CENTRES_MAX_UPCOMING_BOOKINGS", 5)
# Community actors: the community social organisations each community should have ("5+X", at least 15 — seed 002).
GRIDWORK_SOCIALORGS_TARGET = env_int("GRIDWORK_SOCIALORGS_TARGET", 15)
# Audit rows are kept this many days, then purged (at least 183: the database refuses to delete younger rows).
GRIDWORK_AUDIT_RETENTION_DAYS = env_int("GRIDWORK_AUDIT_RETENTION_DAYS", 365)
# A closed matter's reporter data (account link, name, phone; numbers in its text) is removed this long after closing.
GRIDWORK_PERSONAL_DATA_DAYS = env_int("GRIDWORK_PERSONAL_DATA_DAYS", 730)
# Key tasks: how many working days before a milestone's due date its responsible person is warned.
GRIDWORK_KEYTASKS_WARN_WORKING_DAYS = env_int("GRIDWORK_KEYTASKS_WARN_WORKING_DAYS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "gridwork": {"handlers": ["console"], "level": env_str("GRIDWORK_LOG_LEVEL", "INFO")},
        "gridwork.sms": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
